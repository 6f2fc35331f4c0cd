"""A `SheetSpec` rendered as worksheet XML (xl/worksheets/sheetN.xml), values only.

Text is written as inline strings (``t="inlineStr"``): it never becomes a formula, and
sharedStrings.xml is left alone. No cell gets a formula. Text is XML-escaped, stripped of
characters XML 1.0 cannot hold, and a literal ``_x0041_`` is protected (Excel would otherwise
read it as an escaped character). Text that looks like a formula gets the quote prefix.
Dates become serial numbers in the workbook's date system (1900 or 1904).

Rendering is two steps so the styles patch can sit between them: `cell_formats` lists the
`XfKey` of every cell, `render_sheet` writes the XML given each key's index in styles.xml.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from evr_xl.model.cellref import column_index, column_letter
from evr_xl.outputs.sheet import CellSpec, SheetSpec, escape_text, looks_like_formula
from evr_xl.workbook.xlsxstyles import DEFAULT_XF, XfKey

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_PAPER = {"A4": 9, "Letter": 1}

Prepared = tuple[int, int, str, str, XfKey]  # row, col, cell type ("" n b inlineStr), payload, key


@cache
def _col(col: int) -> str:
    return column_letter(col)


def prepare_cells(spec: SheetSpec, date1904: bool = False) -> list[Prepared]:
    """Each cell's stored type, payload and format, sorted by row then column.

    Two cells at the same address: the later one wins. NaN, infinities and NaT become blanks.
    """
    by_address: dict[tuple[int, int], CellSpec] = {(c.row, c.col): c for c in spec.cells}
    prepared = []
    for (row, col), cell in sorted(by_address.items()):
        kind, payload, fmt, quote = _convert(cell.value, cell.number_format, date1904)
        key = XfKey(cell.style, fmt, quote)
        if kind == "" and payload == "" and key == DEFAULT_XF:
            continue  # an unstyled blank: nothing to store
        prepared.append((row, col, kind, payload, key))
    return prepared


def cell_formats(prepared: list[Prepared]) -> set[XfKey]:
    return {p[4] for p in prepared}


def _convert(value: object, fmt: str | None, date1904: bool) -> tuple[str, str, str | None, bool]:
    """(cell type, payload, number format, quote prefix) for one value."""
    kind = type(value)  # exact-type fast paths first: most cells are str, float or int
    if kind is str:
        text = escape_text(value)
        if not text:
            return "", "", fmt, False  # an empty string is a blank cell, as Excel keeps it
        return "inlineStr", text, fmt, looks_like_formula(text)
    if kind is float and value == value and not math.isinf(value):
        return "n", repr(value), fmt, False
    if kind is int:
        return "n", str(value), fmt, False
    if value is None or (not isinstance(value, str) and value != value):  # None, NaN, NaT
        return "", "", fmt, False
    if isinstance(value, bool):
        return "b", "1" if value else "0", fmt, False
    if isinstance(value, dt.datetime):
        return "n", _serial(value, date1904), fmt or _DATETIME_FORMAT, False
    if isinstance(value, dt.date):
        return (
            "n",
            _serial(dt.datetime(value.year, value.month, value.day), date1904),
            (fmt or _DATE_FORMAT),
            False,
        )
    if isinstance(value, numbers.Integral):
        return "n", str(int(value)), fmt, False
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number):
            return "", "", fmt, False
        return "n", repr(number), fmt, False
    text = escape_text(str(value))
    if not text:
        return "", "", fmt, False  # an empty string is a blank cell, as Excel keeps it
    return "inlineStr", text, fmt, looks_like_formula(text)


def _serial(value: dt.datetime, date1904: bool) -> str:
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6
    return str(int(serial)) if serial == int(serial) else repr(serial)


def _text_xml(text: str) -> str:
    text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)  # keep a literal _x0041_ literal
    escaped = escape(text).replace("\r", "&#13;")
    if text != text.strip() or "\n" in text:
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


def render_sheet(
    spec: SheetSpec,
    prepared: list[Prepared],
    xf_index: Mapping[XfKey, int],
    dxf_index: Mapping[str, int],
    *,
    tab_selected: bool = False,
) -> bytes:
    """The complete worksheet XML for `spec`."""
    out = [_DECLARATION, _ROOT, _sheet_pr(spec)]
    out.append(f'<dimension ref="{_dimension(prepared)}"/>')
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
    links = [c for c in spec.cells if c.hyperlink]
    if links:
        items = "".join(
            f'<hyperlink ref="{_col(c.col)}{c.row}" location={quoteattr(escape_text(c.hyperlink.lstrip("#")))}/>'
            for c in links
        )
        out.append(f"<hyperlinks>{items}</hyperlinks>")
    out.append(_page_setup(spec))
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


def _sheet_pr(spec: SheetSpec) -> str:
    inner = f'<tabColor rgb="FF{spec.tab_colour.upper()}"/>' if spec.tab_colour else ""
    ps = spec.print_settings
    if ps and (ps.fit_width or ps.fit_height):
        inner += '<pageSetUpPr fitToPage="1"/>'
    return f"<sheetPr>{inner}</sheetPr>" if inner else ""


def _dimension(prepared: list[Prepared]) -> str:
    if not prepared:
        return "A1"
    last_row = prepared[-1][0]
    first_row = prepared[0][0]
    first_col = min(p[1] for p in prepared)
    last_col = max(p[1] for p in prepared)
    first, last = f"{_col(first_col)}{first_row}", f"{_col(last_col)}{last_row}"
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
    prepared: list[Prepared], xf_index: Mapping[XfKey, int], heights: Mapping[int, float]
) -> str:
    by_row: dict[int, list[Prepared]] = {}
    for item in prepared:
        by_row.setdefault(item[0], []).append(item)
    out = ["<sheetData>"]
    for row in sorted(by_row.keys() | heights.keys()):
        out.append(_row_open(row, heights.get(row)))
        for _, col, kind, payload, key in by_row.get(row, ()):
            s = xf_index[key]
            head = f'<c r="{_col(col)}{row}"' + (f' s="{s}"' if s else "")
            if kind == "inlineStr":
                out.append(f'{head} t="inlineStr">{_text_xml(payload)}</c>')
            elif kind == "b":
                out.append(f'{head} t="b"><v>{payload}</v></c>')
            elif kind == "n":
                out.append(f"{head}><v>{payload}</v></c>")
            else:
                out.append(f"{head}/>")
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _row_open(row: int, height: float | None) -> str:
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
