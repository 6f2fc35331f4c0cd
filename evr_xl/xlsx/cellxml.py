"""The cells of a `SheetSpec` converted to worksheet XML pieces, and the formats they use.

Text is written as inline strings (``t="inlineStr"``): it never becomes a formula, and
sharedStrings.xml is left alone. No cell gets a formula. Text is XML-escaped, stripped of
characters XML 1.0 cannot hold, and a literal ``_x0041_`` is protected (Excel would otherwise
read it as an escaped character). Text that looks like a formula gets the quote prefix.
Dates become serial numbers in the workbook's date system (1900 or 1904).

Rendering is two steps so the styles patch can sit between them: `prepare_cells` (here) converts
every cell and lists the formats (`XfKey`) they use, `sheetxml.render_sheet` writes the XML given
each format's index in styles.xml. A `Table` (the big output tables) stays by column through
both: its columns are checked and converted whole, and its rows made by one join of the columns'
lists, in C loops (map, zip, str.join) rather than a Python step per cell. The XML is the same
either way.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress, repeat
from operator import attrgetter, itemgetter, not_
from xml.sax.saxutils import escape

from evr_xl.xlsx.sheet import (
    EXCEL_MAX_TEXT,
    Cells,
    CellSpec,
    SheetSpec,
    Table,
    column_letter,
    escape_text,
    looks_like_formula,
)
from evr_xl.xlsx.styles import XfKey

_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")

_BLANK = "/>"  # the tail of an empty cell: `<c r="A1" s="3"/>`


@cache
def col_letters(col: int) -> str:
    """1 -> A (cached: every cell of a sheet asks)."""
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
TEXT_OPEN, TEXT_CLOSE = ' t="inlineStr"><is><t>', "</t></is></c>"
_TEXT_TAIL = TEXT_OPEN + "{}" + TEXT_CLOSE  # what `_convert` writes for plain text
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
            self._column(col_letters(c), values, fmt)
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
        return col_letters(col), self._format(style, fmt, quote), tail

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


def _dimension(first_row: int, last_row: int, first_col: int, last_col: int) -> str:
    first = f"{col_letters(first_col)}{first_row}"
    last = f"{col_letters(last_col)}{last_row}"
    return first if first == last else f"{first}:{last}"
