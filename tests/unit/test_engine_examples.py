"""The worked examples of docs/metrics.md, number for number."""

from __future__ import annotations

import math

import pytest
from programs import program

from evr_xl.engine import compute


def by_label(results, frame) -> dict[str, float]:
    """A one-driver period frame -> {label: value}."""
    row = frame.iloc[0]
    return {results.horizon.label(int(o)): float(v) for o, v in row.items()}


# Example 1 ---------------------------------------------------------------------------------------
LINEAR = program(
    drivers_table="""
        driver_id | name                | target    | ramp_start | full_run_rate_by | stage
        VD-001    | Procurement savings | 1,200,000 | 2026-01    | 2026-04          | L4
    """,
    workplan_table="""
        item_id | planned_finish | actual_finish | status   | enables
        WP-001  | 2025-12-15     | 2025-12-15    | Complete | VD-001
    """,
    actuals_table="""
        driver_id | period  | realized | run_rate  | validated
        VD-001    | 2026-01 | 20,000   | -         | Yes
        VD-001    | 2026-02 | 45,000   | -         | Yes
        VD-001    | 2026-03 | 70,000   | -         | Yes
        VD-001    | 2026-04 | 90,000   | -         | Yes
        VD-001    | 2026-05 | 95,000   | -         | Yes
        VD-001    | 2026-06 | 100,000  | 1,150,000 | No
    """,
    value_promise=1_200_000,
)


def test_linear_ramp_recurring_driver() -> None:
    r = compute(LINEAR)
    plan = by_label(r, r.plan)
    assert [plan[f"2026-{m:02d}"] for m in range(1, 7)] == [
        25_000,
        50_000,
        75_000,
        100_000,
        100_000,
        100_000,
    ]
    d = r.drivers.loc["VD-001"]
    assert d.plan_to_date == pytest.approx(450_000)
    assert d.realized_to_date == pytest.approx(420_000)
    assert d.realized_validated == pytest.approx(320_000)
    assert d.realized_unvalidated == pytest.approx(100_000)
    assert d.realization_pct == pytest.approx(420 / 450)
    assert d.run_rate_achieved == pytest.approx(1_150_000)  # reported for 2026-06
    assert d.run_rate_pct == pytest.approx(1_150_000 / 1_200_000)
    assert d.plan_in_horizon == pytest.approx(1_050_000)
    # today's run-rate, 1,150,000 of the 1,200,000 planned for 2026-06, is carried forward
    assert d.performance_ratio == pytest.approx(1_150_000 / 1_200_000)
    assert d.forecast_in_horizon == pytest.approx(995_000)  # 420k + 6 x 100k x 95.83%
    assert d.forecast_exit_run_rate == pytest.approx(1_150_000)
    assert d.slippage_var == 0
    assert d.performance_var == pytest.approx(25_000)  # 600k planned - 575k forecast
    assert d.value_at_risk == pytest.approx(25_000)
    assert d.confidence_weight == pytest.approx(0.90)  # L4
    # realized value is not discounted again: 420k + 90% x 575k
    assert d.confidence_weighted_forecast == pytest.approx(937_500)
    # now 95.8% and exit 95.8% are Green; horizon 995k / 1,050k = 94.8% is below 95%
    assert (d.rag_now, d.rag_exit) == pytest.approx((1_150 / 1_200, 1_150 / 1_200))
    assert d.rag_horizon == pytest.approx(995 / 1_050)
    assert d.rag == "Amber"


def test_run_rate_falls_back_to_actual_times_k() -> None:
    data = LINEAR.model_copy(
        update={"actuals": tuple(a.model_copy(update={"run_rate": None}) for a in LINEAR.actuals)}
    )
    assert compute(data).drivers.loc["VD-001", "run_rate_achieved"] == pytest.approx(1_200_000)


# Example 2 ---------------------------------------------------------------------------------------
ONE_OFF = program(
    drivers_table="""
        driver_id | name                    | category        | recurrence | target  | ramp_start | full_run_rate_by
        VD-002    | Inventory reduction     | Working capital | One-off    | 600,000 | 2026-03    | 2026-05
    """,
    workplan_table="""
        item_id | planned_finish | actual_finish | status   | enables
        WP-002  | 2026-02-27     | 2026-02-27    | Complete | VD-002
    """,
    actuals_table="""
        driver_id | period  | realized
        VD-002    | 2026-03 | 150,000
        VD-002    | 2026-04 | 250,000
        VD-002    | 2026-05 | 100,000
    """,
)


def test_one_off_driver() -> None:
    r = compute(ONE_OFF)
    plan = by_label(r, r.plan)
    assert [plan[m] for m in ("2026-03", "2026-04", "2026-05")] == pytest.approx([200_000] * 3)
    assert sum(plan.values()) == pytest.approx(600_000)  # a one-off plan sums to its target
    d = r.drivers.loc["VD-002"]
    assert d.plan_to_date == pytest.approx(600_000)
    assert d.realized_to_date == pytest.approx(500_000)
    assert d.forecast_in_horizon == pytest.approx(500_000)
    assert d.forecast_exit_run_rate == 0  # a one-off has no run-rate
    assert math.isnan(d.run_rate_achieved) and math.isnan(d.run_rate_pct)
    assert d.rag == "Amber"  # 83% realized and 83% of the total forecast
    assert r.program.sum_targets == 0  # one-offs are not part of the run-rate promise


# Example 3 ---------------------------------------------------------------------------------------
SLIP = program(
    drivers_table="""
        driver_id | name                       | target    | ramp_start | full_run_rate_by
        VD-003    | Warehouse consolidation    | 1,200,000 | 2026-07    | 2026-10
        VD-004    | Freight contract           | 240,000   | 2026-01    | 2026-01
    """,
    workplan_table="""
        item_id | item                | planned_finish | forecast_finish | status      | enables
        WP-010  | Close Leeds DC      | 2026-06-30     | 2026-08-31      | In progress | VD-003
        WP-011  | Sign freight deal   | 2025-12-10     | -               | Complete    | VD-004
    """,
    actuals_table="""
        driver_id | period  | realized
        VD-004    | 2026-06 | 20,000
    """,
    risks_table="""
        risk_id | driver_ids     | probability | impact  | status
        R-1     | VD-003, VD-004 | 0.5         | 100,000 | Open
        R-2     | VD-003         | 0.9         | 500,000 | Closed
    """,
)


def test_slipping_milestone_value_at_risk_period_by_period() -> None:
    r = compute(SLIP)
    d = r.drivers.loc["VD-003"]
    assert d.slip_periods == 2
    assert d.slip_items == "WP-010"
    plan = by_label(r, r.plan.loc[["VD-003"]])
    forecast = by_label(r, r.forecast.loc[["VD-003"]])
    months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert [plan[m] for m in months] == [25_000, 50_000, 75_000, 100_000, 100_000, 100_000]
    assert [forecast[m] for m in months] == [0, 0, 25_000, 50_000, 75_000, 100_000]
    at_risk = [plan[m] - forecast[m] for m in months]
    assert at_risk == [25_000, 50_000, 50_000, 50_000, 25_000, 0]
    assert d.slippage_var == pytest.approx(200_000)
    assert d.risk_exposure == pytest.approx(25_000)  # 50% x 100k split over two drivers
    assert d.value_at_risk == pytest.approx(225_000)
    assert d.plan_in_horizon == pytest.approx(450_000)
    assert d.forecast_in_horizon == pytest.approx(250_000)
    assert d.forecast_exit_run_rate == pytest.approx(1_200_000)  # r(Dec - 2) = r(Oct) = 1
    assert r.drivers.loc["VD-004", "value_at_risk"] == pytest.approx(25_000)

    items = r.slipping_items.set_index("item_id")
    assert list(items.index) == ["WP-010"]
    assert items.loc["WP-010", "slip_periods"] == 2
    assert items.loc["WP-010", "value_at_risk_caused"] == pytest.approx(200_000)
    assert r.program.n_slipping_milestones == 1
    assert r.program.value_at_risk == pytest.approx(250_000)


def test_work_finished_late_is_not_slipping_work() -> None:
    done_late = tuple(
        w.model_copy(update={"status": "Complete", "actual_finish": w.forecast_finish})
        for w in SLIP.workplan
    )
    r = compute(SLIP.model_copy(update={"workplan": done_late}))
    # WP-010 finished two months late: the delay stays in VD-003's forecast ...
    assert r.drivers.loc["VD-003", "slip_periods"] == 2
    assert r.drivers.loc["VD-003", "slippage_var"] == pytest.approx(200_000)
    # ... but it is not slipping work: nothing is left to recover
    assert r.slipping_items.empty
    assert r.program.n_slipping_milestones == 0


def test_overdue_work_finishes_next_period_at_the_earliest() -> None:
    data = SLIP.model_copy(
        update={
            "workplan": tuple(w.model_copy(update={"forecast_finish": None}) for w in SLIP.workplan)
        }
    )
    r = compute(data)
    # planned 2026-06 = T, not finished: late finish 2026-07, slip 1
    assert r.drivers.loc["VD-003", "slip_periods"] == 1
    assert r.slipping_items.loc[0, "late_finish"].isoformat() == "2026-07-01"


# Example 4 ---------------------------------------------------------------------------------------
GREEN_ON_TASKS = program(
    drivers_table="""
        driver_id | workstream_id | target    | ramp_start | full_run_rate_by
        VD-020    | WS-IT         | 1,200,000 | 2026-01    | 2026-01
        VD-021    | WS-IT         | 600,000   | 2026-01    | 2026-01
        VD-030    | WS-HR         | 240,000   | 2026-01    | 2026-01
    """,
    workplan_table="""
        item_id | workstream_id | planned_finish | pct_complete | status      | enables
        WP-020  | WS-IT         | 2025-11-30     | 1.0          | Complete    | VD-020
        WP-021  | WS-IT         | 2025-12-15     | 1.0          | Complete    | VD-020
        WP-022  | WS-IT         | 2025-12-20     | -            | Complete    | VD-021
        WP-023  | WS-IT         | 2026-09-30     | 0.8          | In progress | VD-021
        WP-030  | WS-HR         | 2025-12-01     | 0.5          | In progress | VD-030
    """,
    actuals_table="""
        driver_id | period  | realized
        VD-020    | 2026-01 | 60,000
        VD-020    | 2026-02 | 60,000
        VD-020    | 2026-03 | 60,000
        VD-020    | 2026-04 | 60,000
        VD-020    | 2026-05 | 60,000
        VD-020    | 2026-06 | 60,000
        VD-021    | 2026-06 | 180,000
        VD-030    | 2026-06 | 120,000
    """,
)


def test_workstream_green_on_tasks_red_on_value() -> None:
    r = compute(GREEN_ON_TASKS)
    ws = r.workstreams.loc["WS-IT"]
    assert ws.n_items == 4 and ws.n_drivers == 2
    assert ws.task_completion_pct == pytest.approx(0.95)  # (100 + 100 + 100 + 80) / 4
    assert ws.plan_to_date == pytest.approx(900_000)  # 6 x (100k + 50k)
    assert ws.realized_to_date == pytest.approx(540_000)
    assert ws.value_realization_pct == pytest.approx(0.60)
    assert ws.divergence == pytest.approx(0.35)
    assert ws.rag == "Red"
    assert bool(ws.green_on_tasks_red_on_value)
    hr = r.workstreams.loc["WS-HR"]
    assert hr.task_completion_pct == pytest.approx(0.5)
    assert hr.value_realization_pct == pytest.approx(1.0)
    assert not hr.green_on_tasks_red_on_value


# Example 6 ---------------------------------------------------------------------------------------
UNDER = program(
    drivers_table="""
        driver_id | name                       | category        | target    | ramp_start | full_run_rate_by
        VD-028    | Combined key-account teams | Revenue synergy | 2,400,000 | 2026-01    | 2026-04
    """,
    workplan_table="""
        item_id | planned_finish | actual_finish | status   | enables
        WP-028  | 2025-12-15     | 2025-12-15    | Complete | VD-028
    """,
    actuals_table="""
        driver_id | period  | realized | run_rate
        VD-028    | 2026-01 | 27,500   | -
        VD-028    | 2026-02 | 55,000   | -
        VD-028    | 2026-03 | 82,500   | -
        VD-028    | 2026-04 | 110,000  | -
        VD-028    | 2026-05 | 110,000  | -
        VD-028    | 2026-06 | 110,000  | 1,320,000
    """,
)


def test_under_performance_at_full_run_rate_is_carried_forward() -> None:
    r = compute(UNDER)
    d = r.drivers.loc["VD-028"]
    assert d.run_rate_achieved == pytest.approx(1_320_000)
    assert d.run_rate_period == "2026-06"
    assert d.performance_ratio == pytest.approx(0.55)  # 1,320,000 / (2,400,000 x r(2026-06))
    forecast = by_label(r, r.forecast)
    assert [forecast[f"2026-{m:02d}"] for m in range(7, 13)] == pytest.approx([110_000] * 6)
    assert d.plan_to_date == pytest.approx(900_000)
    assert d.realized_to_date == pytest.approx(495_000)
    assert d.forecast_in_horizon == pytest.approx(1_155_000)  # 495k + 6 x 110k
    assert d.forecast_exit_run_rate == pytest.approx(1_320_000)  # not the 2,400,000 target
    assert d.slippage_var == 0
    assert d.performance_var == pytest.approx(540_000)  # 6 x (200k - 110k)
    assert d.value_at_risk == pytest.approx(540_000)
    assert d.rag_now == pytest.approx(0.55)
    assert d.rag == "Red"


# Example 7 ---------------------------------------------------------------------------------------
ONE_OFF_SLIP = program(
    drivers_table="""
        driver_id | name              | recurrence | target    | ramp_start | full_run_rate_by
        VD-040    | Supplier rebates  | One-off    | 1,200,000 | 2026-04    | 2026-09
    """,
    workplan_table="""
        item_id | planned_finish | forecast_finish | status      | enables
        WP-040  | 2026-03-31     | 2026-05-29      | In progress | VD-040
    """,
    actuals_table="""
        driver_id | period  | realized
        VD-040    | 2026-04 | 100,000
        VD-040    | 2026-05 | 100,000
        VD-040    | 2026-06 | 100,000
    """,
)


def test_one_off_that_slips_across_the_as_of_never_replays_its_past_plan() -> None:
    r = compute(ONE_OFF_SLIP)
    d = r.drivers.loc["VD-040"]
    # WP-040 is overdue: it cannot finish before 2026-07, 4 periods after its plan
    assert d.slip_periods == 4
    forecast = by_label(r, r.forecast)
    # plan(p - 4) only where p - 4 is after T: 2026-11 takes plan(2026-07), 2026-12 plan(2026-08)
    assert [forecast[f"2026-{m:02d}"] for m in range(7, 13)] == pytest.approx(
        [0, 0, 0, 0, 200_000, 200_000]
    )
    assert d.forecast_in_horizon == pytest.approx(700_000)  # 300k realized + 400k still to come
    assert d.forecast_in_horizon <= d.target  # never more than the one-off's total
    assert d.slippage_var == pytest.approx(200_000)  # 2026-09's 200k moves out of the horizon
    assert d.performance_var == 0
    assert d.rag == "Red"  # 50% realized to date; 58% of the total forecast


# Example 8 ---------------------------------------------------------------------------------------
RECOVERY = UNDER.model_copy(
    update={
        "committed_forecast": program(
            forecast_table="""
                driver_id | 2026-07 | 2026-08 | 2026-09 | 2026-10 | 2026-11 | 2026-12
                VD-028    | 130,000 | 150,000 | 170,000 | 200,000 | 200,000 | 200,000
            """
        ).committed_forecast
    }
)


def test_a_committed_recovery_replaces_the_computed_forecast() -> None:
    r = compute(RECOVERY)
    d = r.drivers.loc["VD-028"]
    assert d.committed_periods == 6
    assert d.forecast_in_horizon == pytest.approx(495_000 + 1_050_000)
    assert d.forecast_exit_run_rate == pytest.approx(2_400_000)  # 12 x the committed 200k
    assert d.performance_var == pytest.approx(150_000)  # 1,200k planned - 1,050k committed
    assert d.rag == "Red"  # today's run-rate is still 55% of plan: the commitment is not yet value


# Example 9 ---------------------------------------------------------------------------------------
def test_risk_exposure_is_capped_at_what_is_still_expected() -> None:
    data = UNDER.model_copy(
        update={
            "risks": program(
                risks_table="""
                    risk_id | driver_ids | probability | impact    | status
                    R-9     | VD-028     | 0.8        | 1,000,000 | Open
                """
            ).risks
        }
    )
    d = compute(data).drivers.loc["VD-028"]
    assert d.risk_exposure == pytest.approx(660_000)  # 800k exposure, 660k still forecast
    assert d.value_at_risk == pytest.approx(540_000 + 660_000)  # the whole remaining plan
