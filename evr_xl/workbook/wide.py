"""Wide tables: a driver per row and a period per column (Value Plan, Forecast)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from evr_xl.findings import Finding, finding
from evr_xl.model import CellRef, ForecastRow, ValuePlanRow
from evr_xl.model.periods import PeriodType, parse_period
from evr_xl.workbook import cells as parse
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import Grid
from evr_xl.workbook.tables import find_header

_QUARTER_HEADER = re.compile(
    r"^\s*(\d{4}\s*[- ]?\s*Q[1-4]|Q[1-4]\s*[- ]?\s*\d{4})\s*$", re.IGNORECASE
)


def read_value_plan(
    grid: Grid,
    period_type: PeriodType | None = None,
    table: L.Table = L.VALUE_PLAN,
    ctx: parse.ReadContext = parse.PLAIN,
) -> tuple[list[ValuePlanRow] | list[ForecastRow], list[Finding]]:
    """A wide driver x period sheet (Value Plan, Forecast): Driver ID plus one column per period
    header.

    In a monthly programme a quarter header (2026-Q1) cannot be placed in one month: the column is
    ignored, with a finding. In a quarterly programme month headers are added up into their quarter.
    """
    kind = ForecastRow if table is L.FORECAST else ValuePlanRow
    header, findings = find_header(grid, table)
    if header is None or "driver_id" not in header.columns:
        return [], findings
    period_cols: dict[int, date] = {}
    for ci, v in header.extra.items():
        p = parse.parse_period_cell(v)[0] if not isinstance(v, str) else parse_period(v)
        if p is not None and period_type is PeriodType.MONTH and _QUARTER_HEADER.match(str(v)):
            findings.append(
                finding(
                    "RD017",
                    f"the header '{v}' is a quarter but the programme is monthly (Program: Period "
                    "type); the column is ignored",
                    CellRef(sheet=grid.sheet, row=header.row, col=ci),
                )
            )
            continue
        if p is None:
            findings.append(
                finding(
                    "RD015",
                    f"the header '{v}' is not a period; the column is ignored",
                    CellRef(sheet=grid.sheet, row=header.row, col=ci),
                )
            )
        else:
            period_cols[ci] = p
    rows: list[Any] = []
    id_col = header.columns["driver_id"]
    for r in range(header.row + 1, grid.n_rows + 1):
        driver_id = parse.parse_id(grid.value(r, id_col))[0]
        plan: dict[date, float] = {}
        for ci, p in period_cols.items():
            cell = CellRef(sheet=grid.sheet, row=r, col=ci)
            value, problem = parse.parse_number(grid.value(r, ci), ctx)
            if problem:
                findings.append(finding(getattr(problem, "code", "RD002"), problem, cell))
            elif value is not None:
                plan[p] = plan.get(p, 0.0) + value
        if driver_id is None:
            if plan:
                findings.append(
                    finding(
                        "RD001",
                        f"Driver ID is required for a {table.sheet} row",
                        CellRef(sheet=grid.sheet, row=r, col=id_col),
                    )
                )
            continue
        rows.append(
            kind(
                ref=CellRef(sheet=grid.sheet, row=r, col=id_col),
                cells={"driver_id": CellRef(sheet=grid.sheet, row=r, col=id_col)},
                driver_id=driver_id,
                values=plan,
            )
        )
    return rows, findings
