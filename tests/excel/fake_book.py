"""A minimal stand-in for an xlwings Book: only what the live adapter calls, nothing more.

Cells live in a dict per sheet. `used_range` is their bounding box; writing a matrix to a range
stores it, with one piece of Excel behaviour imitated — a leading apostrophe is the quote prefix,
not part of the text. Everything else (fonts, `.api`) is recorded, not imitated: whether Excel
draws it right can only be seen in Excel (docs/excel.md lists what).
"""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from openpyxl.utils.cell import column_index_from_string

from evr_xl.workbook.grids import Grid


def _cell(address: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", address)
    assert m, address
    return int(m.group(2)), column_index_from_string(m.group(1))


class FakeRange:
    def __init__(self, sheet: FakeSheet, row: int, col: int, n_rows: int = 1, n_cols: int = 1):
        self.sheet, self.row, self.column = sheet, row, col
        self.n_rows, self.n_cols = n_rows, n_cols
        self.api = mock.MagicMock(name=f"Range({row},{col}).api")
        self.font = mock.MagicMock(name="font")

    def options(self, **_: Any) -> FakeRange:
        return self

    @property
    def value(self) -> list[list[Any]]:
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.column, self.column + self.n_cols)]
            for r in range(self.row, self.row + self.n_rows)
        ]

    @value.setter
    def value(self, values: Any) -> None:
        self.sheet.writes.append(((self.row, self.column), values))
        rows = values if isinstance(values, list) else [[values]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("'"):
                    v = v[1:]  # Excel keeps the apostrophe as the quote prefix, not as text
                self.sheet.cells[(self.row + i, self.column + j)] = None if v == "" else v

    def merge(self) -> None:
        self.sheet.merged.append((self.row, self.column))


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, cells: dict[tuple[int, int], Any]):
        self.book, self.name = book, name
        self.cells = {k: v for k, v in cells.items() if v is not None}
        self.writes: list[tuple[tuple[int, int], Any]] = []
        self.merged: list[tuple[int, int]] = []
        self.cleared = 0
        self.api = mock.MagicMock(name=f"Sheet({name}).api")

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        top, left = min(rows), min(cols)
        return FakeRange(self, top, left, max(rows) - top + 1, max(cols) - left + 1)

    def range(self, where: Any) -> FakeRange:
        if isinstance(where, tuple):
            return FakeRange(self, *where)
        first = where.split(",")[0].split(":")[0]
        return FakeRange(self, *_cell(first))

    def clear(self) -> None:
        self.cells.clear()
        self.cleared += 1

    def activate(self) -> None:
        pass


class FakeSheets(list[FakeSheet]):
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)

    def add(self, name: str, after: Any = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name, {})
        self.append(sheet)
        return sheet


class FakeBook:
    """A book of sheets built from grids (each grid's rows start at A1)."""

    def __init__(self, grids: dict[str, Grid], fullname: str = "Book.xlsx"):
        self.fullname = fullname
        self.name = fullname.replace("\\", "/").split("/")[-1]
        self.sheets = FakeSheets()
        self.sheets.book = self  # type: ignore[attr-defined]
        for name, grid in grids.items():
            cells = {
                (r, c): v
                for r, row in enumerate(grid.rows, start=1)
                for c, v in enumerate(row, start=1)
            }
            self.sheets.append(FakeSheet(self, name, cells))
        self.app = mock.MagicMock(name="app")
        self.app.screen_updating = True
        self.api = mock.MagicMock(name="book.api")
        self.api.Saved = True
