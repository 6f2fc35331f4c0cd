"""A `SheetSpec` rendered as worksheet XML (xl/worksheets/sheetN.xml), values only.

Text is written as inline strings (``t="inlineStr"``): it never becomes a formula, and
sharedStrings.xml is left alone. No cell gets a formula. Text is XML-escaped, stripped of
characters XML 1.0 cannot hold, and a literal ``_x0041_`` is protected (Excel would otherwise
read it as an escaped character). Text that looks like a formula gets the quote prefix.
Dates become serial numbers in the workbook's date system (1900 or 1904).

Rendering is two steps so the styles patch can sit between them: `prepare_cells` converts every
cell and lists the formats (`XfKey`) they use, `render_sheet` writes the XML given each format's
index in styles.xml.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from xml.sax.saxutils import escape, quoteattr

from evr_xl.model.cellref import column_index, column_letter
from evr_xl.outputs.sheet import (
    Cells,
    CellSpec,
    SheetSpec,
    Table,
    escape_text,
    looks_like_formula,
)
from evr_xl.workbook.xlsxstyles import XfKey

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')  # what quoteattr escapes
_PAPER = {"A4": 9, "Letter": 1}

_BLANK = "/>"  # the tail of an empty cell: `<c r="A1" s="3"/>`


@cache
def _col(col: int) -> str:
    return column_letter(col)


Entry = tuple[str, int, str]  # column letters, format number, XML after the format attribute


@dataclass
class PreparedSheet:
    """A sheet's cells converted once, all but their format index (known after the styles patch).

    `rows` maps each row, in order, to its cells in column order as (column letters, format
    number, XML after the format attribute), e.g. ("B", 0, '><v>1.5</v></c>'); `formats[n]` is
    format number n.
    """

    rows: dict[int, list[Entry]]
    formats: list[XfKey]
    used: set[XfKey]  # the formats of the cells written (a later cell at an address drops one)
    dimension: str
    links: list[tuple[int, int, str]]  # (row, column, location) in the spec's order


def prepare_cells(spec: SheetSpec, date1904: bool = False) -> PreparedSheet:
    """Each cell's stored XML and format, by row then column.

    Two cells at the same address: the later one wins. NaN, infinities and NaT become blanks;
    an unstyled blank is not stored. A `Table` is converted a column at a time.
    """
    sheet = _Preparing(date1904)
    for block in _blocks(spec.cells):
        if isinstance(block, Table):
            sheet.add_table(block)
        else:
            for c in block:
                sheet.add(c.row, c.col, c.value, c.number_format, c.style, c.hyperlink)
    return sheet.result()


def _blocks(cells: Sequence[CellSpec]) -> Iterator[Sequence[CellSpec]]:
    if isinstance(cells, Cells):
        for block in cells.blocks:
            yield from _blocks(block)
    else:
        yield cells


class _Preparing:
    """One sheet's cells as they are converted, by row and column (a later cell wins).

    Text is converted once per distinct value and a format (style, number format, quote
    prefix) numbered once: a sheet has tens of thousands of cells but few of either.
    """

    def __init__(self, date1904: bool) -> None:
        self.date1904 = date1904
        self.rows: dict[int, dict[int, Entry]] = {}
        self.formats: dict[tuple[str | None, str | None, bool], int] = {}  # -> format number
        self.texts: dict[str, tuple[str, bool]] = {}  # text -> (XML, quote prefix)
        self.links: list[tuple[int, int, str]] = []

    def add(
        self,
        row: int,
        col: int,
        value: object,
        fmt: str | None,
        style: str | None,
        link: str | None = None,
    ) -> None:
        """One cell."""
        entry = self._entry(col, value, fmt, style)
        cells = self.rows.setdefault(row, {})
        if entry is None:
            cells.pop(col, None)
        else:
            cells[col] = entry
        if link:
            self.links.append((row, col, link))

    def add_table(self, table: Table) -> None:
        """A table: the header cell by cell, the records a column at a time."""
        for col, header in enumerate(table.headers, start=1):
            self.add(table.top, col, header, None, "header")
        if not table.columns:
            return
        first_row = table.top + 1
        columns = [
            self._column(col, values, fmt)
            for col, (values, fmt) in enumerate(
                zip(table.columns, table.number_formats, strict=True), start=1
            )
        ]
        for i, link in sorted(table.links.items()):
            if link and 0 <= i < table.n_rows:  # a linked record's first cell: the link style
                columns[0][i] = self._entry(1, table.columns[0][i], table.number_formats[0], "link")
                self.links.append((first_row + i, 1, link))
        numbers = range(1, len(columns) + 1)
        for row, entries in enumerate(zip(*columns, strict=True), start=first_row):
            cells = self.rows.get(row)
            if cells is None:  # the usual case: no other block has a cell on this row
                self.rows[row] = {
                    c: e for c, e in zip(numbers, entries, strict=True) if e is not None
                }
                continue
            for col, entry in zip(numbers, entries, strict=True):
                if entry is None:
                    cells.pop(col, None)
                else:
                    cells[col] = entry

    def _column(self, col: int, values: Sequence[object], fmt: str | None) -> list[Entry | None]:
        """The entries of unstyled cells sharing a number format, top to bottom.

        Finite floats and ints, most of a metrics table, are written here as `_convert` would;
        each distinct text is converted once.
        """
        letters, plain = _col(col), self._format(None, fmt, False)
        distinct = dict.fromkeys(v for v in values if type(v) is str)
        texts = {v: self._entry(col, v, fmt, None) for v in distinct}
        entry = self._entry
        return [
            (letters, plain, f"><v>{v!r}</v></c>")
            if type(v) is float and v - v == 0.0
            else texts[v]
            if type(v) is str
            else (letters, plain, f"><v>{v}</v></c>")
            if type(v) is int
            else entry(col, v, fmt, None)
            for v in values
        ]

    def _entry(self, col: int, value: object, fmt: str | None, style: str | None) -> Entry | None:
        """One cell's entry; None for an unstyled blank, which is not stored."""
        if type(value) is str:
            known = self.texts.get(value)
            if known is None:
                tail, _, quote = _convert(value, None, self.date1904)
                known = self.texts[value] = (tail, quote)
            tail, quote = known
        else:
            tail, fmt, quote = _convert(value, fmt, self.date1904)
        if tail == _BLANK and style is None and fmt is None:
            return None
        return _col(col), self._format(style, fmt, quote), tail

    def _format(self, style: str | None, fmt: str | None, quote: bool) -> int:
        number = self.formats.get((style, fmt, quote))
        if number is None:
            number = self.formats[style, fmt, quote] = len(self.formats)
        return number

    def result(self) -> PreparedSheet:
        """The cells in order, and the formats of those written."""
        rows: dict[int, list[Entry]] = {}
        first_col, last_col = 16_385, 0
        for row in sorted(self.rows):
            cells = self.rows[row]
            if cells:
                order = sorted(cells)
                rows[row] = [cells[c] for c in order]
                first_col, last_col = min(first_col, order[0]), max(last_col, order[-1])
        numbers: set[int] = set()
        for cells in rows.values():
            numbers.update(map(itemgetter(1), cells))
        formats = [XfKey(*key) for key in self.formats]
        used = {formats[n] for n in numbers}
        return PreparedSheet(rows, formats, used, _dimension(rows, first_col, last_col), self.links)


def _convert(value: object, fmt: str | None, date1904: bool) -> tuple[str, str | None, bool]:
    """(cell XML after the format attribute, number format, quote prefix) for one value."""
    kind = type(value)
    if kind is str:
        text = escape_text(value)
        if not text:
            return _BLANK, fmt, False  # an empty string is a blank cell, as Excel keeps it
        return f' t="inlineStr">{_text_xml(text)}</c>', fmt, looks_like_formula(text)
    if kind is float and value == value and not math.isinf(value):
        return f"><v>{value!r}</v></c>", fmt, False
    if kind is int:
        return f"><v>{value}</v></c>", fmt, False
    if value is None or (not isinstance(value, str) and value != value):  # None, NaN, NaT
        return _BLANK, fmt, False
    if isinstance(value, bool):
        return f' t="b"><v>{1 if value else 0}</v></c>', fmt, False
    if isinstance(value, dt.datetime):
        return f"><v>{_serial(value, date1904)}</v></c>", fmt or _DATETIME_FORMAT, False
    if isinstance(value, dt.date):
        serial = _serial(dt.datetime(value.year, value.month, value.day), date1904)
        return f"><v>{serial}</v></c>", fmt or _DATE_FORMAT, False
    if isinstance(value, numbers.Integral):
        return f"><v>{int(value)}</v></c>", fmt, False
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number):
            return _BLANK, fmt, False
        return f"><v>{number!r}</v></c>", fmt, False
    return _convert(str(value), fmt, date1904)


def _serial(value: dt.datetime, date1904: bool) -> str:
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6
    return str(int(serial)) if serial == int(serial) else repr(serial)


def _text_xml(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text or "_x" in text:
        text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)  # keep a literal _x0041_ literal
        escaped = escape(text).replace("\r", "&#13;")
    else:  # most text: nothing to escape
        escaped = text
    if text != text.strip() or "\n" in text:
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


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
    out.append(_sheet_data(prepared, xf_index, spec.row_heights))
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
        items = "".join(
            f'<hyperlink ref="{_col(col)}{row}" location={_attribute(escape_text(link.lstrip("#")))}/>'
            for row, col, link in prepared.links
        )
        out.append(f"<hyperlinks>{items}</hyperlinks>")
    out.append(_page_setup(spec))
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


def _attribute(text: str) -> str:
    """`quoteattr(text)`, made cheap for text without a character it would escape."""
    if _ATTRIBUTE_SPECIAL.search(text):
        return quoteattr(text)
    return f'"{text}"'


def _sheet_pr(spec: SheetSpec) -> str:
    inner = f'<tabColor rgb="FF{spec.tab_colour.upper()}"/>' if spec.tab_colour else ""
    ps = spec.print_settings
    if ps and (ps.fit_width or ps.fit_height):
        inner += '<pageSetUpPr fitToPage="1"/>'
    return f"<sheetPr>{inner}</sheetPr>" if inner else ""


def _dimension(rows: dict[int, list], first_col: int, last_col: int) -> str:
    if not rows:
        return "A1"
    first = f"{_col(first_col)}{next(iter(rows))}"
    last = f"{_col(last_col)}{next(reversed(rows))}"
    return first if first == last else f"{first}:{last}"


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
) -> str:
    attr = [f' s="{xf_index[key]}"' if xf_index.get(key) else "" for key in prepared.formats]
    rows = prepared.rows
    order = sorted(rows.keys() | heights.keys()) if heights else rows  # rows is in order
    out = ["<sheetData>"]
    for row in order:
        r = str(row)
        cells = "".join([f'<c r="{col}{r}"{attr[n]}{tail}' for col, n, tail in rows.get(row, ())])
        out.append(f"{_row_open(r, heights.get(row))}{cells}</row>")
    out.append("</sheetData>")
    return "".join(out)


def _row_open(row: str, height: float | None) -> str:
    if height is None:
        return f'<row r="{row}">'
    return f'<row r="{row}" ht="{height:g}" customHeight="1">'


def _page_setup(spec: SheetSpec) -> str:
    out = '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    ps = spec.print_settings
    if ps is None:
        return out
    orientation = "landscape" if ps.landscape else "portrait"
    out += (
        f'<pageSetup paperSize="{_PAPER.get(ps.paper, 9)}" orientation="{orientation}"'
        f' fitToWidth="{ps.fit_width}" fitToHeight="{ps.fit_height}"/>'
    )
    footer = escape_text(ps.footer or "").replace("&", "&&")[:200]
    code = (f"&L{footer}" if footer else "") + "&RPage &P of &N"
    return out + f"<headerFooter><oddFooter>{escape(code)}</oddFooter></headerFooter>"
