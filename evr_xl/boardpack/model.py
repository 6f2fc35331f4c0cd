"""The board pack as plain data: pages of blocks (KPI tiles, text, tables, charts, links).

Nothing here knows about openpyxl. `build.py` makes a BoardPack from the engine's Results;
`render.py` writes it to a workbook. A page is a sheet; its blocks run from top to bottom, except
a chart placed "right", which sits beside the block before it. A chart plots columns of a table
on the same page (by the table's key); a table marked `helper` holds chart data only and is
written to hidden columns to the right of the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

CellValue = str | float | int | bool | dt.date | dt.datetime | None
ChartKind = Literal["waterfall", "stacked_bar", "clustered_column", "clustered_bar", "line"]
TextStyle = Literal["headline", "body", "note", "callout", "heading"]


@dataclass(frozen=True)
class Kpi:
    """One tile: a label, a value and its number format (or RAG text)."""

    label: str
    value: CellValue
    number_format: str | None = None
    rag: bool = False  # the value is a RAG word, coloured as RAG


@dataclass(frozen=True)
class KpiRow:
    tiles: tuple[Kpi, ...]


@dataclass(frozen=True)
class Text:
    text: str
    style: TextStyle = "body"


@dataclass(frozen=True)
class Links:
    """A contents list: (label, description, target sheet) per entry, each a hyperlink."""

    entries: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Column:
    """A table column: header (with its unit), number format, width, and whether it is RAG."""

    header: str
    number_format: str | None = None
    width: float = 12.0
    rag: bool = False
    wrap: bool = False
    center: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    title: str | None = None
    empty_text: str = "None."
    helper: bool = False  # chart data only: hidden columns right of the page
    total_row: bool = False  # the last row is a total (bold)

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.key}: a row has {len(row)} values, not {len(self.columns)}"
                )


@dataclass(frozen=True)
class Series:
    """One chart series: a column of the chart's table."""

    column: int
    colour: str | None = None
    invisible: bool = False  # the waterfall's base
    labels: bool = False  # show data labels
    dashed: bool = False  # a line series drawn dashed (a forecast)


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    table: str  # key of a Table on the same page
    categories: int  # column of the table holding the category labels
    series: tuple[Series, ...]
    y_title: str
    y_format: str
    place: Literal["below", "right"] = "below"
    width_cm: float | None = None  # None: the page's width
    height_cm: float = 8.0
    y_min: float | None = None
    y_max: float | None = None


Block = KpiRow | Text | Links | Table | Chart


@dataclass(frozen=True)
class Page:
    """One sheet of the pack."""

    sheet: str  # sheet name (<= 31 characters)
    title: str
    blocks: tuple[Block, ...]
    width_cols: int = 10  # columns the title and text span


@dataclass(frozen=True)
class BoardPack:
    programme: str
    as_of: str
    currency: str
    value_rag: str
    headline: str
    generated_at: dt.datetime
    source: str
    pages: tuple[Page, ...] = field(default_factory=tuple)

    def page(self, sheet: str) -> Page:
        return next(p for p in self.pages if p.sheet == sheet)
