"""TableRecords: a table's records as read, each made when it is first asked for.

The reader parses a table column by column. On a large programme making every record (one
pydantic object and one row address per row) costs more than everything the engine and the
checks do with them, and they mostly need the columns (`values`) plus the few records a finding
points at. So a table's records are a Sequence that keeps the columns and makes a record on
first access (`data.workplan[i]`), or all of them on first iteration. A record made here equals
the one made eagerly (tests/unit/test_table_records.py); the same object is returned each time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import repeat, starmap
from operator import itemgetter
from typing import Any, overload

from evr_xl.model.cellref import CellRef, cell_at, cells_at, unvalidated, unvalidated_one


class TableRecords(Sequence[Any]):
    """The records of one table, in reading order, made on demand from the parsed columns."""

    __slots__ = (
        "_kind",
        "_names",
        "_values",
        "_constants",
        "_factories",
        "_sheet",
        "_rows",
        "_columns",
        "_given",
        "_made",
        "_all",
    )

    def __init__(
        self,
        kind: type,
        names: tuple[str, ...],
        values: dict[str, list[Any]],
        constants: dict[str, Any],
        factories: dict[str, Any],
        sheet: str,
        rows: list[int],
        columns: dict[str, int],
        given: set[str],
        made: dict[int, Any] | None = None,
    ) -> None:
        """`names`: every field of `kind`, in declaration order. Each field other than ref and
        columns is in exactly one of `values` (its value per record), `constants` (the same for
        all: a default) or `factories` (a new default per record). `rows`: each record's sheet
        row (its `ref` is column A of it). `made`: records already made, by position (rows the
        reader had pydantic validate)."""
        self._kind, self._names = kind, names
        self._values, self._constants, self._factories = values, constants, factories
        self._sheet, self._rows, self._columns, self._given = sheet, rows, columns, given
        self._made: dict[int, Any] = dict(made or {})
        self._all: tuple[Any, ...] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return tuple(self)[index]
        n = len(self._rows)
        if not -n <= index < n:
            raise IndexError("record index out of range")
        index %= n
        record = self._made.get(index)
        if record is None:
            record = self._made[index] = self._make_one(index)
        return record

    def __iter__(self) -> Iterator[Any]:
        if self._all is None:
            todo = [i for i in range(len(self._rows)) if i not in self._made]
            self._made.update(zip(todo, self._make(todo), strict=True))
            self._all = tuple(self._made[i] for i in range(len(self._rows)))
            self._made = {}
        return iter(self._all)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TableRecords | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a tuple of records: not hashable

    def __repr__(self) -> str:
        return f"TableRecords({self._kind.__name__}, {len(self)} records)"

    def field_values(self, *names: str) -> list[list[Any]]:
        """One list per named field: its value in each record, in order, without the records.

        A list may be the table's own column (no copy: reading a fresh column once more costs,
        on a large programme): read it, never change it."""
        if self._all is not None or any(
            n not in self._values and n not in self._constants for n in names
        ):
            return fields(tuple(self), *names)  # made already, or ref/columns/a factory asked for
        if not self._made:
            return [
                self._values[name] if name in self._values else [self._constants[name]] * len(self)
                for name in names
            ]
        out = []
        for name in names:
            column = self._values.get(name)
            out.append(list(column) if column is not None else [self._constants[name]] * len(self))
        for i, record in self._made.items():  # validated rows: their values as pydantic made them
            for name, column in zip(names, out, strict=True):
                column[i] = vars(record)[name]
        return out

    def field_values_at(self, positions: Sequence[int], *names: str) -> list[list[Any]]:
        """`field_values` of the records at these positions only (no record made)."""
        if self._all is not None or any(
            n not in self._values and n not in self._constants for n in names
        ):
            return fields([self[i] for i in positions], *names)
        out = []
        for name in names:
            column = self._values.get(name)
            if column is not None:
                out.append(list(map(column.__getitem__, positions)))
            else:
                out.append([self._constants[name]] * len(positions))
        if self._made:  # validated rows: their values as pydantic made them
            made = self._made
            for j, i in enumerate(positions):
                record = made.get(i % len(self._rows))
                if record is not None:
                    for name, column in zip(names, out, strict=True):
                        column[j] = vars(record)[name]
        return out

    def cell_refs(self, positions: Sequence[int], key: str) -> list[CellRef | None]:
        """`record.cell(key)` of the records at these positions, without making them.

        A record made here has no `cells` of its own and its `ref` is column A of its row, so
        its cell(key) is its row's cell in `columns[key]` (column A when the table has no column
        for `key`). Records made already (validated rows) are asked.
        """
        if self._all is not None or self._factories.get("cells") is not dict:
            return [self[i].cell(key) for i in positions]
        col = self._columns.get(key)
        rows, made, sheet = self._rows, self._made, self._sheet
        col = 1 if col is None else col
        if not made:
            return cells_at(sheet, list(map(rows.__getitem__, positions)), col)
        out = []
        for i in positions:
            record = made.get(i % len(rows))
            out.append(cell_at(sheet, rows[i], col) if record is None else record.cell(key))
        return out

    def _make_one(self, i: int) -> Any:
        """The record at position i (the checks ask for a few thousand, one at a time)."""
        values, fields = self._values, {}
        for name in self._names:
            column = values.get(name)
            if column is not None:
                fields[name] = column[i]
            elif name == "ref":
                fields[name] = cell_at(self._sheet, self._rows[i], 1)
            elif name == "columns":
                fields[name] = self._columns
            elif name in self._factories:
                fields[name] = self._factories[name]()
            else:
                fields[name] = self._constants[name]
        return unvalidated_one(self._kind, fields, self._given)

    def _make(self, positions: list[int]) -> list[Any]:
        """The records at these positions (C loops; see model.cellref.unvalidated)."""
        n = len(positions)
        sources: list[Any] = []
        for name in self._names:
            if name == "ref":
                sources.append(cells_at(self._sheet, [self._rows[i] for i in positions], 1))
            elif name == "columns":
                sources.append(repeat(self._columns))
            elif name in self._values:
                sources.append(list(map(self._values[name].__getitem__, positions)))
            elif name in self._factories:
                sources.append(starmap(self._factories[name], repeat((), n)))
            else:
                sources.append(repeat(self._constants[name]))
        return unvalidated(self._kind, self._names, zip(*sources, strict=False), self._given)


def fields_at(records: Sequence[Any], positions: Sequence[int], *names: str) -> list[list[Any]]:
    """`fields` of the records at these positions (TableRecords make none of them)."""
    if isinstance(records, TableRecords):
        return records.field_values_at(positions, *names)
    return fields([records[i] for i in positions], *names)


def cells(records: Sequence[Any], positions: Sequence[int], key: str) -> list[CellRef | None]:
    """`record.cell(key)` of the records at these positions (TableRecords make none of them)."""
    if isinstance(records, TableRecords):
        return records.cell_refs(positions, key)
    return [records[i].cell(key) for i in positions]


def fields(records: Sequence[Any], *names: str) -> list[list[Any]]:
    """The named fields of every record: one list of values per name, in record order. Read
    the lists, never change them (a TableRecords gives its own columns).

    TableRecords give their columns (no record made). Other records are read from each one's
    __dict__, where pydantic keeps the field values, by C loops (map): `record.field` misses
    Python's quick attribute path on a model (BaseModel defines __getattr__), which shows on tens
    of thousands of records. No tuple per record either: so many new objects would set off the
    garbage collector.
    """
    if isinstance(records, TableRecords):
        return records.field_values(*names)
    dicts = list(map(vars, records))
    return [list(map(itemgetter(name), dicts)) for name in names]
