"""The demo workbook's tables as Excel hands them to a worksheet function.

A table reference such as ``tblValueDrivers[#All]`` arrives through COM as a tuple of row tuples,
header row first: numbers as floats, blanks as None, dates as datetimes. The values are read with
python-calamine (`load_grids`) and cut to each table's range as stored in the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries

from evr_xl.workbook import layout as L
from evr_xl.workbook.files import load_grids

Rows = tuple[tuple[Any, ...], ...]


def excel_value(value: Any) -> Any:
    """A cell value as COM passes it: float for numbers, datetime for dates, None for blanks."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def table_args(path: Path) -> dict[str, Rows]:
    """{table name: its [#All] values} for every input table of the workbook at `path`."""
    refs: dict[str, tuple[str, str]] = {}
    book = openpyxl.load_workbook(path, read_only=False)
    for ws in book.worksheets:
        for name, ref in ws.tables.items():
            refs[name] = (ws.title, ref)
    grids = load_grids(path)
    out: dict[str, Rows] = {}
    for table in L.INPUT_TABLES:
        sheet, ref = refs[table.name]
        c1, r1, c2, r2 = range_boundaries(ref)
        grid = grids[sheet]
        out[table.name] = tuple(
            tuple(excel_value(grid.value(r, c)) for c in range(c1, c2 + 1))
            for r in range(r1, r2 + 1)
        )
    return out


def ordered(tables: dict[str, Rows], *names: str) -> tuple[Rows, ...]:
    """Table arguments in the order given by table names (tblProgram, tblValueDrivers, ...)."""
    return tuple(tables[n] for n in names)


CORE = ("tblProgram", "tblValueDrivers", "tblWorkplan", "tblActuals")
METRIC_TABLES = (*CORE, "tblRisks", "tblValuePlan", "tblStageGates")
ALL_TABLES = (*METRIC_TABLES, "tblWorkstreams", "tblCosts")


def _ids_column(rows: Rows, header: str) -> int:
    return [str(h).strip().casefold() for h in rows[0]].index(header.casefold())


def scaled(tables: dict[str, Rows], copies: int) -> dict[str, Rows]:
    """The demo repeated `copies` times under new IDs (VD-001 -> VD-001-07): a large programme.

    Drivers, workplan items, actuals and risks are copied with their links renamed; the Program,
    Stage Gates, Workstreams, Value Plan and Costs tables stay as they are.
    """

    def rename(value: Any, k: int) -> Any:
        return f"{value}-{k:02d}" if value else value

    def renamed(rows: Rows, columns: dict[str, bool]) -> Rows:
        idx = {_ids_column(rows, h): many for h, many in columns.items()}
        out = [rows[0]]
        for k in range(copies):
            for row in rows[1:]:
                new = list(row)
                for i, many in idx.items():
                    if many and new[i]:
                        new[i] = ", ".join(rename(s.strip(), k) for s in str(new[i]).split(","))
                    else:
                        new[i] = rename(new[i], k)
                out.append(tuple(new))
        return tuple(out)

    big = dict(tables)
    big["tblValueDrivers"] = renamed(tables["tblValueDrivers"], {"Driver ID": False})
    big["tblWorkplan"] = renamed(tables["tblWorkplan"], {"Item ID": False, "Enables drivers": True})
    big["tblActuals"] = renamed(tables["tblActuals"], {"Driver ID": False})
    big["tblRisks"] = renamed(tables["tblRisks"], {"Risk ID": False, "Driver IDs": True})
    return big
