"""The reading policy (docs/workbook.md): a typed cell is read as a careful person would read it,
or flagged at that cell with what was typed and what to type instead — never a different value
silently. Cells typed the way people type them, in a small programme read by the real reader."""

from __future__ import annotations

import pytest
from test_reader import DRIVER_HEADER, PROGRAM, driver, grids

from evr_xl.engine import compute
from evr_xl.workbook.reader import read_grids

ACTUALS_HEADER = ["Driver ID", "Period", "Realized value", "Run-rate", "Validated"]
WORKPLAN_HEADER = ["Item ID", "Workstream ID", "Item", "Type", "Planned finish", "% complete"]


def programme(currency: str = "EUR", number_format: str | None = None) -> list[list[object]]:
    rows = [list(r) for r in PROGRAM]
    for r in rows:
        if r and r[0] == "Currency":
            r[1] = currency
        if r and r[0] == "Value promise":
            r[1] = 10_000_000  # a number: it reads the same in every number format
    if number_format:
        rows.append(["Number format", number_format])
    return rows


def read_target(typed: object, **program: object):
    """(the target read, the findings on its cell) for a driver whose Target cell holds `typed`."""
    sheets = grids(Value_Drivers=[[], [], [], DRIVER_HEADER, driver(1, Target=typed)])
    sheets["Program"] = _program_grid(**program)
    data, findings = read_grids(sheets, "t.xlsx")
    target = data.drivers[0].target if data is not None and len(data.drivers) else None
    return target, [f for f in findings if f.cell and f.cell.a1 == "Value Drivers!I5"]


def _program_grid(**program: object):
    from evr_xl.workbook.grids import grid_from_rows

    return grid_from_rows("Program", programme(**program))


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["800.000", "50.000", "1,250", "(2,500)"])
def test_a_number_that_reads_two_ways_is_flagged_without_a_number_format(typed: str) -> None:
    target, at_cell = read_target(typed)
    assert target is None  # never 800 for 800,000
    (f,) = at_cell
    assert f.code == "RD018" and f.severity.value == "Error"
    assert typed in f.message and "Number format" in f.message


@pytest.mark.parametrize(
    ("typed", "number_format", "expected"),
    [
        ("800.000", "1.234,56", 800_000.0),
        ("800.000", "1,234.56", 800.0),
        ("1.234.567,89", "1.234,56", 1_234_567.89),
        ("1,234,567.89", "1,234.56", 1_234_567.89),
        ("2.500.000", None, 2_500_000.0),  # only thousands repeat: one reading
        ("1.234.567,89", None, 1_234_567.89),
        ("12,5", None, 12.5),
        ("€ 200.000", "1.234,56", 200_000.0),
        ("50k", None, 50_000.0),
        ("EUR 1,2M", "1.234,56", 1_200_000.0),
        ("1.000,-", "1.234,56", 1_000.0),  # a whole amount, not a minus sign
        ("1,5 Mio", None, 1_500_000.0),
        ("2 Mrd", None, 2_000_000_000.0),
        ("(€2.500,00)", None, -2_500.0),
    ],
)
def test_a_number_is_read_as_meant(typed: str, number_format: str | None, expected: float) -> None:
    target, at_cell = read_target(typed, number_format=number_format)
    assert target == pytest.approx(expected)
    assert at_cell == []


def test_separators_that_contradict_the_number_format_are_flagged() -> None:
    target, (f,) = read_target("1.234.567,89", number_format="1,234.56")
    assert target is None and f.code == "RD002" and "1,234.56" in f.message


@pytest.mark.parametrize("typed", ["$200,000", "£50k", "USD 50k", "50k USD", "200000 GBP"])
def test_an_amount_in_another_currency_is_not_counted(typed: str) -> None:
    target, (f,) = read_target(typed)  # a EUR programme
    assert target is None
    assert f.code == "RD019" and f.severity.value == "Error"
    assert "EUR" in f.message and "not counted" in f.message


@pytest.mark.parametrize(
    "typed", ["€1,200,000", "EUR 1,200,000", "1,200,000 EUR", "1 200 000 €", "1.2M EUR"]
)
def test_the_programmes_own_currency_is_fine_before_or_after(typed: str) -> None:
    target, at_cell = read_target(typed)
    assert target == pytest.approx(1_200_000.0) and at_cell == []


def test_a_usd_programme_reads_dollars_and_flags_euros() -> None:
    assert read_target("$50k", currency="USD")[0] == pytest.approx(50_000)
    target, (f,) = read_target("€1,200,000", currency="USD")
    assert target is None and f.code == "RD019" and "USD" in f.message


def test_an_accountants_nil_is_zero_and_na_is_blank() -> None:
    rows = [[], [], [], ACTUALS_HEADER, ["VD-001", "2026-03", "-", None, "yes"]]
    sheets = grids(Value_Drivers=[[], [], [], DRIVER_HEADER, driver(1)], Actuals=rows)
    data, findings = read_grids(sheets, "t.xlsx")
    assert data.actuals[0].realized == 0.0
    assert not [f for f in findings if f.cell and f.cell.sheet == "Actuals"]


# --- periods ---------------------------------------------------------------------------------


def read_period(typed: object):
    rows = [[], [], [], ACTUALS_HEADER, ["VD-001", typed, 50_000, None, "yes"]]
    sheets = grids(Value_Drivers=[[], [], [], DRIVER_HEADER, driver(1)], Actuals=rows)
    data, findings = read_grids(sheets, "t.xlsx")
    period = data.actuals[0].period if len(data.actuals) else None
    return period, [f for f in findings if f.cell and f.cell.a1 == "Actuals!B5"]


@pytest.mark.parametrize(
    "typed", ["07/2026", "7/2026", "2026/07", "2026-07", "Jul-26", "July 2026", "31/07/2026",
              "2026-07-31"],
)  # fmt: skip
def test_month_forms_people_type_are_read(typed: str) -> None:
    period, at_cell = read_period(typed)
    assert (period.year, period.month) == (2026, 7) and at_cell == []


def test_a_quarter_in_a_monthly_programme_is_flagged_not_booked_to_its_first_month() -> None:
    period, (f,) = read_period("Q3 2026")
    assert period is None  # not July
    assert f.code == "RD004" and "monthly" in f.message


def test_a_date_that_reads_two_ways_is_flagged_with_both_readings() -> None:
    period, (f,) = read_period("04/11/2026")
    assert period is None
    assert "ambiguous" in f.message and "2026-11-04" in f.message and "2026-04-11" in f.message


# --- shares ----------------------------------------------------------------------------------


def read_pct(typed: object):
    rows = [[], [], [], WORKPLAN_HEADER, ["WP-1", "WS-A", "Build", "Task", "2026-05-31", typed]]
    data, findings = read_grids(grids(Workplan=rows), "t.xlsx")
    return data.workplan[0].pct_complete, [
        f for f in findings if f.cell and f.cell.a1 == "Workplan!F5"
    ]


@pytest.mark.parametrize(("typed", "used"), [("150%", 1.0), ("-10%", 0.0), (250.0, 1.0)])
def test_a_share_out_of_range_is_flagged_with_the_value_used(typed: object, used: float) -> None:
    value, (f,) = read_pct(typed)
    assert value == used
    assert f.code == "RD020" and f.severity.value == "Warning" and f"{used:.0%}" in f.message


@pytest.mark.parametrize("typed", ["1.5", 1.5])
def test_a_share_that_reads_two_ways_is_flagged(typed: object) -> None:
    value, (f,) = read_pct(typed)
    assert value is None and f.code == "RD018" and "150%" in f.message and "1.5%" in f.message


@pytest.mark.parametrize(
    ("typed", "share"), [("45%", 0.45), (45, 0.45), (0.45, 0.45), ("100%", 1.0)]
)
def test_ordinary_shares_are_read(typed: object, share: float) -> None:
    value, at_cell = read_pct(typed)
    assert value == pytest.approx(share) and at_cell == []


# --- from the typed cell to the figure -------------------------------------------------------


def test_european_thousands_never_shrink_the_programme() -> None:
    """800.000 typed as a target: with the Number format set it is 800,000 in the figures;
    without it the driver is flagged, never counted at 800."""
    rows = [[], [], [], DRIVER_HEADER, driver(1, Target="800.000")]
    sheets = grids(Value_Drivers=rows)
    sheets["Program"] = _program_grid(number_format="1.234,56")
    data, _ = read_grids(sheets, "t.xlsx")
    assert compute(data).program.sum_targets == pytest.approx(800_000)


def test_the_program_sheet_follows_the_same_policy() -> None:
    """A quarter as the as-of of a monthly programme is flagged there too (which month?)."""
    rows = programme()
    for r in rows:
        if r and r[0] == "As-of period":
            r[1] = "2026-Q2"
    from evr_xl.workbook.grids import grid_from_rows

    sheets = grids()
    sheets["Program"] = grid_from_rows("Program", rows)
    data, findings = read_grids(sheets, "t.xlsx")
    assert data is None  # no as-of, no metrics: never a guessed month
    (f,) = [f for f in findings if f.cell and f.cell.sheet == "Program"]
    assert f.code == "RD004" and "monthly" in f.message
