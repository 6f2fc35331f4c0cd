"""udf_args.grid_for: a table argument's cells cleaned as clean_value cleans each one.

grid_for leaves texts and floats as they are without calling clean_value (a cold call of a
worksheet function cleans hundreds of thousands of cells); this pins that the result is the same,
and that it reports every cell holding a hash twin (the worksheet functions' cache checks those).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evr_xl.excel.udf_args import (
    CELL_ERRORS,
    as_rows,
    cell_at,
    cells_at,
    clean_value,
    grid_for,
    hash_twin,
)
from evr_xl.excel.udf_core import excel_column, excel_value
from evr_xl.workbook import layout as L

UTC = dt.timezone.utc
CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "VD-001", "#N/A", "0", "Open"]),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, -2.0, -0.5]),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.sampled_from(list(CELL_ERRORS)),
    st.booleans(),
    st.datetimes(timezones=st.sampled_from([None, UTC])),
    st.dates(),
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return (
        a == b and type(a) is type(b) and getattr(a, "tzinfo", None) == getattr(b, "tzinfo", None)
    )


@given(st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=8))
def test_grid_cells_are_clean_value_of_each_cell(rows: list[list[Any]]) -> None:
    grid = grid_for(L.ACTUALS, tuple(tuple(r) for r in rows))
    got = grid.rows[L.ACTUALS.header_row - 1 :]
    assert len(got) == len(rows)
    for row, cleaned in zip(rows, got, strict=True):
        assert len(cleaned) == len(row)
        for v, c in zip(row, cleaned, strict=True):
            assert _same(clean_value(v), c), (v, c)
    assert all(v is None or v != "" for r in got for v in r)  # blanks are None, as the reader wants


@given(
    st.one_of(
        st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=6),
        st.lists(CELLS, min_size=1, max_size=5),
        CELLS,
    )
)
def test_twins_are_every_cell_whose_hash_a_different_value_shares(value: Any) -> None:
    arg = (
        tuple(tuple(r) for r in value)
        if isinstance(value, list) and value and isinstance(value[0], list)
        else tuple(value)
        if isinstance(value, list)
        else value
    )
    twins: list[tuple[int, int, Any]] = []
    grid_for(L.ACTUALS, arg, twins)
    want = [
        (r, c, v) for r, row in enumerate(as_rows(arg)) for c, v in enumerate(row) if hash_twin(v)
    ]
    assert twins == want
    for r, c, v in twins:
        assert cell_at(arg, r, c) is v
    everywhere = [(r, c) for r, row in enumerate(as_rows(arg)) for c in range(len(row))]
    rows, columns = [r for r, _c in everywhere], [c for _r, c in everywhere]
    assert cells_at(arg, rows, columns) == [cell_at(arg, r, c) for r, c in everywhere]


def test_hash_twins_are_the_values_python_hashes_like_another() -> None:
    pairs = ((-1.0, -2.0), (-2.0, -1.0), (True, 1.0), (False, 0.0), (-2146826246, -2146826246.0))
    for twin, other in pairs:  # the last: #N/A as COM passes it, and the number it equals
        assert hash(twin) == hash(other)
        assert hash_twin(twin)
    # 0.0 and 1.0 are not noted (a table holds thousands): an edit from them to FALSE/TRUE is
    # the one hash-alike edit the cache does not see (docs/excel.md).
    assert not any(map(hash_twin, (0.0, 1.0, 0.5, 3.0, -3.0, "-1", None, dt.date(2026, 1, 1))))


@given(
    st.one_of(
        st.lists(st.floats(allow_nan=True, allow_infinity=True)),
        st.lists(st.one_of(st.text(max_size=4), st.booleans())),
        st.lists(st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=3))),
        st.lists(st.one_of(st.dates(), st.booleans(), st.floats(allow_nan=True))),
    )
)
def test_excel_column_is_excel_value_of_each_value(values: list[Any]) -> None:

    got = excel_column(list(values))
    assert len(got) == len(values)
    for v, c in zip(values, got, strict=True):
        assert _same(excel_value(v), c), (v, c)
