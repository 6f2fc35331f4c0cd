"""Build small ProgramData from readable tables, the way a test reads best.

    data = program(
        drivers='''
            driver_id | target  | ramp_start | full_run_rate_by
            VD-1      | 1200000 | 2026-01    | 2026-04
        ''',
        workplan='''
            item_id | planned_finish | forecast_finish | enables
            WP-1    | 2026-06-30     | 2026-08-31      | VD-1
        ''',
    )

Columns are model field names; omitted columns take sensible defaults (a fully accountable,
finance-validated L3 cost synergy in WS-1). A cell holding "-" is empty (None). Each record gets
`ref` and `cells` as the reader would set them (header on row 4, data from row 5, columns in the
order of the text), so checks can be asserted to point at the right cell.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from evr_xl.model import (
    Actual,
    CellRef,
    Cost,
    ForecastRow,
    ProgramData,
    ProgramSettings,
    Risk,
    ValueDriver,
    ValuePlanRow,
    WorkItem,
    Workstream,
)
from evr_xl.model.periods import PeriodType, parse_period

HEADER_ROW = 4
FLOATS = {
    "target",
    "realized",
    "run_rate",
    "probability",
    "impact",
    "pct_complete",
    "baseline",
    "budget",
    "actual",
}
PERIODS = {"ramp_start", "full_run_rate_by", "period"}
DATES = {"planned_start", "planned_finish", "forecast_finish", "actual_finish", "baseline_date"}
BOOLS = {"validated", "finance_validated"}
TUPLES = {"enables", "driver_ids"}


def day(text: str) -> date:
    """'2026-06-30' -> that day; '2026-06' -> the first day of the month."""
    return date.fromisoformat(text) if len(text) > 7 else date.fromisoformat(text + "-01")


def _value(name: str, text: str) -> Any:
    if name in FLOATS:
        return float(text.replace(",", "").replace("_", ""))
    if name in PERIODS:
        return parse_period(text)
    if name in DATES:
        return day(text)
    if name in BOOLS:
        return text.lower() in ("yes", "true", "y")
    if name in TUPLES:
        return tuple(x.strip() for x in text.split(",") if x.strip())
    return text


def rows(text: str, sheet: str) -> list[dict[str, Any]]:
    """A pipe table -> one dict per row, with `ref` and `cells` set like the reader does."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return []
    header = [h.strip() for h in lines[0].split("|")]
    out = []
    for i, line in enumerate(lines[1:]):
        row_no = HEADER_ROW + 1 + i
        cells = [c.strip() for c in line.split("|")]
        record: dict[str, Any] = {
            "ref": CellRef(sheet=sheet, row=row_no, col=1),
            "cells": {h: CellRef(sheet=sheet, row=row_no, col=j + 1) for j, h in enumerate(header)},
        }
        for h, c in zip(header, cells, strict=True):
            if c not in ("-", ""):
                record[h] = _value(h, c)
            else:
                record[h] = () if h in TUPLES else None
        out.append(record)
    return out


def drivers(text: str) -> tuple[ValueDriver, ...]:
    out = []
    for r in rows(text, "Value Drivers"):
        ident = r["driver_id"]
        defaults = {
            "name": f"Driver {ident}",
            "workstream_id": "WS-1",
            "category": "Cost synergy",
            "recurrence": "Recurring",
            "owner": "Owner",
            "kpi": f"KPI of {ident}",
            "measurement": "General ledger",
            "baseline": 0.0,
            "stage": "L3",
            "finance_validated": True,
        }
        out.append(ValueDriver(**(defaults | r)))
    return tuple(out)


def workplan(text: str) -> tuple[WorkItem, ...]:
    defaults = {"workstream_id": "WS-1", "item_type": "Milestone"}
    return tuple(
        WorkItem(**({"item": f"Item {r['item_id']}"} | defaults | r))
        for r in rows(text, "Workplan")
    )


def actuals(text: str) -> tuple[Actual, ...]:
    return tuple(Actual(**({"validated": True} | r)) for r in rows(text, "Actuals"))


def risks(text: str) -> tuple[Risk, ...]:
    return tuple(Risk(**({"risk": f"Risk {r['risk_id']}"} | r)) for r in rows(text, "Risks"))


def costs(text: str) -> tuple[Cost, ...]:
    return tuple(Cost(**({"workstream_id": "WS-1"} | r)) for r in rows(text, "Costs"))


def value_plan(text: str, sheet: str = "Value Plan", kind: type = ValuePlanRow) -> tuple[Any, ...]:
    """driver_id | 2026-01 | 2026-02 | ... (periods as headers, like the Value Plan sheet)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return ()
    header = [h.strip() for h in lines[0].split("|")]
    periods = [parse_period(h) for h in header[1:]]
    out = []
    for i, line in enumerate(lines[1:]):
        cells = [c.strip() for c in line.split("|")]
        values = {
            p: float(c.replace(",", "")) for p, c in zip(periods, cells[1:], strict=True) if c
        }
        out.append(
            kind(
                driver_id=cells[0],
                values=values,
                ref=CellRef(sheet=sheet, row=HEADER_ROW + 1 + i, col=1),
                cells={"driver_id": CellRef(sheet=sheet, row=HEADER_ROW + 1 + i, col=1)},
            )
        )
    return tuple(out)


def committed_forecast(text: str) -> tuple[ForecastRow, ...]:
    """The Forecast sheet, shaped like Value Plan: driver_id | 2026-07 | 2026-08 | ..."""
    return value_plan(text, "Forecast", ForecastRow)


def settings(**overrides: Any) -> ProgramSettings:
    """Monthly 2026-01..2026-12, as of 2026-06, unless overridden (periods as text are parsed)."""
    base: dict[str, Any] = {
        "name": "Test programme",
        "currency": "USD",
        "first_period": "2026-01",
        "last_period": "2026-12",
        "as_of": "2026-06",
        "period_type": PeriodType.MONTH,
        "value_promise": 0.0,
    }
    base |= overrides
    for k in ("first_period", "last_period", "as_of"):
        if isinstance(base[k], str):
            base[k] = parse_period(base[k])
    base["cells"] = {"value_promise": CellRef(sheet="Program", row=8, col=2)}
    return ProgramSettings(**base)


def program(
    *,
    drivers_table: str = "",
    workplan_table: str = "",
    actuals_table: str = "",
    risks_table: str = "",
    costs_table: str = "",
    value_plan_table: str = "",
    forecast_table: str = "",
    workstreams_table: str | None = None,
    **setting_overrides: Any,
) -> ProgramData:
    """A programme from readable tables; workstreams default to those the tables name."""
    drv = drivers(drivers_table)
    wp = workplan(workplan_table)
    if workstreams_table is None:
        ids = dict.fromkeys([d.workstream_id for d in drv] + [w.workstream_id for w in wp])
        ws = tuple(
            Workstream(
                workstream_id=i,
                name=f"Workstream {i}",
                ref=CellRef(sheet="Workstreams", row=HEADER_ROW + 1 + n, col=1),
                cells={
                    "workstream_id": CellRef(sheet="Workstreams", row=HEADER_ROW + 1 + n, col=1)
                },
            )
            for n, i in enumerate(ids)
        )
    else:
        ws = tuple(Workstream(**r) for r in rows(workstreams_table, "Workstreams"))
    return ProgramData(
        source="test",
        settings=settings(**setting_overrides),
        workstreams=ws,
        drivers=drv,
        workplan=wp,
        actuals=actuals(actuals_table),
        risks=risks(risks_table),
        costs=costs(costs_table),
        value_plan=value_plan(value_plan_table),
        committed_forecast=committed_forecast(forecast_table),
    )
