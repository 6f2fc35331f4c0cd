"""The checks and the engine read TableRecords by columns (model.table.fields_at and cells), and
the checks make their findings in bulk (checks.common.findings). These are speed-ups only: on any
programme they give exactly what reading each made record and `finding` one by one give,
including rows a table holds already made (the rows the reader had pydantic validate, whose
column values may be raw and whose record may have cells of its own).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_engine_properties import RELAXED, programs

from evr_xl.checks import run_checks
from evr_xl.checks.common import findings
from evr_xl.engine import compute
from evr_xl.engine.frames import bools, floats, key, keys, shared_keys
from evr_xl.findings import CATALOGUE, finding
from evr_xl.model import CellRef, ProgramData
from evr_xl.model.records import TABLE_FIELDS
from evr_xl.model.table import TableRecords, cells, fields, fields_at

RAW = object()  # a column value as the reader left it, before pydantic validated the row


def as_table(records: tuple[Any, ...], sheet: str, made: set[int]) -> TableRecords:
    """`records` as the reader would hold them: columns, plus the rows in `made` already made
    (their column values raw, their records with a cell of their own)."""
    if not records:
        return TableRecords(type(None), (), {}, {}, {}, sheet, [], {}, set())
    kind = type(records[0])
    names = tuple(kind.model_fields)
    own = [n for n in names if n not in ("ref", "cells", "columns")]
    columns = {n: j + 1 for j, n in enumerate(own)}
    rows = [5 + i for i in range(len(records))]
    values = {n: [vars(r)[n] for r in records] for n in own}
    ready = {}
    for i in made:
        for n in own:
            values[n][i] = RAW
        ready[i] = records[i].model_copy(
            update={
                "ref": CellRef(sheet=sheet, row=rows[i], col=1),
                "columns": columns,
                "cells": {own[0]: CellRef(sheet=sheet, row=rows[i], col=40)},
            }
        )
    given_ = {"ref", "columns", *own}
    return TableRecords(
        kind, names, values, {}, {"cells": dict}, sheet, rows, columns, given_, ready
    )


def _tables(data: ProgramData, made: list[int]) -> ProgramData:
    """The programme's tables as TableRecords, the rows at `made` (mod each length) made."""
    update = {}
    for name in TABLE_FIELDS:
        records = tuple(getattr(data, name))
        picked = {i % len(records) for i in made} if records else set()
        update[name] = as_table(records, name, picked)
    return data.model_copy(update=update)


def _eager(data: ProgramData) -> ProgramData:
    return data.model_copy(update={name: tuple(getattr(data, name)) for name in TABLE_FIELDS})


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@RELAXED
@given(programs(), st.lists(st.integers(0, 20), max_size=3))
def test_checks_and_engine_on_columns_equal_them_on_made_records(
    data: ProgramData, made: list[int]
) -> None:
    tables = _tables(data, made)
    eager = _eager(_tables(data, made))  # every record made, the same ones
    assert run_checks(tables) == run_checks(eager)
    a, b = compute(_tables(data, made)), compute(eager)
    for name in ("drivers", "plan", "forecast", "actual", "workstreams", "slipping_items"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.columns.equals(y.columns) and x.index.equals(y.index) and x.dtypes.equals(y.dtypes)
        for column in x.columns:
            assert all(map(_same, x[column].tolist(), y[column].tolist())), (name, column)


@RELAXED
@given(programs(), st.lists(st.integers(0, 20), max_size=3), st.data())
def test_fields_at_and_cells_are_those_of_the_records(
    data: ProgramData, made: list[int], draw: st.DataObject
) -> None:
    for name in TABLE_FIELDS:
        table = getattr(_tables(data, made), name)
        if not len(table):
            continue
        positions = draw.draw(st.lists(st.integers(-len(table), len(table) - 1), max_size=8))
        kind = type(table[0])
        names = [n for n in kind.model_fields if n not in ("ref", "cells", "columns")]
        fresh = getattr(_tables(data, made), name)  # nothing made but the ready rows
        want = [[getattr(table[i], n) for i in positions] for n in names]
        assert fields_at(fresh, positions, *names) == want
        assert fields_at(tuple(table), positions, *names) == want
        for n in (*names, "nothing"):
            assert cells(fresh, positions, n) == [table[i].cell(n) for i in positions], n
        assert len(fresh._made) == len({i % len(table) for i in made})  # no record was made
        assert fields(fresh, *names) == [[getattr(r, n) for r in table] for n in names]


def test_bulk_findings_equal_findings_made_one_by_one() -> None:
    cell = CellRef(sheet="Actuals", row=7, col=3)
    codes = ["AC003", "TR007", "TR012", "ST001", "ST002"]
    messages = [f"message {i}" for i in range(5)]
    where = [cell, None, cell, CellRef(sheet="Value Drivers", row=9, col=1), None]
    fixes = [None, "Fill it.", None, "", None]
    bulk = findings(codes, messages, where, fixes)
    one = [finding(c, m, w, f) for c, m, w, f in zip(codes, messages, where, fixes, strict=True)]
    assert bulk == one
    for a, b in zip(bulk, one, strict=True):
        assert a.model_fields_set == b.model_fields_set and vars(a) == vars(b)
        assert a.severity is CATALOGUE[a.code].severity and a.render() == b.render()
    assert findings("AC003", messages[:2], where[:2]) == [
        finding("AC003", m, w) for m, w in zip(messages[:2], where[:2], strict=True)
    ]
    assert findings("AC003", [], []) == []
    with pytest.raises(ValueError):
        findings("AC003", messages, where[:2])


def test_column_conversions_are_the_plain_ones() -> None:
    flags = [True, False, False, True]
    assert bools(flags).tolist() == flags and bools([]).dtype == bool
    for odd in ([True, None], [2, 0, 1], [1.0, 0.0], [np.True_, False]):
        assert bools(odd).tolist() == np.array(odd, dtype=bool).tolist()
    values = [None, 1.5, -0.0, math.inf, -math.inf, math.nan, 0.0, 3, True, 1e308]
    want = [math.nan if v is None else float(v) for v in values]
    got = floats(values).tolist()
    assert all(
        (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(got, want, strict=True)
    )
    ids = ["WS-1", " ws-1 ", None, "Straße", "STRASSE", "", "WS-1", None, "\tİx"]
    assert shared_keys(ids) == [key(v) for v in ids] == keys(ids)
    mixed = [1, True, 1.0, "1", None]  # equal values that key differently
    assert shared_keys(mixed) == [key(v) for v in mixed]
