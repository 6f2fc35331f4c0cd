"""The live-workbook adapter: book -> grids, SheetSpec -> sheet, the ribbon actions.

Run against a minimal stand-in Book (fake_book.py), since no Excel runs here. What the stand-in
cannot prove (how Excel draws fonts, links, panes, page setup) is listed in docs/excel.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fake_book import FakeBook

from evr_xl.checks import run_checks
from evr_xl.demo import write_demo
from evr_xl.engine import compute
from evr_xl.excel import actions, render
from evr_xl.excel.grids import book_grids, positioned
from evr_xl.outputs.sheets import findings_sheet
from evr_xl.workbook.files import load_grids, read_program
from evr_xl.workbook.grids import Grid
from evr_xl.workbook.reader import read_grids
from evr_xl.xlsx.sheet import CellSpec, SheetSpec


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("live")).path


@pytest.fixture
def book(demo: Path) -> FakeBook:
    return FakeBook(load_grids(demo), fullname=str(demo))


# --- book -> grids ---------------------------------------------------------------------------


def test_positioned_puts_the_block_at_its_cell() -> None:
    rows = positioned([["a", "b"], [1.0, None]], top=3, left=2)
    grid = Grid("S", rows)
    assert grid.value(3, 2) == "a" and grid.value(4, 2) == 1.0 and grid.value(1, 1) is None


def test_live_book_reads_like_the_file(book: FakeBook, demo: Path) -> None:
    # the used ranges start where the first value is (A1 for the titles), so offsets matter
    data, findings = read_grids(book_grids(book), demo.name)
    want, want_findings = read_program(demo)
    assert data is not None and want is not None
    assert [f.render() for f in findings] == [f.render() for f in want_findings]
    assert data.drivers == want.drivers and data.actuals == want.actuals
    assert compute(data).program == compute(want).program


def test_cell_refs_survive_a_used_range_that_does_not_start_at_a1(demo: Path) -> None:
    grids = load_grids(demo)
    drivers = grids["Value Drivers"]
    # drop the title rows: the used range now starts at A3, the findings must not move
    trimmed = {**grids, "Value Drivers": Grid(drivers.sheet, [[]] * 2 + drivers.rows[2:])}
    data, _ = read_grids(book_grids(FakeBook(trimmed)))
    assert data is not None
    ref = data.drivers[0].cell("target")
    assert ref is not None and ref.a1 == "Value Drivers!K5"


# --- SheetSpec -> sheet ----------------------------------------------------------------------


def test_addresses_group_runs_by_column_within_excels_limit() -> None:
    assert render.addresses([(5, 3), (6, 3), (7, 3), (9, 3), (5, 1)]) == ["A5,C5:C7,C9"]
    many = render.addresses([(r, 1) for r in range(1, 400, 2)])
    assert all(len(a) <= 255 for a in many) and len(many) > 1


def test_plan_writes_every_cell_as_one_matrix_and_keeps_text_as_text() -> None:
    spec = SheetSpec(
        "Findings",
        cells=(
            CellSpec(1, 1, '=HYPERLINK("http://x")', style="title"),
            CellSpec(2, 2, 1.5, number_format="0%"),
            CellSpec(3, 2, "2026-03", hyperlink="'Workplan'!L14"),
            CellSpec(3, 1, dt.date(2026, 3, 1)),
        ),
    )
    p = render.plan(spec)
    assert p.values == [
        ['\'=HYPERLINK("http://x")', None],
        [None, 1.5],
        [dt.date(2026, 3, 1), "'2026-03"],
    ]
    assert p.number_formats == {"0%": ["B2"]}
    assert p.styles == {"title": ["A1"]}
    assert p.links == [("B3", "'Workplan'!L14", "2026-03")]


def test_render_refuses_input_sheets(book: FakeBook) -> None:
    with pytest.raises(ValueError, match="input sheet"):
        render.render(book, SheetSpec("Value Drivers", cells=(CellSpec(1, 1, "x"),)))
    assert book.sheets["Value Drivers"].cleared == 0


def test_render_then_read_back_gives_the_spec_values(book: FakeBook, demo: Path) -> None:
    data, read_findings = read_program(demo)
    assert data is not None
    findings = read_findings + run_checks(data)
    spec = findings_sheet(findings, demo.name, "2026-06")
    sheet = render.render(book, spec)
    assert len(sheet.writes) == 1  # one bulk write of values
    for c in spec.cells:
        assert sheet.cells.get((c.row, c.col)) == c.value, (c.row, c.col)


def test_the_dashboard_chart_is_drawn_in_the_live_book_once_per_refresh(
    book: FakeBook, demo: Path
) -> None:
    """The live refresh draws the Dashboard's chart as the file writer does; a second refresh
    deletes the first chart (Excel's sheet.clear() keeps charts). The COM calls are recorded by
    the stand-in's api (EXCEL_FACTS.md: no Excel here)."""
    from evr_xl.engine import compute
    from evr_xl.outputs.dashboard import dashboard_sheet

    data, findings = read_program(demo)
    assert data is not None
    spec = dashboard_sheet(data, compute(data), findings)
    (chart,) = spec.charts
    sheet = render.render(book, spec)
    charts = sheet.api.ChartObjects.return_value
    assert charts.Add.call_count == 1
    drawn = charts.Add.return_value.Chart
    assert drawn.ChartType == render.XL_COLUMN_CLUSTERED and drawn.ChartTitle.Text == chart.title
    assert drawn.SeriesCollection.return_value.NewSeries.call_count == 2
    sheet.api.Range.assert_any_call(chart.categories)
    render.render(book, spec)  # again: the old chart goes first
    assert charts.Delete.call_count >= 1 and charts.Add.call_count == 2


# --- actions ---------------------------------------------------------------------------------


def test_check_writes_findings_and_counts_them(book: FakeBook, demo: Path) -> None:
    data, read_findings = read_program(demo)
    assert data is not None
    errors = sum(1 for f in read_findings + run_checks(data) if f.severity.value == "Error")
    result = actions.check(book)
    assert result.message.startswith(f"Check done. {errors} error(s)")
    assert "Findings" in [s.name for s in book.sheets]
    assert book.sheets["Value Drivers"].writes == []  # inputs untouched


def test_refresh_writes_the_output_sheets_only(book: FakeBook) -> None:
    before = {s.name: dict(s.cells) for s in book.sheets}
    result = actions.refresh(book, now=dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc))
    assert result.ok and result.message.startswith("Refreshed Dashboard, Driver Metrics")
    names = {s.name for s in book.sheets}
    assert {"Dashboard", "Driver Metrics", "Workstream Metrics", "Findings", "Snapshots"} <= names
    for name in ("Program", "Value Drivers", "Workplan", "Actuals", "Risks"):
        assert book.sheets[name].writes == [] and book.sheets[name].cells == before[name]


def test_live_refresh_renames_an_evr_history_sheet_to_snapshots() -> None:
    """A book whose snapshots are on EVR's History sheet (before 2026-12): renamed, all kept."""
    from evr_xl.outputs.history import read_history

    fixture = Path(__file__).parents[1] / "cli" / "fixtures" / "history_sheet_9144ba8.xlsx"
    book = FakeBook(load_grids(fixture), fullname=str(fixture))
    position = [s.name for s in book.sheets].index("History")
    result = actions.refresh(book, now=dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc))
    assert result.ok
    names = [s.name for s in book.sheets]
    assert "History" not in names and names.index("Snapshots") == position
    assert render.rename_sheet(book, "Snapshots", "Dashboard") is False  # never over a sheet
    with pytest.raises(ValueError):
        render.rename_sheet(book, "Snapshots", "Program")
    grids = book_grids(book, ["Snapshots"])
    assert [s.as_of for s in read_history(grids["Snapshots"])] == ["2026-04", "2026-05", "2026-06"]


def test_roll_forward_asks_first_then_moves_the_as_of_period(book: FakeBook) -> None:
    prompts: list[str] = []
    result = actions.roll_forward(book, lambda p: prompts.append(p) or False)
    assert "cancelled" in result.message and book.sheets["Program"].writes == []
    assert prompts[0].startswith("Roll the as-of period forward from 2026-06 to 2026-07?")
    result = actions.roll_forward(book, lambda p: True)
    assert result.message.startswith("As-of period is now 2026-07 (Program!B")
    data, _ = read_grids(book_grids(book))
    assert data is not None and data.settings.as_of == dt.date(2026, 7, 1)


def test_board_pack_needs_a_saved_workbook(book: FakeBook) -> None:
    book.api.Saved = False
    result = actions.board_pack(book)
    assert not result.ok and result.message.startswith("Save the workbook first")


def test_board_pack_is_written_beside_the_workbook(book: FakeBook, demo: Path) -> None:
    result = actions.board_pack(book)
    assert result.ok, result.message
    assert list(demo.parent.glob("*boardpack*.xlsx"))


@pytest.mark.parametrize(
    ("name", "key"),
    [("check", "check"), ("Board Pack", "boardpack"), ("evrRollForward", "rollforward")],
)
def test_action_names(name: str, key: str) -> None:
    assert actions.action_key(name) == key


def test_run_action_shows_one_message_box(book: FakeBook) -> None:
    result = actions.run_action("evrCheck", book=book)
    book.app.alert.assert_called_once()
    assert book.app.alert.call_args.args[0] == result.message
    assert book.app.screen_updating is True
    bad: Any = actions.run_action("explode", book=book)
    assert not bad.ok and bad.message.startswith("Unknown action 'explode'")


def test_every_ribbon_button_has_an_action(book: FakeBook) -> None:
    from evr_xl.excel.ribbon import ACTIONS as RIBBON

    assert set(actions.ACTIONS) == set(RIBBON)
    assert actions.run_action("help", book=book).message.startswith("Check: ")
