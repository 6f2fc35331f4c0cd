"""The value engine: ProgramData -> Results (PRODUCT.md, "Metric definitions").

Everything is computed as D drivers x P periods numpy arrays at once; no loop runs over drivers
and periods. Money is signed: a dis-benefit's plan, actuals and forecast are negative, so every
total is a plain sum. docs/metrics.md states each definition, each choice and worked examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evr_xl.engine import frames as fr
from evr_xl.engine import slippage
from evr_xl.engine.periods import Horizon
from evr_xl.engine.rollups import ProgramMetrics, ratio, value_rag, workstream_table
from evr_xl.model.records import ProgramData
from evr_xl.model.vocab import PNL, VALUE_TYPES, value_type


@dataclass(frozen=True)
class Results:
    """What the engine computes for one programme (see docs/metrics.md for every column).

    drivers: one row per driver, indexed by driver ID. plan / forecast / actual: drivers x period
    ordinals, signed, in-period (actual holds periods <= T only). workstreams: one row per
    workstream, indexed by workstream ID. trajectory: one row per period. slipping_items: workplan
    items with slip > 0. frames: the programme as arrays (IDs matched, item slips), shared with
    the checks so they need not rebuild it.
    """

    horizon: Horizon
    drivers: pd.DataFrame
    plan: pd.DataFrame
    forecast: pd.DataFrame
    actual: pd.DataFrame
    workstreams: pd.DataFrame
    program: ProgramMetrics
    trajectory: pd.DataFrame
    slipping_items: pd.DataFrame
    fiscal_years: tuple[dict[str, object], ...]  # metric 13, one per fiscal year in the horizon
    frames: fr.Frames = field(repr=False, compare=False)


def compute(data: ProgramData) -> Results:
    """All metrics of a programme. Never raises on a valid ProgramData."""
    f = fr.build(data)
    h, pm = f.horizon, f.plan_model
    settings = data.settings
    n_drivers, periods = len(f.drivers), h.ordinals
    grid = np.broadcast_to(periods, (n_drivers, len(periods)))
    future = periods > h.as_of
    recurring, sign = pm.recurring, pm.sign
    signed_target = pm.signed_target

    s, binding = slippage.driver_slips(f)
    plan = pm.plan(grid)
    actual, validated = _actual_matrices(f)
    run_rate, q = _run_rate_achieved(f, recurring)
    has_rate = ~np.isnan(run_rate)
    # Metric 7: the plan shifted by the slip (a one-off never replays value planned up to T),
    # times the performance ratio pi (recurring), replaced where an owner committed a forecast.
    shifted = pm.plan(grid - s[:, None])
    shifted = np.where(recurring[:, None] | (grid - s[:, None] > h.as_of), shifted, 0.0)
    pi = _performance_ratio(run_rate, pm.run_rate((q - s)[:, None])[:, 0], sign, recurring)
    computed = np.where(recurring[:, None], shifted * pi[:, None], shifted)
    committed, filled = _committed_matrix(f)
    forecast = np.where(future[None, :], np.where(filled, committed, computed), actual)

    realized = actual.sum(axis=1)
    plan_to_date = plan[:, ~future].sum(axis=1)
    remaining = forecast[:, future].sum(axis=1)
    forecast_in_horizon = realized + remaining
    plan_in_horizon = plan.sum(axis=1)
    # Metric 8: the shortfall after T in two parts, each never negative, plus risk exposure
    # capped at what the driver is still expected to deliver.
    slippage_var = np.maximum(0.0, (plan - shifted)[:, future].sum(axis=1))
    shortfall = (plan - forecast)[:, future].sum(axis=1)
    performance_var = np.maximum(0.0, shortfall - slippage_var)
    risk = np.minimum(_risk_exposure(data, f), np.maximum(0.0, sign * remaining))
    exit_rate = _exit_rate(forecast, recurring, h)
    # the exit run-rate with the slip alone (pi = 1, nothing committed): splits the run-rate
    # bridge into slippage and performance
    slipped_exit_rate = _exit_rate(np.where(future[None, :], shifted, actual), recurring, h)
    weights = data.stage_weights()
    weight = np.array([weights.get(st, 0.0) for st in f.drivers["stage"].tolist()], dtype=float)
    realization = ratio(realized, plan_to_date)
    planned_rate_at_q = np.where(has_rate, pm.run_rate(q[:, None])[:, 0], 0.0)
    # Metric 12: a recurring driver's tests are now, exit and horizon; a one-off's are its
    # realization and its forecast in horizon against its total.
    tests = (
        (np.where(recurring, run_rate, realized), np.where(recurring, planned_rate_at_q, plan_to_date)),
        (exit_rate, np.where(recurring, signed_target, 0.0)),
        (forecast_in_horizon, np.where(recurring, plan_in_horizon, signed_target)),
    )  # fmt: skip

    fy_of = fiscal_year_of(h, settings.fiscal_year_start)
    fy_current = (
        np.flatnonzero(fy_of == fiscal_year_of_ordinal(h, h.as_of, settings.fiscal_year_start))
        if h.n
        else np.zeros(0, dtype=np.int64)
    )

    d = f.drivers
    table = pd.DataFrame(
        {
            "driver_id": d["driver_id"].to_numpy(object),
            "name": d["name"].to_numpy(object),
            "workstream_id": d["workstream_id"].to_numpy(object),
            "category": d["category"].to_numpy(object),
            "value_type": np.array([value_type(c) for c in d["category"].tolist()], dtype=object),
            "recurrence": d["recurrence"].to_numpy(object),
            "owner": d["owner"].to_numpy(object),
            "stage": d["stage"].to_numpy(object),
            "ramp_profile": d["ramp_profile"].to_numpy(object),
            "ramp_start": list(map(h.label, d["start_ord"].tolist())),
            "full_run_rate_by": list(map(h.label, d["full_ord"].tolist())),
            "finance_validated": d["finance_validated"].to_numpy(bool),
            "target": signed_target,
            "plan_to_date": plan_to_date,
            "realized_to_date": realized,
            "realized_validated": validated.sum(axis=1),
            "realized_unvalidated": realized - validated.sum(axis=1),
            "realization_pct": realization,
            "run_rate_achieved": run_rate,
            "run_rate_period": [
                h.label(p) if ok else None
                for p, ok in zip(q.tolist(), has_rate.tolist(), strict=True)
            ],
            "planned_run_rate_at_period": np.where(has_rate, planned_rate_at_q, np.nan),
            "run_rate_pct": np.where(recurring, ratio(run_rate, signed_target), np.nan),
            "performance_ratio": np.where(recurring, pi, np.nan),
            "slip_periods": s,
            "slip_items": slippage.slip_items(f, binding),
            "committed_periods": filled[:, future].sum(axis=1).astype(np.int64),
            "plan_in_horizon": plan_in_horizon,
            "forecast_in_horizon": forecast_in_horizon,
            "planned_exit_run_rate": pm.run_rate(np.full((n_drivers, 1), h.last))[:, 0],
            "slipped_exit_run_rate": slipped_exit_rate,
            "forecast_exit_run_rate": exit_rate,
            "slippage_var": slippage_var,
            "performance_var": performance_var,
            "risk_exposure": risk,
            "value_at_risk": slippage_var + performance_var + risk,
            "confidence_weight": weight,
            "confidence_weighted_forecast": realized + weight * remaining,
            "current_fy_plan": plan[:, fy_current].sum(axis=1),
            "current_fy_realized": actual[:, fy_current].sum(axis=1),
            "current_fy_forecast": forecast[:, fy_current].sum(axis=1),
            "rag_now": ratio(*tests[0]),
            "rag_exit": ratio(*tests[1]),
            "rag_horizon": ratio(*tests[2]),
            "rag": value_rag(tests, settings.rag_green, settings.rag_amber),
        },
        index=pd.Index(d["driver_id"].to_numpy(object)),
    )
    rated = np.where(has_rate & recurring, run_rate, 0.0)
    internal = table.assign(
        ws_key=d["ws_key"].to_numpy(object),
        now_numerator=rated,
        now_denominator=np.where(has_rate & recurring, planned_rate_at_q, 0.0),
        recurring_target=np.where(recurring, signed_target, 0.0),
    )
    workstreams = workstream_table(
        data, internal, f.items, f.costs, h.as_of, settings.rag_green, settings.rag_amber
    )
    caused = slippage.value_at_risk_caused(f, binding, slippage_var)

    def by_period(values: np.ndarray, columns: np.ndarray = periods) -> pd.DataFrame:
        frame = pd.DataFrame(values, index=table.index.copy(), columns=pd.Index(columns))
        frame.index.name, frame.columns.name = "driver_id", "period"
        return frame

    return Results(
        horizon=h,
        drivers=table,
        plan=by_period(plan),
        forecast=by_period(forecast),
        actual=by_period(actual[:, ~future], periods[~future]),
        workstreams=workstreams,
        program=_program(data, f, internal, forecast),
        trajectory=_trajectory(h, plan, actual, forecast),
        slipping_items=slippage.slipping_items_table(data, f, caused),
        fiscal_years=_fiscal_years(h, settings.fiscal_year_start, fy_of, plan, actual, forecast),
        frames=f,
    )


def fiscal_year_of_ordinal(h: Horizon, ordinal_: int, start_month: int) -> int:
    """Metric 13: the fiscal year (labelled by the calendar year it ends in) of a period. In a
    quarterly programme a start month inside a quarter counts from that quarter's start."""
    start = start_month if 1 <= start_month <= 12 else 1
    if h.per_year == 4:
        start = 3 * ((start - 1) // 3) + 1
        year, month = divmod(ordinal_, 4)[0], (ordinal_ % 4) * 3 + 1
    else:
        year, month = divmod(ordinal_, 12)[0], ordinal_ % 12 + 1
    return year + 1 if start > 1 and month >= start else year


def fiscal_year_of(h: Horizon, start_month: int) -> np.ndarray:
    """The fiscal year of each horizon period."""
    return np.array(
        [fiscal_year_of_ordinal(h, o, start_month) for o in h.ordinals.tolist()], dtype=np.int64
    )


def _fiscal_years(
    h: Horizon,
    start_month: int,
    fy_of: np.ndarray,
    plan: np.ndarray,
    actual: np.ndarray,
    forecast: np.ndarray,
) -> tuple[dict[str, object], ...]:
    """Per fiscal year overlapping the horizon: its first and last period (the whole year's),
    plan, realized (p <= T), forecast (actuals to T, forecast after), and whether the whole
    year lies in the horizon."""
    out = []
    per_year = h.per_year
    for year in dict.fromkeys(fy_of.tolist()):
        cols = np.flatnonzero(fy_of == year)
        # the year's own periods: the first is the one whose fiscal year starts there
        first = h.first + int(cols[0])
        while fiscal_year_of_ordinal(h, first - 1, start_month) == year:
            first -= 1
        last = first + per_year - 1
        out.append(
            {
                "fiscal_year": f"FY{year}",
                "first_period": h.label(first),
                "last_period": h.label(last),
                "plan": float(plan[:, cols].sum()),
                "realized": float(actual[:, cols].sum()),
                "forecast": float(forecast[:, cols].sum()),
                "complete": bool(first >= h.first and last <= h.last),
            }
        )
    return tuple(out)


def _exit_rate(per_period: np.ndarray, recurring: np.ndarray, h: Horizon) -> np.ndarray:
    """k x the last period's amount (recurring; 0 for a one-off or an empty horizon)."""
    if not h.n:
        return np.zeros(len(recurring))
    return np.where(recurring, per_period[:, -1] * h.per_year, 0.0)


def _performance_ratio(
    run_rate: np.ndarray, planned: np.ndarray, sign: np.ndarray, recurring: np.ndarray
) -> np.ndarray:
    """Metric 7's pi: run-rate achieved / planned run-rate under the slipped plan, 1 where either
    is missing or 0. Prudence: a benefit's over-performance is not banked (pi <= 1, never below
    0); a dis-benefit's overrun is carried forward and its underrun not banked (pi >= 1)."""
    x = ratio(run_rate, planned)
    pi = np.where(sign < 0, np.maximum(1.0, x), np.clip(x, 0.0, 1.0))
    return np.where(recurring & ~np.isnan(x), pi, 1.0)


def _committed_matrix(f: fr.Frames) -> tuple[np.ndarray, np.ndarray]:
    """The Forecast sheet as D x P (signed amounts, filled mask) over the horizon."""
    h = f.horizon
    shape = (len(f.drivers), h.n)
    values, filled = np.zeros(shape), np.zeros(shape, dtype=bool)
    idx, ords, amounts = f.committed
    inside = (ords >= h.first) & (ords <= h.last)
    cols = ords[inside] - h.first
    np.add.at(values, (idx[inside], cols), amounts[inside] * f.plan_model.sign[idx[inside]])
    filled[idx[inside], cols] = True
    return values, filled


def _actual_matrices(f: fr.Frames) -> tuple[np.ndarray, np.ndarray]:
    """Signed actuals per driver and horizon period <= T: (all, validated only)."""
    h = f.horizon
    a = f.actuals
    shape = (len(f.drivers), h.n)
    actual, validated = np.zeros(shape), np.zeros(shape)
    drv, ords = a["driver"].to_numpy(), a["ord"].to_numpy()
    keep = (drv >= 0) & (ords >= h.first) & (ords <= min(h.as_of, h.last))
    sign = f.drivers["sign"].to_numpy(float)
    amount = a["realized"].to_numpy(float)[keep] * sign[drv[keep]]
    cols = ords[keep] - h.first
    np.add.at(actual, (drv[keep], cols), amount)
    v = a["validated"].to_numpy(bool)[keep]
    np.add.at(validated, (drv[keep][v], cols[v]), amount[v])
    return actual, validated


def _run_rate_achieved(f: fr.Frames, recurring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metric 5, signed, and its period q: the run-rate reported for the latest period <= T
    that has one, else k x the actual of the latest period <= T that has one. NaN (q = the
    first period, unused) for a one-off driver or a driver with no actual yet. Like every
    actual, only periods from the first period of the horizon to T count."""
    h, a = f.horizon, f.actuals
    n = len(f.drivers)
    sign = f.drivers["sign"].to_numpy(float)
    drv, ords = a["driver"].to_numpy(np.int64), a["ord"].to_numpy(np.int64)
    reported_rate = a["run_rate"].to_numpy(float)
    known = (drv >= 0) & (ords >= h.first) & (ords <= h.as_of)

    def latest(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per driver with rows, its last row by period then sheet order: (drivers, rows)."""
        rows = rows[np.lexsort((ords[rows], drv[rows]))]  # stable: sheet order within a period
        last = np.ones(len(rows), dtype=bool)
        last[:-1] = drv[rows][1:] != drv[rows][:-1]
        return drv[rows[last]], rows[last]

    rate, q = np.full(n, np.nan), np.full(n, h.first, dtype=np.int64)
    with_actual, rows = latest(np.flatnonzero(known))
    q[with_actual] = ords[rows]
    at_q = known & (ords == (q[np.maximum(drv, 0)] if n else ords))
    in_period = np.zeros(n)
    np.add.at(in_period, drv[at_q], a["realized"].to_numpy(float)[at_q])
    rate[with_actual] = in_period[with_actual] * h.per_year
    with_report, rows = latest(np.flatnonzero(known & ~np.isnan(reported_rate)))
    rate[with_report], q[with_report] = reported_rate[rows], ords[rows]
    return np.where(recurring, rate * sign, np.nan), q


def _risk_exposure(data: ProgramData, f: fr.Frames) -> np.ndarray:
    """Metric 8: probability x impact of open risks, split evenly over the drivers named."""
    rows: list[int] = []
    shares: list[float] = []
    index = f.driver_index
    for status, driver_ids, probability, impact in zip(
        *fr.fields(data.risks, "status", "driver_ids", "probability", "impact"), strict=True
    ):
        if status == "Closed":  # Risk.is_open
            continue
        named = {index[k] for k in map(fr.key, driver_ids) if k in index}
        if not named:
            continue  # names no existing driver: reported by the checks, not counted
        exposure = min(max(fr.num(probability), 0.0), 1.0) * max(fr.num(impact), 0.0)
        rows += named
        shares += [exposure / len(named)] * len(named)
    out = np.zeros(len(f.drivers))
    np.add.at(out, np.array(rows, dtype=np.int64), np.array(shares, dtype=float))  # risk by risk
    return out


def _program(
    data: ProgramData, f: fr.Frames, drivers: pd.DataFrame, forecast: np.ndarray
) -> ProgramMetrics:
    s, h = data.settings, f.horizon
    total = drivers.sum(numeric_only=True)
    promise = float(s.value_promise)
    sum_targets = float(total["recurring_target"])
    exit_rate = float(total["forecast_exit_run_rate"])
    costs = f.costs
    to_date = costs["ord"].to_numpy(float) <= h.as_of  # a cost with no period is not to date
    budget_to_date = float(costs["budget"].to_numpy()[to_date].sum())
    cost_actual = float(costs["actual"].to_numpy()[to_date].sum())
    by_type = (
        drivers.groupby("value_type")[list(VALUE_TYPE_SUMS)]
        .sum()
        .reindex(pd.Index(VALUE_TYPES), fill_value=0.0)
    )
    by_value_type = {
        str(vt): {c: float(v) for c, v in row.items()} for vt, row in by_type.iterrows()
    }
    tests = (
        (total["now_numerator"], total["now_denominator"]),
        (exit_rate, sum_targets),
        (total["forecast_in_horizon"], total["plan_in_horizon"]),
    )
    items = f.items
    enabling = np.zeros(len(items), dtype=bool)
    enabling[f.links["item"].to_numpy(np.int64)] = True
    open_items = ~items["complete"].to_numpy(bool) & ~items["cancelled"].to_numpy(bool)
    slipping_ms = (
        items["milestone"].to_numpy(bool) & (items["slip"].to_numpy() > 0) & enabling & open_items
    )
    return ProgramMetrics(
        name=s.name,
        currency=s.currency,
        as_of=h.label(h.as_of),
        period_type=h.period_type.value,
        first_period=h.label(h.first),
        last_period=h.label(h.last),
        value_promise=promise,
        sum_targets=sum_targets,
        reconciliation_gap=promise - sum_targets,
        plan_to_date=float(total["plan_to_date"]),
        realized_to_date=float(total["realized_to_date"]),
        realized_validated=float(total["realized_validated"]),
        realized_unvalidated=float(total["realized_unvalidated"]),
        realization_pct=float(ratio(total["realized_to_date"], total["plan_to_date"])),
        run_rate_achieved=float(total["now_numerator"]),
        planned_run_rate=float(total["now_denominator"]),
        plan_in_horizon=float(total["plan_in_horizon"]),
        forecast_in_horizon=float(total["forecast_in_horizon"]),
        planned_exit_run_rate=float(total["planned_exit_run_rate"]),
        slipped_exit_run_rate=float(total["slipped_exit_run_rate"]),
        forecast_exit_run_rate=exit_rate,
        gap_to_promise=promise - exit_rate,
        slippage_var=float(total["slippage_var"]),
        performance_var=float(total["performance_var"]),
        risk_exposure=float(total["risk_exposure"]),
        value_at_risk=float(total["value_at_risk"]),
        confidence_weighted_forecast=float(total["confidence_weighted_forecast"]),
        cost_budget=float(costs["budget"].sum()),
        cost_budget_to_date=budget_to_date,
        cost_actual_to_date=cost_actual,
        cost_variance_to_date=cost_actual - budget_to_date,
        net_value=by_value_type[PNL]["realized_to_date"] - cost_actual,
        npv=_npv(forecast.sum(axis=0), h, s.discount_rate),
        rag_now=float(ratio(*tests[0])),
        rag_exit=float(ratio(*tests[1])),
        rag_horizon=float(ratio(*tests[2])),
        rag=str(value_rag(tests, s.rag_green, s.rag_amber)[()]),
        n_drivers=len(drivers),
        n_items=len(items),
        n_slipping_milestones=int(slipping_ms.sum()),
        by_value_type=by_value_type,
    )


# Per value type (metric 14): cumulative amounts and run-rates, never mixed across types.
VALUE_TYPE_SUMS = (
    "target", "plan_to_date", "realized_to_date", "realized_validated", "realized_unvalidated",
    "forecast_in_horizon", "recurring_target", "run_rate_achieved", "forecast_exit_run_rate",
)  # fmt: skip


def _npv(per_period: np.ndarray, h: Horizon, rate: float | None) -> float | None:
    """NPV of the forecast at the start of the horizon, each period discounted at its end."""
    if rate is None or not np.isfinite(rate) or rate <= -1.0:
        return None
    t = np.arange(1, len(per_period) + 1) / h.per_year
    return float((per_period / (1.0 + rate) ** t).sum())


def _trajectory(
    h: Horizon, plan: np.ndarray, actual: np.ndarray, forecast: np.ndarray
) -> pd.DataFrame:
    periods = h.ordinals
    to_date = periods <= h.as_of
    in_period_actual = np.where(to_date, actual.sum(axis=0), np.nan)
    frame = pd.DataFrame(
        {
            "period": periods,
            "label": h.labels,
            "plan": plan.sum(axis=0),
            "actual": in_period_actual,
            "forecast": forecast.sum(axis=0),
        },
        index=pd.Index(periods, name="period_ordinal"),
    )
    frame["cumulative_plan"] = frame["plan"].cumsum()
    frame["cumulative_actual"] = np.where(to_date, np.nan_to_num(in_period_actual).cumsum(), np.nan)
    frame["cumulative_forecast"] = frame["forecast"].cumsum()
    return frame
