"""Horizon, period bucketing and ramp profiles (metric 1 and 2)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from programs import program, settings

from evr_xl.engine import Horizon, compute
from evr_xl.engine.periods import CUSTOM, LINEAR, S_CURVE, STEP, PlanModel, Ramps, profile_code
from evr_xl.model.periods import PeriodType


def ramp(profile: int, start: int, full: int, ords: range) -> list[float]:
    r = Ramps.build(np.array([start]), np.array([full]), np.array([profile]))
    return r.fraction(np.array([list(ords)]))[0].tolist()


def test_horizon_of_settings_monthly_and_quarterly() -> None:
    h = Horizon.of(settings(first_period="2026-01", last_period="2027-12", as_of="2026-06"))
    assert (h.n, h.per_year, h.label(h.as_of)) == (24, 12, "2026-06")
    assert h.labels[0] == "2026-01" and h.labels[-1] == "2027-12"
    q = Horizon.of(
        settings(
            first_period="2026-01",
            last_period="2028-10",  # any month of the quarter
            as_of="2026-05",
            period_type=PeriodType.QUARTER,
        )
    )
    assert (q.n, q.per_year, q.label(q.as_of)) == (12, 4, "2026-Q2")
    assert q.ordinal(date(2026, 9, 30)) == q.ordinal(date(2026, 7, 1))  # bucketed into Q3


def test_empty_horizon_when_last_before_first() -> None:
    h = Horizon.of(settings(first_period="2026-06", last_period="2026-01"))
    assert h.n == 0 and h.labels == []


def test_linear_ramp_steps_evenly_to_one() -> None:
    assert ramp(LINEAR, 10, 13, range(8, 16)) == [0, 0, 0.25, 0.5, 0.75, 1, 1, 1]


def test_step_is_zero_until_full_run_rate() -> None:
    assert ramp(STEP, 10, 13, range(8, 16)) == [0, 0, 0, 0, 0, 1, 1, 1]


def test_s_curve_is_smooth_monotone_with_the_same_end_points() -> None:
    values = ramp(S_CURVE, 10, 21, range(8, 25))
    assert values[:2] == [0, 0] and values[-4:] == [1, 1, 1, 1]
    assert all(b > a for a, b in zip(values[1:13], values[2:14], strict=True))  # rising
    mid = values[2:14]
    assert mid[0] < 1 / 12 and mid[-2] > 11 / 12  # slower start and finish than linear


def test_ramp_start_after_full_run_rate_reaches_full_at_ramp_start() -> None:
    assert ramp(LINEAR, 13, 10, range(11, 16)) == [0, 0, 1, 1, 1]
    assert ramp(STEP, 13, 10, range(11, 16)) == [0, 0, 1, 1, 1]


def test_unknown_profile_ramps_linearly() -> None:
    assert profile_code("Zigzag") == LINEAR and profile_code(None) == LINEAR
    assert profile_code(" s-CURVE ") == S_CURVE and profile_code("Custom") == CUSTOM


def test_one_off_plan_sums_to_target_for_every_profile() -> None:
    ramps = Ramps.build(np.array([5, 5, 5]), np.array([9, 9, 9]), np.array([LINEAR, STEP, S_CURVE]))
    pm = PlanModel(ramps, np.array([900.0] * 3), np.ones(3), np.zeros(3, dtype=bool), 12)
    plan = pm.plan(np.broadcast_to(np.arange(0, 20), (3, 20)))
    assert plan.sum(axis=1) == pytest.approx([900, 900, 900])
    assert plan[1].tolist().count(900.0) == 1  # Step: all of it in the full-run-rate period


def test_run_rate_phasing_30_70_100_over_three_years_quarterly() -> None:
    """A 10M driver phased 30% / 70% / 100% of run-rate in years 1, 2, 3 (Custom, quarterly)."""
    quarters = [f"{y}-Q{q}" for y in (2026, 2027, 2028) for q in (1, 2, 3, 4)]
    amounts = [10_000_000 * share / 4 for share in (0.3, 0.7, 1.0) for _ in range(4)]
    data = program(
        drivers_table="""
            driver_id | target     | ramp_start | full_run_rate_by | ramp_profile
            VD-100    | 10,000,000 | 2026-01    | 2028-01          | Custom
        """,
        value_plan_table="driver_id | "
        + " | ".join(quarters)
        + "\nVD-100 | "
        + " | ".join(f"{a:.0f}" for a in amounts),
        first_period="2026-01",
        last_period="2028-12",
        as_of="2026-12",
        period_type=PeriodType.QUARTER,
        value_promise=10_000_000,
    )
    r = compute(data)
    plan = r.plan.loc["VD-100"].to_numpy()
    years = plan.reshape(3, 4).sum(axis=1)
    assert years == pytest.approx([3_000_000, 7_000_000, 10_000_000])
    d = r.drivers.loc["VD-100"]
    assert d.plan_in_horizon == pytest.approx(20_000_000)
    assert d.plan_to_date == pytest.approx(3_000_000)
    assert d.forecast_exit_run_rate == pytest.approx(10_000_000)  # 2.5M in the last quarter x 4
    assert r.program.gap_to_promise == pytest.approx(0)


def test_run_rate_phasing_30_70_100_monthly_from_a_linear_equivalent() -> None:
    """The same phasing typed as monthly Value Plan cells bucketed into a quarterly programme."""
    months = [f"{y}-{m:02d}" for y in (2026, 2027, 2028) for m in range(1, 13)]
    amounts = [10_000_000 * share / 12 for share in (0.3, 0.7, 1.0) for _ in range(12)]
    data = program(
        drivers_table="""
            driver_id | target     | ramp_start | full_run_rate_by | ramp_profile
            VD-100    | 10,000,000 | 2026-01    | 2028-01          | Custom
        """,
        value_plan_table="driver_id | "
        + " | ".join(months)
        + "\nVD-100 | "
        + " | ".join(f"{a:.6f}" for a in amounts),
        first_period="2026-01",
        last_period="2028-12",
        as_of="2026-12",
        period_type=PeriodType.QUARTER,
    )
    plan = compute(data).plan.loc["VD-100"].to_numpy()
    assert plan.reshape(3, 4).sum(axis=1) == pytest.approx([3e6, 7e6, 10e6])
    assert plan[-1] == pytest.approx(2_500_000)  # three months summed into 2028-Q4


def test_actuals_in_a_quarterly_programme_bucket_into_their_quarter() -> None:
    data = program(
        drivers_table="""
            driver_id | target  | ramp_start | full_run_rate_by
            VD-1      | 400,000 | 2026-01    | 2026-01
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-1      | 2026-01 | 30,000
            VD-1      | 2026-02 | 30,000
            VD-1      | 2026-03 | 40,000
        """,
        as_of="2026-Q1",
        period_type=PeriodType.QUARTER,
    )
    r = compute(data)
    assert r.actual.loc["VD-1"].tolist() == [100_000]
    assert r.drivers.loc["VD-1", "realization_pct"] == pytest.approx(1.0)


def test_dis_benefit_is_negative_and_subtracts_from_programme_value() -> None:
    data = program(
        drivers_table="""
            driver_id | category      | target    | ramp_start | full_run_rate_by
            VD-1      | Cost synergy  | 1,200,000 | 2026-01    | 2026-01
            VD-2      | Dis-benefit   | 240,000   | 2026-01    | 2026-01
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-2      | 2026-05 | 10,000
            VD-2      | 2026-06 | 10,000
        """,
        value_promise=960_000,
    )
    r = compute(data)
    assert r.drivers.loc["VD-2", "target"] == -240_000
    assert r.plan.loc["VD-2"].iloc[0] == pytest.approx(-20_000)
    assert r.actual.loc["VD-2"].iloc[-1] == pytest.approx(-10_000)
    assert r.program.sum_targets == pytest.approx(960_000)
    assert r.program.reconciliation_gap == pytest.approx(0)
    # A dis-benefit costing half its plan hurts less than planned: Green (rated on 2 - x), and
    # the underrun is not banked: its forecast stays at plan (pi = 1).
    assert r.drivers.loc["VD-2", "run_rate_pct"] == pytest.approx(0.5)
    assert r.drivers.loc["VD-2", "performance_ratio"] == 1
    assert r.drivers.loc["VD-2", "rag"] == "Green"
    overrun = tuple(a.model_copy(update={"realized": 25_000.0}) for a in data.actuals)
    over = compute(data.model_copy(update={"actuals": overrun})).drivers.loc["VD-2"]
    assert over.performance_ratio == pytest.approx(1.25)  # the overrun is carried forward
    assert over.forecast_exit_run_rate == pytest.approx(-300_000)
    assert over.performance_var == pytest.approx(6 * 5_000)
    assert over.rag == "Red"  # 125% of the planned cost: 2 - 1.25 < 80%
