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


def driver_slips(frames: Frames) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(s per driver, binding link mask, number of binding enablers per driver)."""
    n = len(frames.drivers)
    links = frames.links
    active = ~links["cancelled"].to_numpy(bool)
    drv = links["driver"].to_numpy(np.int64)
    slip = links["slip"].to_numpy(np.int64)
    s = np.zeros(n, dtype=np.int64)
    np.maximum.at(s, drv[active], slip[active])
    binding = active & (slip > 0) & (slip == s[drv])
    n_binding = np.bincount(drv[binding], minlength=n)
    return s, binding, n_binding


def slip_items(frames: Frames, binding: np.ndarray) -> list[str]:
    """Per driver, the comma-separated IDs of its binding enablers (empty when no slip)."""
    out = [""] * len(frames.drivers)
    links = frames.links[binding]
    if links.empty:
        return out
    ids = frames.items["item_id"].to_numpy(object)[links["item"].to_numpy(np.int64)]
    joined = pd.Series(ids).groupby(links["driver"].to_numpy()).agg(", ".join)
    for d, text in joined.items():
        out[int(d)] = text
    return out


def value_at_risk_caused(
    frames: Frames, binding: np.ndarray, n_binding: np.ndarray, slippage_var: np.ndarray
) -> np.ndarray:
    """Per item: the slippage VaR of the drivers it binds, split evenly among tied enablers."""
    caused = np.zeros(len(frames.items))
    links = frames.links[binding]
    drv = links["driver"].to_numpy(np.int64)
    share = slippage_var[drv] / np.maximum(n_binding[drv], 1)
    np.add.at(caused, links["item"].to_numpy(np.int64), share)
    return caused


def slipping_items_table(data: ProgramData, frames: Frames, caused: np.ndarray) -> pd.DataFrame:
    """Workplan items with slip > 0, the most value at risk first."""
    items = frames.items
    rows = np.flatnonzero(items["slip"].to_numpy() > 0)
    h = frames.horizon
    source = items["late_source"].to_numpy()[rows]
    slip = items["slip"].to_numpy()[rows]
    enables = items["enables"].to_numpy(object)[rows]
    floor = from_ordinal(h.as_of + 1, h.period_type)
    records = []
    for n, i in enumerate(rows):
        w = data.workplan[i]
        late = {
            FROM_ACTUAL: w.actual_finish,
            FROM_FORECAST: w.forecast_finish,
            FROM_FLOOR: floor,
        }.get(int(source[n]), w.planned_finish)
        records.append(
            {
                "item_id": w.item_id,
                "item": w.item,
                "workstream_id": w.workstream_id,
                "type": w.item_type,
                "owner": w.owner,
                "planned_finish": w.planned_finish,
                "late_finish": late,
                "slip_periods": int(slip[n]),
                "enables": enables[n],
                "value_at_risk_caused": float(caused[i]),
            }
        )
    columns = [
        "item_id", "item", "workstream_id", "type", "owner", "planned_finish", "late_finish",
        "slip_periods", "enables", "value_at_risk_caused",
    ]  # fmt: skip
    table = pd.DataFrame(records, columns=columns)
    table = table.astype({"slip_periods": np.int64, "value_at_risk_caused": float})
    return table.sort_values(
        ["value_at_risk_caused", "slip_periods", "item_id"],
        ascending=[False, False, True],
        kind="stable",
    ).reset_index(drop=True)
