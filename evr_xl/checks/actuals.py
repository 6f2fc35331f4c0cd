"""Checks on the Actuals sheet: unknown drivers (AC001), periods after T (AC002) or outside the
horizon (AC008), not validated (AC003), negative on a benefit (AC004), value claimed while its
enabling work is unfinished (AC005), active drivers with no actual for T (AC006), and two rows for
the same driver and period (AC007)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evr_xl.checks.common import money, results_of
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
    k = _known(res)
    k = k[
        ~k["validated"]
        & (k["realized"] != 0)
        & (k["ord"] >= h.first)
        & (k["ord"] <= min(h.as_of, h.last))
    ]
    if k.empty:
        return []
    drivers = res.frames.drivers
    cur = data.settings.currency
    out = []
    agg = (
        k.reset_index(names="row")
        .groupby("driver", sort=True)
        .agg(
            row=("row", "first"),
            lo=("ord", "min"),
            hi=("ord", "max"),
            n=("ord", "size"),
            total=("realized", "sum"),
        )
    )  # one aggregate per driver: no Python loop over groups
    ids = drivers["driver_id"].to_numpy(object)
    for drv, row, lo, hi, n, total in zip(
        agg.index, agg["row"], agg["lo"], agg["hi"], agg["n"], agg["total"], strict=True
    ):
        first = data.actuals[int(row)]
        span = f"{_label(res, lo)} to {_label(res, hi)}"
        out.append(
            finding(
                "AC003",
                f"driver {ids[int(drv)]}: {int(n)} actual(s) from {span}, "
                f"{money(float(total), cur)} in all, are not validated by finance",
                first.cell("validated"),
            )
        )
    return out


def claimed_before_work(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """AC005: realized value in a period before an enabling item finished (or while unfinished).

    One finding per driver, at its first such actual, naming the latest-finishing enabler.
    """
    res = results_of(data, results)
    f = res.frames
    links = f.links[~f.links["cancelled"]]
    if links.empty:
        return []
    items = f.items
    done = items["complete"].to_numpy(bool)
    finish = np.where(done, items["late_ord"].to_numpy(float), np.inf)
    frame = links.assign(finish=finish[links["item"].to_numpy(np.int64)])
    latest = frame.sort_values(["driver", "finish"], kind="stable").groupby("driver").tail(1)
    finish_by_driver = np.full(len(f.drivers), -np.inf)
    finish_by_driver[latest["driver"].to_numpy(np.int64)] = latest["finish"].to_numpy(float)
    blocker = np.full(len(f.drivers), -1, dtype=np.int64)
    blocker[latest["driver"].to_numpy(np.int64)] = latest["item"].to_numpy(np.int64)

    k = _known(res)
    k = k[(k["realized"] != 0) & (k["ord"] <= res.horizon.as_of)]
    early = k[k["ord"].to_numpy(float) < finish_by_driver[k["driver"].to_numpy()]]
    early = early.reset_index(names="row").sort_values(["driver", "ord"], kind="stable")
    out = []
    for drv, row, o in zip(
        *(early.drop_duplicates("driver")[c].tolist() for c in ("driver", "row", "ord")),
        strict=True,
    ):
        a = data.actuals[row]
        w = data.workplan[int(blocker[drv])]
        state = (
            f"finished only in {_label(res, finish_by_driver[drv])}"
            if np.isfinite(finish_by_driver[drv])
            else "is not finished"
        )
        out.append(
            finding(
                "AC005",
                f"driver {a.driver_id} reports realized value in {_label(res, o)} but its "
                f"enabling item {w.item_id} {state}",
                a.cell("realized"),
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
