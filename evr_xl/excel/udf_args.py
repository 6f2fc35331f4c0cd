"""Excel-shaped worksheet-function arguments -> plain Python values and grids.

The worksheet functions take their tables "raw" (xlwings' ``raw`` converter): the values exactly as
COM hands them over, a tuple of row tuples. That keeps a cached call cheap (no per-cell conversion
before the cache is consulted) and keeps error cells visible: COM passes ``#N/A`` as an integer
error code, which is turned back into its text here so the reader reports "the cell holds the
error #N/A" instead of reading a number. Only on a cache miss are the rows cleaned.

Cell addresses: a table argument such as ``tblValueDrivers[#All]`` carries no address, so its
header row is placed where the template puts it (column A, row ``Table.header_row``). Findings
then name the cell a user sees in a workbook made from the template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from operator import getitem
from typing import Any

from evr_xl.model.periods import parse_period
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import Grid

# COM's error codes for cell errors (as xlwings' Windows engine lists them).
CELL_ERRORS: dict[int, str] = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_DATES = (1.0, 2_958_465.0)  # 1900-01-00 .. 9999-12-31 as Excel serial numbers

Rows = tuple[tuple[Any, ...], ...]


def as_rows(value: Any) -> Rows:
    """Any argument shape (None, a scalar, one row, rows) as a tuple of row tuples."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        return ((value,),)
    if not value:
        return ()
    if not isinstance(value[0], list | tuple):
        return (tuple(value),)
    return tuple(tuple(r) for r in value)


def clean_value(value: Any) -> Any:
    """One raw COM value as the reader expects it: naive datetimes, error text, None for blanks."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return CELL_ERRORS.get(value, float(value))
    if isinstance(value, dt.datetime):
        # pywin32's TimeType is a tz-aware datetime subclass; Excel dates have no time zone.
        return dt.datetime(
            value.year, value.month, value.day, value.hour, value.minute, value.second
        )
    return value


def grid_for(table: L.Table, value: Any, twins: list[tuple[int, int, Any]] | None = None) -> Grid:
    """A table argument (header row first) as the grid of its sheet, at the template's position.

    Texts (but the empty one) and non-negative floats, most cells of a table, stay as they are
    without a call of clean_value each: a cold call of a worksheet function cleans hundreds of
    thousands. `twins`, when given, receives (row, column, value) of each cell whose value is a
    `hash_twin`, the row and column counted as `cell_at` counts them.
    """
    raw = as_rows(value)
    noted = False

    def clean(v: Any) -> Any:
        nonlocal noted
        if v is None:
            return None
        if type(v) in _NUMBER_KINDS and hash_twin(v):
            noted = True
        return clean_value(v)

    rows = [
        [v if (type(v) is str and v) or (type(v) is float and v > -0.5) else clean(v) for v in row]
        for row in raw
    ]
    if noted and twins is not None:
        twins.extend(
            (r, c, v) for r, row in enumerate(raw) for c, v in enumerate(row) if hash_twin(v)
        )
    padding: list[list[Any]] = [[] for _ in range(table.header_row - 1)] if rows else []
    return Grid(table.sheet, padding + rows)


_NUMBER_KINDS = frozenset({bool, int, float})


def hash_twin(value: Any) -> bool:
    """Whether Python hashes `value` like a different value that a cell could hold instead.

    CPython hashes -1 and -2 alike (-1 is reserved for errors), and equal numbers of different
    types alike: True, 1 and 1.0; False, 0 and 0.0; an error code and the number it equals. The
    worksheet functions' cache is keyed on the hash of their arguments, so on a repeat call it
    also checks the kind and value of the cells that held such a value (udf_core.Twins).
    """
    kind = type(value)
    return kind is bool or kind is int or (kind is float and (value == -1.0 or value == -2.0))


def cell_at(value: Any, row: int, column: int) -> Any:
    """The cell of an argument at `as_rows(value)[row][column]`, without making those rows."""
    if not isinstance(value, list | tuple):
        return value
    if value and isinstance(value[0], list | tuple):
        return value[row][column]
    return value[column]


def cells_at(value: Any, rows: Sequence[int], columns: Sequence[int]) -> list[Any]:
    """`cell_at` of each (row, column) pair; for rows of cells, as COM passes a table, in C."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple):
        return list(map(getitem, map(value.__getitem__, rows), columns))
    return [cell_at(value, r, c) for r, c in zip(rows, columns, strict=True)]


def serial_to_datetime(value: float) -> dt.datetime:
    """An Excel serial date number (as DATE() passes it inline) -> a datetime."""
    return EXCEL_EPOCH + dt.timedelta(days=value)


def period_arg(value: Any) -> tuple[dt.date | None, str | None]:
    """A period argument -> (first day of the period, None) or (None, a short problem).

    Accepts a date cell, a date typed inline (=DATE(2026,3,1) arrives as a serial number), or text
    such as 2026-03 / 2026-Q1. A blank gives (None, None).
    """
    value = clean_value(value[0][0] if isinstance(value, list | tuple) and value else value)
    if value is None:
        return None, None
    if isinstance(value, float) and not isinstance(value, bool):
        if math.isfinite(value) and SERIAL_DATES[0] <= value <= SERIAL_DATES[1]:
            value = serial_to_datetime(value)
        else:
            return None, f"{value:g} is not a period"
    period = parse_period(value)
    if period is None:
        return None, f"'{value}' is not a period (type 2026-03, 2026-Q1 or a date)"
    return period, None


def text_arg(value: Any) -> str:
    """A text argument (an ID, a metric name): trimmed; numbers without a trailing .0."""
    value = clean_value(value[0][0] if isinstance(value, list | tuple) and value else value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
