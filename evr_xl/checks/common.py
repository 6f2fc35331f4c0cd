"""Helpers shared by the checks: the engine results a check needs, and how amounts are written."""

from __future__ import annotations

import math

import numpy as np

from evr_xl.engine import Results, compute
from evr_xl.engine.frames import Frames
from evr_xl.model.cellref import CellRef
from evr_xl.model.records import ProgramData


def results_of(data: ProgramData, results: Results | None) -> Results:
    """The engine results, computed once by run_checks and passed to every check."""
    return results if results is not None else compute(data)


def last_enablers(f: Frames, finish: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per driver with a non-cancelled enabling item: the one that finishes last by `finish` (a
    value per workplan item; on a tie the later link). Returns (driver, item, finish), drivers
    ascending; drivers with no such item are left out."""
    live = ~f.links["cancelled"].to_numpy(bool)
    drv = f.links["driver"].to_numpy(np.int64)[live]
    item = f.links["item"].to_numpy(np.int64)[live]
    fin = finish[item]
    order = np.lexsort((fin, drv))  # by driver, then finish; stable, so ties keep link order
    grouped = drv[order]
    is_last = np.ones(len(order), dtype=bool)
    is_last[:-1] = grouped[1:] != grouped[:-1]
    last = order[is_last]
    return drv[last], item[last], fin[last]


def money(value: float, currency: str) -> str:
    """1234567.8 -> 'USD 1,234,568'."""
    if not math.isfinite(value):
        return f"{currency} -"
    return f"{currency} {value:,.0f}"


def pct(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.0%}"


def where(cell: CellRef | None) -> str:
    """' (Value Drivers!A8)' to name another row in a message, or '' when unknown."""
    return f" ({cell.a1})" if cell is not None and cell.row else ""
