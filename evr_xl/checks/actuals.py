"""Checks on the Actuals sheet: unknown drivers (AC001), periods after T (AC002) or outside the
horizon (AC008), not validated (AC003), negative on a benefit (AC004), value claimed while its
enabling work is unfinished (AC005), active drivers with no actual for T (AC006), and two rows for
the same driver and period (AC007)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evr_xl.checks.common import last_enablers, money, results_of
from evr_xl.engine import Results
from evr_xl.findings import Finding, finding
from evr_xl.model.records import ProgramData


def _known(res: Results) -> pd.DataFrame:
    a = res.frames.actuals
    return a[a["driver"] >= 0]


def _label(res: Results, o: int) -> str:
    return res.horizon.label(int(o))


def unknown_or_misplaced(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC001 unknown driver; AC002 period after T; AC008 period outside the horizon."""
    res = results_of(data, results)
    h, a = res.horizon, res.frames.actuals
    out = []
    for i in np.flatnonzero(a["driver"].to_numpy() < 0):
        r = data.actuals[i]
        out.append(
            finding(
                "AC001", f"driver {r.driver_id} does not exist (Actuals row)", r.cell("driver_id")
            )
        )
    known = a["driver"].to_numpy() >= 0
    ords = a["ord"].to_numpy()
    for i in np.flatnonzero(known & (ords > h.as_of)):
        r = data.actuals[i]
        out.append(
            finding(
                "AC002",
                f"actual for driver {r.driver_id} in {_label(res, ords[i])} is after the as-of "
                f"period {_label(res, h.as_of)} and is not counted",
                r.cell("period"),
            )
        )
    outside = known & (ords <= h.as_of) & ((ords < h.first) | (ords > h.last))
    for i in np.flatnonzero(outside):
        r = data.actuals[i]
        out.append(
            finding(
                "AC008",
                f"actual for driver {r.driver_id} in {_label(res, ords[i])} is outside the horizon "
                f"{_label(res, h.first)} to {_label(res, h.last)} and is not counted",
                r.cell("period"),
            )
        )
    return out


def duplicate_actuals(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC007: a second Actuals row for the same driver and period (rows are added together)."""
    res = results_of(data, results)
    known = _known(res)
    dup = known[known.duplicated(["driver", "ord"], keep="first")]
    out = []
    for i, o in zip(dup.index.tolist(), dup["ord"].tolist(), strict=True):
        r = data.actuals[i]
        out.append(
            finding(
                "AC007",
                f"driver {r.driver_id} has more than one Actuals row for {_label(res, o)}; "
                "they are added together",
                r.cell("period"),
            )
        )
    return out


def negative_on_benefit(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC004: negative realized value on a driver that is not a Dis-benefit."""
    res = results_of(data, results)
    known = _known(res)
    sign = res.frames.drivers["sign"].to_numpy()
    neg = known[(known["realized"] < 0) & (sign[known["driver"].to_numpy()] > 0)]
    cur = data.settings.currency
    return [
        finding(
            "AC004",
            f"realized value for driver {data.actuals[i].driver_id} in {_label(res, o)} is "
            f"negative ({money(v, cur)})",
            data.actuals[i].cell("realized"),
        )
        for i, o, v in zip(
            neg.index.tolist(), neg["ord"].tolist(), neg["realized"].tolist(), strict=True
        )
    ]


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
    out = []
    for ident, row, first, last, count, amount in zip(
        ids.tolist(),
        rows[starts].tolist(),
        lo.tolist(),
        hi.tolist(),
        n.tolist(),
        total.tolist(),
        strict=True,
    ):
        out.append(
            finding(
                "AC003",
                f"driver {ident}: {count} actual(s) from {h.label(first)} to {h.label(last)}, "
                f"{money(amount, cur)} in all, are not validated by finance",
                data.actuals[row].cell("validated"),
            )
        )
    return out


def claimed_before_work(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC005: realized value in a period before an enabling item finished (or while unfinished).

    One finding per driver, at its first such actual, naming the latest-finishing enabler.
    """
    res = results_of(data, results)
    f = res.frames
    items = f.items
    done = items["complete"].to_numpy(bool)
    drv, item, fin = last_enablers(f, np.where(done, items["late_ord"].to_numpy(float), np.inf))
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
    out = []
    for row, o, blocking, finish in zip(
        rows.tolist(),
        ords[rows].tolist(),
        blocker[driver[rows]].tolist(),
        finish_by_driver[driver[rows]].tolist(),
        strict=True,
    ):
        actual = data.actuals[row]
        w = data.workplan[blocking]
        state = (
            f"finished only in {_label(res, finish)}"
            if math.isfinite(finish)
            else "is not finished"
        )
        out.append(
            finding(
                "AC005",
                f"driver {actual.driver_id} reports realized value in {_label(res, o)} but its "
                f"enabling item {w.item_id} {state}",
                actual.cell("realized"),
            )
        )
    return out


def missing_current_actual(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC006: a driver with planned value in period T but no Actuals row for T."""
    res = results_of(data, results)
    h = res.horizon
    if not (h.first <= h.as_of <= h.last) or res.plan.empty:
        return []
    planned = res.plan[h.as_of].to_numpy() != 0
    k = _known(res)
    reported = np.zeros(len(planned), dtype=bool)
    reported[k.loc[k["ord"] == h.as_of, "driver"].to_numpy(np.int64)] = True
    f = res.frames
    return [
        finding(
            "AC006",
            f"driver {data.drivers[pos].driver_id} has planned value in {h.label(h.as_of)} but no "
            f"actual for it",
            data.drivers[pos].cell("driver_id"),
            fix=f"Add an Actuals row for {data.drivers[pos].driver_id} and "
            f"{h.label(h.as_of)} (0 if nothing was realized).",
        )
        for pos in f.drivers["pos"].to_numpy()[planned & ~reported].tolist()
    ]
