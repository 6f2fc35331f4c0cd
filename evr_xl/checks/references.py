"""Checks on identifiers: duplicate IDs (TR001) and references to IDs that do not exist (TR002,
TR003). A reference is compared trimmed and case-insensitively, as the workbook contract says."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
import pandas as pd

from evr_xl.checks.common import findings, results_of, where
from evr_xl.engine import Results
from evr_xl.engine.frames import keys, shared_keys
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData, Record
from evr_xl.model.table import cells, fields, fields_at


def _duplicates(
    records: Sequence[Record], ids: list[str], id_field: str, noun: str
) -> list[Finding]:
    """TR001 for each record whose ID key (`ids`, one per record) is on an earlier record."""
    if len(set(ids)) == len(ids):
        return []  # the usual table: no key twice
    codes, _ = pd.factorize(np.asarray(ids, dtype=object))
    _, first = np.unique(codes, return_index=True)  # the first record of each key
    firsts = first[codes]
    rows = [
        row
        for row in np.flatnonzero(firsts != np.arange(len(ids))).tolist()
        if ids[row]  # a blank ID is not a duplicate
    ]
    (values,) = fields_at(records, rows, id_field)
    counted = cells(records, firsts[rows].tolist(), id_field)
    return findings(
        "TR001",
        [
            f"{noun} {value} is used twice; the first row{where(cell)} is the one counted"
            for value, cell in zip(values, counted, strict=True)
        ],
        cells(records, rows, id_field),
    )


def duplicate_ids(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR001: the same ID on two rows of a table that needs unique IDs."""
    items = results_of(data, results).frames.items

    def check(records: Sequence[Record], id_field: str, noun: str) -> list[Finding]:
        return _duplicates(records, keys(fields(records, id_field)[0]), id_field, noun)

    return [
        *check(data.workstreams, "workstream_id", "workstream ID"),
        *check(data.drivers, "driver_id", "driver ID"),
        *_duplicates(data.workplan, items["key"].tolist(), "item_id", "workplan item ID"),
        *check(data.risks, "risk_id", "risk ID"),
        *check(data.value_plan, "driver_id", "Value Plan row for driver"),
        *check(data.committed_forecast, "driver_id", "Forecast row for driver"),
        *check(data.stage_gates, "stage", "stage"),
    ]


def unknown_drivers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR002: a workplan item, risk, Value Plan row or cost naming a driver that does not exist.

    (Actuals for unknown drivers are AC001.)
    """
    f = results_of(data, results).frames
    drivers = f.driver_index
    enables = f.enables
    unknown = (enables["driver"].to_numpy(np.int64) < 0) & enables["named"].to_numpy(bool)
    rows = enables["item"][unknown].tolist()
    (item_ids,) = fields_at(data.workplan, rows, "item_id")
    messages = [
        f"driver {text} does not exist (workplan item {item_id} enables it)"
        for text, item_id in zip(enables["text"][unknown].tolist(), item_ids, strict=True)
    ]
    at = cells(data.workplan, rows, "enables")

    risk_ids, named = fields(data.risks, "risk_id", "driver_ids")
    rows = []
    flat = list(chain.from_iterable(named))  # every name of every risk, in order
    owners = np.repeat(np.arange(len(named)), list(map(len, named))).tolist()  # each name's risk
    for row, d, k in zip(owners, flat, shared_keys(flat), strict=True):
        if k and k not in drivers:
            messages.append(f"driver {d} does not exist (named by risk {risk_ids[row]})")
            rows.append(row)
    at += cells(data.risks, rows, "driver_ids")

    (plan_ids,) = fields(data.value_plan, "driver_id")
    rows = [row for row, k in enumerate(keys(plan_ids)) if k not in drivers]
    messages += [f"driver {plan_ids[row]} does not exist (Value Plan row)" for row in rows]
    at += cells(data.value_plan, rows, "driver_id")

    (forecast_ids,) = fields(data.committed_forecast, "driver_id")
    rows = [row for row, k in enumerate(keys(forecast_ids)) if k not in drivers]
    messages += [f"driver {forecast_ids[row]} does not exist (Forecast row)" for row in rows]
    at += cells(data.committed_forecast, rows, "driver_id")

    cost_drivers, cost_workstreams = fields(data.costs, "driver_id", "workstream_id")
    rows = [
        row
        for row, (d, k) in enumerate(zip(cost_drivers, keys(cost_drivers), strict=True))
        if d and k not in drivers
    ]
    messages += [
        f"driver {cost_drivers[row]} does not exist (cost row of workstream "
        f"{cost_workstreams[row]})"
        for row in rows
    ]
    at += cells(data.costs, rows, "driver_id")
    return findings("TR002", messages, at)


def unknown_workstreams(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR003: a driver, workplan item or cost naming a workstream that does not exist."""
    known = set(keys(fields(data.workstreams, "workstream_id")[0]))
    items = results_of(data, results).frames.items
    messages: list[str] = []
    at = []
    for records, ws, id_field, noun in (
        (data.drivers, None, "driver_id", "driver"),
        (data.workplan, items["ws_key"].tolist(), "item_id", "workplan item"),
        (data.costs, None, None, "cost row"),
    ):
        if ws is None:
            ws = shared_keys(fields(records, "workstream_id")[0])
        unknown = {k for k in set(ws) if k not in known}  # the few keys first, then their rows
        rows = [row for row, k in enumerate(ws) if k in unknown] if unknown else []
        if id_field is None:
            (workstream_ids,) = fields_at(records, rows, "workstream_id")
            who = [noun] * len(rows)
        else:
            workstream_ids, ids = fields_at(records, rows, "workstream_id", id_field)
            who = [f"{noun} {i}" for i in ids]
        messages += [
            f"workstream {w} does not exist ({name} names it)"
            for w, name in zip(workstream_ids, who, strict=True)
        ]
        at += cells(records, rows, "workstream_id")
    return findings("TR003", messages, at)
