"""The programme workbook generator: the blank template, or a filled workbook, from layout.py.

Everything here is derived from the contract in `layout.py`: one sheet per input table with a
title, instructions, an Excel table (ListObject) whose headers are exactly `Column.header`,
input styling, number formats, header comments carrying the help text, and dropdowns fed by a
hidden Lists sheet (closed vocabularies) or by the source table's ID column (defined names).
"Start Here" explains the workbook. Output sheets are not created: the refresh writes them.

Entry points: `build_workbook` (in memory), `write_workbook` (to a file), `build_template`
(the blank template). `python -m evr_xl.workbook.template [PATH]` regenerates the committed
template.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from evr_xl.workbook import layout
from evr_xl.workbook.layout import COLOURS, FORMATS, INPUT_TABLES, Column, Kind, Setting, Table
from evr_xl.workbook.start_here import write_start_here

TEMPLATE_PATH = (
    Path(__file__).resolve().parents[2] / "workbook_templates" / "evr_program_template.xlsx"
)
DEFAULT_PLAN_PERIODS = tuple(f"{y}-{m:02d}" for y in (2026, 2027, 2028) for m in range(1, 13))
VALIDATION_ROWS = 2000  # dropdowns reach this many rows below the header, not only the table
PERIOD_WIDTH = 10
PRINT_WIDTH = 220  # column-width units per printed landscape page, at most
_FIXED_TIME = datetime(2026, 1, 1)  # document properties: no wall-clock time in the file

FONT = "Calibri"  # explicit: a font without a name renders as a serif in LibreOffice
INPUT_FILL = PatternFill("solid", fgColor=COLOURS["input"])
HEADER_FILL = PatternFill("solid", fgColor=COLOURS["header"])
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT, bold=True, size=14, color=COLOURS["header"])
NOTE_FONT = Font(name=FONT, italic=True, size=9, color="C00000")
THIN = Side(style="thin", color="BFBFBF")
INPUT_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")

# Names of the dropdown lists on the hidden Lists sheet, by vocabulary.
_LIST_NAMES = {
    layout.PROGRAM_TYPES: "lstProgramType",
    layout.PERIOD_TYPES: "lstPeriodType",
    layout.STAGES: "lstStage",
    layout.CATEGORIES: "lstCategory",
    layout.RECURRENCES: "lstRecurrence",
    layout.RAMP_PROFILES: "lstRampProfile",
    layout.ITEM_TYPES: "lstItemType",
    layout.ITEM_STATUSES: "lstItemStatus",
    layout.YES_NO: "lstYesNo",
    layout.COST_TYPES: "lstCostType",
    layout.RISK_STATUSES: "lstRiskStatus",
    layout.MONTHS: "lstMonth",
}

Rows = Mapping[str, list[dict]]


def build_template(path: str | Path = TEMPLATE_PATH) -> Path:
    """Write the blank programme template."""
    return write_workbook(path)


def write_workbook(
    path: str | Path,
    rows: Rows | None = None,
    settings: Mapping[str, object] | None = None,
    value_plan_periods: list[str] | None = None,
) -> Path:
    """Write a programme workbook (blank, or filled with `rows` and `settings`) to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(rows, settings, value_plan_periods).save(path)
    return path


def build_workbook(
    rows: Rows | None = None,
    settings: Mapping[str, object] | None = None,
    value_plan_periods: list[str] | None = None,
) -> Workbook:
    """The programme workbook in memory.

    `rows` is keyed by sheet name ("Value Drivers"), each a list of dicts keyed by Column.key
    (Value Plan rows also by period label, e.g. "2026-03"). `settings` is keyed by Setting.key;
    missing settings take their default. Stage Gates default to DEFAULT_STAGE_GATES.
    """
    rows = dict(rows or {})
    unknown = set(rows) - {t.sheet for t in INPUT_TABLES}
    if unknown:
        raise ValueError(f"rows for unknown sheets: {sorted(unknown)}")
    if "Program" in rows:
        raise ValueError("Program values are given as `settings`, not rows")
    periods = tuple(value_plan_periods or DEFAULT_PLAN_PERIODS)

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "EVR-XL"
    wb.properties.title = "EVR-XL programme workbook"
    wb.properties.created = wb.properties.modified = _FIXED_TIME

    write_start_here(wb.create_sheet(layout.START_HERE))
    list_names = _write_lists(wb.create_sheet(layout.LISTS_SHEET))
    for table in INPUT_TABLES:
        ws = wb.create_sheet(table.sheet)
        if table is layout.PROGRAM:
            _write_program(ws, settings or {}, list_names)
        else:
            data = rows.get(table.sheet)
            if data is None and table is layout.STAGE_GATES:
                data = [
                    dict(zip(("stage", "name", "definition", "weight"), g, strict=True))
                    for g in layout.DEFAULT_STAGE_GATES
                ]
            _write_table_sheet(ws, table, data or [], periods, list_names)
    _define_id_lists(wb, rows)
    wb.move_sheet(layout.LISTS_SHEET, offset=len(wb.sheetnames))  # last, hidden
    wb.active = 0
    return wb


# --- the hidden Lists sheet and the dropdown names ---------------------------------------------


def _vocabularies() -> list[tuple[str, ...]]:
    """Every closed list used by a column or a setting, in first-use order."""
    seen: list[tuple[str, ...]] = []
    choices = [c.choices for t in INPUT_TABLES for c in t.columns]
    choices += [s.choices for s in layout.PROGRAM_SETTINGS]
    for ch in choices:
        if ch and ch not in seen:
            seen.append(ch)
    return seen


def list_name(choices: tuple[str, ...]) -> str:
    """The defined name of a closed list (legal: letters only, never a cell reference)."""
    if choices in _LIST_NAMES:
        return _LIST_NAMES[choices]
    index = _vocabularies().index(choices)
    return "lstList" + "".join(chr(ord("A") + int(d)) for d in str(index))


def id_list_name(sheet: str) -> str:
    """The defined name of a table's ID column, e.g. idsWorkstreams."""
    return "ids" + "".join(ch for ch in sheet.title() if ch.isalpha())


def _write_lists(ws: Worksheet) -> dict[tuple[str, ...], str]:
    ws.sheet_state = "hidden"
    names: dict[tuple[str, ...], str] = {}
    for col, choices in enumerate(_vocabularies(), start=1):
        name = list_name(choices)
        names[choices] = name
        letter = get_column_letter(col)
        ws.cell(1, col, name).font = Font(name=FONT, bold=True)
        for row, item in enumerate(choices, start=2):
            ws.cell(row, col, int(item) if item.isdigit() else item)
        ws.column_dimensions[letter].width = 26
        ref = f"'{ws.title}'!${letter}$2:${letter}${len(choices) + 1}"
        ws.parent.defined_names[name] = DefinedName(name, attr_text=ref)
    return names


def _define_id_lists(wb: Workbook, rows: Rows) -> None:
    for table in INPUT_TABLES:
        if not table.id_key or not any(
            c.list_source == table.sheet for t in INPUT_TABLES for c in t.columns
        ):
            continue
        letter = get_column_letter(_column_index(table, table.id_key))
        first = table.header_row + 1
        last = table.header_row + _validation_rows(len(rows.get(table.sheet) or ()))
        ref = f"'{table.sheet}'!${letter}${first}:${letter}${last}"
        wb.defined_names[id_list_name(table.sheet)] = DefinedName(
            id_list_name(table.sheet), attr_text=ref
        )


def _validation_rows(n_data: int) -> int:
    """How many rows below the header get dropdowns: generous, and beyond the data."""
    return max(VALIDATION_ROWS, n_data + 500)


def _column_index(table: Table, key: str) -> int:
    return [c.key for c in table.columns].index(key) + 1


# --- input sheets ------------------------------------------------------------------------------


def _write_heading(ws: Worksheet, table: Table, width_cols: int, total_width: float) -> None:
    ws.cell(1, 1, table.sheet).font = TITLE_FONT
    ws.row_dimensions[1].height = 22
    text = f"{table.purpose} {table.how_to}".strip()
    cell = ws.cell(2, 1, text)
    cell.alignment = WRAP_TOP
    if width_cols > 1:
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width_cols)
    lines = max(1, math.ceil(len(text) * 1.15 / max(total_width, 1)))
    ws.row_dimensions[2].height = 15 * lines + 3


def _write_header(ws: Worksheet, row: int, col: int, header: str, note: str | None) -> None:
    cell = ws.cell(row, col, header)
    cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if note:
        comment = Comment(note, "EVR-XL")
        comment.width, comment.height = 260, 110
        cell.comment = comment


def header_note(column: Column) -> str:
    """The header comment: required flag, help and the dropdown's source."""
    parts = ["Required." if column.required else "Optional."]
    if column.help:
        parts.append(column.help)
    if column.choices:
        parts.append("Choose: " + ", ".join(column.choices) + ".")
    elif column.list_source:
        parts.append(f"Choose an ID from the {column.list_source} sheet.")
    return " ".join(parts)


def _write_table_sheet(
    ws: Worksheet,
    table: Table,
    data: list[dict],
    periods: tuple[str, ...],
    list_names: dict[tuple[str, ...], str],
) -> None:
    hr = table.header_row
    extra = periods if table.wide_periods else ()
    ncols = len(table.columns) + len(extra)
    widths = [c.width for c in table.columns] + [PERIOD_WIDTH] * len(extra)
    span = _heading_span(widths)
    _write_heading(ws, table, span, sum(widths[:span]))

    for col, column in enumerate(table.columns, start=1):
        _write_header(ws, hr, col, column.header, header_note(column))
        if column.required:
            ws.cell(hr - 1, col, "required").font = NOTE_FONT
        _style_column(ws, col, column.width, column.number_format)
    for offset, period in enumerate(extra):
        col = len(table.columns) + 1 + offset
        _write_header(ws, hr, col, period, None)
        _style_column(ws, col, PERIOD_WIDTH, FORMATS[Kind.MONEY])
    ws.row_dimensions[hr].height = 30

    known = {c.key for c in table.columns} | set(extra)
    for i, record in enumerate(data):
        unknown = set(record) - known
        if unknown:
            raise ValueError(f"{table.sheet}: unknown keys {sorted(unknown)} in row {i + 1}")
    for r in range(max(1, len(data))):
        record = data[r] if data else {}
        for col, column in enumerate(table.columns, start=1):
            _write_value(ws.cell(hr + 1 + r, col), record.get(column.key), column.kind)
        for offset, period in enumerate(extra):
            cell = ws.cell(hr + 1 + r, len(table.columns) + 1 + offset)
            _write_value(cell, record.get(period), Kind.MONEY)

    last = f"{get_column_letter(ncols)}{hr + max(1, len(data))}"
    excel_table = ExcelTable(displayName=table.name, ref=f"A{hr}:{last}")
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=False)
    ws.add_table(excel_table)

    _add_validations(ws, table, _validation_rows(len(data)), list_names)
    frozen_col = "B" if (table.wide_periods or len(table.columns) > 8) else "A"
    ws.freeze_panes = f"{frozen_col}{hr + 1}"
    _print_setup(ws, f"{hr}:{hr}")
    # Wide sheets print over several pages (the ID column repeated) rather than unreadably small:
    # one page per year of periods, or per PRINT_WIDTH characters of columns.
    pages = math.ceil(len(extra) / 12) if extra else math.ceil(sum(widths) / PRINT_WIDTH)
    if pages > 1:
        ws.page_setup.fitToWidth = pages
        ws.print_title_cols = "A:A"


def _heading_span(widths: list[float], target: float = 110) -> int:
    """How many columns the instruction row spans: all of them, or enough to be readable."""
    total = 0.0
    for i, w in enumerate(widths, start=1):
        total += w
        if total >= target:
            return i
    return len(widths)


def _style_column(ws: Worksheet, col: int, width: float, number_format: str | None) -> None:
    dim = ws.column_dimensions[get_column_letter(col)]
    dim.width = width
    if number_format:
        dim.number_format = number_format  # cells typed below the table get the format too


def _write_value(cell, value: object, kind: Kind) -> None:
    """One input cell: the value in its Excel form, styled as an input."""
    if isinstance(value, bool) and kind is Kind.YESNO:
        value = "Yes" if value else "No"
    elif isinstance(value, (tuple, list)):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # user text never becomes a formula
    fmt = FORMATS.get(kind)
    if fmt:
        cell.number_format = fmt
    elif isinstance(value, date):
        cell.number_format = FORMATS[Kind.DATE]
    cell.fill, cell.border = INPUT_FILL, INPUT_BORDER


def _add_validations(
    ws: Worksheet, table: Table, nrows: int, list_names: dict[tuple[str, ...], str]
) -> None:
    first, last = table.header_row + 1, table.header_row + nrows
    for col, column in enumerate(table.columns, start=1):
        letter = get_column_letter(col)
        if column.choices:
            dv = _list_validation(list_names[column.choices], strict=True)
        elif column.list_source:
            dv = _list_validation(id_list_name(column.list_source), strict=False)
        else:
            dv = DataValidation(showInputMessage=True, allow_blank=True)
        dv.promptTitle = column.header[:32]
        dv.prompt = header_note(column)[:255]
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)


def _list_validation(formula: str, strict: bool) -> DataValidation:
    """A dropdown; an ID dropdown only warns, so an ID can be pasted before its source row."""
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
    )
    dv.errorTitle = "Not in the list"
    dv.error = "Choose a value from the dropdown list."
    return dv


def _print_setup(ws: Worksheet, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows


# --- the Program sheet -------------------------------------------------------------------------


def setting_help(setting: Setting) -> str:
    """The Help text of a setting row; required settings start with "Required."."""
    return f"Required. {setting.help}" if setting.required else setting.help


def _write_program(
    ws: Worksheet, settings: Mapping[str, object], list_names: dict[tuple[str, ...], str]
) -> None:
    table = layout.PROGRAM
    known = {s.key for s in layout.PROGRAM_SETTINGS}
    unknown = set(settings) - known
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    hr = table.header_row
    widths = [c.width for c in table.columns]
    _write_heading(ws, table, len(widths), sum(widths))
    for col, column in enumerate(table.columns, start=1):
        _write_header(ws, hr, col, column.header, header_note(column))
        ws.column_dimensions[get_column_letter(col)].width = column.width

    for i, setting in enumerate(layout.PROGRAM_SETTINGS):
        row = hr + 1 + i
        label = ws.cell(row, 1, setting.label)
        label.font = Font(name=FONT, bold=setting.required)
        label.alignment = Alignment(vertical="top")
        value = settings.get(setting.key, setting.default)
        _write_value(ws.cell(row, 2), value, setting.kind)
        ws.cell(row, 2).alignment = Alignment(horizontal="left", vertical="top")
        ws.cell(row, 3, setting_help(setting)).alignment = WRAP_TOP
        if len(setting_help(setting)) > table.columns[2].width * 1.1:
            ws.row_dimensions[row].height = 30
        dv = (
            _list_validation(list_names[setting.choices], strict=True)
            if setting.choices
            else DataValidation(showInputMessage=True, allow_blank=True)
        )
        dv.promptTitle, dv.prompt = setting.label[:32], setting_help(setting)[:255]
        dv.add(f"B{row}")
        ws.add_data_validation(dv)

    last_row = hr + len(layout.PROGRAM_SETTINGS)
    excel_table = ExcelTable(displayName=table.name, ref=f"A{hr}:C{last_row}")
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=False)
    ws.add_table(excel_table)
    ws.freeze_panes = f"A{hr + 1}"
    _print_setup(ws, None)


def _main(argv: Iterable[str]) -> None:
    args = list(argv)
    print(build_template(Path(args[0]) if args else TEMPLATE_PATH))


if __name__ == "__main__":
    _main(sys.argv[1:])
