"""Grids: a sheet as plain cell values, the one shape every workbook source is turned into.

A file (python-calamine) and a live Excel book (xlwings) both become `dict[str, Grid]`; the reader
takes it from there, so the two paths cannot drift. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Raised by the package guards (evr_xl.xlsx.package) and by the reader alike; imported from here.
from evr_xl.xlsx.package import WorkbookError  # noqa: F401


@dataclass
class Grid:
    """The values of one sheet. ``rows[0][0]`` is cell A1; empty cells are None."""

    sheet: str
    rows: list[list[Any]] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        """The value at 1-based (row, col), None outside the grid."""
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def clean(value: Any) -> Any:
    """Empty strings (as some readers return for blank cells) become None."""
    if isinstance(value, str) and value == "":
        return None
    return value


def grid_from_rows(sheet: str, rows: list[list[Any]] | tuple[tuple[Any, ...], ...]) -> Grid:
    """A Grid from a list of rows starting at A1, with blanks normalised to None."""
    return Grid(sheet, [[clean(v) for v in r] for r in rows])
