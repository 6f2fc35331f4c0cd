"""Checks on the Actuals sheet: unknown drivers (AC001), periods after T (AC002) or outside the
horizon (AC008), not validated (AC003), negative on a benefit (AC004), value claimed while its
enabling work is unfinished (AC005), active drivers with no actual for T (AC006), and two rows for
the same driver and period (AC007)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evr_xl.checks.common import findings, last_enablers, money, results_of
from evr_xl.engine import Results
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells, fields_at


def _label(res: Results, o: int) -> str:
    return res.horizon.label(int(o))


def unknown_or_misplaced(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC001 unknown driver; AC002 period after T; AC008 period outside the horizon."""
    res = results_of(data, results)
    h, a = res.horizon, res.frames.actuals
    rows = np.flatnonzero(a["driver"].to_numpy() < 0).tolist()
    (ids,) = fields_at(data.actuals, rows, "driver_id")
    out = findings(
        "AC001",
        [f"driver {i} does not exist (Actuals row)" for i in ids],
        cells(data.actuals, rows, "driver_id"),
    )
    known = a["driver"].to_numpy() >= 0
    ords = a["ord"].to_numpy()
    after = f"is after the as-of period {_label(res, h.as_of)} and is not counted"
    out += _period_findings(data, res, "AC002", known & (ords > h.as_of), after)
    outside = known & (ords <= h.as_of) & ((ords < h.first) | (ords > h.last))
    horizon = f"{_label(res, h.first)} to {_label(res, h.last)}"
    out += _period_findings(
        data, res, "AC008", outside, f"is outside the horizon {horizon} and is not counted"
    )
    return out


def _period_findings(
    data: ProgramData, res: Results, code: str, mask: np.ndarray, says: str
) -> list[Finding]:
    """`code` on the period cell of each Actuals row in `mask`: "actual for driver X in P <says>"."""
    rows = np.flatnonzero(mask).tolist()
    (ids,) = fields_at(data.actuals, rows, "driver_id")
    ords = res.frames.actuals["ord"].to_numpy()
    return findings(
        code,
        [
            f"actual for driver {i} in {_label(res, ords[row])} {says}"
            for i, row in zip(ids, rows, strict=True)
        ],
        cells(data.actuals, rows, "period"),
    )


def duplicate_actuals(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC007: a second Actuals row for the same driver and period (rows are added together)."""
    res = results_of(data, results)
    a = res.frames.actuals
    driver, ords = a["driver"].to_numpy(np.int64), a["ord"].to_numpy(np.int64)
    known = np.flatnonzero(driver >= 0)
    if not len(known):
        return []
    lo = ords[known].min()
    pair = driver[known] * (ords[known].max() - lo + 1) + (ords[known] - lo)  # (driver, period)
    _, first = np.unique(pair, return_index=True)  # the first row of each pair
    again = np.ones(len(known), dtype=bool)
    again[first] = False
    rows = known[again].tolist()
    (ids,) = fields_at(data.actuals, rows, "driver_id")
    return findings(
        "AC007",
        [
            f"driver {i} has more than one Actuals row for {_label(res, o)}; "
            "they are added together"
            for i, o in zip(ids, ords[rows].tolist(), strict=True)
        ],
        cells(data.actuals, rows, "period"),
    )


def negative_on_benefit(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC004: negative realized value on a driver that is not a Dis-benefit."""
    res = results_of(data, results)
    a = res.frames.actuals
    driver, realized = a["driver"].to_numpy(np.int64), a["realized"].to_numpy(float)
    sign = res.frames.drivers["sign"].to_numpy()
    known = driver >= 0
    benefit = np.zeros(len(driver), dtype=bool)
    benefit[known] = sign[driver[known]] > 0
    rows = np.flatnonzero(known & (realized < 0) & benefit).tolist()
    cur = data.settings.currency
    (ids,) = fields_at(data.actuals, rows, "driver_id")
    return findings(
        "AC004",
        [
            f"realized value for driver {i} in {_label(res, o)} is negative ({money(v, cur)})"
            for i, o, v in zip(
                ids, a["ord"].to_numpy()[rows].tolist(), realized[rows].tolist(), strict=True
            )
        ],
        cells(data.actuals, rows, "realized"),
    )


def not_validated(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC003: per driver, counted actuals (up to T) that finance has not validated."""
    res = results_of(data, results)
    h = res.horizon
    a = res.frames.actuals
    driver, ords = a["driver"].to_numpy(np.int64), a["ord"].to_numpy(np.int64)
    realized = a["realized"].to_numpy(float)
    rows = np.flatnonzero(
        (driver >= 0)
        & ~a["validated"].to_numpy(bool)
        & (realized != 0)
        & (ords >= h.first)
        & (ords <= min(h.as_of, h.last))
    )
    if not len(rows):
        return []
    rows = rows[np.argsort(driver[rows], kind="stable")]  # grouped by driver, rows in order
    drv = driver[rows]
    starts = np.flatnonzero(np.append(True, drv[1:] != drv[:-1]))
    lo = np.minimum.reduceat(ords[rows], starts)
    hi = np.maximum.reduceat(ords[rows], starts)
    n = np.diff(np.append(starts, len(rows)))
    # pandas' grouped sum (compensated), as the totals have always been added up
    total = pd.Series(realized[rows]).groupby(drv).sum().to_numpy(float)
    ids = res.frames.drivers["driver_id"].to_numpy(object)[drv[starts]]
    cur = data.settings.currency
    return findings(
        "AC003",
        [
            f"driver {ident}: {count} actual(s) from {h.label(first)} to {h.label(last)}, "
            f"{money(amount, cur)} in all, are not validated by finance"
            for ident, first, last, count, amount in zip(
                ids.tolist(), lo.tolist(), hi.tolist(), n.tolist(), total.tolist(), strict=True
            )
        ],
        cells(data.actuals, rows[starts].tolist(), "validated"),
    )


def claimed_before_work(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC005: realized value in a period before *any* enabling item finished (phased delivery:
    wave 1 done and saving money while wave 2 is still pending is honest).

    One finding per driver, at its first such actual, naming the first enabler to finish. A
    dis-benefit is left out: its enabling work ends it, it does not start it.
    """
    res = results_of(data, results)
    f = res.frames
    items = f.items
    done = items["complete"].to_numpy(bool)
    drv, item, fin = last_enablers(
        f, np.where(done, items["late_ord"].to_numpy(float), np.inf), first=True
    )
    keep = f.drivers["sign"].to_numpy(float)[drv] > 0
    drv, item, fin = drv[keep], item[keep], fin[keep]
    finish_by_driver = np.full(len(f.drivers), -np.inf)
    finish_by_driver[drv] = fin
    blocker = np.full(len(f.drivers), -1, dtype=np.int64)
    blocker[drv] = item

    a = f.actuals
    driver, ords = a["driver"].to_numpy(np.int64), a["ord"].to_numpy(np.int64)
    counted = (driver >= 0) & (a["realized"].to_numpy(float) != 0) & (ords <= res.horizon.as_of)
    rows = np.flatnonzero(counted)
    rows = rows[ords[rows] < finish_by_driver[driver[rows]]]
    rows = rows[np.lexsort((ords[rows], driver[rows]))]  # by driver, then period; stable
    first = np.ones(len(rows), dtype=bool)
    first[1:] = driver[rows][1:] != driver[rows][:-1]
    rows = rows[first]
    blocking = blocker[driver[rows]].tolist()
    (ids,) = fields_at(data.actuals, rows.tolist(), "driver_id")
    (items,) = fields_at(data.workplan, blocking, "item_id")
    messages = []
    for ident, item_id, o, finish in zip(
        ids, items, ords[rows].tolist(), finish_by_driver[driver[rows]].tolist(), strict=True
    ):
        state = (
            f"finished only in {_label(res, finish)}"
            if math.isfinite(finish)
            else "is not finished"
        )
        messages.append(
            f"driver {ident} reports realized value in {_label(res, o)} but its "
            f"enabling item {item_id} {state}"
        )
    return findings("AC005", messages, cells(data.actuals, rows.tolist(), "realized"))


def missing_current_actual(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC006: a driver with planned value in period T but no Actuals row for T."""
    res = results_of(data, results)
    h = res.horizon
    if not (h.first <= h.as_of <= h.last) or res.plan.empty:
        return []
    planned = res.plan[h.as_of].to_numpy() != 0
    a = res.frames.actuals
    driver = a["driver"].to_numpy(np.int64)
    reported = np.zeros(len(planned), dtype=bool)
    reported[driver[(driver >= 0) & (a["ord"].to_numpy() == h.as_of)]] = True
    positions = res.frames.drivers["pos"].to_numpy()[planned & ~reported].tolist()
    (ids,) = fields_at(data.drivers, positions, "driver_id")
    period = h.label(h.as_of)
    return findings(
        "AC006",
        [f"driver {i} has planned value in {period} but no actual for it" for i in ids],
        cells(data.drivers, positions, "driver_id"),
        [f"Add an Actuals row for {i} and {period} (0 if nothing was realized)." for i in ids],
    )
