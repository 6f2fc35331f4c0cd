"""The value-driven forecast in users' terms: properties over generated programmes, and worked
examples a finance partner would check by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from programs import program
from test_engine_reference import month_end, programmes

from evr_xl.engine import compute
from evr_xl.model import ProgramData
from evr_xl.model.periods import from_ordinal, ordinal

PROPS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
TOL = 0.005
MONEY = (
    "plan_to_date",
    "realized_to_date",
    "plan_in_horizon",
    "forecast_in_horizon",
    "forecast_exit_run_rate",
    "slippage_var",
    "performance_var",
    "risk_exposure",
    "value_at_risk",
    "confidence_weighted_forecast",
)


def benefit_ids(data: ProgramData, r) -> list[str]:  # type: ignore[no-untyped-def]
    return [d for d in r.drivers.index if r.drivers.loc[d, "category"] != "Dis-benefit"]


def later(data: ProgramData, item_index: int, periods: int) -> ProgramData:
    """The same programme with one open enabling item forecast to finish `periods` later."""
    ptype = data.settings.period_type
    t = ordinal(data.settings.as_of, ptype)
    items = list(data.workplan)
    w = items[item_index]
    planned = ordinal(w.planned_finish, ptype)
    now = ordinal(w.forecast_finish, ptype) if w.forecast_finish else planned
    if planned <= t:
        now = max(now, t + 1)
    items[item_index] = w.model_copy(
        update={"forecast_finish": month_end(from_ordinal(now + periods, ptype))}
    )
    return data.model_copy(update={"workplan": tuple(items)})


def as_of_in_reach(data: ProgramData) -> bool:
    """T >= first - 1: a shifted plan cannot bring in value planned between T and the first
    period (with the as-of further before the horizon, a slip legitimately moves value planned
    before the first period into the horizon)."""
    s = data.settings
    return ordinal(s.as_of, s.period_type) >= ordinal(s.first_period, s.period_type) - 1


def open_items(data: ProgramData) -> list[int]:
    return [
        i
        for i, w in enumerate(data.workplan)
        if w.status not in ("Complete", "Cancelled")
        and w.actual_finish is None
        and (w.pct_complete or 0) < 1
        and w.enables
    ]


# (a) a bigger slip or lower actuals never raise a benefit's forecast --------------------------------
SPEC_SLIP = (
    "by the spec, pi = run-rate achieved / R x r(q - s) is measured against the slipped plan: a "
    "bigger slip lowers the denominator and can lift pi (capped at 1), raising the forecast"
)


@PROPS
@given(programmes(committed=False), st.data())
def test_a_bigger_slip_never_raises_a_one_off_or_an_unmeasured_ramp(
    data: ProgramData, more: st.DataObject
) -> None:
    """What the spec does guarantee: a one-off's remaining value only moves out; a recurring
    Linear/Step/S-curve driver with no run-rate achieved yet (pi = 1) is only shifted right."""
    candidates = open_items(data)
    assume(candidates and as_of_in_reach(data))
    i = more.draw(st.sampled_from(candidates))
    r = compute(data)
    before = r.drivers
    after = compute(later(data, i, more.draw(st.integers(1, 4)))).drivers
    for d in benefit_ids(data, r):
        row = before.loc[d]
        unmeasured = row["recurrence"] == "Recurring" and math.isnan(row["run_rate_achieved"])
        if not (row["recurrence"] == "One-off" or (unmeasured and row["ramp_profile"] != "Custom")):
            continue
        for f in ("forecast_in_horizon", "forecast_exit_run_rate"):
            assert after.loc[d, f] <= before.loc[d, f] + TOL, (
                d,
                f,
                before.loc[d, f],
                after.loc[d, f],
            )


SLIPPING = """
    driver_id | target    | ramp_start | full_run_rate_by
    VD-9      | 1,200,000 | 2026-01    | 2026-04
"""
HALF_RUN_RATE = """
    driver_id | period  | realized | run_rate
    VD-9      | 2026-06 | 50,000   | 600,000
"""


@pytest.mark.xfail(reason=SPEC_SLIP, strict=True)
def test_a_bigger_slip_lowers_the_forecast_by_hand() -> None:
    """Run-rate 600,000 of 1,200,000. Enabler one period late: pi = 600,000 / R x r(2026-05)
    = 0.5, forecast after T 6 x 50,000 = 300,000. Three periods late: pi = 600,000 / R x
    r(2026-03) = 0.667 and the forecast rises to 6 x 66,667 = 400,000 (exit 600,000 -> 800,000).
    A user expects the later milestone to lower the forecast, or at worst leave it."""

    def forecast(finish: str) -> tuple[float, float]:
        data = program(
            drivers_table=SLIPPING,
            actuals_table=HALF_RUN_RATE,
            workplan_table=f"""
                item_id | planned_finish | forecast_finish | status      | enables
                WP-9    | 2026-06-30     | {finish}        | In progress | VD-9
            """,
        )
        d = compute(data).drivers.loc["VD-9"]
        return float(d.forecast_in_horizon), float(d.forecast_exit_run_rate)

    one_late, three_late = forecast("2026-07-31"), forecast("2026-09-30")
    assert one_late == pytest.approx((50_000 + 300_000, 600_000))
    assert three_late[0] <= one_late[0] + TOL  # fails by the spec: 450,000
    assert three_late[1] <= one_late[1] + TOL  # fails by the spec: 800,000


@PROPS
@given(programmes(committed=False), st.sampled_from([0.0, 0.5, 0.9]))
def test_lower_actuals_never_raise_a_benefits_forecast(data: ProgramData, factor: float) -> None:
    lower = data.model_copy(
        update={
            "actuals": tuple(
                a.model_copy(
                    update={
                        "realized": a.realized * factor,
                        "run_rate": None if a.run_rate is None else a.run_rate * factor,
                    }
                )
                for a in data.actuals
            )
        }
    )
    r = compute(data)
    before, after = r.drivers, compute(lower).drivers
    for d in benefit_ids(data, r):
        for f in ("forecast_in_horizon", "forecast_exit_run_rate"):
            assert after.loc[d, f] <= before.loc[d, f] + TOL, (
                d,
                f,
                before.loc[d, f],
                after.loc[d, f],
            )


# (b) a one-off never forecasts more than it realized plus what is still planned --------------------
@PROPS
@given(programmes(committed=False, benefits_only=True))
def test_a_one_off_never_forecasts_more_than_realized_plus_remaining_plan(
    data: ProgramData,
) -> None:
    assume(as_of_in_reach(data))
    r = compute(data)
    t = r.horizon.as_of
    future = [o for o in r.plan.columns if o > t]
    for d in r.drivers.index:
        row = r.drivers.loc[d]
        if row["recurrence"] != "One-off":
            continue
        remaining_plan = float(r.plan.loc[d, future].sum()) if future else 0.0
        assert row["forecast_in_horizon"] <= row["realized_to_date"] + remaining_plan + TOL


# (c) value at risk adds up and is never negative ----------------------------------------------------
@PROPS
@given(programmes())
def test_value_at_risk_is_slippage_plus_performance_plus_risk(data: ProgramData) -> None:
    r = compute(data)
    for frame in (r.drivers, r.workstreams):
        for col in ("slippage_var", "performance_var", "risk_exposure", "value_at_risk"):
            assert (frame[col] >= 0).all(), col
        total = frame["slippage_var"] + frame["performance_var"] + frame["risk_exposure"]
        assert (abs(frame["value_at_risk"] - total) <= TOL).all()
    p = r.program
    assert p.value_at_risk == pytest.approx(
        p.slippage_var + p.performance_var + p.risk_exposure, abs=TOL
    )
    assert min(p.slippage_var, p.performance_var, p.risk_exposure, p.value_at_risk) >= 0


# (d) programme and workstream money figures are the sums of their drivers' --------------------------
@PROPS
@given(programmes())
def test_programme_and_workstreams_are_the_sums_of_their_drivers(data: ProgramData) -> None:
    r = compute(data)
    d, ws, p = r.drivers, r.workstreams, r.program.as_dict()
    for col in MONEY:
        assert p[col] == pytest.approx(d[col].sum(), abs=TOL), col
        assert ws[col].sum() == pytest.approx(p[col], abs=TOL), col
        for w in ws.index:
            mine = d[d["workstream_id"].str.strip().str.casefold() == str(w).strip().casefold()]
            assert ws.loc[w, col] == pytest.approx(mine[col].sum(), abs=TOL), (w, col)
    assert p["run_rate_achieved"] == pytest.approx(d["run_rate_achieved"].sum(skipna=True), abs=TOL)
    for col in ("realized_validated", "realized_unvalidated"):
        assert p[col] == pytest.approx(d[col].sum(), abs=TOL)
    by_type = p["by_value_type"]
    for col in ("plan_to_date", "realized_to_date", "forecast_in_horizon"):
        assert sum(v[col] for v in by_type.values()) == pytest.approx(p[col], abs=TOL)


# (e) nothing is at risk that is no longer expected ---------------------------------------------------
@PROPS
@given(programmes())
def test_risk_exposure_never_exceeds_what_remains_expected(data: ProgramData) -> None:
    r = compute(data)
    future = [o for o in r.forecast.columns if o > r.horizon.as_of]
    for d in r.drivers.index:
        sign = -1.0 if r.drivers.loc[d, "category"] == "Dis-benefit" else 1.0
        remaining = float(r.forecast.loc[d, future].sum()) if future else 0.0
        assert r.drivers.loc[d, "risk_exposure"] <= max(0.0, sign * remaining) + TOL


# Worked examples ------------------------------------------------------------------------------------
def test_under_performing_at_full_run_rate_is_carried_forward() -> None:
    """At full run-rate since 2026-04 and two months later still at 55%: the forecast and the exit
    run-rate stay at 55%, the driver is Red."""
    data = program(
        drivers_table="""
            driver_id | target    | ramp_start | full_run_rate_by
            VD-1      | 1,200,000 | 2026-01    | 2026-04
        """,
        workplan_table="""
            item_id | planned_finish | actual_finish | status   | enables
            WP-1    | 2025-12-15     | 2025-12-15    | Complete | VD-1
        """,
        actuals_table="""
            driver_id | period  | realized | run_rate
            VD-1      | 2026-01 | 13,750   | -
            VD-1      | 2026-02 | 27,500   | -
            VD-1      | 2026-03 | 41,250   | -
            VD-1      | 2026-04 | 55,000   | -
            VD-1      | 2026-05 | 55,000   | -
            VD-1      | 2026-06 | 55,000   | 660,000
        """,
    )
    r = compute(data)
    d = r.drivers.loc["VD-1"]
    assert d.run_rate_achieved == pytest.approx(660_000)
    assert d.performance_ratio == pytest.approx(0.55)
    future = [o for o in r.forecast.columns if o > r.horizon.as_of]
    assert list(r.forecast.loc["VD-1", future]) == pytest.approx([55_000] * 6)
    assert d.realized_to_date == pytest.approx(247_500)
    assert d.forecast_in_horizon == pytest.approx(247_500 + 330_000)
    assert d.forecast_exit_run_rate == pytest.approx(660_000)  # 55% of target
    assert d.slippage_var == pytest.approx(0)
    assert d.performance_var == pytest.approx(270_000)
    assert d.value_at_risk == pytest.approx(270_000)
    assert d.rag == "Red"


def test_a_one_off_realized_before_the_as_of_is_not_replayed_by_a_slip() -> None:
    """A Step one-off realized in full in 2026-04 whose enabler finished three months late: the
    slip does not bring the 500,000 back after T (forecast = realized, not twice the target)."""
    data = program(
        drivers_table="""
            driver_id | category        | recurrence | target  | ramp_start | full_run_rate_by | ramp_profile
            VD-2      | Working capital | One-off    | 500,000 | 2026-03    | 2026-04          | Step
        """,
        workplan_table="""
            item_id | planned_finish | actual_finish | status   | enables
            WP-2    | 2026-03-31     | 2026-06-20    | Complete | VD-2
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-2      | 2026-04 | 500,000
        """,
    )
    r = compute(data)
    d = r.drivers.loc["VD-2"]
    assert d.slip_periods == 3
    assert d.realized_to_date == pytest.approx(500_000)
    assert d.forecast_in_horizon == pytest.approx(500_000)
    assert d.slippage_var == pytest.approx(0)
    assert d.value_at_risk == pytest.approx(0)
    assert d.forecast_exit_run_rate == 0
    assert d.rag == "Green"
    assert r.program.by_value_type["cash"]["realized_to_date"] == pytest.approx(500_000)


def test_a_committed_recovery_replaces_the_computed_forecast() -> None:
    """Running at half the target (no run-rate reported: 12 × 50,000), the owner commits a
    recovery. Its periods replace the computed forecast (a typed 0 too); periods ≤ T are ignored;
    the periods it leaves empty keep the computed 50,000."""
    data = program(
        drivers_table="""
            driver_id | target    | ramp_start | full_run_rate_by
            VD-3      | 1,200,000 | 2026-01    | 2026-01
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-3      | 2026-01 | 50,000
            VD-3      | 2026-02 | 50,000
            VD-3      | 2026-03 | 50,000
            VD-3      | 2026-04 | 50,000
            VD-3      | 2026-05 | 50,000
            VD-3      | 2026-06 | 50,000
        """,
        forecast_table="""
            driver_id | 2026-05 | 2026-07 | 2026-08 | 2026-09 | 2026-12
            VD-3      | 999     | 80,000  | 100,000 | 0       | 120,000
        """,
    )
    r = compute(data)
    d = r.drivers.loc["VD-3"]
    assert d.run_rate_achieved == pytest.approx(600_000)
    assert d.performance_ratio == pytest.approx(0.5)
    labels = {r.horizon.label(int(o)): float(v) for o, v in r.forecast.loc["VD-3"].items()}
    assert labels["2026-05"] == pytest.approx(50_000)  # the actual, not the 999
    assert [labels[f"2026-{m:02d}"] for m in range(7, 13)] == pytest.approx(
        [80_000, 100_000, 0, 50_000, 50_000, 120_000]
    )
    assert d.forecast_in_horizon == pytest.approx(300_000 + 400_000)
    assert d.forecast_exit_run_rate == pytest.approx(1_440_000)
    assert d.slippage_var == pytest.approx(0)
    assert d.performance_var == pytest.approx(200_000)


def test_a_committed_forecast_of_a_dis_benefit_is_signed() -> None:
    data = program(
        drivers_table="""
            driver_id | category    | target  | ramp_start | full_run_rate_by
            VD-4      | Dis-benefit | 120,000 | 2026-01    | 2026-01
        """,
        forecast_table="""
            driver_id | 2026-12
            VD-4      | 30,000
        """,
    )
    r = compute(data)
    d = r.drivers.loc["VD-4"]
    assert d.target == pytest.approx(-120_000)
    assert d.forecast_exit_run_rate == pytest.approx(-360_000)
    assert d.forecast_in_horizon == pytest.approx(-(5 * 10_000 + 30_000))


def test_risk_is_capped_at_the_remaining_forecast() -> None:
    """A 50% × 1,000,000 risk on a one-off with 100,000 still to come puts 100,000 at risk, not
    500,000; a risk on value already delivered puts nothing at risk."""
    data = program(
        drivers_table="""
            driver_id | recurrence | target  | ramp_start | full_run_rate_by
            VD-5      | One-off    | 300,000 | 2026-05    | 2026-07
            VD-6      | One-off    | 200,000 | 2026-02    | 2026-03
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-5      | 2026-05 | 100,000
            VD-5      | 2026-06 | 100,000
            VD-6      | 2026-02 | 100,000
            VD-6      | 2026-03 | 100,000
        """,
        risks_table="""
            risk_id | driver_ids             | probability | impact    | status
            R-1     | VD-5, vd-5 , VD-404    | 0.5         | 1,000,000 | Open
            R-2     | VD-6                   | 0.9         | 400,000   | Open
            R-3     | VD-5                   | 1.0         | 900,000   | Closed
        """,
    )
    r = compute(data)
    five, six = r.drivers.loc["VD-5"], r.drivers.loc["VD-6"]
    assert five.forecast_in_horizon == pytest.approx(300_000)
    assert five.risk_exposure == pytest.approx(100_000)
    assert five.value_at_risk == pytest.approx(100_000)
    assert six.risk_exposure == pytest.approx(0)
    assert r.program.risk_exposure == pytest.approx(100_000)
