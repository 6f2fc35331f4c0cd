"""Output sheets as plain data: what a sheet shows, not how a file or Excel stores it.

A `SheetSpec` lists its cells (`CellSpec`), column widths, frozen panes, merges, RAG conditional
formats, tab colour, gridlines and print settings. A cell's look is one of a small fixed set of
named styles (`STYLES`), so a renderer adds at most a few dozen formats to a workbook and adds the
same ones on every refresh. Hyperlinks are internal only: a location such as ``'Workplan'!L14``.

Two renderers read these descriptions: the part-level file writer (`evr_xl.workbook.writer`) and
the live-Excel adapter. Neither needs anything but this module.

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
from dataclasses import dataclass, field

from evr_xl.workbook.layout import COLOURS

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


# The fixed set of named styles. Renderers key on these names; adding one is a deliberate change.
STYLES: dict[str, NamedStyle] = {
    "title": NamedStyle(bold=True, size=16, font_colour=COLOURS["header"]),
    "subtitle": NamedStyle(italic=True, size=11, font_colour="595959"),
    "header": NamedStyle(
        bold=True,
        font_colour="FFFFFF",
        fill=COLOURS["header"],
        border_bottom=True,
        vertical="center",
        wrap=True,
    ),
    "kpi_value": NamedStyle(bold=True, size=18, fill=COLOURS["computed"], horizontal="center"),
    "kpi_label": NamedStyle(size=9, font_colour="595959", horizontal="center", wrap=True),
    "note": NamedStyle(italic=True, size=9, font_colour="595959"),
    "rag_green": NamedStyle(fill=COLOURS["green"], font_colour="006100", horizontal="center"),
    "rag_amber": NamedStyle(fill=COLOURS["amber"], font_colour="9C5700", horizontal="center"),
    "rag_red": NamedStyle(fill=COLOURS["red"], font_colour="9C0006", horizontal="center"),
    "link": NamedStyle(underline=True, font_colour="0563C1"),
    "computed": NamedStyle(fill=COLOURS["computed"]),
    "wrap": NamedStyle(wrap=True, vertical="top"),
}

# What a RAG conditional format paints: the named style's fill and font colour.
RAG_STYLES = ("rag_green", "rag_amber", "rag_red")


@dataclass(frozen=True)
class CellSpec:
    """One cell. `row` and `col` are 1-based; `style` is a key of `STYLES`."""

    row: int
    col: int
    value: CellValue = None
    number_format: str | None = None
    style: str | None = None
    hyperlink: str | None = None  # internal location, e.g. "'Workplan'!L14"

    def __post_init__(self) -> None:
        if not (1 <= self.row <= 1_048_576 and 1 <= self.col <= 16_384):
            raise ValueError(f"cell ({self.row}, {self.col}) is outside an Excel sheet")
        if self.style is not None and self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; use one of {sorted(STYLES)}")
        if self.hyperlink is not None and len(self.hyperlink) > EXCEL_MAX_LINK:
            raise ValueError(f"hyperlink longer than {EXCEL_MAX_LINK} characters")


@dataclass(frozen=True)
class ConditionalFormat:
    """Paint cells of `cell_range` (A1 form, e.g. "H5:H40") with `style` when equal to `equals`.

    The simple RAG rule: cell equals "Red" -> the rag_red look. `style` is one of RAG_STYLES.
    """

    cell_range: str
    equals: str
    style: str

    def __post_init__(self) -> None:
        if self.style not in RAG_STYLES:
            raise ValueError(f"conditional format style must be one of {RAG_STYLES}")
        if not _RANGE.fullmatch(self.cell_range):
            raise ValueError(f"not an A1 range: {self.cell_range!r}")


@dataclass(frozen=True)
class PrintSettings:
    """Page setup for printing or PDF export of one sheet."""

    landscape: bool = True
    fit_width: int = 1  # pages across; 0 = automatic
    fit_height: int = 0  # pages down; 0 = automatic
    paper: str = "A4"  # "A4" or "Letter"
    footer: str | None = None  # left footer text; page numbers are added on the right


@dataclass(frozen=True)
class SheetSpec:
    """One output sheet, complete: a refresh replaces the whole sheet with this."""

    name: str
    cells: tuple[CellSpec, ...] | list[CellSpec] = ()
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None  # top-left cell of the scrolling area, e.g. "B5"
    merges: tuple[str, ...] = ()  # A1 ranges, e.g. ("A1:F1",)
    conditional_formats: tuple[ConditionalFormat, ...] = ()
    tab_colour: str | None = None  # RGB hex
    gridlines: bool = False
    print_settings: PrintSettings | None = field(default_factory=PrintSettings)

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


def escape_text(text: str) -> str:
    """User text made safe to store in a cell: XML-legal and at most 32,767 characters.

    Control characters XML 1.0 cannot hold are removed; text longer than Excel's limit is cut
    and ends with an ellipsis. XML escaping itself (``&``, ``<``) is the renderer's job.
    """
    text = _ILLEGAL_XML.sub("", str(text))
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - 1] + ELLIPSIS
    return text


def looks_like_formula(text: str) -> bool:
    """True when Excel would read `text`, typed into a cell, as a formula.

    That is text starting with ``= + - @``, also after leading spaces, tabs or line breaks.
    A renderer sets the quote prefix on such cells, the file equivalent of a leading apostrophe.
    """
    return bool(_FORMULA_START.match(text))


def escape_csv_cell(value: object) -> object:
    """A value made safe for a CSV cell (OWASP CSV injection advice).

    Text starting with ``= + - @``, tab or carriage return (also after leading spaces) gets a
    leading apostrophe, so a spreadsheet opening the CSV shows it as text. Numbers, dates and
    None pass unchanged: apply this to values, not to already-formatted numbers.
    """
    if isinstance(value, str) and (looks_like_formula(value) or value[:1] in ("\t", "\r")):
        return "'" + value
    return value
