"""CellRef: where a value was read from (sheet, row, column), rendered as Sheet!C12."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from pydantic import BaseModel, ConfigDict


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class CellRef(BaseModel):
    """A cell address. `col` 0 means the whole row; `row` 0 means the sheet itself."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int = 0
    col: int = 0

    @property
    def coordinate(self) -> str:
        if self.row and self.col:
            return f"{column_letter(self.col)}{self.row}"
        if self.row:
            return f"{self.row}:{self.row}"
        return ""

    @property
    def a1(self) -> str:
        """Sheet!C12, the way a user reads it."""
        coord = self.coordinate
        return f"{self.sheet}!{coord}" if coord else self.sheet

    @property
    def excel_ref(self) -> str:
        """'Sheet name'!C12, quoted for use in a formula or hyperlink."""
        sheet = "'" + self.sheet.replace("'", "''") + "'"
        return f"{sheet}!{self.coordinate or 'A1'}"

    def at(self, col: int) -> CellRef:
        return CellRef(sheet=self.sheet, row=self.row, col=col)

    def __str__(self) -> str:
        return self.a1


_new = object.__new__
_set = object.__setattr__


def unvalidated(
    kind: type[BaseModel], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]], given: set[str]
) -> list[Any]:
    """Frozen pydantic models from rows of values already of their fields' types, unvalidated.

    Each ``__dict__`` is ``dict(zip(names, row))`` (`names`: every field, in declaration order,
    as pydantic fills it); all share `given` as their fields-set (frozen models never change it;
    model_copy copies it first). Built in C loops (map), not one Python step per object: the
    reader makes tens of thousands of records and cell addresses from a large programme.
    Equal to validated ones (tests/bench/test_reader_fast_path.py).
    """
    dicts = list(map(dict, map(zip, repeat(names), rows)))
    n = len(dicts)
    made = list(map(_new, repeat(kind, n)))
    for attr, values in (
        ("__dict__", dicts),
        ("__pydantic_fields_set__", repeat(given, n)),
        ("__pydantic_extra__", repeat(None, n)),
        ("__pydantic_private__", repeat(None, n)),
    ):
        deque(map(_set, made, repeat(attr), values), maxlen=0)
    return made


def unvalidated_one(kind: type[BaseModel], fields: dict[str, Any], given: set[str]) -> Any:
    """One model as `unvalidated` makes it, from its ``__dict__`` (every field, in order)."""
    made = _new(kind)
    _set(made, "__dict__", fields)
    _set(made, "__pydantic_fields_set__", given)
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


_CELL = ("sheet", "row", "col")
_FIELDS = set(_CELL)  # shared: pydantic copies it before any change


def cell_at(sheet: str, row: int, col: int) -> CellRef:
    """CellRef(sheet=sheet, row=row, col=col) without validation, for callers whose types are right.

    Equal to the validated one (tests/bench/test_reader_fast_path.py); a large programme has
    tens of thousands of rows, and validating each address would show in reading it.
    """
    ref = _new(CellRef)
    _set(ref, "__dict__", {"sheet": sheet, "row": row, "col": col})
    _set(ref, "__pydantic_fields_set__", _FIELDS)
    _set(ref, "__pydantic_extra__", None)
    _set(ref, "__pydantic_private__", None)
    return ref


def cells_at(sheet: str, rows: list[int], col: int) -> list[CellRef]:
    """cell_at for many rows of one column."""
    return unvalidated(CellRef, _CELL, zip(repeat(sheet), rows, repeat(col)), _FIELDS)
