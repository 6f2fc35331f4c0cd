"""Checks on timing and reconciliation: a ramp that starts before its enabling work finishes
(TM001), a full run-rate period before the ramp start (TM002), and recurring targets that do not
add up to the value promise (RC001)."""

from __future__ import annotations

import numpy as np

from evr_xl.checks.common import findings, last_enablers, money, results_of
from evr_xl.engine import Results
from evr_xl.findings import Finding
from evr_xl.model.periods import label_of, ordinal
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells, fields, fields_at

RECONCILIATION_TOLERANCE = 0.01  # 1% of the value promise


def ramp_before_enablers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TM001, fitted to phased delivery: the ramp starts before the *first* enabling item
    finishes (no value before any enabling work is done), or the full run-rate comes before the
    *last* one finishes (full value needs all of it).

    The enabler's finish is its late finish (actual, else forecast, else planned; overdue work
    not before next period). Value may start in the period the work finishes. A dis-benefit is
    left out: its enabling work ends it (dual running ends when the legacy system is retired),
    it does not start it.
    """
    f = results_of(data, results).frames
    h = f.horizon
    late = f.items["late_ord"].to_numpy(np.int64)
    benefit = f.drivers["sign"].to_numpy(float) > 0
    out: list[Finding] = []
    for first, field, ramp_key in (
        (True, "ramp_start", "start_ord"),
        (False, "full_run_rate_by", "full_ord"),
    ):
        drv, item, finish = last_enablers(f, late, first=first)
        when = f.drivers[ramp_key].to_numpy(np.int64)[drv]
        early = (when < finish) & benefit[drv]
        positions = f.drivers["pos"].to_numpy(np.int64)[drv][early].tolist()
        (ids,) = fields_at(data.drivers, positions, "driver_id")
        (item_ids,) = fields_at(data.workplan, item[early].tolist(), "item_id")
        pairs = zip(ids, item_ids, when[early].tolist(), finish[early].tolist(), strict=True)
        if first:
            messages = [
                f"driver {ident} ramps up from {h.label(ramp)} but none of its enabling work "
                f"is done before {h.label(done)} (the first to finish: {item_id})"
                for ident, item_id, ramp, done in pairs
            ]
        else:
            messages = [
                f"driver {ident} reaches full run-rate in {h.label(ramp)} but its enabling item "
                f"{item_id} finishes only in {h.label(done)}"
                for ident, item_id, ramp, done in pairs
            ]
        out += findings("TM001", messages, cells(data.drivers, positions, field))
    return out


def full_run_rate_before_start(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TM002: Full run-rate by is in a period before Ramp start."""
    pt = data.settings.period_type
    ids, full, start = fields(data.drivers, "driver_id", "full_run_rate_by", "ramp_start")
    rows = [
        row
        for row, (f, s) in enumerate(zip(full, start, strict=True))
        if ordinal(f, pt) < ordinal(s, pt)
    ]
    return findings(
        "TM002",
        [
            f"driver {ids[row]} reaches full run-rate in {label_of(full[row], pt)}, "
            f"before its ramp start in {label_of(start[row], pt)}"
            for row in rows
        ],
        cells(data.drivers, rows, "full_run_rate_by"),
    )


def reconciliation(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """RC001: Σ recurring targets (dis-benefits subtract) differs from the promise by more than 1%."""
    p = results_of(data, results).program
    promise, total, gap = p.value_promise, p.sum_targets, p.reconciliation_gap
    if abs(gap) <= RECONCILIATION_TOLERANCE * abs(promise) and (promise or not total):
        return []
    if not promise and not total:
        return []
    cur = p.currency
    share = f" ({abs(gap) / abs(promise):.1%})" if promise else ""
    direction = "short of" if gap > 0 else "above"
    return findings(
        "RC001",
        [
            f"recurring value-driver targets add up to {money(total, cur)}, {money(abs(gap), cur)}"
            f"{share} {direction} the value promise of {money(promise, cur)}"
        ],
        [data.settings.cell("value_promise")],
    )
