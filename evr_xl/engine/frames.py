"""Records -> the tables the engine and the checks compute on (each field of each record list
read once, then numpy: a large programme has tens of thousands of rows).

IDs are matched the way the workbook contract says: trimmed and case-insensitive (`key`). A
driver ID used twice keeps its first row (the duplicate is reported by the checks, TR001).
Workplan slippage (PRODUCT.md, metric 6) is computed here, vectorised, because both the engine
and the timing checks need each item's late finish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import pandas as pd

from evr_xl.engine.periods import CUSTOM, Horizon, PlanModel, Ramps, profile_code
from evr_xl.model.records import ForecastRow, ProgramData, ValuePlanRow
from evr_xl.model.table import fields, fields_at  # the engine reads records field by field

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
    """The programme as arrays: drivers (unique), workplan items, their Enables entries,
    item->driver links, actuals."""

    horizon: Horizon
    drivers: pd.DataFrame  # RangeIndex 0..D-1; `pos` = index into data.drivers
    items: pd.DataFrame  # RangeIndex 0..I-1, same order as data.workplan
    enables: pd.DataFrame  # item, text, named, driver (row number or -1): each Enables entry
    links: pd.DataFrame  # item, driver (row numbers), slip: one row per enables -> existing driver
    actuals: pd.DataFrame  # one row per data.actuals; driver = row number or -1 when unknown
    driver_index: dict[str, int]
    plan_model: PlanModel
    # the Forecast sheet: (driver row, ordinal, amount as typed) of each filled cell, first row
    # of a driver only (like the Value Plan)
    committed: tuple[np.ndarray, np.ndarray, np.ndarray]
    costs: pd.DataFrame  # ws_key, ord, budget, actual (0 where blank): one row per Costs row


def floats(values: Sequence[float | None]) -> np.ndarray:
    """Amounts as floats, NaN for a missing one (numpy turns None into NaN itself: one pass over
    the values, which on freshly read data costs more than anything done with them)."""
    return np.array(values, dtype=float)


def bools(values: Sequence[bool]) -> np.ndarray:
    """Flags as a bool array. True and False are the bytes 1 and 0, so numpy reads them from a
    bytearray at C speed, not one object at a time; anything else goes through numpy."""
    try:
        raw = np.frombuffer(bytearray(values), dtype=np.uint8)
    except TypeError:  # not all whole numbers (None)
        return np.array(values, dtype=bool)
    if len(raw) and raw.max() > 1:  # numbers other than 0 and 1: truth as numpy sees it
        return np.array(values, dtype=bool)
    return raw.astype(bool)


def keys(values: Iterable[object]) -> list[str]:
    """`key` of each value. IDs are text, so the common case trims and casefolds them with no
    Python call per value; a value that is not text (None) sends the lot through `key`."""
    values = list(values)
    try:
        return list(map(str.casefold, map(str.strip, values)))
    except TypeError:  # not all text
        return [key(v) for v in values]


def shared_keys(values: Sequence[object]) -> list[str]:
    """`keys` of a column whose values repeat (a workstream ID on every item): each distinct
    value is keyed once, and its rows share the key. Text and None only; anything else (whose
    equal values may key differently, as 1 and True do) goes through `keys`."""
    memo: dict[object, str] = {}
    try:
        distinct = set(values)
    except TypeError:  # not hashable: not an ID
        return keys(values)
    for v in distinct:
        if v is None:
            memo[v] = ""
        elif type(v) is str:
            memo[v] = v.strip().casefold()
        else:
            return keys(values)
    return list(map(memo.__getitem__, values))


def build(data: ProgramData) -> Frames:
    """The frames of a programme: each record list is read field by field, once."""
    horizon = Horizon.of(data.settings)
    drivers = _drivers(data, horizon)
    driver_index = {k: i for i, k in enumerate(drivers["key"].tolist())}
    items = _items(data, horizon)
    (enables_lists,) = fields(data.workplan, "enables")
    enables = _enables(enables_lists, driver_index)
    links = _links(enables, items, len(drivers))
    actuals = _actuals(data, horizon, driver_index, drivers["sign"].to_numpy(float) < 0)
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
    disbenefit = drivers["sign"].to_numpy(float) < 0
    committed = _magnitudes(_row_points(data.committed_forecast, horizon, driver_index), disbenefit)
    return Frames(
        horizon, drivers, items, enables, links, actuals, driver_index, plan_model, committed,
        _costs(data, horizon),
    )  # fmt: skip


def _drivers(data: ProgramData, horizon: Horizon) -> pd.DataFrame:
    (ids,) = fields(data.drivers, "driver_id")
    first: dict[str, int] = {}  # key -> position of its first driver row
    for pos, k in enumerate(keys(ids)):
        first.setdefault(k, pos)
    names = (
        "driver_id", "name", "workstream_id", "category", "recurrence", "target", "owner", "kpi",
        "stage", "finance_validated", "ramp_profile", "ramp_start", "full_run_rate_by",
    )  # fmt: skip
    positions = list(first.values())
    col = {
        name: np.array(values, dtype=object)  # object even when there are no drivers
        for name, values in zip(names, fields_at(data.drivers, positions, *names), strict=True)
    }
    category, recurrence, profile = col["category"], col["recurrence"], col["ramp_profile"]
    target = np.array([num(t) for t in col["target"]], dtype=float)
    # A dis-benefit is typed as the size of the loss; typed negative it is still that loss,
    # never a benefit (checks/signs.py notes the cell).
    target = np.where(category == "Dis-benefit", np.abs(target), target)
    return pd.DataFrame(
        {
            "driver_id": col["driver_id"],
            "key": np.array(list(first), dtype=object),
            "name": col["name"],
            "workstream_id": col["workstream_id"],
            "ws_key": np.array(keys(col["workstream_id"]), dtype=object),
            "category": category,
            "recurrence": recurrence,
            "recurring": recurrence == "Recurring",  # ValueDriver.is_recurring
            "sign": np.where(category == "Dis-benefit", -1.0, 1.0),  # ValueDriver.sign
            "target": target,
            "owner": col["owner"],
            "kpi": col["kpi"],
            "stage": col["stage"],
            "finance_validated": col["finance_validated"].astype(bool),
            "ramp_profile": profile,
            "profile": np.array([profile_code(p) for p in profile], dtype=np.int64),
            "start_ord": horizon.ordinals_of(col["ramp_start"]).astype(np.int64),
            "full_ord": horizon.ordinals_of(col["full_run_rate_by"]).astype(np.int64),
            "pos": np.array(positions, dtype=np.int64),
        }
    )


def _items(data: ProgramData, horizon: Horizon) -> pd.DataFrame:
    item_id, workstream_id, item_type, status, planned, forecast, actual, pct = fields(
        data.workplan,
        "item_id", "workstream_id", "item_type", "status",
        "planned_finish", "forecast_finish", "actual_finish", "pct_complete",
    )  # fmt: skip
    status = np.array(status, dtype=object)
    planned, forecast, actual = map(horizon.ordinals_of, (planned, forecast, actual))
    pct = floats(pct)
    # WorkItem.is_complete and .is_cancelled, for all items at once
    complete = (status == "Complete") | ~np.isnan(actual) | (pct >= 1.0)
    cancelled = status == "Cancelled"
    has_actual = complete & ~np.isnan(actual)
    has_forecast = ~np.isnan(forecast)
    late = np.where(has_actual, actual, np.where(has_forecast, forecast, planned))
    source = np.where(has_actual, FROM_ACTUAL, np.where(has_forecast, FROM_FORECAST, FROM_PLANNED))
    # Overdue unfinished work finishes next period at the earliest.
    overdue = ~complete & (planned <= horizon.as_of) & (late < horizon.as_of + 1)
    late = np.where(overdue, horizon.as_of + 1, late)
    source = np.where(overdue, FROM_FLOOR, source)
    slip = np.where(cancelled, 0, np.maximum(0, late - planned)).astype(np.int64)
    pct = np.where(complete, 1.0, np.clip(np.nan_to_num(pct), 0.0, 1.0))
    return pd.DataFrame(
        {
            "item_id": item_id,
            "key": keys(item_id),
            "workstream_id": workstream_id,
            "ws_key": shared_keys(workstream_id),
            "milestone": np.array(item_type, dtype=object) == "Milestone",
            "complete": complete,
            "cancelled": cancelled,
            "pct": pct,
            "late_ord": late.astype(np.int64),
            "late_source": source.astype(np.int64),
            "slip": slip,
        }
    )


def _enables(lists: Sequence[tuple[str, ...]], driver_index: dict[str, int]) -> pd.DataFrame:
    """Every Enables drivers entry of the workplan, in order: its item, its text, whether it
    names a driver at all (not blank) and the driver (row number, -1 when unknown)."""
    text = list(chain.from_iterable(lists))
    k = shared_keys(text)  # the same few hundred drivers, named again and again
    return pd.DataFrame(
        {
            "item": np.repeat(np.arange(len(lists), dtype=np.int64), list(map(len, lists))),
            "text": np.array(text, dtype=object),
            "named": np.fromiter(map(bool, k), dtype=bool, count=len(k)),
            "driver": np.fromiter(map(driver_index.get, k, repeat(-1)), np.int64, len(k)),
        }
    )


def _links(enables: pd.DataFrame, items: pd.DataFrame, n_drivers: int) -> pd.DataFrame:
    """Item -> existing driver, once per pair, in workplan order (then Enables order)."""
    item, driver = enables["item"].to_numpy(np.int64), enables["driver"].to_numpy(np.int64)
    known = np.flatnonzero(driver >= 0)
    _, first = np.unique(item[known] * n_drivers + driver[known], return_index=True)
    rows = known[np.sort(first)]
    return pd.DataFrame(
        {
            "item": item[rows],
            "driver": driver[rows],
            "slip": items["slip"].to_numpy(np.int64)[item[rows]],
            "cancelled": items["cancelled"].to_numpy(bool)[item[rows]],
        }
    )


def _actuals(
    data: ProgramData, horizon: Horizon, driver_index: dict[str, int], disbenefit: np.ndarray
) -> pd.DataFrame:
    ids, period, realized, run_rate, validated = fields(
        data.actuals, "driver_id", "period", "realized", "run_rate", "validated"
    )
    row_of = {v: driver_index.get(key(v), -1) for v in set(ids)}  # once per distinct ID
    driver = np.fromiter(map(row_of.__getitem__, ids), dtype=np.int64, count=len(ids))
    amounts = np.nan_to_num(np.array(realized, dtype=float))
    rates = floats(run_rate)
    if len(disbenefit) and len(driver):  # a dis-benefit's amounts are sizes of a loss
        loss = (driver >= 0) & disbenefit[np.maximum(driver, 0)]
        amounts = np.where(loss, np.abs(amounts), amounts)
        rates = np.where(loss, np.abs(rates), rates)
    return pd.DataFrame(
        {
            "driver": driver,
            "ord": horizon.ordinals_of(period).astype(np.int64),
            "realized": amounts,
            "run_rate": rates,
            "validated": bools(validated),
        }
    )


def _magnitudes(
    points: tuple[np.ndarray, np.ndarray, np.ndarray], disbenefit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(driver, ordinal, amount) with a dis-benefit's amounts as sizes of the loss."""
    idx, ords, amounts = points
    if not len(idx):
        return points
    return idx, ords, np.where(disbenefit[idx], np.abs(amounts), amounts)


def _custom_points(
    data: ProgramData, horizon: Horizon, drivers: pd.DataFrame, driver_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    custom = drivers["profile"].to_numpy() == CUSTOM
    idx, ords, amounts = _magnitudes(
        _row_points(data.value_plan, horizon, driver_index),
        drivers["sign"].to_numpy(float) < 0,
    )
    keep = custom[idx] if len(idx) else np.zeros(0, dtype=bool)  # Value Plan rows of non-Custom
    if not keep.any():  # drivers plan by their ramp
        return None
    return idx[keep], ords[keep], amounts[keep]


def _row_points(
    rows: Sequence[ValuePlanRow] | Sequence[ForecastRow],
    horizon: Horizon,
    driver_index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(driver row, ordinal, amount) of every filled cell of a driver x period sheet (Value Plan,
    Forecast). A driver's first row counts; an unknown driver or a second row is left out (the
    checks report both)."""
    seen: set[int] = set()
    idx: list[int] = []
    ords: list[int] = []
    amounts: list[float] = []
    for row in rows:
        d = driver_index.get(key(row.driver_id))
        if d is None or d in seen:
            continue
        seen.add(d)
        for period, amount in row.values.items():
            idx.append(d)
            ords.append(horizon.ordinal(period))
            amounts.append(num(amount))
    return np.array(idx, dtype=np.int64), np.array(ords, dtype=np.int64), np.array(amounts)


def _costs(data: ProgramData, horizon: Horizon) -> pd.DataFrame:
    ws, period, budget, actual = fields(data.costs, "workstream_id", "period", "budget", "actual")
    return pd.DataFrame(
        {
            "ws_key": np.array(shared_keys(ws), dtype=object),
            "ord": horizon.ordinals_of(period),
            "budget": np.array([num(b) for b in budget], dtype=float),
            "actual": np.array([num(a) for a in actual], dtype=float),
        }
    )
