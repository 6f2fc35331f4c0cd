"""Properties of the engine over generated programmes (hypothesis)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evr_xl.checks import coverage, run_checks
from evr_xl.engine import compute
from evr_xl.model import (
    Actual,
    Cost,
    ProgramData,
    ProgramSettings,
    Risk,
    ValueDriver,
    ValuePlanRow,
    WorkItem,
    Workstream,
)
from evr_xl.model.periods import PeriodType, from_ordinal, ordinal
from evr_xl.model.vocab import CATEGORIES, ITEM_STATUSES, RAMP_PROFILES, STAGES

DRIVER_IDS = [f"VD-{i}" for i in range(1, 9)] + ["vd-1 ", "VD-99"]  # a case twin, an unknown
WS_IDS = ["WS-A", "WS-B", "WS-C"]
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31))
money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
RELAXED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def program_settings(draw: st.DrawFn) -> ProgramSettings:
    ptype = draw(st.sampled_from(list(PeriodType)))
    first = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)))
    f = ordinal(first, ptype)
    n = draw(st.integers(min_value=-2, max_value=40))
    t = draw(st.integers(min_value=-3, max_value=max(n, 0) + 3))
    return ProgramSettings(
        first_period=from_ordinal(f, ptype),
        last_period=from_ordinal(f + n, ptype),
        as_of=from_ordinal(f + t, ptype),
        period_type=ptype,
        value_promise=draw(money),
        discount_rate=draw(st.none() | st.floats(min_value=-0.5, max_value=0.5)),
    )


@st.composite
def drivers(draw: st.DrawFn, benefits_only: bool = False) -> ValueDriver:
    profiles = ["Linear", "Step", "S-curve"] if benefits_only else list(RAMP_PROFILES)
    category = "Cost synergy" if benefits_only else draw(st.sampled_from(CATEGORIES))
    return ValueDriver(
        driver_id=draw(st.sampled_from(DRIVER_IDS[:8])),
        name="d",
        workstream_id=draw(st.sampled_from(WS_IDS)),
        category=category,
        recurrence="Recurring"
        if benefits_only
        else draw(st.sampled_from(["Recurring", "One-off"])),
        target=draw(money),
        ramp_start=draw(dates),
        full_run_rate_by=draw(dates),
        ramp_profile=draw(st.sampled_from(profiles)),
        stage=draw(st.sampled_from(STAGES)),
        finance_validated=draw(st.booleans()),
        kpi=draw(st.sampled_from(["k1", "k2", None])),
    )


@st.composite
def items(draw: st.DrawFn) -> WorkItem:
    return WorkItem(
        item_id=draw(st.sampled_from([f"WP-{i}" for i in range(12)])),
        workstream_id=draw(st.sampled_from(WS_IDS + ["WS-X"])),
        item="w",
        item_type=draw(st.sampled_from(["Milestone", "Task"])),
        planned_finish=draw(dates),
        forecast_finish=draw(st.none() | dates),
        actual_finish=draw(st.none() | dates),
        pct_complete=draw(st.none() | st.floats(min_value=0, max_value=1)),
        status=draw(st.none() | st.sampled_from(ITEM_STATUSES)),
        enables=tuple(draw(st.lists(st.sampled_from(DRIVER_IDS), max_size=3))),
    )


@st.composite
def programs(draw: st.DrawFn, benefits_only: bool = False) -> ProgramData:
    s = draw(program_settings())
    return ProgramData(
        settings=s,
        workstreams=tuple(Workstream(workstream_id=w, name=w) for w in WS_IDS[:2]),
        drivers=tuple(draw(st.lists(drivers(benefits_only), max_size=8))),
        workplan=tuple(draw(st.lists(items(), max_size=10))),
        actuals=tuple(
            draw(
                st.lists(
                    st.builds(
                        Actual,
                        driver_id=st.sampled_from(DRIVER_IDS),
                        period=dates,
                        realized=st.floats(min_value=-1e6, max_value=1e6),
                        run_rate=st.none() | money,
                        validated=st.booleans(),
                    ),
                    max_size=12,
                )
            )
        ),
        risks=tuple(
            draw(
                st.lists(
                    st.builds(
                        Risk,
                        risk_id=st.sampled_from(["R-1", "R-2", "R-3"]),
                        risk=st.just("r"),
                        driver_ids=st.lists(st.sampled_from(DRIVER_IDS), max_size=3).map(tuple),
                        probability=st.floats(min_value=0, max_value=1),
                        impact=money,
                        status=st.sampled_from(["Open", "Closed"]),
                    ),
                    max_size=4,
                )
            )
        ),
        value_plan=tuple(
            draw(
                st.lists(
                    st.builds(
                        ValuePlanRow,
                        driver_id=st.sampled_from(DRIVER_IDS),
                        values=st.dictionaries(dates, money, max_size=6),
                    ),
                    max_size=3,
                )
            )
        ),
        costs=tuple(
            draw(
                st.lists(
                    st.builds(
                        Cost,
                        workstream_id=st.sampled_from(WS_IDS),
                        period=dates,
                        budget=st.none() | money,
                        actual=st.none() | money,
                    ),
                    max_size=3,
                )
            )
        ),
    )


ROLLED_UP = (
    "plan_to_date",
    "realized_to_date",
    "plan_in_horizon",
    "forecast_in_horizon",
    "forecast_exit_run_rate",
    "value_at_risk",
    "confidence_weighted_forecast",
)


@RELAXED
@given(programs())
def test_never_raises_and_rolls_up(data: ProgramData) -> None:
    r = compute(data)
    run_checks(data, r)
    coverage(data, r)
    assert (r.drivers["value_at_risk"] >= 0).all()
    assert (r.drivers["slippage_var"] >= 0).all()
    assert r.drivers.index.is_unique
    p = r.program.as_dict()
    for col in ROLLED_UP:
        assert r.workstreams[col].sum() == pytest.approx(p[col], abs=1e-3)
        assert r.drivers[col].sum() == pytest.approx(p[col], abs=1e-3)
    # slippage is attributed to open late work only: at most the drivers' slippage VaR
    caused = r.slipping_items["value_at_risk_caused"]
    assert (caused >= 0).all()
    assert caused.sum() <= r.drivers["slippage_var"].sum() + 1e-3
    assert set(r.drivers["rag"]) <= {"Green", "Amber", "Red"}


def no_slip_no_open_risk(data: ProgramData) -> ProgramData:
    return data.model_copy(
        update={
            "workplan": tuple(
                w.model_copy(update={"actual_finish": w.planned_finish, "status": "Complete"})
                for w in data.workplan
            ),
            "risks": tuple(r.model_copy(update={"status": "Closed"}) for r in data.risks),
        }
    )


@RELAXED
@given(programs().map(no_slip_no_open_risk))
def test_no_slip_and_no_open_risk_leaves_only_under_performance_at_risk(
    data: ProgramData,
) -> None:
    r = compute(data)
    assert (r.drivers["slip_periods"] == 0).all()
    assert (r.drivers["slippage_var"] == 0).all() and (r.drivers["risk_exposure"] == 0).all()
    assert (r.drivers["value_at_risk"] == r.drivers["performance_var"]).all()
    assert r.slipping_items.empty
    # with no actual yet, nothing says the drivers under-perform: nothing is at risk
    unmeasured = compute(data.model_copy(update={"actuals": ()}))
    assert (unmeasured.drivers["value_at_risk"] == 0).all()
    assert unmeasured.program.value_at_risk == 0


def future_gap(r) -> np.ndarray:
    """Σ over p > T of plan(p) - forecast(p), per driver, before any clipping."""
    future = [c for c in r.plan.columns if c > r.horizon.as_of]
    return (r.plan[future] - r.forecast[future]).sum(axis=1).to_numpy()


@RELAXED
@given(programs(benefits_only=True))
def test_value_at_risk_is_never_negative_for_non_decreasing_ramps(data: ProgramData) -> None:
    r = compute(data)
    assert (future_gap(r) >= -1e-6).all()  # the unclipped slippage VaR
    assert (r.drivers["value_at_risk"] >= 0).all()


@RELAXED
@given(programs(benefits_only=True))
def test_forecast_plus_slippage_is_plan_when_actuals_equal_plan(data: ProgramData) -> None:
    first = compute(data)
    h = first.horizon
    at_plan = tuple(
        Actual(
            driver_id=d,
            period=from_ordinal(int(o), h.period_type),
            realized=float(first.plan.loc[d, o]),
        )
        for d in first.plan.index
        for o in first.plan.columns
        if o <= h.as_of
    )
    r = compute(data.model_copy(update={"actuals": at_plan}))
    d = r.drivers
    assert (d["forecast_in_horizon"] + d["slippage_var"]).to_numpy() == pytest.approx(
        d["plan_in_horizon"].to_numpy(), abs=1e-4
    )
    assert d["realized_to_date"].to_numpy() == pytest.approx(d["plan_to_date"].to_numpy())
