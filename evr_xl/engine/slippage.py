"""Driver slip from its enabling work, and the value at risk each slipping item causes.

An item's slip is computed in frames.py (metric 6). Here: a driver's slip s is the largest slip
among its enabling items (value needs all of its enablers; cancelled items are not enablers).
The items whose slip equals s are the driver's *binding* enablers; a driver's slippage value at
risk is attributed to its binding enablers, split evenly when several tie.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evr_xl.engine.frames import FROM_ACTUAL, FROM_FLOOR, FROM_FORECAST, Frames
from evr_xl.model.periods import from_ordinal
from evr_xl.model.records import ProgramData
from evr_xl.model.table import fields_at


def driver_slips(frames: Frames) -> tuple[np.ndarray, np.ndarray]:
    """(s per driver, binding link mask)."""
    n = len(frames.drivers)
    links = frames.links
    active = ~links["cancelled"].to_numpy(bool)
    drv = links["driver"].to_numpy(np.int64)
    slip = links["slip"].to_numpy(np.int64)
    s = np.zeros(n, dtype=np.int64)
    np.maximum.at(s, drv[active], slip[active])
    binding = active & (slip > 0) & (slip == s[drv])
    return s, binding


def slip_items(frames: Frames, binding: np.ndarray) -> list[str]:
    """Per driver, the comma-separated IDs of its binding enablers (empty when no slip)."""
    ids: list[list[str]] = [[] for _ in range(len(frames.drivers))]
    item_ids = frames.items["item_id"].to_numpy(object)
    links = frames.links
    for d, i in zip(
        links["driver"].to_numpy(np.int64)[binding].tolist(),
        links["item"].to_numpy(np.int64)[binding].tolist(),
        strict=True,
    ):
        ids[d].append(item_ids[i])
    return list(map(", ".join, ids))


def open_items(frames: Frames) -> np.ndarray:
    """Items still to finish: neither complete nor cancelled."""
    items = frames.items
    return ~items["complete"].to_numpy(bool) & ~items["cancelled"].to_numpy(bool)


def value_at_risk_caused(
    frames: Frames, binding: np.ndarray, slippage_var: np.ndarray
) -> np.ndarray:
    """Per item: the slippage VaR of the drivers it binds, split evenly among the *open* tied
    enablers. Work finished late is not slipping: its delay is already in the forecast and
    nothing can recover it, so a driver whose binding enablers are all finished attributes its
    slippage to no item."""
    caused = np.zeros(len(frames.items))
    item = frames.links["item"].to_numpy(np.int64)
    drv = frames.links["driver"].to_numpy(np.int64)
    live = binding & open_items(frames)[item]
    n_live = np.bincount(drv[live], minlength=len(frames.drivers))
    share = slippage_var[drv[live]] / np.maximum(n_live[drv[live]], 1)
    np.add.at(caused, item[live], share)
    return caused


def slipping_items_table(data: ProgramData, frames: Frames, caused: np.ndarray) -> pd.DataFrame:
    """Open workplan items with slip > 0 (slipping work), the most value at risk first."""
    items = frames.items
    rows = np.flatnonzero((items["slip"].to_numpy() > 0) & open_items(frames))
    h = frames.horizon
    floor = from_ordinal(h.as_of + 1, h.period_type)
    item_id, item, workstream_id, item_type, owner, planned, forecast, actual, enables = fields_at(
        data.workplan,
        rows.tolist(),
        "item_id", "item", "workstream_id", "item_type", "owner",
        "planned_finish", "forecast_finish", "actual_finish", "enables",
    )  # fmt: skip
    late = [
        {FROM_ACTUAL: a, FROM_FORECAST: f, FROM_FLOOR: floor}.get(source, p)
        for p, f, a, source in zip(
            planned, forecast, actual, items["late_source"].to_numpy()[rows].tolist(), strict=True
        )
    ]

    def text(values: list[object]) -> np.ndarray:
        return np.array(values, dtype=object)  # object even when no item slips

    table = pd.DataFrame(
        {
            "item_id": text(item_id),
            "item": text(item),
            "workstream_id": text(workstream_id),
            "type": text(item_type),
            "owner": text(owner),
            "planned_finish": text(planned),
            "late_finish": text(late),
            "slip_periods": items["slip"].to_numpy(np.int64)[rows],
            "enables": text(list(map(", ".join, enables))),
            "value_at_risk_caused": caused[rows].astype(float),
        }
    )
    return table.sort_values(
        ["value_at_risk_caused", "slip_periods", "item_id"],
        ascending=[False, False, True],
        kind="stable",
    ).reset_index(drop=True)
