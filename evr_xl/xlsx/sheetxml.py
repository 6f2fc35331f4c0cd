"""The worksheet part (xl/worksheets/sheetN.xml) of a `SheetSpec`, from its prepared cells.

`render_sheet` is the second step of writing a sheet (the first is `cellxml.prepare_cells`,
then the styles patch gives each format its index): sheet properties, view and frozen panes,
column widths, the cell data (a big table's rows as one join of its columns), merges, the RAG
conditional formats, hyperlinks and page setup (with a wide sheet's column breaks). The rows
and columns repeated on every printed page are a defined name in the workbook part
(`print_titles` gives its formula; `evr_xl.xlsx.names` writes it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from xml.sax.saxutils import escape, quoteattr

from evr_xl.xlsx.cellxml import (
    TEXT_CLOSE,
    TEXT_OPEN,
    PreparedColumn,
    PreparedSheet,
    PreparedTable,
    col_letters,
)
from evr_xl.xlsx.sheet import (
    EXCEL_MAX_TEXT,
    SIDE_MARGIN_IN,
    SheetSpec,
    column_groups,
    column_index,
    escape_text,
    print_title_ranges,
)
from evr_xl.xlsx.styles import XfKey

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')  # what quoteattr escapes
_PAPER = {"A4": 9, "Letter": 1}


def render_sheet(
    spec: SheetSpec,
    prepared: PreparedSheet,
    xf_index: Mapping[XfKey, int],
    dxf_index: Mapping[str, int],
    *,
    tab_selected: bool = False,
) -> bytes:
    """The complete worksheet XML for `spec`."""
    out = [_DECLARATION, _ROOT, _sheet_pr(spec)]
    out.append(f'<dimension ref="{prepared.dimension}"/>')
    out.append(_sheet_views(spec, tab_selected))
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if spec.col_widths:
        cols = "".join(
            f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
            for c, w in sorted(spec.col_widths.items())
        )
        out.append(f"<cols>{cols}</cols>")
    out += _sheet_data(prepared, xf_index, spec.row_heights)
    if spec.merges:
        merges = "".join(f'<mergeCell ref="{m}"/>' for m in spec.merges)
        out.append(f'<mergeCells count="{len(spec.merges)}">{merges}</mergeCells>')
    for priority, cf in enumerate(spec.conditional_formats, start=1):
        literal = '"' + cf.equals.replace('"', '""') + '"'
        out.append(
            f'<conditionalFormatting sqref="{cf.cell_range}"><cfRule type="cellIs" '
            f'dxfId="{dxf_index[cf.style]}" priority="{priority}" operator="equal">'
            f"<formula>{escape(escape_text(literal))}</formula></cfRule></conditionalFormatting>"
        )
    if prepared.links:
        out.append(f"<hyperlinks>{_hyperlinks(prepared.links)}</hyperlinks>")
    out.append(_page_setup(spec, _last_column(spec, prepared.dimension)))
    out.append("</worksheet>")
    # Each piece encoded alone: a big table's rows, most often ASCII, are copied as they are
    # even when a title elsewhere is not (joined first, all of it would be re-encoded).
    return b"".join([piece.encode("utf-8") for piece in out])


def _attribute(text: str) -> str:
    """`quoteattr(text)`, made cheap for text without a character it would escape."""
    if _ATTRIBUTE_SPECIAL.search(text):
        return quoteattr(text)
    return f'"{text}"'


def _hyperlinks(links: Sequence[tuple[int, int, str]]) -> str:
    """The <hyperlink> elements, the locations checked and escaped all at once (C loops)."""
    rows, cols, locations = zip(*links, strict=True)
    locations = list(map(str.lstrip, locations, repeat("#")))
    if not all(map(str.isprintable, locations)) or max(map(len, locations)) > EXCEL_MAX_TEXT:
        locations = list(map(escape_text, locations))
    letters = map(col_letters, cols)
    if _ATTRIBUTE_SPECIAL.search("".join(locations)):
        template = '<hyperlink ref="{}{}" location={}/>'
        return "".join(map(template.format, letters, rows, map(_attribute, locations)))
    return "".join(map('<hyperlink ref="{}{}" location="{}"/>'.format, letters, rows, locations))


def _sheet_pr(spec: SheetSpec) -> str:
    inner = f'<tabColor rgb="FF{spec.tab_colour.upper()}"/>' if spec.tab_colour else ""
    ps = spec.print_settings
    if ps and (ps.fit_width or ps.fit_height) and not ps.column_groups:
        inner += '<pageSetUpPr fitToPage="1"/>'
    return f"<sheetPr>{inner}</sheetPr>" if inner else ""


def _sheet_views(spec: SheetSpec, tab_selected: bool) -> str:
    attrs = ' tabSelected="1"' if tab_selected else ""
    if not spec.gridlines:
        attrs += ' showGridLines="0"'
    pane = ""
    if spec.freeze and spec.freeze != "A1":
        letters = re.match(r"[A-Z]+", spec.freeze).group(0)
        row = int(spec.freeze[len(letters) :])
        x, y = column_index(letters) - 1, row - 1
        active = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
        split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
        pane = (
            f'<pane{split} topLeftCell="{spec.freeze}" activePane="{active}" state="frozen"/>'
            f'<selection pane="{active}" activeCell="{spec.freeze}" sqref="{spec.freeze}"/>'
        )
    return f'<sheetViews><sheetView{attrs} workbookViewId="0">{pane}</sheetView></sheetViews>'


def _sheet_data(
    prepared: PreparedSheet, xf_index: Mapping[XfKey, int], heights: Mapping[int, float]
) -> list[str]:
    """<sheetData> in pieces: each table's rows one piece, the other rows between them."""
    attr = [f' s="{xf_index[key]}"' if xf_index.get(key) else "" for key in prepared.formats]
    rows, tables = prepared.rows, prepared.tables
    order: Iterable[int] = rows  # rows is in order
    if heights:  # a row with a height but no cell is written too, unless a table has it
        order = rows.keys() | {
            r for r in heights if not any(t.first_row <= r < t.end_row for t in tables)
        }
    pieces: list[tuple[int, PreparedTable | None]] = [(row, None) for row in order]
    if tables or heights:
        pieces += [(t.first_row, t) for t in tables]
        pieces.sort(key=itemgetter(0))
    out, loose = [], ["<sheetData>"]
    for row, table in pieces:
        if table is not None:
            out += ("".join(loose), _table_rows(table, attr, heights))
            loose = []
            continue
        r = str(row)
        cells = "".join([f'<c r="{col}{r}"{attr[n]}{tail}' for col, n, tail in rows.get(row, ())])
        loose.append(f"{_row_open(r, heights.get(row))}{cells}</row>")
    loose.append("</sheetData>")
    out.append("".join(loose))
    return out


def _table_rows(table: PreparedTable, attr: list[str], heights: Mapping[int, float]) -> str:
    """A table's <row> elements as one join of pieces laid out a column at a time.

    Each row is the same run of pieces: constant text (the same on every row) between the
    row's values — its number, a cell's text, a number's repr. So the rows are one `str.join`
    over the columns' lists zipped (C loops), no cell's XML made on its own; only a column
    with cells missing (blanks) is made a cell at a time.
    """
    numbers = list(map(str, range(table.first_row, table.end_row)))
    pieces: list[str | list[str]] = ['<row r="', numbers]  # str: the same on every row

    def constant(text: str) -> None:
        if type(pieces[-1]) is str:
            pieces[-1] += text
        else:
            pieces.append(text)

    rows = range(table.first_row, table.end_row)
    if any(row in rows for row in heights):
        pieces.append([_row_attributes(heights.get(row)) for row in rows])
    else:
        constant('">')
    for column in table.columns:
        if column.blanks:  # a cell at a time
            pieces.append(_column_cells(column, attr, numbers))
            continue
        constant(f'<c r="{column.letters}')
        pieces.append(numbers)
        if type(column.formats) is int:
            constant(f'"{attr[column.formats]}')
        else:
            constant('"')
            pieces.append(list(map(attr.__getitem__, column.formats)))
        if column.numbers is not None:
            constant("><v>")
            pieces.append(list(map(repr, column.numbers)))
            constant("</v></c>")
        elif column.texts is not None:
            constant(TEXT_OPEN)
            pieces.append(column.texts)
            constant(TEXT_CLOSE)
        else:
            pieces.append(column.tails)
    constant("</row>")
    columns = [repeat(p) if type(p) is str else p for p in pieces]
    return "".join(chain.from_iterable(zip(*columns, strict=False)))  # as long as the lists


def _column_cells(column: PreparedColumn, attr: list[str], numbers: list[str]) -> list[str]:
    """Each record's cell XML in a column ("" for no cell), one string a cell."""
    start = f'<c r="{column.letters}{{}}"'
    tails = column.all_tails()
    if type(column.formats) is int:
        cells = list(map((start + attr[column.formats] + "{}").format, numbers, tails))
    else:
        formats = map(attr.__getitem__, column.formats)
        cells = list(map((start + "{}{}").format, numbers, formats, tails))
    for i in column.blanks:
        if tails[i] is None:
            cells[i] = ""
    return cells


def _row_open(row: str, height: float | None) -> str:
    return f'<row r="{row}{_row_attributes(height)}'


def _row_attributes(height: float | None) -> str:
    """What follows a <row>'s number: its height, if it has one."""
    if height is None:
        return '">'
    return f'" ht="{height:g}" customHeight="1">'


def _last_column(spec: SheetSpec, dimension: str) -> int:
    letters = re.match(r"[A-Z]+", dimension.rsplit(":", 1)[-1])
    return max([column_index(letters.group(0)) if letters else 1, *spec.col_widths])


def print_titles(spec: SheetSpec) -> str | None:
    """The formula of the sheet's `_xlnm.Print_Titles` defined name (rows and columns that
    repeat on every printed page), e.g. ``'Driver Metrics'!$A:$B,'Driver Metrics'!$4:$4``."""
    rows, cols = print_title_ranges(spec)
    sheet = "'" + spec.name.replace("'", "''") + "'!"
    return ",".join(sheet + part for part in (cols, rows) if part) or None


def _page_setup(spec: SheetSpec, n_cols: int) -> str:
    out = (
        f'<pageMargins left="{SIDE_MARGIN_IN}" right="{SIDE_MARGIN_IN}" top="0.6" bottom="0.6"'
        ' header="0.3" footer="0.3"/>'
    )
    ps = spec.print_settings
    if ps is None:
        return out
    orientation = "landscape" if ps.landscape else "portrait"
    breaks = ""
    if ps.column_groups:  # whole columns in groups, at one scale: no fit to pages
        groups = column_groups(spec, n_cols)
        fit = f' scale="{groups.scale}" pageOrder="overThenDown"'
        if groups.breaks:
            brk = "".join(f'<brk id="{b}" max="1048575" man="1"/>' for b in groups.breaks)
            n = len(groups.breaks)
            breaks = f'<colBreaks count="{n}" manualBreakCount="{n}">{brk}</colBreaks>'
    else:
        fit = f' fitToWidth="{ps.fit_width}" fitToHeight="{ps.fit_height}"'
    out += f'<pageSetup paperSize="{_PAPER.get(ps.paper, 9)}" orientation="{orientation}"{fit}/>'
    footer = escape_text(ps.footer or "").replace("&", "&&")[:200]
    code = (f"&L{footer}" if footer else "") + "&RPage &P of &N"
    return out + f"<headerFooter><oddFooter>{escape(code)}</oddFooter></headerFooter>" + breaks
