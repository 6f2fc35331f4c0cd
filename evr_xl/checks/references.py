"""Checks on identifiers: duplicate IDs (TR001) and references to IDs that do not exist (TR002,
TR003). A reference is compared trimmed and case-insensitively, as the workbook contract says."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evr_xl.checks.common import results_of, where
from evr_xl.engine import Results
from evr_xl.engine.frames import key, keys
from evr_xl.findings import Finding, finding
from evr_xl.model.records import ProgramData, Record, ValueDriver, WorkItem


def _duplicates(
    records: Sequence[Record], ids: list[str], id_field: str, noun: str
) -> list[Finding]:
    """TR001 for each record whose ID key (`ids`, one per record) is on an earlier record."""
    codes, _ = pd.factorize(np.asarray(ids, dtype=object))
    _, first = np.unique(codes, return_index=True)  # the first record of each key
    firsts = first[codes]
    out = []
    for row in np.flatnonzero(firsts != np.arange(len(ids))).tolist():
        if not ids[row]:
            continue  # a blank ID is not a duplicate
        rec = records[row]
        out.append(
            finding(
                "TR001",
                f"{noun} {getattr(rec, id_field)} is used twice; the first row"
                f"{where(records[firsts[row]].cell(id_field))} is the one counted",
                rec.cell(id_field),
            )
        )
    return out


def duplicate_ids(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR001: the same ID on two rows of a table that needs unique IDs."""
    items = results_of(data, results).frames.items

    def check(records: Sequence[Record], id_field: str, noun: str) -> list[Finding]:
        return _duplicates(records, keys(getattr(r, id_field) for r in records), id_field, noun)

    return [
        *check(data.workstreams, "workstream_id", "workstream ID"),
        *check(data.drivers, "driver_id", "driver ID"),
        *_duplicates(data.workplan, items["key"].tolist(), "item_id", "workplan item ID"),
        *check(data.risks, "risk_id", "risk ID"),
        *check(data.value_plan, "driver_id", "Value Plan row for driver"),
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
    out = []
    for item, text in zip(
        enables["item"][unknown].tolist(), enables["text"][unknown].tolist(), strict=True
    ):
        w = data.workplan[item]
        out.append(
            finding(
                "TR002",
                f"driver {text} does not exist (workplan item {w.item_id} enables it)",
                w.cell("enables"),
            )
        )
    for r in data.risks:
        for d in r.driver_ids:
            if key(d) and key(d) not in drivers:
                out.append(
                    finding(
                        "TR002",
                        f"driver {d} does not exist (named by risk {r.risk_id})",
                        r.cell("driver_ids"),
                    )
                )
    for v in data.value_plan:
        if key(v.driver_id) not in drivers:
            out.append(
                finding(
                    "TR002",
                    f"driver {v.driver_id} does not exist (Value Plan row)",
                    v.cell("driver_id"),
                )
            )
    for c in data.costs:
        if c.driver_id and key(c.driver_id) not in drivers:
            out.append(
                finding(
                    "TR002",
                    f"driver {c.driver_id} does not exist (cost row of workstream {c.workstream_id})",
                    c.cell("driver_id"),
                )
            )
    return out


def unknown_workstreams(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR003: a driver, workplan item or cost naming a workstream that does not exist."""
    known = set(keys(w.workstream_id for w in data.workstreams))
    items = results_of(data, results).frames.items

    def who(rec: Record) -> str:  # only built for the few rows that are wrong
        if isinstance(rec, ValueDriver):
            return f"driver {rec.driver_id}"
        if isinstance(rec, WorkItem):
            return f"workplan item {rec.item_id}"
        return "cost row"

    out = []
    for records, ws in (
        (data.drivers, keys(d.workstream_id for d in data.drivers)),
        (data.workplan, items["ws_key"].tolist()),
        (data.costs, keys(c.workstream_id for c in data.costs)),
    ):
        named = np.fromiter(map(known.__contains__, ws), dtype=bool, count=len(ws))
        for row in np.flatnonzero(~named).tolist():
            rec = records[row]
            out.append(
                finding(
                    "TR003",
                    f"workstream {rec.workstream_id} does not exist ({who(rec)} names it)",
                    rec.cell("workstream_id"),
                )
            )
    return out
