"""Checks on identifiers: duplicate IDs (TR001) and references to IDs that do not exist (TR002,
TR003). A reference is compared trimmed and case-insensitively, as the workbook contract says."""

from __future__ import annotations

from collections.abc import Iterable

from evr_xl.checks.common import where
from evr_xl.engine import Results
from evr_xl.engine.frames import key
from evr_xl.findings import Finding, finding
from evr_xl.model.records import ProgramData, Record, ValueDriver, WorkItem


def _duplicates(records: Iterable[Record], id_field: str, noun: str) -> list[Finding]:
    first: dict[str, Record] = {}
    out = []
    for rec in records:
        ident = getattr(rec, id_field)
        k = key(ident)
        if not k:
            continue
        if k in first:
            out.append(
                finding(
                    "TR001",
                    f"{noun} {ident} is used twice; the first row{where(first[k].cell(id_field))}"
                    " is the one counted",
                    rec.cell(id_field),
                )
            )
        else:
            first[k] = rec
    return out


def duplicate_ids(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR001: the same ID on two rows of a table that needs unique IDs."""
    return [
        *_duplicates(data.workstreams, "workstream_id", "workstream ID"),
        *_duplicates(data.drivers, "driver_id", "driver ID"),
        *_duplicates(data.workplan, "item_id", "workplan item ID"),
        *_duplicates(data.risks, "risk_id", "risk ID"),
        *_duplicates(data.value_plan, "driver_id", "Value Plan row for driver"),
        *_duplicates(data.stage_gates, "stage", "stage"),
    ]


def unknown_drivers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR002: a workplan item, risk, Value Plan row or cost naming a driver that does not exist.

    (Actuals for unknown drivers are AC001.)
    """
    drivers = {key(d.driver_id) for d in data.drivers}
    out = []
    for w in data.workplan:
        for d in w.enables:
            if key(d) and key(d) not in drivers:
                out.append(
                    finding(
                        "TR002",
                        f"driver {d} does not exist (workplan item {w.item_id} enables it)",
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
    known = {key(w.workstream_id) for w in data.workstreams}

    def who(rec: Record) -> str:  # only built for the few rows that are wrong
        if isinstance(rec, ValueDriver):
            return f"driver {rec.driver_id}"
        if isinstance(rec, WorkItem):
            return f"workplan item {rec.item_id}"
        return "cost row"

    rows = (*data.drivers, *data.workplan, *data.costs)
    return [
        finding(
            "TR003",
            f"workstream {rec.workstream_id} does not exist ({who(rec)} names it)",
            rec.cell("workstream_id"),
        )
        for rec in rows
        if key(rec.workstream_id) not in known
    ]
