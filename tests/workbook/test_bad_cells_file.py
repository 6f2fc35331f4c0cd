"""A real file with every kind of bad cell: one finding per bad cell, by sheet and cell, no traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from evr_xl.workbook import layout
from evr_xl.workbook.files import read_program
from evr_xl.workbook.template import write_workbook

SETTINGS = {
    "name": "Bad cells",
    "value_promise": 1_000_000,
    "first_period": date(2026, 1, 1),
    "last_period": date(2026, 12, 1),
    "as_of": date(2026, 6, 1),
}


def good_driver(n: int, **over: object) -> dict:
    d = {
        "driver_id": f"VD-{n:03d}",
        "name": f"D{n}",
        "workstream_id": "WS-A",
        "category": "Cost synergy",
        "recurrence": "Recurring",
        "owner": "Ann",
        "kpi": "k",
        "measurement": "m",
        "target": 100_000.0,
        "ramp_start": date(2026, 2, 1),
        "full_run_rate_by": date(2026, 6, 1),
        "stage": "L2",
    }
    d.update(over)
    return d


def col(table: layout.Table, key: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[[c.key for c in table.columns].index(key)]


def test_every_kind_of_bad_cell(tmp_path: Path) -> None:
    drivers = [
        good_driver(1, target="a lot"),  # number
        good_driver(2, ramp_start="next spring"),  # period
        good_driver(3, stage="L7"),  # choice
        good_driver(4, finance_validated="perhaps"),  # yes/no
        good_driver(5, baseline_date="31/31/2026"),  # date
        good_driver(6, target="$1,250,000"),  # fine: currency text
        good_driver(7, name=None),  # required
        good_driver(8, target="#REF!"),  # error text
    ]
    risks = [
        {
            "risk_id": "R-1",
            "risk": "x",
            "driver_ids": ("VD-006",),
            "probability": "often",
            "impact": 1.0,
        }
    ]
    path = write_workbook(
        tmp_path / "bad.xlsx", rows={"Value Drivers": drivers, "Risks": risks}, settings=SETTINGS
    )
    before = path.read_bytes()
    data, findings = read_program(path)
    vd, hr = layout.VALUE_DRIVERS, layout.VALUE_DRIVERS.header_row
    expected = {
        (f"Value Drivers!{col(vd, 'target')}{hr + 1}", "RD002"),
        (f"Value Drivers!{col(vd, 'ramp_start')}{hr + 2}", "RD004"),
        (f"Value Drivers!{col(vd, 'stage')}{hr + 3}", "RD005"),
        (f"Value Drivers!{col(vd, 'finance_validated')}{hr + 4}", "RD006"),
        (f"Value Drivers!{col(vd, 'baseline_date')}{hr + 5}", "RD003"),
        (f"Value Drivers!{col(vd, 'name')}{hr + 7}", "RD001"),
        # a cached error value (#REF!): calamine reads it as blank; files.py finds it in the XML
        (f"Value Drivers!{col(vd, 'target')}{hr + 8}", "RD011"),
        (f"Risks!{col(layout.RISKS, 'probability')}{layout.RISKS.header_row + 1}", "RD007"),
    }
    got = {(f.where, f.code) for f in findings}
    assert got == expected
    assert {d.driver_id for d in data.drivers} == {"VD-003", "VD-004", "VD-005", "VD-006"}
    assert next(d for d in data.drivers if d.driver_id == "VD-006").target == 1_250_000
    assert path.read_bytes() == before
