"""The "Start Here" sheet of the programme workbook: what each sheet is for and what to do next.

The words shared with the workbook guide (docs/workbook.md) live here as constants, so the sheet
and the guide say the same thing; everything about sheets and columns comes from layout.py.
"""

from __future__ import annotations

import math

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from evr_xl.workbook.layout import COLOURS, INPUT_TABLES, OUTPUT_SHEETS, Legend

TITLE = "EVR-XL programme workbook"
INTRO = (
    "Govern the programme by the value it delivers, not by the tasks it completes. This workbook "
    "holds the value promise, the value drivers, the workplan that enables them, the actuals, "
    "the cost to achieve and the risks; EVR-XL checks them and computes the value metrics."
)
STEPS = (
    "Program: fill the settings (name, currency, value promise, horizon, as-of period).",
    "Workstreams, then Value Drivers: every promised benefit with its owner, KPI, target and ramp.",
    "Workplan: list milestones and tasks and name the drivers each one enables.",
    "Each period: append Actuals and Costs, update the Workplan dates and roll the as-of period "
    "forward.",
    "Yellow cells are yours to fill. Headers are the contract: do not rename them (you may "
    "reorder columns or add your own). Columns marked 'required' must be filled. Hover over a "
    "header for its help; dropdowns list the allowed values.",
)
OUTPUTS_NOTE = (
    "Created and rewritten by EVR on every refresh: do not edit them, your changes would be lost."
)
NEXT_STEPS = (
    ("evr check WORKBOOK.xlsx", "Lists every finding with the cell to fix; changes nothing."),
    ("evr refresh WORKBOOK.xlsx", "Computes the metrics and rewrites the output sheets."),
    ("evr boardpack WORKBOOK.xlsx", "Builds the steering-committee board pack workbook."),
)
EXCEL_NOTE = "In Excel with the add-in, the Value Realization tab has the same commands as buttons."

FONT = "Calibri"
_WIDTHS = {"A": 26, "B": 62, "C": 66}
_SECTION_FONT = Font(name=FONT, bold=True, size=12, color=COLOURS["header"])
_HEADER_FILL = PatternFill("solid", fgColor=COLOURS["header"])
_HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_start_here(ws: Worksheet) -> None:
    """Fill the Start Here sheet."""
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.tabColor = COLOURS["header"]
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    ws.cell(1, 1, TITLE).font = Font(name=FONT, bold=True, size=16, color=COLOURS["header"])
    ws.row_dimensions[1].height = 24
    row = _paragraph(ws, 2, INTRO)

    row = _section(ws, row + 1, "How to fill it")
    for i, step in enumerate(STEPS, start=1):
        row = _paragraph(ws, row, f"{i}. {step}")

    row = _section(ws, row + 1, "The input sheets")
    row = _table_header(ws, row, ("Sheet", "What it is for", "How to fill it"))
    for table in INPUT_TABLES:
        cell = ws.cell(row, 1, table.sheet)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{table.sheet}'!A1")
        cell.font = Font(name=FONT, color="0563C1", underline="single")
        row = _row(ws, row, (table.sheet, table.purpose, table.how_to))

    row = _section(ws, row + 1, "Colour legend")
    for key, text in Legend().items:
        swatch = ws.cell(row, 1)
        swatch.fill = PatternFill("solid", fgColor=COLOURS[key])
        swatch.border = _BOX
        row = _paragraph(ws, row, text, col=2, span=2)

    row = _section(ws, row + 1, "Output sheets (written by EVR)")
    row = _paragraph(ws, row, OUTPUTS_NOTE, span=3)
    row = _table_header(ws, row, ("Sheet", "What it shows"))
    for out in OUTPUT_SHEETS:
        row = _row(ws, row, (out.sheet, out.purpose))

    row = _section(ws, row + 1, "Next steps")
    row = _table_header(ws, row, ("Command", "What it does"))
    for command, text in NEXT_STEPS:
        ws.cell(row, 1).font = Font(name="Consolas")
        row = _row(ws, row, (command, text))
    _paragraph(ws, row, EXCEL_NOTE, span=3)

    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _lines(text: str, width: float) -> int:
    return max(1, math.ceil(len(text) / width))


def _paragraph(ws: Worksheet, row: int, text: str, col: int = 1, span: int = 3) -> int:
    """Wrapped text over `span` columns from `col`; returns the next row."""
    cell = ws.cell(row, col, text)
    cell.alignment = _WRAP
    letters = "ABC"[col - 1 : col - 1 + span]
    if span > 1:
        ws.merge_cells(f"{letters[0]}{row}:{letters[-1]}{row}")
    width = sum(_WIDTHS[letter] for letter in letters)
    ws.row_dimensions[row].height = 15 * _lines(text, width) + 2
    return row + 1


def _section(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row, 1, title).font = _SECTION_FONT
    ws.row_dimensions[row].height = 20
    return row + 1


def _table_header(ws: Worksheet, row: int, headers: tuple[str, ...]) -> int:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row, col, text)
        cell.fill, cell.font, cell.border = _HEADER_FILL, _HEADER_FONT, _BOX
    return row + 1


def _row(ws: Worksheet, row: int, values: tuple[str, ...]) -> int:
    lines = 1
    for col, text in enumerate(values, start=1):
        cell = ws.cell(row, col, text)
        cell.alignment, cell.border = _WRAP, _BOX
        lines = max(lines, _lines(text, _WIDTHS["ABC"[col - 1]]))
    ws.row_dimensions[row].height = 15 * lines + 2
    return row + 1
