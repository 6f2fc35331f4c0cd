"""Helpers shared by the checks: the engine results a check needs, and how amounts are written."""

from __future__ import annotations

import math

from evr_xl.engine import Results, compute
from evr_xl.model.cellref import CellRef
from evr_xl.model.records import ProgramData


def results_of(data: ProgramData, results: Results | None) -> Results:
    """The engine results, computed once by run_checks and passed to every check."""
    return results if results is not None else compute(data)


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
