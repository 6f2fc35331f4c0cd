"""A normalised, JSON-able dump of a workbook's content, for golden-file and equality tests.

Content only — cell values, number formats, fills, bold, merged ranges, widths, freeze panes,
data validations, tables, defined names, print setup, comments, hyperlinks — and nothing that
changes from one save to the next (timestamps, zip bytes, internal style ids).
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet


def dump_workbook(path: str | Path) -> dict[str, Any]:
    """The workbook at `path` as plain data: {"sheets": [...], "defined_names": {...}}."""
    wb = openpyxl.load_workbook(path)
    return {
        "sheets": [dump_sheet(ws) for ws in wb.worksheets],
        "defined_names": {name: dn.attr_text for name, dn in sorted(wb.defined_names.items())},
        "active": wb.active.title if wb.active is not None else None,
    }


def dump_sheet(ws: Worksheet) -> dict[str, Any]:
    """One sheet as plain data."""
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            entry = _cell(cell)
            if entry:
                cells[cell.coordinate] = entry
    return {
        "name": ws.title,
        "state": ws.sheet_state,
        "cells": cells,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "columns": {
            letter: _drop_none({"width": dim.width, "format": _fmt(dim.number_format)})
            for letter, dim in sorted(ws.column_dimensions.items())
            if dim.width or _fmt(dim.number_format)
        },
        "row_heights": {
            str(r): dim.height for r, dim in sorted(ws.row_dimensions.items()) if dim.height
        },
        "freeze_panes": ws.freeze_panes,
        "validations": sorted(
            (
                _drop_none(
                    {
                        "type": dv.type,
                        "formula1": dv.formula1,
                        "ranges": str(dv.sqref),
                        "error_style": dv.errorStyle,
                        "prompt_title": dv.promptTitle,
                        "prompt": dv.prompt,
                    }
                )
                for dv in ws.data_validations.dataValidation
            ),
            key=lambda d: (d["ranges"], d.get("formula1") or ""),
        ),
        "tables": [
            {
                "name": t.displayName,
                "ref": t.ref,
                "headers": [c.name for c in t.tableColumns],
            }
            for t in sorted(ws.tables.values(), key=lambda t: t.displayName)
        ],
        "print": _drop_none(
            {
                "orientation": ws.page_setup.orientation,
                "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage
                if ws.sheet_properties.pageSetUpPr
                else None,
                "fit_to_width": ws.page_setup.fitToWidth,
                "fit_to_height": ws.page_setup.fitToHeight,
                "title_rows": ws.print_title_rows,
            }
        ),
        "gridlines": ws.sheet_view.showGridLines,
    }


def _cell(cell: Cell) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if cell.value is not None:
        entry["v"] = _value(cell.value)
    fmt = _fmt(cell.number_format)
    if fmt and cell.has_style:
        entry["fmt"] = fmt
    fill = cell.fill
    if fill is not None and fill.fill_type == "solid":
        entry["fill"] = _rgb(fill.fgColor.rgb)
    if cell.font is not None and cell.font.b:
        entry["bold"] = True
    if cell.comment is not None:
        entry["comment"] = cell.comment.text
    if cell.hyperlink is not None:
        entry["link"] = cell.hyperlink.location or cell.hyperlink.target
    return entry


def _value(value: object) -> object:
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, (date, time)):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0 and 1 are the same cell value
    return value


def _fmt(number_format: str | None) -> str | None:
    return None if number_format in (None, "General") else number_format


def _rgb(rgb: object) -> str:
    text = str(rgb)
    return text[-6:].upper() if len(text) in (6, 8) else text


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
