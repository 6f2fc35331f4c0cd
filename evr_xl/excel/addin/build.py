"""Build `evr_addin.xlam` from xlwings' BSD ribbon add-in template, at the zip/XML level.

openpyxl cannot open .xlam files (and drops ribbons), so every part is edited as bytes:
the ribbon (`customUI/customUI.xml`), the config sheet (renamed from `_myaddin.conf` to
`evr_addin.conf`, which activates it, holding only `UDF Modules`), the VBA project (from the
sources in `evr_xl/excel/vba/`, including the worksheet-function wrappers `xlwings_udfs.bas`
that `udf_wrappers` generates with xlwings) and the document properties. The output is deterministic
(fixed timestamps and order), so a test can prove the committed add-in is what this code builds.

Run: `python -m evr_xl.excel.addin.build [OUT]`.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from evr_xl.excel.addin.customui import customui_xml
from evr_xl.excel.addin.vbaproject import build_vba_project

ADDIN_NAME = "evr_addin"  # the file name; also xlwings' PROJECT_NAME (config sheet and file)
VBA_PROJECT_NAME = "EvrAddin"
CONFIG_SHEET = f"{ADDIN_NAME}.conf"
TEMPLATE_CONFIG_SHEET = "_myaddin.conf"
UDF_MODULES = "udfs.evr_functions"
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = REPO_ROOT / "workbook_templates" / f"{ADDIN_NAME}.xlam"
VBA_DIR = Path(__file__).resolve().parents[1] / "vba"
# Only keys we set go on the add-in's sheet: xlwings reads that sheet before the user's config
# file, so an empty "Interpreter_Win" row there would hide the interpreter set in the file.
CONFIG: tuple[tuple[str, str], ...] = (("UDF Modules", UDF_MODULES),)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_VERSION_LINE = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)


class AddinBuildError(RuntimeError):
    """The template or the VBA sources are not what the builder expects."""


def template_path() -> Path:
    """xlwings' own `quickstart_addin_ribbon.xlam` from the installed (pinned) package."""
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def vba_sources(vba_dir: Path = VBA_DIR) -> dict[str, str]:
    """Module name -> source text, from the `.bas` and `.cls` files (sorted by file name)."""
    files = sorted([*vba_dir.glob("*.bas"), *vba_dir.glob("*.cls")], key=lambda p: p.name)
    return {p.stem: p.read_text(encoding="cp1252") for p in files}


def pinned_xlwings_version(sources: dict[str, str]) -> str:
    """The xlwings version baked into the xlwings VBA module (its DLL names use it)."""
    match = _VERSION_LINE.search(sources.get("xlwings", ""))
    if not match:
        raise AddinBuildError("evr_xl/excel/vba/xlwings.bas has no XLWINGS_VERSION constant")
    return match.group(1)


def check_xlwings_version(sources: dict[str, str]) -> None:
    """Refuse to go on unless the installed xlwings is the one the VBA sources are for."""
    import xlwings

    pinned = pinned_xlwings_version(sources)
    if xlwings.__version__ != pinned:
        raise AddinBuildError(
            f"xlwings {xlwings.__version__} is installed but the VBA sources are for {pinned}; "
            f"install xlwings=={pinned} (as pinned in pyproject.toml) before building the add-in"
        )


def build_addin(out_path: str | Path = DEFAULT_OUT) -> Path:
    """Write the EVR add-in to `out_path` (created or replaced) and return its path."""
    sources = vba_sources()
    check_xlwings_version(sources)
    members = addin_members(template_path().read_bytes(), sources)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compresslevel=9)
    tmp.replace(out)
    return out


def addin_members(template: bytes, sources: dict[str, str]) -> dict[str, bytes]:
    """Every part of the add-in, in the template's order, with ours replacing theirs."""
    import io

    with zipfile.ZipFile(io.BytesIO(template)) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    edits = {
        "customUI/customUI.xml": lambda _: customui_xml(),
        "xl/vbaProject.bin": lambda b: build_vba_project(b, sources, VBA_PROJECT_NAME),
        "xl/workbook.xml": _workbook_xml,
        "xl/sharedStrings.xml": lambda _: _shared_strings(),
        "xl/worksheets/sheet1.xml": _config_sheet,
        "docProps/core.xml": _core_xml,
    }
    missing = sorted(set(edits) - set(parts))
    if missing:
        raise AddinBuildError(f"{template_path()}: template lacks {', '.join(missing)}")
    return {name: edits[name](data) if name in edits else data for name, data in parts.items()}


def _replace_once(text: str, old: str, new: str, part: str) -> str:
    if text.count(old) != 1:
        raise AddinBuildError(f"template part {part} does not contain {old!r} exactly once")
    return text.replace(old, new)


def _workbook_xml(data: bytes) -> bytes:
    text = data.decode("utf-8")
    old = f'<sheet name="{TEMPLATE_CONFIG_SHEET}"'
    text = _replace_once(text, old, f'<sheet name="{CONFIG_SHEET}"', "xl/workbook.xml")
    # The template remembers the folder it was saved in on its author's machine.
    text = re.sub(r"<mc:AlternateContent\b.*?</mc:AlternateContent>", "", text, flags=re.S)
    return text.encode("utf-8")


def _shared_strings() -> bytes:
    strings = [s for row in CONFIG for s in row]
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f' count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _config_sheet(data: bytes) -> bytes:
    text = data.decode("utf-8")
    rows = "".join(
        f'<row r="{r}" spans="1:2"><c r="A{r}" s="1" t="s"><v>{2 * (r - 1)}</v></c>'
        f'<c r="B{r}" s="1" t="s"><v>{2 * (r - 1) + 1}</v></c></row>'
        for r in range(1, len(CONFIG) + 1)
    )
    text = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", text, flags=re.S)
    text = _replace_once(
        text, '<dimension ref="A1:B13" />', f'<dimension ref="A1:B{len(CONFIG)}" />', "sheet1.xml"
    )
    text = _replace_once(
        text,
        '<col min="2" max="2" width="9.25" style="1" customWidth="1" />',
        '<col min="2" max="2" width="28" style="1" customWidth="1" />',
        "sheet1.xml",
    )
    return text.encode("utf-8")


def _core_xml(data: bytes) -> bytes:
    text = data.decode("utf-8")
    text = _replace_once(text, "<dc:title />", "<dc:title>EVR-XL add-in</dc:title>", "core.xml")
    text = re.sub(r"<dc:creator>[^<]*</dc:creator>", "<dc:creator>EVR-XL</dc:creator>", text)
    text = re.sub(
        r"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>",
        "<cp:lastModifiedBy>EVR-XL</cp:lastModifiedBy>",
        text,
    )
    return text.encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = build_addin(args[0] if args else DEFAULT_OUT)
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
