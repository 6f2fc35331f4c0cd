"""The part-level writer: output sheets go in, nothing else in the workbook changes."""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from evr_xl.outputs.file import render_workbook, write_output_sheets
from evr_xl.workbook.layout import OUTPUT_SHEET_NAMES
from evr_xl.xlsx import writer
from evr_xl.xlsx.sheet import CellSpec, SheetSpec, escape_text
from evr_xl.xlsx.writer import WorkbookChanged, WorkbookLocked, backup_path_for, fingerprint
from tests.workbook.fixtures import INJECTION, build_rich_workbook, output_specs

# openpyxl warns that it drops the fixture's x14 extensions when it reads: expected here.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

NEW_SHEETS = [s for s in OUTPUT_SHEET_NAMES if s != "Dashboard"]
SHARED_OWNED = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "xl/styles.xml",
}


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


def raw_members(data: bytes) -> dict[str, tuple[int, int, bytes]]:
    """Each member's CRC, compression method and raw compressed bytes."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            n, e = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
            start = info.header_offset + 30 + n + e
            out[info.filename] = (
                info.CRC,
                info.compress_type,
                data[start : start + info.compress_size],
            )
    return out


def sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> worksheet part name, via workbook.xml and its rels."""
    parts = members(data)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel).group(1)
        targets[rid] = re.search(r'Target="([^"]+)"', rel).group(1).lstrip("/")
    out = {}
    for el in re.findall(r"<sheet\b[^>]*>", parts["xl/workbook.xml"].decode()):
        name = re.search(r'name="([^"]+)"', el).group(1)
        rid = re.search(r'r:id="([^"]+)"', el).group(1)
        target = targets[rid]
        out[name] = target if target.startswith("xl/") else "xl/" + target
    return out


@pytest.fixture
def rich(tmp_path: Path) -> Path:
    return build_rich_workbook(tmp_path)


def test_every_part_it_does_not_own_is_byte_identical(rich: Path) -> None:
    before = rich.read_bytes()
    report = write_output_sheets(rich, output_specs())
    after = rich.read_bytes()

    assert report.sheets_written == OUTPUT_SHEET_NAMES
    assert report.sheets_added == tuple(NEW_SHEETS)
    old_sheets, new_sheets = sheet_parts(before), sheet_parts(after)
    owned = SHARED_OWNED | {new_sheets[name] for name in OUTPUT_SHEET_NAMES}
    old_raw, new_raw = raw_members(before), raw_members(after)
    assert set(old_raw) - set(new_raw) == set()  # nothing removed
    assert set(new_raw) - set(old_raw) == {new_sheets[n] for n in NEW_SHEETS}
    for name, raw in old_raw.items():
        if name not in owned:
            assert new_raw[name] == raw, f"{name} changed"  # compressed bytes copied through
    # Input sheets, the VBA project, extensions: spelled out for the reader of this test.
    for sheet in ("Program", "Workstreams", "Value Drivers"):
        assert old_sheets[sheet] == new_sheets[sheet]
        assert new_raw[new_sheets[sheet]] == old_raw[old_sheets[sheet]]
    assert members(after)["xl/vbaProject.bin"] == members(before)["xl/vbaProject.bin"]
    # Zip order kept: the old members first, in their old order.
    assert list(new_raw)[: len(old_raw)] == list(old_raw)


def test_shared_parts_only_gain_elements(rich: Path) -> None:
    before = members(rich.read_bytes())
    write_output_sheets(rich, output_specs())
    after = members(rich.read_bytes())

    wb = after["xl/workbook.xml"].decode()
    for name in NEW_SHEETS:
        wb = re.sub(rf'<sheet name="{name}" sheetId="\d+" r:id="rId\d+"/>', "", wb)
    titles = (
        r'<definedName name="_xlnm.Print_Titles" localSheetId="\d+">\'({})\'![^<]*</definedName>'
    )
    outputs = "|".join(map(re.escape, OUTPUT_SHEET_NAMES))
    assert re.search(titles.format("Findings"), wb)  # the output tables' print titles
    wb = re.sub(titles.format(outputs), "", wb)
    assert wb == before["xl/workbook.xml"].decode()  # definedNames, extLst, mc:Ignorable kept

    rels = re.sub(
        r'<Relationship Id="rId1[0-3]"[^>]*/>', "", after["xl/_rels/workbook.xml.rels"].decode()
    )
    assert rels == before["xl/_rels/workbook.xml.rels"].decode()
    types = re.sub(
        r'<Override PartName="/xl/worksheets/sheet[5-8]\.xml"[^>]*/>',
        "",
        after["[Content_Types].xml"].decode(),
    )
    assert types == before["[Content_Types].xml"].decode()

    for section in ("numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs"):
        old = re.search(
            rf"<{section}\b[^>]*?(?:/>|>(.*?)</{section}>)", before["xl/styles.xml"].decode()
        )
        new = re.search(rf"<{section}\b[^>]*>(.*?)</{section}>", after["xl/styles.xml"].decode())
        assert new is not None
        assert new.group(1).startswith((old.group(1) or "") if old else ""), section


def test_an_existing_output_sheet_is_replaced_in_place(rich: Path) -> None:
    before = rich.read_bytes()
    old_entry = re.search(
        r'<sheet name="Dashboard"[^>]*>', members(before)["xl/workbook.xml"].decode()
    )
    write_output_sheets(rich, output_specs())
    after = rich.read_bytes()
    new_entry = re.search(
        r'<sheet name="Dashboard"[^>]*>', members(after)["xl/workbook.xml"].decode()
    )
    assert new_entry.group(0) == old_entry.group(0)  # same sheetId, r:id, position
    assert sheet_parts(after)["Dashboard"] == sheet_parts(before)["Dashboard"]
    wb = openpyxl.load_workbook(rich)
    assert wb.sheetnames[:4] == ["Program", "Workstreams", "Value Drivers", "Dashboard"]
    assert wb["Dashboard"]["Z99"].value is None  # stale content gone
    assert wb["Dashboard"].sheet_view.tabSelected  # it was the selected tab; still is


def _expected(cell: CellSpec) -> object:
    return escape_text(cell.value) if isinstance(cell.value, str) else cell.value


def test_openpyxl_and_calamine_read_back_every_value(rich: Path) -> None:
    specs = output_specs(rows=12, cols=9)
    write_output_sheets(rich, specs)
    wb = openpyxl.load_workbook(rich)
    cal = CalamineWorkbook.from_path(str(rich))
    for spec in specs:
        ws = wb[spec.name]
        grid = cal.get_sheet_by_name(spec.name).to_python(skip_empty_area=False)
        for cell in spec.cells:
            expected = _expected(cell)
            got_openpyxl = ws.cell(cell.row, cell.col).value
            got_calamine = grid[cell.row - 1][cell.col - 1]
            if hasattr(expected, "year"):  # dates come back as datetime (openpyxl) / date
                assert got_openpyxl.date() == expected
                assert got_calamine == expected
            else:
                assert got_openpyxl == expected, (spec.name, cell)
                assert got_calamine == expected, (spec.name, cell)
        assert ws["B5"].number_format == "General"
        assert ws["C5"].number_format == "yyyy-mm"
        assert ws["F5"].number_format == "#,##0;[Red]-#,##0"
        assert ws["A4"].fill.fgColor.rgb == "FF1F3864" and ws["A4"].font.b
        assert ws.freeze_panes == "B5"
        assert "A1:F1" in {str(m) for m in ws.merged_cells.ranges}
        assert ws.cell(17, 1).hyperlink.location == "'Value Drivers'!D3"
        rules = [r for cf in ws.conditional_formatting for r in cf.rules]
        assert [r.formula for r in rules] == [['"Green"'], ['"Amber"'], ['"Red"']]


def test_formula_like_text_stays_text(rich: Path) -> None:
    write_output_sheets(rich, output_specs(rows=2, cols=3))
    data = rich.read_bytes()
    xml = members(data)[sheet_parts(data)["Findings"]].decode()
    cell = re.search(r'<c r="A3"[^>]*>.*?</c>', xml).group(0)
    assert 't="inlineStr"' in cell and "<f>" not in cell and "<f " not in cell
    assert "<f>" not in xml and "<f " not in xml  # no formulas anywhere in an output
    ws = openpyxl.load_workbook(rich)["Findings"]
    assert ws["A3"].value == INJECTION and ws["A3"].data_type == "s"
    assert ws["A3"].quotePrefix and ws["B3"].quotePrefix  # "=..." and "@..."
    assert not ws["A1"].quotePrefix


def test_writing_twice_is_idempotent(rich: Path) -> None:
    write_output_sheets(rich, output_specs())
    first = rich.read_bytes()
    write_output_sheets(rich, output_specs())
    second = rich.read_bytes()
    assert members(second) == members(first)
    assert second == first  # the whole file, zip bytes included


def test_a_file_changed_after_reading_is_refused(rich: Path) -> None:
    seen = fingerprint(rich)
    changed = members(rich.read_bytes())  # someone saves the workbook meanwhile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in changed.items():
            z.writestr(name, content)
    rich.write_bytes(buf.getvalue())
    with pytest.raises(WorkbookChanged, match="changed after it was read"):
        write_output_sheets(rich, output_specs(), expected_fingerprint=seen)
    assert rich.read_bytes() == buf.getvalue()
    assert not backup_path_for(rich).exists()


def test_same_content_with_a_new_mtime_is_accepted(rich: Path) -> None:
    seen = fingerprint(rich)
    os.utime(rich, ns=(seen.mtime_ns + 10**9, seen.mtime_ns + 10**9))
    report = write_output_sheets(rich, output_specs(), expected_fingerprint=seen)
    assert report.sheets_written == OUTPUT_SHEET_NAMES
    # The report's fingerprint chains to the next refresh.
    write_output_sheets(rich, output_specs(), expected_fingerprint=report.fingerprint)


@pytest.mark.parametrize("lock_name", ["~$Programme.xlsm", ".~lock.Programme.xlsm#"])
def test_an_open_workbook_is_reported(rich: Path, lock_name: str) -> None:
    before = rich.read_bytes()
    (rich.parent / lock_name).write_bytes(b"owner")
    with pytest.raises(WorkbookLocked, match="Close the workbook in Excel") as err:
        write_output_sheets(rich, output_specs())
    assert lock_name in str(err.value)
    assert rich.read_bytes() == before


def test_a_refused_replace_is_reported_as_locked(rich: Path, monkeypatch) -> None:
    before = rich.read_bytes()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == rich:
            raise PermissionError(13, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(WorkbookLocked, match="Close the workbook in Excel"):
        write_output_sheets(rich, output_specs())
    assert rich.read_bytes() == before
    assert sorted(p.name for p in rich.parent.iterdir()) == sorted(
        [rich.name, backup_path_for(rich).name]
    )  # no temporary file left behind


def test_a_failure_mid_write_leaves_the_original_intact(rich: Path, monkeypatch) -> None:
    before = rich.read_bytes()

    def replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        write_output_sheets(rich, output_specs())
    assert rich.read_bytes() == before
    assert [p.name for p in rich.parent.iterdir()] == [rich.name]


def test_out_path_leaves_the_input_untouched(rich: Path, tmp_path: Path) -> None:
    before = rich.read_bytes()
    mtime = rich.stat().st_mtime_ns
    out = tmp_path / "out" / "Refreshed.xlsm"
    out.parent.mkdir()
    report = write_output_sheets(rich, output_specs(), out_path=out)
    assert rich.read_bytes() == before and rich.stat().st_mtime_ns == mtime
    assert report.path == out and report.backup_path is None
    assert set(OUTPUT_SHEET_NAMES) <= set(openpyxl.load_workbook(out).sheetnames)
    with pytest.raises(ValueError, match="extension"):
        write_output_sheets(rich, output_specs(), out_path=tmp_path / "x.xlsx")


def test_backup_is_the_previous_file_one_generation(rich: Path) -> None:
    original = rich.read_bytes()
    report = write_output_sheets(rich, output_specs(rows=3))
    assert report.backup_path == rich.with_name("Programme.bak.xlsm")
    assert report.backup_path.read_bytes() == original
    first = rich.read_bytes()
    write_output_sheets(rich, output_specs(rows=4))
    assert report.backup_path.read_bytes() == first  # overwritten: one generation
    write_output_sheets(rich, output_specs(rows=5), backup=False)
    assert report.backup_path.read_bytes() == first


def test_backup_is_a_link_to_the_replaced_file_or_else_a_copy(
    rich: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = rich.stat()
    report = write_output_sheets(rich, output_specs(rows=3))
    assert report.backup_path is not None
    kept = report.backup_path.stat()
    assert (kept.st_ino, kept.st_dev) == (before.st_ino, before.st_dev)  # no copy written
    assert rich.stat().st_ino != before.st_ino and rich.stat().st_nlink == 1

    def no_links(*_args: object) -> None:
        raise OSError("hard links not supported here")

    monkeypatch.setattr(os, "link", no_links)
    first = rich.read_bytes()
    write_output_sheets(rich, output_specs(rows=4))
    assert report.backup_path.read_bytes() == first
    assert report.backup_path.stat().st_ino != rich.stat().st_ino
    assert not list(rich.parent.glob(".~evr-*"))  # no temporary file left behind


def test_input_sheets_are_never_written(rich: Path) -> None:
    with pytest.raises(ValueError, match="input sheet"):
        render_workbook(rich.read_bytes(), [SheetSpec("value drivers")])
    with pytest.raises(ValueError, match="listed twice"):
        render_workbook(rich.read_bytes(), [SheetSpec("Dashboard"), SheetSpec("DASHBOARD")])


def test_calc_chain_listing_a_replaced_sheet_is_dropped(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Program"
    wb.active["A1"] = "=1+1"
    wb.create_sheet("Dashboard")["B2"] = "=2+2"  # an output sheet someone put a formula in
    path = tmp_path / "calc.xlsx"
    wb.save(path)
    parts = members(path.read_bytes())
    parts["xl/calcChain.xml"] = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="A1" i="1"/><c r="B2" i="2"/></calcChain>'
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    data = render_workbook(buf.getvalue(), [SheetSpec("Dashboard", [CellSpec(1, 1, "new")])]).data
    after = members(data)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert openpyxl.load_workbook(io.BytesIO(data))["Program"]["A1"].value == "=1+1"


def test_sheet_names_and_1904_dates(tmp_path: Path) -> None:
    import datetime as dt

    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    name = 'R&D <"view"> it\'s'
    write_output_sheets(path, [SheetSpec(name, [CellSpec(1, 1, dt.date(2026, 3, 31))])])
    back = openpyxl.load_workbook(path)
    assert back.sheetnames[-1] == name
    assert back[name]["A1"].value == dt.datetime(2026, 3, 31)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_inputs_and_reads_outputs(rich: Path, tmp_path: Path) -> None:
    lo = pytest.importorskip("evr_xl.lo")
    if lo.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    write_output_sheets(rich, output_specs(rows=6, cols=8))
    converted = lo.convert(rich, "xlsx", tmp_path / "lo", recalc=True)
    wb = openpyxl.load_workbook(converted, data_only=True)
    assert wb["Program"]["B6"].value == 1250  # =SUM(B2:B4), recalculated
    assert [wb["Value Drivers"][f"E{r}"].value for r in range(2, 7)] == [200, 500, 150, 600, 250]
    assert [wb["Value Drivers"][f"F{r}"].value for r in range(2, 7)] == [75, 100, 125, 250, 300]
    assert wb.sheetnames[-5:] == list(OUTPUT_SHEET_NAMES)
    for name in OUTPUT_SHEET_NAMES:
        assert wb[name]["A3"].value == INJECTION  # still text after LibreOffice's round trip
        assert wb[name]["B5"].value == "Red"
    formulas = openpyxl.load_workbook(converted)
    assert formulas["Findings"]["A3"].data_type == "s"


def test_untouched_xlsx_without_vba(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path, name="Plain.xlsx")
    before = members(path.read_bytes())
    write_output_sheets(path, output_specs(rows=2))
    after = members(path.read_bytes())
    assert "xl/vbaProject.bin" not in after
    for name in (
        "xl/metadata.xml",
        "xl/calcChain.xml",
        "xl/media/image99.png",
        "xl/charts/chart1.xml",
    ):
        assert after[name] == before[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert openpyxl.load_workbook(path)["Value Drivers"]["E2"].value == "=D2*2"
