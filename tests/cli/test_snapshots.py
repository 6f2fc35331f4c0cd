"""Snapshots: the sheet that was "History", its migration, and the demo's earlier snapshots.

`fixtures/history_sheet_9144ba8.xlsx` was written by the code at commit 9144ba8 (the branch point,
before the rename): `write_demo`, then `refresh(as_of="2026-04")` and `refresh(as_of="2026-05")`.
So it holds a History sheet exactly as the previous version wrote it: two snapshots, no targets.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from evr_xl.demo import SNAPSHOT_PERIODS, write_demo
from evr_xl.engine import compute
from evr_xl.outputs.history import FIGURES, LEGACY_SHEET, SHEET, previous_snapshot, read_history
from evr_xl.refresh import refresh, summary_lines
from evr_xl.workbook import layout
from evr_xl.workbook.files import load_grids, read_program
from evr_xl.xlsx.parts import read_sheets, rename_sheet_entry

FIXTURE = Path(__file__).parent / "fixtures" / "history_sheet_9144ba8.xlsx"
JUNE = datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def entries(path: Path) -> dict[str, tuple[int, str, int]]:
    """Sheet name -> (sheetId, r:id, position)."""
    xml = members(path)["xl/workbook.xml"]
    return {e.name: (e.sheet_id, e.rel_id, e.index) for e in read_sheets(xml)}


def input_parts(path: Path) -> dict[str, bytes]:
    """The input sheets' parts (and everything under them: tables), by sheet name."""
    m = members(path)
    rels = {
        el.get("Id"): el.get("Target")
        for el in ElementTree.fromstring(m["xl/_rels/workbook.xml.rels"])
    }
    out = {}
    for name, (_sid, rid, _i) in entries(path).items():
        if name in layout.TABLES_BY_SHEET or name in (layout.START_HERE, layout.LISTS_SHEET):
            part = rels[rid].lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            out[name] = m[part]
    out |= {n: b for n, b in m.items() if n.startswith("xl/tables/")}
    return out


def old_snapshots(path: Path):
    return read_history(load_grids(path, [LEGACY_SHEET])[LEGACY_SHEET])


@pytest.fixture
def old_book(tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURE, tmp_path / "program.xlsx"))


def test_the_fixture_is_what_the_previous_version_wrote(old_book: Path) -> None:
    names = entries(old_book)
    assert LEGACY_SHEET in names and SHEET not in names
    snaps = old_snapshots(old_book)
    assert [s.as_of for s in snaps] == ["2026-04", "2026-05"]
    assert all(s.program["target"] is None for s in snaps)  # no target before 2026-12


def test_refresh_renames_history_to_snapshots_keeping_every_snapshot(old_book: Path) -> None:
    old = old_snapshots(old_book)
    before_entries = entries(old_book)
    inputs_before = input_parts(old_book)
    report = refresh(old_book, now=JUNE)
    assert report.written is not None
    assert report.written.sheets_renamed == ((LEGACY_SHEET, SHEET),)
    after_entries = entries(old_book)
    assert LEGACY_SHEET not in after_entries
    # Renamed in place: same sheetId, r:id and position; nothing else renamed or added.
    assert after_entries[SHEET] == before_entries[LEGACY_SHEET]
    assert set(after_entries) == set(before_entries) - {LEGACY_SHEET} | {SHEET}
    assert input_parts(old_book) == inputs_before  # inputs byte-identical
    grids = load_grids(old_book, [SHEET, LEGACY_SHEET])
    assert LEGACY_SHEET not in grids
    now = read_history(grids[SHEET])
    assert [s.as_of for s in now] == ["2026-04", "2026-05", "2026-06"]
    for was, kept in zip(old, now[:2], strict=True):  # every old row, every figure, kept
        assert kept.taken_at == was.taken_at
        assert kept.program == was.program
        assert kept.drivers == was.drivers
    assert now[2].program["target"] == pytest.approx(report.analysis.results.program.sum_targets)
    assert all(d["target"] is not None for d in now[2].drivers.values())
    text = "\n".join(summary_lines(report))
    assert "renamed to 'Snapshots'" in text and "since 2026-05" in text
    wb = openpyxl.load_workbook(old_book)  # a second, independent reader
    assert SHEET in wb.sheetnames and LEGACY_SHEET not in wb.sheetnames
    assert wb[SHEET]["A1"].value.startswith("Snapshots — ")
    # A second refresh finds Snapshots and renames nothing.
    again = refresh(old_book, now=JUNE)
    assert again.written is not None and again.written.sheets_renamed == ()
    assert [s.as_of for s in read_history(load_grids(old_book, [SHEET])[SHEET])] == [
        "2026-04", "2026-05", "2026-06"
    ]  # fmt: skip


def test_a_history_sheet_of_the_users_own_is_left_alone(tmp_path: Path) -> None:
    path = write_demo(tmp_path, snapshots=False).path
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet(LEGACY_SHEET)
    ws["A1"], ws["A2"] = "Our change log", "2026-05: cut VD-020"
    wb.save(path)
    report = refresh(path, now=JUNE)
    assert report.written is not None and report.written.sheets_renamed == ()
    grids = load_grids(path, [SHEET, LEGACY_SHEET])
    assert grids[LEGACY_SHEET].value(2, 1) == "2026-05: cut VD-020"
    assert [s.as_of for s in read_history(grids[SHEET])] == ["2026-06"]


def test_rename_sheet_entry_changes_only_the_name() -> None:
    xml = (
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        b'<sheet name="Program" sheetId="1" r:id="rId1"/><sheet sheetId="7" name=\'history\' '
        b'r:id="rId9"/></sheets></workbook>'
    )
    out = rename_sheet_entry(xml, "History", "Snapshots")
    assert out == xml.replace(b"name='history'", b'name="Snapshots"')
    with pytest.raises(ValueError):
        rename_sheet_entry(xml, "Findings", "Snapshots")


def test_the_demo_carries_earlier_snapshots_computed_by_the_engine(tmp_path: Path) -> None:
    with_snaps = write_demo(tmp_path / "a")
    without = write_demo(tmp_path / "b", snapshots=False)
    assert with_snaps.snapshots == ("2026-03", "2026-04", "2026-05")
    # The input sheets are the same as without snapshots, byte for byte.
    assert input_parts(with_snaps.path) == input_parts(without.path)
    assert SHEET not in entries(without.path)
    snaps = read_history(load_grids(with_snaps.path, [SHEET])[SHEET])
    assert [s.as_of for s in snaps] == ["2026-03", "2026-04", "2026-05"]
    data, _ = read_program(with_snaps.path)
    assert data is not None
    for snap, period in zip(snaps, SNAPSHOT_PERIODS, strict=True):
        assert "computed" in snap.note.lower() and snap.as_of in snap.note
        results = compute(data.with_as_of(period))  # the engine on the workbook's own data
        d = results.drivers.set_index("driver_id")
        for name in FIGURES:
            if name != "target":
                assert snap.program[name] == pytest.approx(getattr(results.program, name))
            for ident, figures in snap.drivers.items():
                assert figures[name] == pytest.approx(float(d.loc[ident, name]))
    # Real movements, not copies of one another.
    assert len({round(s.program["realized_to_date"]) for s in snaps}) == 3


def test_readme_flow_shows_a_movement_bridge_on_first_use(tmp_path: Path) -> None:
    from evr_xl.boardpack import make_boardpack
    from evr_xl.boardpack.history import NO_SNAPSHOT

    path = write_demo(tmp_path).path
    refresh(path, now=JUNE)  # as of 2026-06
    snaps = read_history(load_grids(path, [SHEET])[SHEET])
    assert previous_snapshot(snaps, "2026-06").as_of == "2026-05"
    pack = make_boardpack(path, tmp_path / "pack.xlsx")
    ws = openpyxl.load_workbook(pack.path)["Since last SteerCo"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert NO_SNAPSHOT not in cells
    assert any("previous snapshot as of 2026-05" in c for c in cells)
    assert any("computed" in c.lower() and "2026-05" in c for c in cells)  # says so on the page


def test_previous_snapshot_is_the_latest_earlier_one() -> None:
    from evr_xl.outputs.history import Snapshot

    snaps = [Snapshot("2026-04", "a"), Snapshot("2026-05", "b"), Snapshot("2026-06", "c")]
    assert previous_snapshot(snaps, "2026-06").as_of == "2026-05"
    assert previous_snapshot(snaps, "2026-04") is None
    assert previous_snapshot([], "2026-06") is None


def test_demo_snapshot_periods_are_before_its_as_of() -> None:
    from evr_xl.demo import AS_OF

    assert all(p < AS_OF for p in SNAPSHOT_PERIODS)
    assert SNAPSHOT_PERIODS == tuple(sorted(SNAPSHOT_PERIODS))
    assert SNAPSHOT_PERIODS[-1] == date(2026, 5, 1)
