"""The built add-in: equal to the committed file, and its VBA read back by two other readers."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from evr_xl.excel.addin import build, cfb, ovba
from evr_xl.excel.addin.vbaproject import read_modules, to_crlf
from evr_xl.lo import find_soffice

OURS = {"Dictionary", "EvrRibbon", "xlwings", "xlwings_udfs"}


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_committed_addin_is_what_the_builder_produces(built: Path) -> None:
    """Regenerate with `python -m evr_xl.excel.addin.build` when this fails."""
    assert build.DEFAULT_OUT.is_file(), (
        f"{build.DEFAULT_OUT} is missing: run python -m evr_xl.excel.addin.build"
    )
    ours, committed = _members(built), _members(build.DEFAULT_OUT)
    assert list(ours) == list(committed)
    for name in ours:
        assert ours[name] == committed[name], f"{name} differs from the committed add-in"


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = build.build_addin(tmp_path / "again.xlam")
    assert again.read_bytes() == built.read_bytes()
    with zipfile.ZipFile(again) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_parts_besides_ours_are_the_templates(built: Path) -> None:
    template, ours = _members(build.template_path()), _members(built)
    assert list(ours) == list(template)
    changed = {n for n in ours if ours[n] != template[n]}
    assert changed == {
        "customUI/customUI.xml",
        "xl/vbaProject.bin",
        "xl/workbook.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "docProps/core.xml",
    }


def test_config_sheet_is_active_and_holds_udf_modules(built: Path) -> None:
    parts = _members(built)
    workbook = parts["xl/workbook.xml"].decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["evr_addin.conf"]
    assert "felix" not in workbook.lower()
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = [t.text for t in ET.fromstring(parts["xl/sharedStrings.xml"]).iterfind(".//m:t", ns)]
    sheet = ET.fromstring(parts["xl/worksheets/sheet1.xml"])
    cells = {c.get("r"): strings[int(c.find("m:v", ns).text)] for c in sheet.iterfind(".//m:c", ns)}
    assert cells == {"A1": "UDF Modules", "B1": "udfs.evr_functions"}


def test_xlwings_module_looks_for_the_evr_addin_config(sources: dict[str, str]) -> None:
    assert 'Public Const PROJECT_NAME As String = "evr_addin"' in sources["xlwings"]
    assert build.ADDIN_NAME == "evr_addin" and build.CONFIG_SHEET == "evr_addin.conf"


def test_vba_project_structure(built_vba: bytes, template_vba: bytes) -> None:
    streams = cfb.read_streams(built_vba)
    records = ovba.parse_dir(ovba.decompress(streams[("VBA", "dir")]))
    head, modules = ovba.split_modules(records)
    names = [m.name for m in modules]
    assert names == ["ThisWorkbook", "Dictionary", "Sheet2", "xlwings", "EvrRibbon", "xlwings_udfs"]
    count = next(d for r, d in head if r == ovba.PROJECTMODULES)
    assert int.from_bytes(count, "little") == len(names)
    assert next(d for r, d in head if r == ovba.PROJECTNAME) == b"EvrAddin"
    assert streams[("VBA", "_VBA_PROJECT")] == bytes.fromhex("CC61FFFF000100")
    project = streams[("PROJECT",)].decode("cp1252")
    assert "Module=EvrRibbon\r\n" in project and "Module=xlwings\r\n" in project
    assert "Module=xlwings_udfs\r\n" in project
    assert "RibbonMyAddin" not in project and 'Name="EvrAddin"' in project
    wm = streams[("PROJECTwm",)]
    for name in names:
        assert name.encode() + b"\x00" + name.encode("utf-16-le") + b"\x00\x00" in wm
    # Prefixes: kept byte for byte where the donor had one; none for the new modules.
    before, after = read_modules(template_vba), read_modules(built_vba)
    for name in ("ThisWorkbook", "Dictionary", "Sheet2", "xlwings"):
        assert after[name].prefix == before[name].prefix
    assert len(after["Dictionary"].prefix) > 0
    assert after["EvrRibbon"].prefix == b"" and after["xlwings_udfs"].prefix == b""
    assert ("VBA", "RibbonMyAddin") not in streams


def test_olevba_extracts_exactly_our_sources(built: Path, sources: dict[str, str]) -> None:
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(built))
    try:
        found = {Path(vba_name).stem: code for _, _, vba_name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(found) == OURS | {"ThisWorkbook", "Sheet2"}
    for name in OURS:
        assert found[name] == to_crlf(sources[name]), f"olevba reads a different {name}"


def _libreoffice_basic(xlam: Path) -> dict[str, dict[str, str]]:
    """Library -> module -> Basic text, as LibreOffice loads the add-in's VBA."""
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="evr-addin-lo-") as tmp:
        work = Path(tmp)
        src = work / xlam.name
        shutil.copy(xlam, src)
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(work / "out"),
            str(src),
        ]
        subprocess.run(cmd, capture_output=True, timeout=180, check=False)
        ods = work / "out" / f"{xlam.stem}.ods"
        assert ods.is_file(), "LibreOffice did not load the add-in"
        out: dict[str, dict[str, str]] = {}
        with zipfile.ZipFile(ods) as zf:
            for name in zf.namelist():
                m = re.fullmatch(r"Basic/([^/]+)/([^/]+)\.xml", name)
                if m and not m.group(2).startswith("script-"):
                    text = ET.fromstring(zf.read(name)).text or ""
                    out.setdefault(m.group(1), {})[m.group(2)] = text
        return out


def _as_libreoffice_shows(source: str) -> str:
    """LibreOffice drops `Attribute` lines and adds header lines of its own (three for a class)."""
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute "))


@pytest.mark.libreoffice
def test_libreoffice_loads_each_module_with_our_text(built: Path, sources: dict[str, str]) -> None:
    basic = _libreoffice_basic(built)
    assert set(basic) >= {"EvrAddin"}
    library = basic["EvrAddin"]
    assert set(library) == OURS | {"ThisWorkbook", "Sheet2"}
    for name in OURS:
        text = library[name].replace("\r\n", "\n")
        header, _, body = text.partition("Option VBASupport 1\n")
        assert header.startswith("Rem Attribute VBA_ModuleType="), name
        if header.startswith("Rem Attribute VBA_ModuleType=VBAClassModule"):
            assert body.startswith("Option ClassModule\n"), name
            body = body.removeprefix("Option ClassModule\n")
        assert body.rstrip("\n") == _as_libreoffice_shows(sources[name]).rstrip("\n"), name
