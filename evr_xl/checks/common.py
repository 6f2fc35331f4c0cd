"""Helpers shared by the checks: the engine results a check needs, and how amounts are written."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import repeat

import numpy as np

from evr_xl.engine import Results, compute
from evr_xl.engine.frames import Frames
from evr_xl.findings import CATALOGUE, Finding
from evr_xl.model.cellref import CellRef, unvalidated
from evr_xl.model.records import ProgramData

_FINDING = tuple(Finding.model_fields)  # code, severity, message, fix, cell
_GIVEN = set(_FINDING)  # finding() gives every field; shared, as frozen models never change it


def results_of(data: ProgramData, results: Results | None) -> Results:
    """The engine results, computed once by run_checks and passed to every check."""
    return results if results is not None else compute(data)


def findings(
    code: str | Sequence[str],
    messages: Sequence[str],
    cells: Sequence[CellRef | None],
    fixes: Sequence[str | None] | None = None,
) -> list[Finding]:
    """`finding(code, message, cell, fix)` for each message and cell, all made at once.

    `code` is one code for all or one per finding. A check can report a few thousand findings
    on a large programme; their fields are already of the right types (messages are text, cells
    CellRefs or None), so they are made without validation (see model.cellref.unvalidated),
    equal to the ones `finding` makes (tests/unit/test_checks_fast_paths.py).
    """
    n = len(messages)
    if (
        len(cells) != n
        or (fixes is not None and len(fixes) != n)
        or (not isinstance(code, str) and len(code) != n)
    ):
        raise ValueError("one message, one cell and one fix per finding")
    if isinstance(code, str):
        check = CATALOGUE[code]
        codes, severities, default = repeat(code, n), repeat(check.severity, n), repeat(check.fix)
    else:
        codes = code
        checks = list(map(CATALOGUE.__getitem__, code))
        severities = [c.severity for c in checks]
        default = [c.fix for c in checks]
    fix = default if fixes is None else map(_fix_or, fixes, default)
    rows = zip(codes, severities, messages, fix, cells, strict=False)  # lengths checked above
    return unvalidated(Finding, _FINDING, rows, _GIVEN)


def _fix_or(fix: str | None, default: str) -> str:
    return default if fix is None else fix


def last_enablers(
    f: Frames, finish: np.ndarray, *, first: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per driver with a non-cancelled enabling item: the one that finishes last by `finish` (a
    value per workplan item; on a tie the later link), or with `first` the one that finishes
    first (on a tie the earlier link). Returns (driver, item, finish), drivers ascending; drivers
    with no such item are left out."""
    live = ~f.links["cancelled"].to_numpy(bool)
    drv = f.links["driver"].to_numpy(np.int64)[live]
    item = f.links["item"].to_numpy(np.int64)[live]
    fin = finish[item]
    order = np.lexsort((fin, drv))  # by driver, then finish; stable, so ties keep link order
    grouped = drv[order]
    pick = np.ones(len(order), dtype=bool)
    if first:
        pick[1:] = grouped[1:] != grouped[:-1]
    else:
        pick[:-1] = grouped[1:] != grouped[:-1]
    chosen = order[pick]
    return drv[chosen], item[chosen], fin[chosen]


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
