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
    frames: fr.Frames = field(repr=False, compare=False)


def compute(data: ProgramData) -> Results:
    """All metrics of a programme. Never raises on a valid ProgramData."""
    f = fr.build(data)
    h, pm = f.horizon, f.plan_model
    settings = data.settings
    n_drivers, periods = len(f.drivers), h.ordinals
    grid = np.broadcast_to(periods, (n_drivers, len(periods)))
    future = periods > h.as_of

    s, binding, n_binding = slippage.driver_slips(f)
    plan = pm.plan(grid)
    shifted = pm.plan(grid - s[:, None])
    actual, validated = _actual_matrices(f)
    forecast = np.where(future[None, :], shifted, actual)

    signed_target = pm.signed_target
    recurring = pm.recurring
    realized = actual.sum(axis=1)
    plan_to_date = plan[:, ~future].sum(axis=1)
    forecast_in_horizon = realized + shifted[:, future].sum(axis=1)
    slippage_var = np.maximum(0.0, (plan - shifted)[:, future].sum(axis=1))
    exit_rate = pm.run_rate(np.full((n_drivers, 1), h.last) - s[:, None])[:, 0]
    risk = _risk_exposure(data, f)
    weights = data.stage_weights()
    weight = np.array([weights.get(st, 0.0) for st in f.drivers["stage"].tolist()], dtype=float)
    run_rate = _run_rate_achieved(f, recurring)
    realization = ratio(realized, plan_to_date)
    rag_measure = np.where(recurring, exit_rate, forecast_in_horizon)

    d = f.drivers
    table = pd.DataFrame(
        {
            "driver_id": d["driver_id"].to_numpy(object),
            "name": d["name"].to_numpy(object),
            "workstream_id": d["workstream_id"].to_numpy(object),
            "category": d["category"].to_numpy(object),
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
            "run_rate_pct": np.where(recurring, ratio(run_rate, signed_target), np.nan),
            "slip_periods": s,
            "slip_items": slippage.slip_items(f, binding),
            "plan_in_horizon": plan.sum(axis=1),
            "forecast_in_horizon": forecast_in_horizon,
            "planned_exit_run_rate": pm.run_rate(np.full((n_drivers, 1), h.last))[:, 0],
            "forecast_exit_run_rate": exit_rate,
            "slippage_var": slippage_var,
            "risk_exposure": risk,
            "value_at_risk": slippage_var + risk,
            "confidence_weight": weight,
            "confidence_weighted_forecast": forecast_in_horizon * weight,
            "rag": value_rag(
                realization,
                ratio(rag_measure, signed_target),
                d["sign"].to_numpy() < 0,
                settings.rag_green,
                settings.rag_amber,
            ),
        },
        index=pd.Index(d["driver_id"].to_numpy(object)),
    )
    internal = table.assign(ws_key=d["ws_key"].to_numpy(object), rag_measure=rag_measure)
    workstreams = workstream_table(data, internal, f.items, settings.rag_green, settings.rag_amber)
    caused = slippage.value_at_risk_caused(f, binding, n_binding, slippage_var)

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
        program=_program(data, f, table, forecast, recurring),
        trajectory=_trajectory(h, plan, actual, forecast),
        slipping_items=slippage.slipping_items_table(data, f, caused),
        frames=f,
    )


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


def _run_rate_achieved(f: fr.Frames, recurring: np.ndarray) -> np.ndarray:
    """Metric 5: latest reported run-rate <= T, else actual(T) x k; NaN for one-off drivers."""
    h, a = f.horizon, f.actuals
    sign = f.drivers["sign"].to_numpy(float)
    drv, ords = a["driver"].to_numpy(np.int64), a["ord"].to_numpy(np.int64)
    run_rate = a["run_rate"].to_numpy(float)
    known = (drv >= 0) & (ords <= h.as_of)
    at_t = known & (ords == h.as_of)
    out = np.zeros(len(f.drivers))
    np.add.at(out, drv[at_t], a["realized"].to_numpy(float)[at_t] * h.per_year)
    reported = np.flatnonzero(known & ~np.isnan(run_rate))
    # by driver, then period; stable, so the last row of a driver is its latest report
    reported = reported[np.lexsort((ords[reported], drv[reported]))]
    is_last = np.ones(len(reported), dtype=bool)
    is_last[:-1] = drv[reported][1:] != drv[reported][:-1]
    out[drv[reported[is_last]]] = run_rate[reported[is_last]]
    return np.where(recurring, out * sign, np.nan)


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
    data: ProgramData,
    f: fr.Frames,
    drivers: pd.DataFrame,
    forecast: np.ndarray,
    recurring: np.ndarray,
) -> ProgramMetrics:
    s, h = data.settings, f.horizon
    total = drivers.sum(numeric_only=True)
    promise = float(s.value_promise)
    sum_targets = float(drivers["target"].to_numpy()[recurring].sum())
    exit_rate = float(total["forecast_exit_run_rate"])
    budgets, actuals, periods = fr.fields(data.costs, "budget", "actual", "period")
    budget = float(sum(map(fr.num, budgets)))
    cost_actual = float(
        sum(fr.num(a) for a, p in zip(actuals, periods, strict=True) if h.ordinal(p) <= h.as_of)
    )
    basis = promise if promise else sum_targets
    realization = float(ratio(total["realized_to_date"], total["plan_to_date"]))
    rag = value_rag(
        np.array([realization]),
        ratio(np.array([exit_rate]), np.array([basis])),
        np.array([False]),
        s.rag_green,
        s.rag_amber,
    )[0]
    items = f.items
    enabling = np.zeros(len(items), dtype=bool)
    enabling[f.links["item"].to_numpy(np.int64)] = True
    slipping_ms = items["milestone"].to_numpy(bool) & (items["slip"].to_numpy() > 0) & enabling
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
        realization_pct=realization,
        plan_in_horizon=float(total["plan_in_horizon"]),
        forecast_in_horizon=float(total["forecast_in_horizon"]),
        forecast_exit_run_rate=exit_rate,
        gap_to_promise=promise - exit_rate,
        slippage_var=float(total["slippage_var"]),
        risk_exposure=float(total["risk_exposure"]),
        value_at_risk=float(total["value_at_risk"]),
        confidence_weighted_forecast=float(total["confidence_weighted_forecast"]),
        cost_budget=budget,
        cost_actual_to_date=cost_actual,
        net_value=float(total["realized_to_date"]) - cost_actual,
        npv=_npv(forecast.sum(axis=0), h, s.discount_rate),
        rag=str(rag),
        n_drivers=len(drivers),
        n_items=len(items),
        n_slipping_milestones=int(slipping_ms.sum()),
    )


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
