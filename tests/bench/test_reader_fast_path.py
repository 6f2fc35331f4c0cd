"""The reader's fast paths give exactly what the full parsers and pydantic validation give.

cells.fast_parser handles the common clean cells and hands everything else (SLOW) to the full
parser, cells.fast_column maps it over a column (once per distinct value where that is safe);
reader.build_records builds records without validation (model.cellref.unvalidated). Both are speed-ups only
(docs/performance.md): these tests pin that values, types and problems are unchanged.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

from evr_xl.model import CellRef, WorkItem
from evr_xl.model.cellref import cells_at, unvalidated
from evr_xl.workbook import cells as P
from evr_xl.workbook import layout as L
from evr_xl.workbook.tables import TableRead, _spec, build_records, cell_ref, parse_cell

VALUES = [
    None, "", " ", "abc", " abc ", "#N/A", " #REF! ", "#ref!", "#hashtag", "x" * 40_000, " vd-001 ",
    "VD-001, VD-002", "a;b", "a\nb", "\tq", "Yes", "yes", "Y", "no", "No ", "true", "1", "0",
    "x", True, False, 0, 1, 2, 1.0, 0.5, 45.0, -3.0, float("nan"), float("inf"), 10**20,
    datetime(2026, 3, 5, 12), date(2026, 3, 5), "2026-03", "$1,200", "Cost synergy",
    "cost synergy", "Cost  synergy", "Linear", "S-curve", "L3", "Open", "Complete", "One-off",
]  # fmt: skip


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b and type(a) is type(b)


def test_fast_parsers_agree_with_the_full_parsers() -> None:
    for column in (c for t in L.INPUT_TABLES for c in t.columns):
        fast = P.fast_parser(column.kind.name, column.choices)
        for v in VALUES:
            want = parse_cell(column, v)
            got = fast(v)
            got = parse_cell(column, v) if got is P.SLOW else (got, None)
            assert _same(want[0], got[0]) and want[1] == got[1], (column.key, v, want, got)


def test_unvalidated_records_equal_validated_ones() -> None:
    ref = cell_ref("Workplan", 5, 1)
    assert ref == CellRef(sheet="Workplan", row=5, col=1)
    assert ref.model_fields_set == CellRef(sheet="Workplan", row=5, col=1).model_fields_set
    assert cells_at("Workplan", [5, 6], 1) == [ref, CellRef(sheet="Workplan", row=6, col=1)]
    values = {
        "ref": ref,
        "cells": {"item_id": ref, "planned_finish": cell_ref("Workplan", 5, 7)},
        "item_id": "WP-1",
        "workstream_id": "WS-1",
        "item": "Step",
        "planned_finish": date(2026, 3, 31),
        "enables": ("VD-001",),
    }
    slow = WorkItem(**values)
    names = _spec(WorkItem).names
    (fast,) = unvalidated(WorkItem, names, [tuple(slow.__dict__[k] for k in names)], set(values))
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert list(fast.__dict__) == list(slow.__dict__)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_copy(update={"status": "Complete"}).status == "Complete"
    assert fast.model_fields_set == set(values)  # model_copy copied the shared set


def test_built_records_equal_validated_ones_with_defaults_and_odd_rows() -> None:
    """build_records: defaults for blanks, factories, rows the model cannot take (RD013)."""
    columns = {"item_id": 1, "workstream_id": 2, "item": 3, "planned_finish": 4, "enables": 5}
    read = TableRead(
        sheet="Workplan",
        first=5,
        size=4,
        columns=columns,
        values={
            "item_id": ["WP-1", "WP-2", None, "WP-4"],
            "workstream_id": ["WS-1", "WS-1", "WS-2", None],
            "item": ["Step", "Next", None, "Last"],
            "planned_finish": [date(2026, 3, 1), None, None, date(2026, 5, 1)],
            "enables": [("VD-001",), None, None, None],
        },
        rows=[0, 1, 3],  # row 2 is blank
        missing={},
    )
    findings: list = []
    got = build_records(WorkItem, read, findings)
    # WP-2 lacks a planned finish and WP-4 a workstream: the model requires both, the table
    # (here) said nothing, so pydantic decides: RD013 for each, in reading order.
    assert [r.item_id for r in got] == ["WP-1"]
    assert [f.code for f in findings] == ["RD013", "RD013"]
    assert [f.cell.a1 for f in findings] == ["Workplan!D6", "Workplan!B8"]
    want = WorkItem(
        ref=CellRef(sheet="Workplan", row=5, col=1),
        columns=columns,
        item_id="WP-1",
        workstream_id="WS-1",
        item="Step",
        planned_finish=date(2026, 3, 1),
        enables=("VD-001",),
    )
    assert got[0] == want and list(got[0].__dict__) == list(want.__dict__)
    assert got[0].status is None and got[0].item_type == "Task" and got[0].cells == {}
    read.values["enables"] = [None] * 4
    (blank_enables,) = build_records(WorkItem, read, [])
    assert blank_enables.enables == ()  # the model's default for a blank


def test_fast_column_equals_the_parser_mapped() -> None:
    mixed = [*VALUES, *VALUES, 1, 1.0, True, -0.0, 0.0, "VD-001", "VD-001"]
    columns = {
        "mixed": mixed,
        "ids": ["VD-001", " vd-002 ", None, "VD-001", "#N/A", "VD-001", None, None],
        "floats": [1.5, None, 2.0, -0.0, 3.25, None],
        "inf": [1.0, float("inf"), None, 2.0],
        "numbers and bools": [1, True, 1.0, 0, False, 1, 1, 1],
        "dates": [datetime(2026, 3, 5), None, datetime(2026, 3, 5), date(2026, 3, 5)] * 3,
        # distinct texts: parsed in C loops (cells._texts) unless a cell needs the per-cell path
        "unique texts": ["Alpha  beta", "gamma", None, "", "d-4 ", "e\tf", "wp-7", "Ünïcode"],
        "unique texts, one error": ["a", "b", "#N/A", "c", None],
        "unique texts, one leading space": ["a", " b", "c", None],
        "unique texts, one too long": ["a", "x" * 40_000, "c"],
    }
    for column in (c for t in L.INPUT_TABLES for c in t.columns):
        fast = P.fast_parser(column.kind.name, column.choices)
        for name, cells in columns.items():
            want = list(map(fast, cells))
            got = P.fast_column(column.kind.name, column.choices, cells)
            assert len(got) == len(want)
            for w, g in zip(want, got, strict=True):
                assert g is w or _same(w, g), (column.key, name, w, g)


def test_records_share_their_table_columns_and_name_each_cell(tmp_path: Path) -> None:
    """Record.columns is one dict per table; cell(key) is the CellRef the field was read from."""
    from evr_xl.demo import write_demo
    from evr_xl.workbook.files import read_program

    data, _ = read_program(write_demo(tmp_path).path)
    assert data is not None
    for records in (data.drivers, data.workplan, data.actuals, data.risks):
        first = records[0]
        assert all(r.columns is first.columns for r in records)
        assert first.cells == {}
        for r in records[:50]:
            assert r.ref is not None and r.ref.col == 1
            for key, col in r.columns.items():
                assert r.cell(key) == CellRef(sheet=r.ref.sheet, row=r.ref.row, col=col)
            assert r.cell("no such field") == r.ref


def test_cell_prefers_given_cells_then_columns_then_the_row() -> None:
    ref = CellRef(sheet="Workplan", row=9, col=1)
    given = CellRef(sheet="Program", row=3, col=2)
    item = WorkItem(
        ref=ref,
        cells={"item": given},
        columns={"item": 4, "item_id": 1, "planned_finish": 7},
        item_id="WP-1",
        workstream_id="WS-1",
        item="Step",
        planned_finish=date(2026, 3, 31),
    )
    assert item.cell("item") == given
    assert item.cell("item_id") == ref
    assert item.cell("planned_finish") == CellRef(sheet="Workplan", row=9, col=7)
    assert item.cell("owner") == ref
    assert WorkItem(**{**item.__dict__, "ref": None}).cell("planned_finish") is None


def test_counted_rows_are_those_with_any_non_blank_cell() -> None:
    # reader._counted marks rows from the first column in C loops and looks only at the rows it
    # leaves blank in the others; _blank_texts finds spaces-only texts among distinct values.
    from itertools import product

    from evr_xl.workbook.tables import _blank_texts, _counted

    cells = [None, "", " ", "\t\n", " x ", "x", 0, 0.0, False, "#N/A", "\u3000"]
    rows = [list(r) for r in product(cells, cells[:4] + ["y", 1.5], [None, " ", "z"])]
    columns = [list(c) for c in zip(*rows, strict=True)]
    want = [any(v is not None and (not isinstance(v, str) or v.strip()) for v in r) for r in rows]
    assert _counted(columns, len(rows)) == want
    assert _counted([], 3) == [False, False, False]
    assert _blank_texts(cells) == {"", " ", "\t\n", "\u3000"}
    assert _blank_texts([[1], " ", None]) == {" "}  # an unhashable value: checked one by one
