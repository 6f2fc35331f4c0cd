"""`evr roll-forward` (issue 18 item 7): the Program sheet's As-of cell is the one input cell EVR
changes, byte-safe like the output sheets; `refresh --as-of` outside the horizon is refused."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from evr_xl.cli import main
from evr_xl.outputs.history import SHEET as SNAPSHOTS
from evr_xl.refresh import refresh, roll_forward
from evr_xl.workbook.files import open_grids
from evr_xl.workbook.layout import OUTPUT_SHEETS, PROGRAM
from evr_xl.workbook.reader import read_grids
from evr_xl.xlsx.cellpatch import CellNotWritable, set_cell, sheet_part
from evr_xl.xlsx.parts import (
    MAIN_NS,
    REL_NS,
    Package,
    add_override,
    add_relationship,
    main_workbook_part,
    read_sheets,
)

NOW = dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.timezone.utc)
AS_OF_CELL = re.compile(rb'<c r="B13"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder)]) == 0
    return folder / "evr_demo_program.xlsx"


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(demo_file, path)
    return path


def members(path: Path) -> dict[str, tuple[int, bytes]]:
    """Each zip member's CRC and compressed bytes, as stored."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        out = {}
        for info in z.infolist():
            at = info.header_offset  # the local header's own name and extra lengths
            name_len = int.from_bytes(data[at + 26 : at + 28], "little")
            extra_len = int.from_bytes(data[at + 28 : at + 30], "little")
            start = at + 30 + name_len + extra_len
            out[info.filename] = (info.CRC, data[start : start + info.compress_size])
        return out


def parts_of(path: Path, sheets: list[str]) -> set[str]:
    pkg = Package(path.read_bytes())
    present = {e.name for e in read_sheets(pkg.read(main_workbook_part(pkg)))}
    return {sheet_part(pkg, s) for s in sheets if s in present}


def program_xml(path: Path) -> bytes:
    pkg = Package(path.read_bytes())
    return pkg.read(sheet_part(pkg, PROGRAM.sheet))


def as_of(path: Path) -> dt.date:
    data, _ = read_grids(open_grids(path), path.name)
    assert data is not None
    return data.settings.as_of


def test_roll_forward_changes_only_the_as_of_cell_and_the_output_sheets(demo: Path) -> None:
    refresh(demo, now=NOW)  # the output sheets exist and styles.xml holds their formats
    before, program_before = members(demo), program_xml(demo)
    rolled = roll_forward(demo, now=NOW)
    assert (rolled.target.current, rolled.target.label, rolled.target.cell.a1) == (
        "2026-06",
        "2026-07",
        "Program!B13",
    )
    after = members(demo)
    allowed = parts_of(demo, [PROGRAM.sheet, *(s.sheet for s in OUTPUT_SHEETS), SNAPSHOTS])
    allowed |= {n for n in before if "_evr_" in n}  # the output sheets' own charts
    assert set(after) == set(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed - allowed == set()  # every other part byte-identical (compressed bytes, CRC)
    assert parts_of(demo, [PROGRAM.sheet]) <= changed
    # the Program sheet's XML differs only in the As-of cell, which stays a date with its style
    program_after = program_xml(demo)
    old_cell = AS_OF_CELL.search(program_before).group()
    new_cell = AS_OF_CELL.search(program_after).group()
    assert old_cell == b'<c r="B13" s="19" t="n"><v>46174</v></c>'  # 2026-06-01
    assert new_cell == b'<c r="B13" s="19" t="n"><v>46204</v></c>'  # 2026-07-01
    assert program_after.replace(new_cell, old_cell) == program_before
    # read back: the new as-of, by EVR and by openpyxl (a date with its number format)
    assert as_of(demo) == dt.date(2026, 7, 1)
    ws = openpyxl.load_workbook(demo)["Program"]
    assert ws["B13"].value == dt.datetime(2026, 7, 1) and ws["B13"].is_date
    # the refreshed Dashboard says the new as-of
    dash = openpyxl.load_workbook(demo, read_only=True)["Dashboard"]
    text = " ".join(str(v) for row in dash.iter_rows(values_only=True) for v in row if v)
    assert "USD · as of 2026-07" in text and "USD · as of 2026-06" not in text
    assert "Movement since the previous snapshot (USD; as of 2026-06)" in text


def test_roll_forward_is_a_refresh_as_of_the_new_period_plus_the_cell(
    demo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other" / demo.name  # the same name: the Findings sheet quotes it
    other.parent.mkdir()
    shutil.copyfile(demo, other)
    roll_forward(demo, to="2026-09", now=NOW)
    refresh(other, as_of="2026-09", now=NOW)
    a, b = members(demo), members(other)
    program = parts_of(demo, [PROGRAM.sheet])
    assert {n for n in a if a[n] != b.get(n)} == program
    assert as_of(demo) == dt.date(2026, 9, 1) and as_of(other) == dt.date(2026, 6, 1)
    assert Path(str(demo).replace(".xlsx", ".bak.xlsx")).exists()  # one backup, the original


def with_text_as_of(path: Path) -> None:
    """The As-of typed as text, held as a shared string (as Excel saves it)."""
    pkg = Package(path.read_bytes())
    sst = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="'
        + MAIN_NS.encode()
        + b'" count="2" uniqueCount="2"><si><t>other</t></si><si><t>2026-06</t></si></sst>'
    )
    pkg.write("xl/sharedStrings.xml", sst)
    rels = "xl/_rels/workbook.xml.rels"
    pkg.write(
        rels,
        add_relationship(pkg.read(rels), "rId900", REL_NS + "/sharedStrings", "sharedStrings.xml"),
    )
    pkg.write(
        "[Content_Types].xml",
        add_override(
            pkg.read("[Content_Types].xml"),
            "xl/sharedStrings.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
        ),
    )
    part = sheet_part(pkg, PROGRAM.sheet)
    xml = pkg.read(part)
    pkg.write(
        part, xml.replace(AS_OF_CELL.search(xml).group(), b'<c r="B13" s="16" t="s"><v>1</v></c>')
    )
    path.write_bytes(pkg.to_bytes())


def test_text_as_of_stays_text_and_shared_strings_stay_byte_identical(demo: Path) -> None:
    with_text_as_of(demo)
    assert as_of(demo) == dt.date(2026, 6, 1)
    before = members(demo)
    assert main(["roll-forward", str(demo), "-q"]) == 0
    after = members(demo)
    cell = AS_OF_CELL.search(program_xml(demo)).group()
    assert cell == b'<c r="B13" s="16" t="inlineStr"><is><t>2026-07</t></is></c>'
    assert after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]
    assert as_of(demo) == dt.date(2026, 7, 1)
    assert openpyxl.load_workbook(demo)["Program"]["B13"].value == "2026-07"


def test_cell_kinds() -> None:
    day, row = dt.date(2026, 7, 1), b'<x:row r="13">%s</x:row>'
    inline = row % b'<x:c r="B13" s="3" t="inlineStr"><x:is><x:t>Jun 2026</x:t></x:is></x:c>'
    assert set_cell(inline, 13, 2, day=day, text="2026-07", date1904=False) == row % (
        b'<x:c r="B13" s="3" t="inlineStr"><x:is><x:t>2026-07</x:t></x:is></x:c>'
    )
    number = b'<c r="B13" s="19"><v>46174</v></c><c r="B14" t="n" /><c r="C13"/>'
    assert set_cell(number, 13, 2, day=day, text="x", date1904=True) == (
        b'<c r="B13" s="19"><v>44742</v></c><c r="B14" t="n" /><c r="C13"/>'
    )
    iso = b'<c r="B13" t="d"><v>2026-06-01T00:00:00</v></c>'
    assert set_cell(iso, 13, 2, day=day, text="x", date1904=False) == (
        b'<c r="B13" t="d"><v>2026-07-01</v></c>'
    )
    for xml, why in [
        (b'<c r="B13"><f>EDATE(B10,17)</f><v>46174</v></c>', "formula"),
        (b'<c r="B13" t="b"><v>1</v></c>', "boolean"),
        (b'<c r="B13" s="19"/><c r="C13"><v>1</v></c>', "empty"),
        (b'<c r="B12"><v>1</v></c>', "not found"),
    ]:
        with pytest.raises(CellNotWritable, match=why):
            set_cell(xml, 13, 2, day=day, text="x", date1904=False)


def test_refusals_leave_the_file_unchanged(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = demo.read_bytes()
    cases = [
        (
            ["roll-forward", str(demo), "--to", "2028-03"],
            "book.xlsx: --to 2028-03 is outside the programme's horizon, 2025-01 to 2027-12 "
            "(First period / Last period on the Program sheet); widen the horizon first. "
            "Nothing was changed.",
        ),
        (
            ["roll-forward", str(demo), "--to", "soon"],
            "book.xlsx: --to 'soon' is not a period: use 2026-06 or 2026-Q2. Nothing was changed.",
        ),
        (
            ["refresh", str(demo), "--as-of", "2028-03"],
            "book.xlsx: --as-of 2028-03 is outside the programme's horizon, 2025-01 to 2027-12 "
            "(First period / Last period on the Program sheet). Nothing was computed or written: "
            "use a period inside it, or widen the horizon first.",
        ),
    ]
    for argv, message in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.strip().splitlines()[-1] == f"error: {message}"
        assert demo.read_bytes() == original
    assert main(["roll-forward", str(demo), "--to", "2027-12", "-q"]) == 0
    capsys.readouterr()
    rolled = demo.read_bytes()
    assert main(["roll-forward", str(demo), "-q"]) == 2  # already the last period
    assert capsys.readouterr().err == (
        "error: book.xlsx: the as-of period 2027-12 is already the last period of the horizon; "
        "extend 'Last period' on the Program sheet first. Nothing was changed.\n"
    )
    assert demo.read_bytes() == rolled


def test_formula_as_of_is_refused(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = Package(demo.read_bytes())
    part = sheet_part(pkg, PROGRAM.sheet)
    xml = pkg.read(part)
    formula = b'<c r="B13" s="19"><f>DATE(2026,6,1)</f><v>46174</v></c>'
    pkg.write(part, xml.replace(AS_OF_CELL.search(xml).group(), formula))
    demo.write_bytes(pkg.to_bytes())
    original = demo.read_bytes()
    assert main(["roll-forward", str(demo), "-q"]) == 2
    assert capsys.readouterr().err == (
        "error: book.xlsx: the As-of period cannot be changed here: Program!B13 holds a formula; "
        "change it in Excel instead. Nothing was changed.\n"
    )
    assert demo.read_bytes() == original


def test_a_snapshot_is_removed_by_deleting_its_rows(demo: Path, tmp_path: Path) -> None:
    """docs/cli.md's steps: delete the snapshot's rows on the Snapshots sheet, save, refresh."""
    from evr_xl.outputs.history import read_history

    refresh(demo, as_of="2026-09", now=NOW)  # the mistaken snapshot
    wb = openpyxl.load_workbook(demo)  # as Excel would: delete the rows and save
    ws = wb[SNAPSHOTS]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "As-of")
    for r in range(ws.max_row, header, -1):
        if ws.cell(r, 1).value == "2026-09":
            ws.delete_rows(r)
    wb.save(demo)
    refresh(demo, now=NOW)
    grids = open_grids(demo, [SNAPSHOTS])
    assert [s.as_of for s in read_history(grids[SNAPSHOTS])] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
