"""Records -> the tables the engine and the checks compute on (one pass over each record list).

IDs are matched the way the workbook contract says: trimmed and case-insensitive (`key`). A
driver ID used twice keeps its first row (the duplicate is reported by the checks, TR001).
Workplan slippage (PRODUCT.md, metric 6) is computed here, vectorised, because both the engine
and the timing checks need each item's late finish.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evr_xl.engine.periods import CUSTOM, Horizon, PlanModel, Ramps, profile_code
from evr_xl.model.records import ProgramData

# Where an item's late finish came from (for showing the date it stands for).
FROM_PLANNED, FROM_FORECAST, FROM_ACTUAL, FROM_FLOOR = 0, 1, 2, 3


def num(value: float | None) -> float:
    """A typed amount as a finite float (a missing, NaN or infinite amount counts as 0)."""
    if value is None:
        return 0.0
    value = float(value)
    return value if math.isfinite(value) else 0.0


def key(text: object) -> str:
    """An ID as compared: trimmed, case-insensitive."""
    return text.strip().casefold() if isinstance(text, str) else str(text or "").strip().casefold()


@dataclass(frozen=True)
class Frames:
    """The programme as arrays: drivers (unique), workplan items, item->driver links, actuals."""

    horizon: Horizon
    drivers: pd.DataFrame  # RangeIndex 0..D-1; `pos` = index into data.drivers
    items: pd.DataFrame  # RangeIndex 0..I-1, same order as data.workplan
    links: pd.DataFrame  # item, driver (row numbers), slip: one row per enables -> existing driver
    actuals: pd.DataFrame  # one row per data.actuals; driver = row number or -1 when unknown
    driver_index: dict[str, int]
    plan_model: PlanModel


def build(data: ProgramData) -> Frames:
    horizon = Horizon.of(data.settings)
    drivers = _drivers(data, horizon)
    driver_index = {k: i for i, k in enumerate(drivers["key"])}
    items = _items(data, horizon)
    links = _links(data, items, driver_index)
    actuals = _actuals(data, horizon, driver_index)
    plan_model = PlanModel(
        ramps=Ramps.build(
            drivers["start_ord"].to_numpy(np.int64),
            drivers["full_ord"].to_numpy(np.int64),
            drivers["profile"].to_numpy(np.int64),
            _custom_points(data, horizon, drivers, driver_index),
        ),
        target=drivers["target"].to_numpy(float),
        sign=drivers["sign"].to_numpy(float),
        recurring=drivers["recurring"].to_numpy(bool),
        per_year=horizon.per_year,
    )
    return Frames(horizon, drivers, items, links, actuals, driver_index, plan_model)


def _drivers(data: ProgramData, horizon: Horizon) -> pd.DataFrame:
    seen: set[str] = set()
    rows = []
    for pos, d in enumerate(data.drivers):
        k = key(d.driver_id)
        if k in seen:
            continue
        seen.add(k)
        rows.append(
            {
                "driver_id": d.driver_id,
                "key": k,
                "name": d.name,
                "workstream_id": d.workstream_id,
                "ws_key": key(d.workstream_id),
                "category": d.category,
                "recurrence": d.recurrence,
                "recurring": d.is_recurring,
                "sign": float(d.sign),
                "target": num(d.target),
                "owner": d.owner,
                "kpi": d.kpi,
                "stage": d.stage,
                "finance_validated": d.finance_validated,
                "ramp_profile": d.ramp_profile,
                "profile": profile_code(d.ramp_profile),
                "start_ord": horizon.ordinal(d.ramp_start),
                "full_ord": horizon.ordinal(d.full_run_rate_by),
                "pos": pos,
            }
        )
    columns = [
        "driver_id", "key", "name", "workstream_id", "ws_key", "category", "recurrence",
        "recurring", "sign", "target", "owner", "kpi", "stage", "finance_validated",
        "ramp_profile", "profile", "start_ord", "full_ord", "pos",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(
        {"recurring": bool, "sign": float, "target": float, "finance_validated": bool}
        | {c: np.int64 for c in ("profile", "start_ord", "full_ord", "pos")}
    )


def _items(data: ProgramData, horizon: Horizon) -> pd.DataFrame:
    wp = data.workplan
    planned = horizon.ordinals_of(w.planned_finish for w in wp)
    forecast = horizon.ordinals_of(w.forecast_finish for w in wp)
    actual = horizon.ordinals_of(w.actual_finish for w in wp)
    complete = np.array([w.is_complete for w in wp], dtype=bool)
    cancelled = np.array([w.is_cancelled for w in wp], dtype=bool)
    has_actual = complete & ~np.isnan(actual)
    has_forecast = ~np.isnan(forecast)
    late = np.where(has_actual, actual, np.where(has_forecast, forecast, planned))
    source = np.where(has_actual, FROM_ACTUAL, np.where(has_forecast, FROM_FORECAST, FROM_PLANNED))
    # Overdue unfinished work finishes next period at the earliest.
    overdue = ~complete & (planned <= horizon.as_of) & (late < horizon.as_of + 1)
    late = np.where(overdue, horizon.as_of + 1, late)
    source = np.where(overdue, FROM_FLOOR, source)
    slip = np.where(cancelled, 0, np.maximum(0, late - planned)).astype(np.int64)
    pct = np.array([np.nan if w.pct_complete is None else w.pct_complete for w in wp], dtype=float)
    pct = np.where(complete, 1.0, np.clip(np.nan_to_num(pct), 0.0, 1.0))
    return pd.DataFrame(
        {
            "item_id": [w.item_id for w in wp],
            "key": [key(w.item_id) for w in wp],
            "item": [w.item for w in wp],
            "workstream_id": [w.workstream_id for w in wp],
            "ws_key": [key(w.workstream_id) for w in wp],
            "item_type": [w.item_type for w in wp],
            "milestone": np.array([w.item_type == "Milestone" for w in wp], dtype=bool),
            "status": [w.status for w in wp],
            "complete": complete,
            "cancelled": cancelled,
            "pct": pct,
            "planned_ord": planned.astype(np.int64),
            "late_ord": late.astype(np.int64),
            "late_source": source.astype(np.int64),
            "slip": slip,
            "enables": [", ".join(w.enables) for w in wp],
        }
    )


def _links(data: ProgramData, items: pd.DataFrame, driver_index: dict[str, int]) -> pd.DataFrame:
    item_rows, driver_rows = [], []
    for i, w in enumerate(data.workplan):
        for d in dict.fromkeys(key(x) for x in w.enables):
            if d in driver_index:
                item_rows.append(i)
                driver_rows.append(driver_index[d])
    item_arr = np.array(item_rows, dtype=np.int64)
    return pd.DataFrame(
        {
            "item": item_arr,
            "driver": np.array(driver_rows, dtype=np.int64),
            "slip": items["slip"].to_numpy(np.int64)[item_arr],
            "cancelled": items["cancelled"].to_numpy(bool)[item_arr],
        }
    )


def _actuals(data: ProgramData, horizon: Horizon, driver_index: dict[str, int]) -> pd.DataFrame:
    acts = data.actuals
    return pd.DataFrame(
        {
            "driver": np.array([driver_index.get(key(a.driver_id), -1) for a in acts], np.int64),
            "ord": horizon.ordinals_of(a.period for a in acts).astype(np.int64),
            "realized": np.nan_to_num(np.array([a.realized for a in acts], dtype=float)),
            "run_rate": np.array(
                [np.nan if a.run_rate is None else a.run_rate for a in acts], dtype=float
            ),
            "validated": np.array([a.validated for a in acts], dtype=bool),
        }
    )


def _custom_points(
    data: ProgramData, horizon: Horizon, drivers: pd.DataFrame, driver_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    custom = drivers["profile"].to_numpy() == CUSTOM
    seen: set[int] = set()
    idx: list[int] = []
    ords: list[int] = []
    amounts: list[float] = []
    for row in data.value_plan:
        d = driver_index.get(key(row.driver_id))
        if d is None or d in seen or not custom[d]:
            continue  # unknown driver, a second row for the same driver, or not Custom
        seen.add(d)
        for period, amount in row.values.items():
            idx.append(d)
            ords.append(horizon.ordinal(period))
            amounts.append(num(amount))
    if not idx:
        return None
    return np.array(idx), np.array(ords, dtype=np.int64), np.array(amounts)
