"""TableRecords: records made when asked for equal the records the reader made before, eagerly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evr_xl.demo import write_demo
from evr_xl.engine.frames import fields
from evr_xl.model import CellRef, WorkItem
from evr_xl.model.records import TABLE_FIELDS
from evr_xl.model.table import TableRecords
from evr_xl.workbook.files import read_program
from evr_xl.workbook.tables import TableRead, build_records


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo")).path


def _read() -> TableRead:
    return TableRead(
        sheet="Workplan",
        first=5,
        size=4,
        columns={"item_id": 1, "workstream_id": 2, "item": 3, "planned_finish": 4, "status": 5},
        values={
            "item_id": ["WP-1", "WP-2", None, "WP-4"],
            "workstream_id": ["WS-1", "WS-1", None, "WS-2"],
            "item": ["Step", "Next", None, "Last"],
            "planned_finish": [date(2026, 3, 1), date(2026, 4, 1), None, date(2026, 5, 1)],
            "status": ["Complete", None, None, "Open"],
        },
        rows=[0, 1, 3],
        missing={},
    )


def test_records_on_demand_equal_validated_ones_and_stay_the_same_objects() -> None:
    table = build_records(WorkItem, _read(), [])
    assert isinstance(table, TableRecords) and len(table) == 3
    second = table[1]  # made alone, before the others
    assert second == WorkItem(
        ref=CellRef(sheet="Workplan", row=6, col=1),
        columns=_read().columns,
        item_id="WP-2",
        workstream_id="WS-1",
        item="Next",
        planned_finish=date(2026, 4, 1),
    )
    assert table[-2] is second and table[1] is second
    everything = list(table)
    assert everything[1] is second  # iterating keeps the record already made
    assert [r.item_id for r in everything] == ["WP-1", "WP-2", "WP-4"]
    assert [r.ref.row for r in everything] == [5, 6, 8]
    assert table[0:2] == tuple(everything[:2])
    assert table == tuple(everything) and tuple(everything) == table
    assert everything[0].cells == {} and everything[0].cells is not everything[2].cells
    with pytest.raises(IndexError):
        table[3]


def test_field_values_equal_the_fields_of_the_records() -> None:
    table = build_records(WorkItem, _read(), [])
    names = ("item_id", "status", "item_type", "enables", "pct_complete")
    from_columns = table.field_values(*names)
    assert from_columns == [["WP-1", "WP-2", "WP-4"], ["Complete", None, "Open"]] + [
        ["Task"] * 3,  # the model's defaults, for fields without a column
        [()] * 3,
        [None] * 3,
    ]
    made = tuple(table)
    assert fields(made, *names) == from_columns == table.field_values(*names)
    assert table.field_values("ref")[0] == [r.ref for r in made]


def test_the_demo_reads_the_same_as_eager_records(demo: Path) -> None:
    data, _ = read_program(demo)
    assert data is not None
    for name in ("drivers", "workplan", "actuals", "risks", "workstreams", "costs"):
        table = getattr(data, name)
        assert isinstance(table, TableRecords), name
        record_fields = list(type(table[0]).model_fields)
        made = tuple(table)
        for r in made:
            assert type(r)(**{k: getattr(r, k) for k in record_fields}) == r, name
        values = [f for f in record_fields if f not in ("ref", "cells", "columns")]
        assert table.field_values(*values) == fields(made, *values), name
    assert data.with_as_of(date(2026, 3, 1)).workplan == data.workplan


def test_a_programme_dumps_its_tables_as_tuples_of_records(demo: Path) -> None:
    data, _ = read_program(demo)
    assert data is not None
    dumped = data.model_dump()
    assert isinstance(dumped["workplan"], tuple) and len(dumped["workplan"]) == len(data.workplan)
    assert dumped["workplan"][0]["item_id"] == data.workplan[0].item_id
    eager = data.model_copy(update={name: tuple(getattr(data, name)) for name in TABLE_FIELDS})
    assert eager.model_dump() == dumped
