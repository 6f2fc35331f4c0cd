"""A `SheetSpec` rendered as worksheet XML (xl/worksheets/sheetN.xml), values only.

Text is written as inline strings (``t="inlineStr"``): it never becomes a formula, and
sharedStrings.xml is left alone. No cell gets a formula. Text is XML-escaped, stripped of
characters XML 1.0 cannot hold, and a literal ``_x0041_`` is protected (Excel would otherwise
read it as an escaped character). Text that looks like a formula gets the quote prefix.
Dates become serial numbers in the workbook's date system (1900 or 1904).

Rendering is two steps so the styles patch can sit between them: `prepare_cells` converts every
cell and lists the formats (`XfKey`) they use, `render_sheet` writes the XML given each format's
index in styles.xml. A `Table` (the big output tables) stays by column through both: its columns
are checked and converted whole, and its rows made by one join of the columns' lists, in C loops
(map, zip, str.join) rather than a Python step per cell. The XML is the same either way.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, not_
from xml.sax.saxutils import escape, quoteattr

from evr_xl.model.cellref import column_index, column_letter
from evr_xl.outputs.sheet import (
    EXCEL_MAX_TEXT,
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
class PreparedColumn:
    """One column of a table's records, converted but for the format attribute.

    `formats` is one format number for the whole column (the usual case) or one per record.
    Record i's cell is, after its format attribute: `tails[i]`; or, for a column of numbers,
    `numbers[i]` written as `_NUMBER_TAIL`; or, for a column of plain text, `texts[i]` (already
    escaped) written as `_TEXT_TAIL`. A record in `blanks` has no cell if `blank` is None,
    else the blank cell `blank` (numbers only).
    """

    letters: str
    formats: int | list[int]
    tails: list[str | None] | None = None
    numbers: list[float | int] | None = None
    texts: list[str] | None = None
    blanks: list[int] = field(default_factory=list)
    blank: str | None = None
    used: set[int] = field(default_factory=set)  # the format numbers of the cells written

    def all_tails(self) -> list[str | None]:
        """Each record's XML after the format attribute; None for no cell."""
        if self.tails is not None:
            return self.tails
        if self.texts is not None:
            return list(map(_TEXT_TAIL.format, self.texts))
        tails: list[str | None] = list(map(_NUMBER_TAIL.format, self.numbers))
        for i in self.blanks:
            tails[i] = self.blank
        return tails


@dataclass
class PreparedTable:
    """A table's records from `first_row` on, kept by column: written a column at a time.

    Every row has a cell, and no cell outside the table is on its rows.
    """

    first_row: int
    n_rows: int
    columns: list[PreparedColumn]

    @property
    def end_row(self) -> int:
        """The first row after the table."""
        return self.first_row + self.n_rows


@dataclass
class PreparedSheet:
    """A sheet's cells converted once, all but their format index (known after the styles patch).

    `rows` maps each row, in order, to its cells in column order as (column letters, format
    number, XML after the format attribute), e.g. ("B", 0, '><v>1.5</v></c>'); the rows of big
    tables are in `tables` instead, by column. `formats[n]` is format number n.
    """

    rows: dict[int, list[Entry]]
    formats: list[XfKey]
    used: set[XfKey]  # the formats of the cells written (a later cell at an address drops one)
    dimension: str
    links: list[tuple[int, int, str]]  # (row, column, location) in the spec's order
    tables: list[PreparedTable] = field(default_factory=list)  # in row order


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


_NUMBER_TAIL = "><v>{!r}</v></c>"  # what `_convert` writes for a finite float or an int
_TEXT_OPEN, _TEXT_CLOSE = ' t="inlineStr"><is><t>', "</t></is></c>"
_TEXT_TAIL = _TEXT_OPEN + "{}" + _TEXT_CLOSE  # what `_convert` writes for plain text
_ODD_START = (" ", "=", "+", "-", "@")  # printable text starting so: kept spaces, quote prefix
_NONE = type(None)
_NUMBER_KINDS = frozenset((float, int, _NONE))
_TEXT_KINDS = frozenset((str, _NONE))


class _Preparing:
    """One sheet's cells as they are converted, by row and column (a later cell wins).

    Text is converted once per distinct value and a format (style, number format, quote
    prefix) numbered once: a sheet has tens of thousands of cells but few of either. A table's
    records stay by column (`tables`) unless a later cell or table lands on their rows; then they
    join `rows`, cell by cell.
    """

    def __init__(self, date1904: bool) -> None:
        self.date1904 = date1904
        self.rows: dict[int, dict[int, Entry]] = {}
        self.tables: list[PreparedTable] = []
        self.formats: dict[tuple[str | None, str | None, bool], int] = {}  # -> format number
        self.keys: list[tuple[str | None, str | None, bool]] = []  # format number -> key
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
        if self.tables:
            self._untable(row, row + 1)
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
        n = table.n_rows
        if not table.columns or not n:
            return
        first_row = table.top + 1
        columns = [
            self._column(_col(c), values, fmt)
            for c, (values, fmt) in enumerate(
                zip(table.columns, table.number_formats, strict=True), start=1
            )
        ]
        linked = sorted(table.links.items())  # record -> link; usually every one is valid
        if linked and not (
            0 <= linked[0][0] and linked[-1][0] < n and all(map(itemgetter(1), linked))
        ):
            linked = [(i, link) for i, link in linked if link and 0 <= i < n]
        if linked:  # a linked record's first cell: the link style, and a blank is kept
            rows = list(map(itemgetter(0), linked))
            first = columns[0]
            formats = first.formats
            if type(formats) is int:
                formats = [formats] * n
            relinked = {f: self._format("link", *self.keys[f][1:]) for f in set(formats)}
            styled = list(map(relinked.__getitem__, map(formats.__getitem__, rows)))
            deque(map(formats.__setitem__, rows, styled), maxlen=0)  # in C, not a step a row
            if first.blanks and first.blank is None:  # no cell there: a blank in the link style
                tails = first.all_tails()
                blank = self._format("link", table.number_formats[0], False)
                for i in set(first.blanks).intersection(rows):
                    formats[i], tails[i] = blank, _BLANK
                columns[0] = _text_column(first.letters, formats, tails)
            else:  # every record has a cell
                first.formats, first.used = _one_or_each(formats), set(formats)
            self.links += zip(map(first_row.__add__, rows), repeat(1), map(itemgetter(1), linked))
        prepared = PreparedTable(first_row, n, columns)
        self._untable(first_row, prepared.end_row)
        if all(c.blanks and c.blank is None for c in columns) or any(
            first_row <= row < prepared.end_row for row in self.rows
        ):  # rare: a row may have no cell, or other cells share its rows
            self._add_rows(prepared)
        else:
            self.tables.append(prepared)

    def _untable(self, first: int, end: int) -> None:
        """Move the tables on rows `first` to `end` (excluded) into `rows`: a cell lands there."""
        for table in [t for t in self.tables if t.first_row < end and first < t.end_row]:
            self.tables.remove(table)
            self._add_rows(table)

    def _add_rows(self, table: PreparedTable) -> None:
        """A table's records cell by cell into `rows`, over the cells already there."""
        for c, column in enumerate(table.columns, start=1):
            formats = column.formats
            if type(formats) is int:
                formats = [formats] * table.n_rows
            for row, fmt, tail in zip(
                range(table.first_row, table.end_row), formats, column.all_tails(), strict=True
            ):
                cells = self.rows.setdefault(row, {})
                if tail is None:
                    cells.pop(c, None)
                else:
                    cells[c] = (column.letters, fmt, tail)

    def _column(self, letters: str, values: Sequence[object], fmt: str | None) -> PreparedColumn:
        """The unstyled cells of a column sharing a number format, top to bottom.

        Numbers are kept as they are, to be written in one C loop (map) by `_table_rows`; text
        is converted by C loops too, each distinct text once. Odd text (to escape, blank,
        formula-like) and other values take `_entry`.
        """
        plain = self._format(None, fmt, False)
        kinds = set(map(type, values))
        if kinds <= _NUMBER_KINDS:
            numbers = list(values)
            try:  # NaN or an infinity makes the sum NaN or infinite
                finite = _NONE not in kinds and math.isfinite(sum(numbers))
            except OverflowError:  # an int too big for a float
                finite = False
            blanks = [] if finite else [i for i, v in enumerate(numbers) if v is None or v - v]
            blank = None if fmt is None else _BLANK
            used = {plain} if len(blanks) < len(numbers) or blank is not None else set()
            return PreparedColumn(
                letters, plain, numbers=numbers, blanks=blanks, blank=blank, used=used
            )
        if kinds <= _TEXT_KINDS:
            distinct = dict.fromkeys(values)
            distinct.pop(None, None)
            escaped, odd = _plain_texts(list(distinct))
            if not odd and _NONE not in kinds:  # the usual case: as it is, or & < > escaped
                texts = list(map(escaped.get, values, values)) if escaped else list(values)
                return PreparedColumn(letters, plain, texts=texts, used={plain} if texts else set())
            xml: dict[str | None, str | None] = {
                t: _TEXT_TAIL.format(escaped.get(t, t)) for t in distinct
            }
            xml[None] = None if fmt is None else _BLANK
            quoted: dict[str, int] = {}
            for text in odd:
                entry = self._entry(1, text, fmt, None)
                xml[text] = None if entry is None else entry[2]
                if entry is not None and entry[1] != plain:
                    quoted[text] = entry[1]
            tails = list(map(xml.__getitem__, values))
            if quoted:
                return _text_column(letters, list(map(quoted.get, values, repeat(plain))), tails)
            return _text_column(letters, plain, tails)
        entries = [self._entry(1, v, fmt, None) for v in values]
        return _text_column(
            letters,
            [plain if e is None else e[1] for e in entries],
            [None if e is None else e[2] for e in entries],
        )

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
            self.keys.append((style, fmt, quote))
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
        tables = sorted(self.tables, key=attrgetter("first_row"))
        for table in tables:
            written = [c for c, column in enumerate(table.columns, start=1) if column.used]
            first_col, last_col = min(first_col, written[0]), max(last_col, written[-1])
            numbers.update(*(column.used for column in table.columns))
        starts = [*rows, *(t.first_row for t in tables)]
        ends = [*rows, *(t.end_row - 1 for t in tables)]
        dimension = _dimension(min(starts), max(ends), first_col, last_col) if starts else "A1"
        formats = [XfKey(*key) for key in self.keys]
        used = {formats[n] for n in numbers}
        return PreparedSheet(rows, formats, used, dimension, self.links, tables)


def _plain_texts(texts: list[str]) -> tuple[dict[str, str], set[str]]:
    """Of distinct texts, those `_convert` writes as `_TEXT_TAIL`, in C loops: what to escape.

    Returns ({text: text with & < > escaped} for those that have them, the odd texts). Odd
    text needs `_convert` itself: unprintable (escape_text changes it), blank, too long,
    formula-like (quote prefix), with spaces to keep, or with _x (an escaped character's
    look-alike). One look at all the text joined tells which checks a column needs at all.
    """
    joined = "".join(texts)
    odd: set[str] = set()
    if not joined.isprintable():
        odd.update(compress(texts, map(not_, map(str.isprintable, texts))))
    odd.update(compress(texts, map(str.startswith, texts, repeat(_ODD_START))))
    odd.update(compress(texts, map(str.endswith, texts, repeat(" "))))
    if "" in texts:
        odd.add("")
    if len(joined) > EXCEL_MAX_TEXT and max(map(len, texts)) > EXCEL_MAX_TEXT:
        odd.update(t for t in texts if len(t) > EXCEL_MAX_TEXT)
    if "_x" in joined:
        odd.update(compress(texts, map(str.__contains__, texts, repeat("_x"))))
    markup: set[str] = set()
    for char in "&<>" if "&" in joined or "<" in joined or ">" in joined else "":
        markup.update(compress(texts, map(str.__contains__, texts, repeat(char))))
    to_escape = list(markup - odd)
    return dict(zip(to_escape, _escape_all(to_escape), strict=True)), odd


def _escape_all(texts: list[str]) -> Iterator[str]:
    """`escape(text)` (& < >) for each text, in C loops."""
    for char, entity in (("&", "&amp;"), (">", "&gt;"), ("<", "&lt;")):
        texts = map(str.replace, texts, repeat(char), repeat(entity))  # type: ignore[assignment]
    return iter(texts)


def _text_column(letters: str, formats: int | list[int], tails: list[str | None]) -> PreparedColumn:
    """A column given as each record's XML after the format attribute (None: no cell)."""
    blanks = [i for i, tail in enumerate(tails) if tail is None] if None in tails else []
    formats = _one_or_each(formats)
    if type(formats) is int:
        used = {formats} if len(blanks) < len(tails) else set()
    elif blanks:
        used = {f for f, tail in zip(formats, tails, strict=True) if tail is not None}
    else:
        used = set(formats)
    return PreparedColumn(letters, formats, tails=tails, blanks=blanks, used=used)


def _one_or_each(formats: int | list[int]) -> int | list[int]:
    """The format of every record, if it is one for all; else the formats."""
    if type(formats) is int or len(distinct := set(formats)) > 1:
        return formats
    return distinct.pop()


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
    out.append(_page_setup(spec))
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
    letters = map(_col, cols)
    if _ATTRIBUTE_SPECIAL.search("".join(locations)):
        template = '<hyperlink ref="{}{}" location={}/>'
        return "".join(map(template.format, letters, rows, map(_attribute, locations)))
    return "".join(map('<hyperlink ref="{}{}" location="{}"/>'.format, letters, rows, locations))


def _sheet_pr(spec: SheetSpec) -> str:
    inner = f'<tabColor rgb="FF{spec.tab_colour.upper()}"/>' if spec.tab_colour else ""
    ps = spec.print_settings
    if ps and (ps.fit_width or ps.fit_height):
        inner += '<pageSetUpPr fitToPage="1"/>'
    return f"<sheetPr>{inner}</sheetPr>" if inner else ""


def _dimension(first_row: int, last_row: int, first_col: int, last_col: int) -> str:
    first = f"{_col(first_col)}{first_row}"
    last = f"{_col(last_col)}{last_row}"
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
            constant(_TEXT_OPEN)
            pieces.append(column.texts)
            constant(_TEXT_CLOSE)
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
