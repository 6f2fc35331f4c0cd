"""files.open_grids/load_grids: sheets read by threads give what a one-by-one read gives, errors
included, whichever sheet is looked up first."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from evr_xl.workbook import files
from evr_xl.workbook.files import load_grids, open_grids, read_program
from evr_xl.workbook.grids import WorkbookError
from evr_xl.workbook.reader import read_grids
from evr_xl.xlsx.sheetscan import sheet_parts
from tests.corpus.make_corpus import far_cell, put, write_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_base(tmp_path_factory.mktemp("files") / "base.xlsx")


def _with_far_cells(base: Path, target: Path, sheets: list[str]) -> Path:
    with zipfile.ZipFile(base) as z:
        parts = sheet_parts(z)
        wanted = {parts[s]: s for s in sheets}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                data = z.read(info.filename)
                if info.filename in wanted:
                    data = far_cell("XFD1048576", 1_048_576)(data)
                out.writestr(info, data)
    return target


def test_threads_read_what_one_reader_reads(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    together = load_grids(base)
    monkeypatch.setattr(files, "READERS", 1)
    alone = load_grids(base)
    assert list(together) == list(alone)  # every sheet, in workbook order
    for name in alone:
        assert together[name].rows == alone[name].rows, name


def test_the_first_failing_sheet_in_workbook_order_is_reported(base: Path, tmp_path: Path) -> None:
    # Risks comes after Workplan in the workbook; the biggest sheets are read first, by two
    # threads, so without care either could be reported.
    path = _with_far_cells(base, tmp_path / "two_bad.xlsx", ["Risks", "Workplan"])
    with pytest.raises(WorkbookError, match=r"sheet 'Workplan' spans"):
        load_grids(path)
    path = _with_far_cells(base, tmp_path / "one_bad.xlsx", ["Risks"])
    with pytest.raises(WorkbookError, match=r"sheet 'Risks' spans .* Risks!XFD1048576"):
        load_grids(path)


def test_a_workbook_without_any_programme_sheet_is_a_message(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "not a programme"
    wb.save(tmp_path / "plain.xlsx")
    with pytest.raises(WorkbookError, match=r"required sheet\(s\) Program, .* not found"):
        read_program(tmp_path / "plain.xlsx")
    assert list(load_grids(tmp_path / "plain.xlsx", ["Program"])) == ["Sheet"]


def test_sheets_looked_up_while_read_are_the_sheets_read(base: Path) -> None:
    grids = open_grids(base, ["Workplan", "program"])  # names match case-insensitively
    everything = load_grids(base)
    assert list(grids) == list(everything)  # every sheet is a key, in workbook order
    assert grids["Workplan"].rows == everything["Workplan"].rows
    assert grids["Program"].rows == everything["Program"].rows
    assert grids["Risks"].rows == []  # not asked for: named, not read
    with pytest.raises(KeyError):
        grids["No such sheet"]


def test_a_failing_sheet_looked_up_late_or_early_reports_the_first_in_workbook_order(
    base: Path, tmp_path: Path
) -> None:
    path = _with_far_cells(base, tmp_path / "two_bad.xlsx", ["Risks", "Workplan"])
    grids = open_grids(path)
    assert grids["Program"].rows  # a good sheet is still handed over
    for name in ("Risks", "Workplan"):
        with pytest.raises(WorkbookError, match=r"sheet 'Workplan' spans"):
            grids[name]
    with pytest.raises(WorkbookError, match=r"sheet 'Workplan' spans"):
        read_program(path)


class _ArrivingBackwards(dict):  # type: ignore[type-arg]
    """Grids whose sheets arrive in the reverse order of the tables (see reader.as_ready)."""

    def as_ready(self, names: list[str]) -> object:
        return iter(reversed(names))


def test_tables_read_in_any_arrival_order_give_the_same_programme(
    base: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(base)
    for change in [
        put("Value Drivers", "Target", 2, "lots"),  # a bad amount: a finding on Value Drivers
        put("Workplan", "Planned finish", 3, "soon"),  # a bad date: a finding on Workplan
        put("Actuals", "Realized value", 2, "n/a"),  # a bad value: a finding on Actuals
        put("Risks", "Risk ID", 1, " "),
    ]:
        change(wb)
    del wb["Costs"]  # a missing optional sheet: RD014 among the others, in table order
    wb.save(tmp_path / "messy.xlsx")
    grids = load_grids(tmp_path / "messy.xlsx")
    data, findings = read_grids(grids, "messy.xlsx")
    data_b, findings_b = read_grids(_ArrivingBackwards(grids), "messy.xlsx")
    assert {f.cell.sheet for f in findings if f.cell} >= {"Value Drivers", "Workplan", "Actuals"}
    assert [f.code for f in findings].count("RD014") == 1
    assert findings_b == findings
    assert data is not None and data_b is not None
    assert data_b.model_dump() == data.model_dump()
