"""Checks that connect work and value: work that enables no driver (TR004), workstreams with no
drivers (TR005), drivers no work backs (TR006), and the coverage figures (TR012, `coverage`).

Cancelled workplan items count neither as work to connect nor as work that backs a driver.
"""

from __future__ import annotations

import numpy as np

from evr_xl.checks.common import findings, money, results_of
from evr_xl.engine import Results
from evr_xl.engine.frames import keys
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells, fields, fields_at


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def coverage(data: ProgramData, results: Results | None = None) -> dict[str, float | int | None]:
    """How much work is connected to value and how much value is backed by work.

    items / milestones: non-cancelled workplan items (milestones) and how many enable at least
    one existing driver. value_promised: the recurring benefit targets (the run-rate the promise
    is made of); value_backed: those of drivers with at least one non-cancelled enabling item.
    Shares are fractions, None when there is nothing to share.
    """
    f = results_of(data, results).frames
    items, links = f.items, f.links
    live = ~items["cancelled"].to_numpy(bool)
    connected = np.zeros(len(items), dtype=bool)
    connected[links["item"].to_numpy(np.int64)] = True
    milestone = items["milestone"].to_numpy(bool) & live
    backed = np.zeros(len(f.drivers), dtype=bool)
    backed[links.loc[~links["cancelled"], "driver"].to_numpy(np.int64)] = True
    drivers = f.drivers
    promised = drivers["recurring"].to_numpy(bool) & (drivers["sign"].to_numpy() > 0)
    target = drivers["target"].to_numpy(float)
    n_items, n_conn = int(live.sum()), int((connected & live).sum())
    n_ms, n_ms_conn = int(milestone.sum()), int((connected & milestone).sum())
    value, value_backed = float(target[promised].sum()), float(target[promised & backed].sum())
    return {
        "items": n_items,
        "items_connected": n_conn,
        "items_connected_pct": _share(n_conn, n_items),
        "milestones": n_ms,
        "milestones_connected": n_ms_conn,
        "milestones_connected_pct": _share(n_ms_conn, n_ms),
        "value_promised": value,
        "value_backed": value_backed,
        "value_backed_pct": _share(value_backed, value),
    }


def unconnected_work(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR004: a workplan item (not cancelled) whose Enables drivers is empty."""
    f = results_of(data, results).frames
    enables = f.enables
    names = np.zeros(len(f.items), dtype=bool)  # names at least one driver, known or not
    names[enables["item"].to_numpy(np.int64)[enables["named"].to_numpy(bool)]] = True
    unconnected = ~names & ~f.items["cancelled"].to_numpy(bool)
    rows = np.flatnonzero(unconnected).tolist()
    item_id, item_type, item = fields_at(data.workplan, rows, "item_id", "item_type", "item")
    return findings(
        "TR004",
        [
            f"workplan item {i} ({t.lower()} '{w}') enables no value driver"
            for i, t, w in zip(item_id, item_type, item, strict=True)
        ],
        cells(data.workplan, rows, "enables"),
    )


def workstreams_without_drivers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR005: a workstream that no value driver belongs to."""
    with_drivers = set(keys(fields(data.drivers, "workstream_id")[0]))
    ids, names = fields(data.workstreams, "workstream_id", "name")
    rows = [i for i, k in enumerate(keys(ids)) if k not in with_drivers]
    return findings(
        "TR005",
        [f"workstream {ids[i]} ({names[i]}) has no value drivers" for i in rows],
        cells(data.workstreams, rows, "workstream_id"),
    )


def unbacked_value(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR006: a driver that no (non-cancelled) workplan item enables."""
    f = results_of(data, results).frames
    links = f.links
    backed = np.zeros(len(f.drivers), dtype=bool)
    backed[links.loc[~links["cancelled"], "driver"].to_numpy(np.int64)] = True
    currency = data.settings.currency
    positions = f.drivers["pos"].to_numpy(np.int64)[~backed].tolist()
    ids, targets = fields_at(data.drivers, positions, "driver_id", "target")
    return findings(
        "TR006",
        [
            f"driver {i} ({money(t, currency)} target) is enabled by no workplan item: no work "
            "backs this value"
            for i, t in zip(ids, targets, strict=True)
        ],
        cells(data.drivers, positions, "driver_id"),
    )


def coverage_summary(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR012: one Info finding carrying the coverage figures."""
    c = coverage(data, results)
    if not c["items"] and not c["value_promised"]:
        return []

    def share(part: object, whole: object, ratio: object) -> str:
        return f"{ratio:.0%} ({part} of {whole})" if ratio is not None else "none"

    cur = data.settings.currency
    message = (
        f"work connected to value: {share(c['items_connected'], c['items'], c['items_connected_pct'])}"
        f" of workplan items, {share(c['milestones_connected'], c['milestones'], c['milestones_connected_pct'])}"
        f" of milestones; value backed by work: "
        f"{share(money(float(c['value_backed'] or 0), cur), money(float(c['value_promised'] or 0), cur), c['value_backed_pct'])}"
        " of recurring benefit targets"
    )
    return findings("TR012", [message], [None])
