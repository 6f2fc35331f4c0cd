"""A worksheet as plain data: what a sheet shows, not how a file or Excel stores it.

A `SheetSpec` lists its cells (`CellSpec`), column widths, frozen panes, merges, conditional
formats, tab colour, gridlines and print settings. A cell's look is a named style (`NamedStyle`)
of a small palette that the caller hands to the renderer (the output sheets use
`evr_xl.outputs.styles.STYLES`), so a renderer adds at most a few dozen formats to a workbook and
adds the same ones on every refresh. A `Table`'s header cells use the palette's "header" style
and its linked cells the "link" style. Hyperlinks are internal only: a location such as
``'Workplan'!L14``. A big table is held by column (`Table`) among the other cells (`Cells`): to
every reader still a sequence of `CellSpec`, but the file writer can take it a column at a time.

Two renderers read these descriptions: the part-level file writer (`evr_xl.xlsx.writer`) and the
live-Excel adapter (`evr_xl.excel.render`). This module imports nothing from the rest of evr_xl.

User text is made safe here, once:

- `escape_text` removes what XML 1.0 cannot hold and caps the length at Excel's 32,767
  characters. The file writer stores text as inline strings, which are never formulas.
- `looks_like_formula` tells a renderer to set Excel's quote prefix on a text cell that begins
  with ``= + - @`` (also after leading spaces, tabs or line breaks), so that editing the cell in
  Excel or LibreOffice keeps it text instead of turning it into a formula.
- `escape_csv_cell` prefixes such text with an apostrophe for CSV output (OWASP's advice for
  CSV injection), where no quote-prefix attribute exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

CellValue = str | float | int | bool | dt.date | dt.datetime | None

EXCEL_MAX_TEXT = 32_767  # characters in one cell; longer text makes Excel repair the file
EXCEL_MAX_LINK = 2_079  # characters in a hyperlink location
ELLIPSIS = "…"


@dataclass(frozen=True)
class NamedStyle:
    """The look of one named style. Colours are RGB hex without '#'."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float = 11
    font_colour: str | None = None
    fill: str | None = None
    border_bottom: bool = False
    horizontal: str | None = None  # left, center, right
    vertical: str | None = None  # top, center, bottom
    wrap: bool = False


@dataclass(frozen=True)
class CellSpec:
    """One cell. `row` and `col` are 1-based; `style` names a style of the renderer's palette."""

    row: int
    col: int
    value: CellValue = None
    number_format: str | None = None
    style: str | None = None
    hyperlink: str | None = None  # internal location, e.g. "'Workplan'!L14"

    def __post_init__(self) -> None:
        if not (1 <= self.row <= 1_048_576 and 1 <= self.col <= 16_384):
            raise ValueError(f"cell ({self.row}, {self.col}) is outside an Excel sheet")
        if self.hyperlink is not None and len(self.hyperlink) > EXCEL_MAX_LINK:
            raise ValueError(f"hyperlink longer than {EXCEL_MAX_LINK} characters")


class _CellSequence(Sequence[CellSpec]):
    """Cells as a sequence: equal to any sequence of the same cells."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class Table(_CellSequence):
    """A table held by column: a header row at `top`, then one row per record, from column A.

    The big output sheets are tables of thousands of rows. Held by column, a table costs a list
    per column instead of an object per cell, and the file writer converts it a column at a
    time. As a sequence it is its cells one by one — the header, then row by row; a linked
    record's first cell in the "link" style — for renderers that take cells.
    """

    top: int
    headers: tuple[str, ...]
    columns: tuple[Sequence[CellValue], ...]  # per column, its values made safe, top to bottom
    number_formats: tuple[str | None, ...]
    links: Mapping[int, str] = field(default_factory=dict)  # record i -> its first cell's link

    def __post_init__(self) -> None:
        if not len(self.headers) == len(self.columns) == len(self.number_formats):
            raise ValueError("a table needs one header and one number format per column")
        if len(set(map(len, self.columns))) > 1:
            raise ValueError("the columns of a table differ in length")
        if not (
            1 <= self.top and self.top + self.n_rows <= 1_048_576 and len(self.headers) <= 16_384
        ):
            raise ValueError("the table does not fit on an Excel sheet")
        if max(map(len, self.links.values()), default=0) > EXCEL_MAX_LINK:  # C loops: big tables
            raise ValueError(f"hyperlink longer than {EXCEL_MAX_LINK} characters")

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def __len__(self) -> int:
        return len(self.headers) * (1 + self.n_rows)

    def __getitem__(self, index: int) -> CellSpec:  # type: ignore[override]
        if not -len(self) <= index < len(self):
            raise IndexError("table cell index out of range")
        row, col = divmod(index % len(self), len(self.headers))
        return self._cell(row, col)

    def __iter__(self) -> Iterator[CellSpec]:
        for row in range(1 + self.n_rows):
            for col in range(len(self.headers)):
                yield self._cell(row, col)

    def _cell(self, row: int, col: int) -> CellSpec:
        """The cell `row` rows below the header's (0 = the header), `col` columns from A."""
        if row == 0:
            return CellSpec(self.top, col + 1, self.headers[col], style="header")
        link = self.links.get(row - 1) if col == 0 else None
        return CellSpec(
            self.top + row,
            col + 1,
            self.columns[col][row - 1],
            self.number_formats[col],
            "link" if link else None,
            link,
        )


class Cells(_CellSequence):
    """A sheet's cells in blocks — lists of `CellSpec` and `Table`s — read as one sequence.

    Lets a sheet keep its tables by column while every reader still sees cells, in block order.
    """

    __slots__ = ("blocks",)

    def __init__(self, *blocks: Sequence[CellSpec]) -> None:
        self.blocks = blocks

    def __len__(self) -> int:
        return sum(map(len, self.blocks))

    def __getitem__(self, index: int) -> CellSpec:  # type: ignore[override]
        if index < 0:
            index += len(self)
        for block in self.blocks:
            if 0 <= index < len(block):
                return block[index]
            index -= len(block)
        raise IndexError("cell index out of range")

    def __iter__(self) -> Iterator[CellSpec]:
        for block in self.blocks:
            yield from block


@dataclass(frozen=True)
class ConditionalFormat:
    """Paint cells of `cell_range` (A1 form, e.g. "H5:H40") with `style` when equal to `equals`.

    The simple RAG rule: cell equals "Red" -> the rag_red look. `style` names a palette style;
    its fill and font colour are what the rule paints.
    """

    cell_range: str
    equals: str
    style: str

    def __post_init__(self) -> None:
        if not _RANGE.fullmatch(self.cell_range):
            raise ValueError(f"not an A1 range: {self.cell_range!r}")


@dataclass(frozen=True)
class PrintSettings:
    """Page setup for printing or PDF export of one sheet.

    `title_rows` repeat on every printed page: rows (first, last), or "table" (the default) for
    the header row of the sheet's first `Table`, or None. `title_cols` (first, last) repeat on
    every page across. With `column_groups`, a sheet wider than a page prints its columns in
    groups of whole columns, each group (after the title columns) on its own pages, at the one
    scale that fits the widest group (see `column_groups`); `fit_width` is then not used.
    """

    landscape: bool = True
    fit_width: int = 1  # pages across; 0 = automatic
    fit_height: int = 0  # pages down; 0 = automatic
    paper: str = "A4"  # "A4" or "Letter"
    footer: str | None = None  # left footer text; page numbers are added on the right
    title_rows: tuple[int, int] | Literal["table"] | None = "table"
    title_cols: tuple[int, int] | None = None
    column_groups: bool = False


def table_header_row(spec: SheetSpec) -> int | None:
    """The header row of the sheet's first table: the top of its first `Table` (held alone or
    among `Cells`), else the first row with a cell in the "header" style (a table given cell
    by cell), else None."""
    cells = spec.cells
    blocks = cells.blocks if isinstance(cells, Cells) else (cells,)
    tops = [block.top for block in blocks if isinstance(block, Table)]
    if tops:
        return tops[0]
    return min((c.row for c in cells if c.style == "header"), default=None)


def print_title_ranges(spec: SheetSpec) -> tuple[str | None, str | None]:
    """The rows and the columns repeated on every printed page, as Excel's page setup writes
    them ("$4:$4", "$A:$B"), or None."""
    ps = spec.print_settings
    if ps is None:
        return None, None
    rows = ps.title_rows
    if rows == "table":
        header = table_header_row(spec)
        rows = (header, header) if header else None
    cols = None
    if ps.title_cols:
        cols = f"${column_letter(ps.title_cols[0])}:${column_letter(ps.title_cols[1])}"
    return (f"${rows[0]}:${rows[1]}" if rows else None), cols


# Printing: the paper's width in inches (portrait), the side margins the writer sets, and the
# width Excel gives a column of width w (w * 7 + 5 pixels at 96 dpi, Calibri 11).
PAPER_WIDTH_IN = {"A4": 8.27, "Letter": 8.5}
PAPER_HEIGHT_IN = {"A4": 11.69, "Letter": 11.0}
SIDE_MARGIN_IN = 0.5
DEFAULT_COL_WIDTH = 8.43
LEGIBLE_SCALE = 60  # % below which printed text is hard to read (10-11 pt text at 6-7 pt)
MAX_GROUPS = 4


def column_pixels(width: float) -> int:
    return int(width * 7 + 5)


def printable_pixels(ps: PrintSettings) -> float:
    """The width inside the side margins, in pixels at 96 dpi."""
    paper = (PAPER_HEIGHT_IN if ps.landscape else PAPER_WIDTH_IN).get(ps.paper, 11.69)
    return (paper - 2 * SIDE_MARGIN_IN) * 96


@dataclass(frozen=True)
class ColumnGroups:
    """How a wide sheet prints: page breaks after these columns, at this scale (%)."""

    breaks: tuple[int, ...]
    scale: int


def column_groups(spec: SheetSpec, n_cols: int) -> ColumnGroups:
    """The fewest column groups (at most MAX_GROUPS) that print at LEGIBLE_SCALE or more, each
    group with the title columns before it, the breaks placed so the widest group is as narrow
    as can be; and the scale that fits that group on the page's width (3% to spare)."""
    ps = spec.print_settings or PrintSettings()
    px = [column_pixels(spec.col_widths.get(c, DEFAULT_COL_WIDTH)) for c in range(1, n_cols + 1)]
    titles = 0
    if ps.title_cols:
        first, last = ps.title_cols
        titles = sum(px[first - 1 : min(last, n_cols)])
    start = ps.title_cols[1] if ps.title_cols else 0  # groups after the first repeat these
    page = printable_pixels(ps) * 0.97
    best: tuple[float, tuple[int, ...]] = (float(sum(px)), ())
    for groups in range(2, MAX_GROUPS + 1):
        widest, breaks = _balanced(px, start, titles, groups)
        if widest < best[0]:
            best = (widest, breaks)
        if page / best[0] * 100 >= LEGIBLE_SCALE:
            break
    if sum(px) <= page:
        best = (float(sum(px)), ())
    widest, breaks = best
    return ColumnGroups(breaks, max(10, min(100, int(page / widest * 100))))


def _balanced(px: list[int], start: int, titles: int, groups: int) -> tuple[float, tuple[int, ...]]:
    """Breaks (the last column of each group but the last) into `groups` groups that make the
    widest group (title columns included after the first) as narrow as can be."""
    n = len(px)
    prefix = [0]
    for w in px:
        prefix.append(prefix[-1] + w)

    def width(a: int, b: int, first: bool) -> float:  # columns a+1..b
        return prefix[b] - prefix[a] + (0 if first else titles)

    # best[k][b]: (widest, breaks) for columns 1..b in k groups
    best: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
    for b in range(start + 1, n + 1):
        best[1, b] = (width(0, b, True), ())
    for k in range(2, groups + 1):
        for b in range(start + k, n + 1):
            options = [
                (max(best[k - 1, a][0], width(a, b, False)), (*best[k - 1, a][1], a))
                for a in range(start + k - 1, b)
                if (k - 1, a) in best
            ]
            if options:
                best[k, b] = min(options)
    return best.get((groups, n), (float(prefix[n]), ()))


@dataclass(frozen=True)
class ChartSpec:
    """A native clustered column chart of ranges on its own sheet (A1 ranges, no sheet name)."""

    title: str
    categories: str  # e.g. "B10:B15"
    series: tuple[tuple[str, str], ...]  # (name, range) per series
    anchor: str  # the cells the chart covers, e.g. "I8:L24"
    y_format: str = "0%"

    def __post_init__(self) -> None:
        for rng in (self.categories, self.anchor, *(r for _n, r in self.series)):
            if not _RANGE.fullmatch(rng):
                raise ValueError(f"not an A1 range: {rng!r}")


@dataclass(frozen=True)
class SheetSpec:
    """One output sheet, complete: a refresh replaces the whole sheet with this."""

    name: str
    cells: Sequence[CellSpec] = ()  # a tuple or list of cells, or `Cells` holding tables
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None  # top-left cell of the scrolling area, e.g. "B5"
    merges: tuple[str, ...] = ()  # A1 ranges, e.g. ("A1:F1",)
    conditional_formats: tuple[ConditionalFormat, ...] = ()
    tab_colour: str | None = None  # RGB hex
    gridlines: bool = False
    print_settings: PrintSettings | None = field(default_factory=PrintSettings)
    charts: tuple[ChartSpec, ...] = ()

    def __post_init__(self) -> None:
        problem = sheet_name_problem(self.name)
        if problem:
            raise ValueError(f"bad sheet name {self.name!r}: {problem}")
        for rng in self.merges:
            if not _RANGE.fullmatch(rng):
                raise ValueError(f"not an A1 range: {rng!r}")
        if self.freeze is not None and not _CELL.fullmatch(self.freeze):
            raise ValueError(f"freeze must be a cell such as B5, not {self.freeze!r}")


_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}(:[A-Z]{1,3}[1-9][0-9]{0,6})?")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse `name` as a sheet name, or None if it is acceptable."""
    if not name or not name.strip():
        return "it is blank"
    if len(name) > 31:
        return "it is longer than 31 characters"
    if _BAD_SHEET_CHARS.search(name):
        return "it contains one of [ ] : * ? / \\"
    if name.startswith("'") or name.endswith("'"):
        return "it begins or ends with an apostrophe"
    return None


# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = re.compile(r"[\s]*[=+\-@]")
_FORMULA_CHARACTERS = ("=", "+", "-", "@")


def escape_text(text: str) -> str:
    """User text made safe to store in a cell: XML-legal and at most 32,767 characters.

    Control characters XML 1.0 cannot hold are removed; text longer than Excel's limit is cut
    and ends with an ellipsis. XML escaping itself (``&``, ``<``) is the renderer's job.
    """
    text = str(text)
    if not text.isprintable():  # every character XML cannot hold is unprintable: test first
        text = _ILLEGAL_XML.sub("", text)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + ELLIPSIS
    return text


def looks_like_formula(text: str) -> bool:
    """True when Excel would read `text`, typed into a cell, as a formula.

    That is text starting with ``= + - @``, also after leading spaces, tabs or line breaks.
    A renderer sets the quote prefix on such cells, the file equivalent of a leading apostrophe.
    """
    first = text[:1]
    if first.isspace():  # rare: let the pattern skip the leading white space
        return bool(_FORMULA_START.match(text))
    return first in _FORMULA_CHARACTERS


def escape_csv_cell(value: object) -> object:
    """A value made safe for a CSV cell (OWASP CSV injection advice).

    Text starting with ``= + - @``, tab or carriage return (also after leading spaces) gets a
    leading apostrophe, so a spreadsheet opening the CSV shows it as text. Numbers, dates and
    None pass unchanged: apply this to values, not to already-formatted numbers.
    """
    if isinstance(value, str) and (looks_like_formula(value) or value[:1] in ("\t", "\r")):
        return "'" + value
    return value


def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
