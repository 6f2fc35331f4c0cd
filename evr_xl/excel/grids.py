"""A live xlwings Book -> grids: the one step of the live path that differs from reading a file.

Each sheet's used range is read in one call (``sheet.used_range``) and placed at its true position,
padded with empty rows and columns before its top-left cell, so ``rows[0][0]`` is A1 and every
CellRef the reader makes names the cell the user sees. Error cells come back as their text
(``#N/A``), so the reader reports them instead of reading a blank. From here on the live path and
the file path share the reader, the engine and the checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evr_xl.outputs.history import LEGACY_SHEET
from evr_xl.outputs.history import SHEET as SNAPSHOTS
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import Grid, grid_from_rows

# What a refresh needs: the input sheets and the Snapshots it appends to (or the History sheet
# that held them before 2026-12, which the refresh renames to Snapshots).
READ_SHEETS: tuple[str, ...] = (*(t.sheet for t in L.INPUT_TABLES), SNAPSHOTS, LEGACY_SHEET)


def sheet_grid(sheet: Any) -> Grid:
    """One xlwings Sheet as a Grid positioned at A1."""
    used = sheet.used_range
    values = used.options(ndim=2, err_to_str=True).value
    return grid_from_rows(sheet.name, positioned(values, used.row, used.column))


def positioned(values: list[list[Any]] | None, top: int, left: int) -> list[list[Any]]:
    """Rows of a block whose top-left cell is (top, left), padded so that row 1 column 1 is A1."""
    rows: list[list[Any]] = [[] for _ in range(top - 1)]
    pad = [None] * (left - 1)
    rows.extend(pad + list(r) for r in values or [])
    return rows


def book_grids(book: Any, sheets: Iterable[str] | None = READ_SHEETS) -> dict[str, Grid]:
    """The grids of a live book: the named sheets (case-insensitive) that exist, or all of them."""
    wanted = None if sheets is None else {s.strip().lower() for s in sheets}
    grids: dict[str, Grid] = {}
    for sheet in book.sheets:
        if wanted is None or sheet.name.strip().lower() in wanted:
            grids[sheet.name] = sheet_grid(sheet)
    return grids
