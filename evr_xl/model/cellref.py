"""CellRef: where a value was read from (sheet, row, column), rendered as Sheet!C12."""

from __future__ import annotations

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
_FIELDS = {"sheet", "row", "col"}  # shared: pydantic copies it before any change


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
