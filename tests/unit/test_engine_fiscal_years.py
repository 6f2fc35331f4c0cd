"""Metric 13: fiscal years, labelled by the calendar year they end in; plan, realized and forecast
per fiscal year; the current fiscal year's figures per driver and workstream."""

from __future__ import annotations

import pytest
from programs import program

from evr_xl.engine import compute
from evr_xl.model.periods import PeriodType

REGISTER = """
    driver_id | workstream_id | target    | ramp_start | full_run_rate_by
    VD-1      | WS-1          | 1,200,000 | 2026-01    | 2026-01
    VD-2      | WS-2          | 600,000   | 2026-07    | 2026-12
"""
ACTUALS = """
    driver_id | period  | realized
    VD-1      | 2026-05 | 100,000
    VD-1      | 2026-06 | 50,000
"""


def test_start_month_4_labels_years_by_the_year_they_end_in() -> None:
    r = compute(program(drivers_table=REGISTER, actuals_table=ACTUALS, fiscal_year_start=4))
    years = [(fy["fiscal_year"], fy["first_period"], fy["last_period"], fy["complete"])
             for fy in r.fiscal_years]  # fmt: skip
    assert years == [
        ("FY2026", "2025-04", "2026-03", False),  # the horizon starts 2026-01
        ("FY2027", "2026-04", "2027-03", False),  # and ends 2026-12
    ]
    fy2027 = r.fiscal_years[1]
    assert fy2027["realized"] == pytest.approx(150_000)  # May + June, up to T
    p = r.program
    assert sum(fy["plan"] for fy in r.fiscal_years) == pytest.approx(p.plan_in_horizon)
    assert sum(fy["forecast"] for fy in r.fiscal_years) == pytest.approx(p.forecast_in_horizon)
    assert sum(fy["realized"] for fy in r.fiscal_years) == pytest.approx(p.realized_to_date)


def test_the_current_fiscal_year_per_driver_and_workstream() -> None:
    r = compute(program(drivers_table=REGISTER, actuals_table=ACTUALS, fiscal_year_start=4))
    d, w = r.drivers, r.workstreams
    # FY2027 holds T = 2026-06: its horizon part is 2026-04 .. 2026-12
    assert d.loc["VD-1", "current_fy_plan"] == pytest.approx(9 * 100_000)
    assert d.loc["VD-1", "current_fy_realized"] == pytest.approx(150_000)
    # 50,000 in June is a run-rate of 600,000, half the plan: carried forward after T
    assert d.loc["VD-1", "current_fy_forecast"] == pytest.approx(150_000 + 6 * 50_000)
    assert w.loc["WS-1", "current_fy_plan"] == pytest.approx(d.loc["VD-1", "current_fy_plan"])
    assert d["current_fy_plan"].sum() == pytest.approx(r.fiscal_years[1]["plan"])


def test_start_month_1_is_the_calendar_year() -> None:
    r = compute(program(drivers_table=REGISTER, actuals_table=ACTUALS))
    assert [(fy["fiscal_year"], fy["complete"]) for fy in r.fiscal_years] == [("FY2026", True)]


def test_a_quarterly_programme_counts_whole_quarters() -> None:
    data = program(
        drivers_table="""
            driver_id | target    | ramp_start | full_run_rate_by
            VD-1      | 1,200,000 | 2026-Q1    | 2026-Q1
        """,
        first_period="2026-Q1",
        last_period="2027-Q4",
        as_of="2026-Q2",
        period_type=PeriodType.QUARTER,
        fiscal_year_start=7,
    )
    r = compute(data)
    labels = [(fy["fiscal_year"], fy["first_period"], fy["last_period"]) for fy in r.fiscal_years]
    assert labels == [
        ("FY2026", "2025-Q3", "2026-Q2"),
        ("FY2027", "2026-Q3", "2027-Q2"),
        ("FY2028", "2027-Q3", "2028-Q2"),
    ]
    assert r.fiscal_years[1]["plan"] == pytest.approx(1_200_000)  # four quarters of 300,000


def test_a_quarterly_start_month_inside_a_quarter_is_flagged_on_the_setting() -> None:
    from evr_xl.workbook.settings import _fiscal_start_findings

    data = program(
        first_period="2026-Q1",
        last_period="2027-Q4",
        as_of="2026-Q2",
        period_type=PeriodType.QUARTER,
        fiscal_year_start=5,
    )
    (f,) = _fiscal_start_findings(data.settings)
    assert f.code == "RD021" and f.severity.value == "Warning" and "month 4" in f.message
