"""BoardPack -> .xlsx with openpyxl: one sheet per page, printable and styled.

Each page: title and subtitle rows, then its blocks from top to bottom with a blank row between
them. Tables get a header band, RAG cells coloured only by RAG, money in the number format.
Helper tables (chart data) go to hidden columns right of the page. Print setup: landscape A4,
fit to one page wide, rows 1-2 as print titles, header and footer with programme, as-of and page
number, no gridlines. Text that starts with = + - @ is stored as text with Excel's quote prefix.

Styles: each distinct font, fill, border and alignment is described by a small hashable key
(`_font`, `_fill`, `_border`, `_align`), built once per workbook and registered once; a cell then
takes the registered index (`_Styles`). Assigning an openpyxl style object to a cell hashes and
compares it against the workbook's list each time, which cost more than the rest of the render.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from evr_xl.boardpack import style as st
from evr_xl.boardpack.charts import build_chart
from evr_xl.boardpack.model import (
    BoardPack,
    CellValue,
    Chart,
    KpiRow,
    Links,
    Page,
    Table,
    Text,
)
from evr_xl.xlsx.sheet import looks_like_formula

HELPER_COL = 40  # chart data starts in column AN, hidden
ROW_CM = 0.53  # default row height (15 pt) in cm
DEFAULT_ROW_PT = 15.0

# The printable area of an A4 landscape sheet (842 x 595 pt) inside the margins, in points.
MARGIN_LR_IN, MARGIN_TB_IN = 0.5, 0.7
PRINT_W_PT = 842 - 2 * 72 * MARGIN_LR_IN
PRINT_H_PT = 595 - 2 * 72 * MARGIN_TB_IN
MIN_SCALE = 0.55  # a page printed smaller than this is hard to read: its long table is cut
SHRINK = 0.85  # ... and so is one printed at less than 85% of the scale its width allows
APPENDIX_SHRINK = 0.75  # an appendix that fits one sheet at 75% of its width's scale does
MIN_KEEP = 5  # rows a cut table keeps on its page
LONG_TABLE = 12  # only a table of more rows is cut (a list, not a statement)
APPENDIX = " (appendix)"
THIN = ("thin", st.LIGHT_GREY)  # a border line: (style, colour)
NAVY_LINE = ("thin", st.NAVY)
WHITE_GAP = ("medium", "FFFFFF")

# Style keys: plain tuples, tagged with the cell attribute they set.
StyleKey = tuple


def _font(size: float = 10, bold: bool = False, italic: bool = False, colour: str = "000000",
          underline: str | None = None) -> StyleKey:  # fmt: skip
    return ("font", float(size), bold, italic, colour, underline)


def _fill(colour: str) -> StyleKey:
    return ("fill", colour)


def _border(bottom: tuple[str, str] | None = None, top: tuple[str, str] | None = None) -> StyleKey:
    return ("border", bottom, top)


def _align(horizontal: str | None = None, vertical: str | None = None,
           wrap_text: bool | None = None, indent: float = 0) -> StyleKey:  # fmt: skip
    return ("alignment", horizontal, vertical, wrap_text, indent)


def _side(line: tuple[str, str] | None) -> Side | None:
    return None if line is None else Side(style=line[0], color=line[1])


def _make(key: StyleKey) -> Font | PatternFill | Border | Alignment:
    """The openpyxl style object a key describes."""
    kind = key[0]
    if kind == "font":
        _, size, bold, italic, colour, underline = key
        return Font(name=st.FONT, size=size, bold=bold, italic=italic, color=colour,
                    underline=underline)  # fmt: skip
    if kind == "fill":
        return PatternFill("solid", fgColor=key[1])
    if kind == "border":
        return Border(bottom=_side(key[1]), top=_side(key[2]))
    _, horizontal, vertical, wrap_text, indent = key
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap_text, indent=indent)


_FONT10 = _font()
_STYLE_ID = {"font": "fontId", "fill": "fillId", "border": "borderId", "alignment": "alignmentId"}


class _Styles:
    """One workbook's styles: each key's object is built and registered with the workbook once
    (through openpyxl's own cell attribute), later cells take its index in the style array."""

    def __init__(self) -> None:
        self._ids: dict[StyleKey, int] = {}

    def set(self, cell: Cell | MergedCell, *keys: StyleKey) -> None:
        if cell._style is None:  # a new cell has no style array until a style is set
            cell._style = StyleArray()
        for key in keys:
            field = _STYLE_ID[key[0]]
            idx = self._ids.get(key)
            if idx is None:
                setattr(cell, key[0], _make(key))  # openpyxl adds it to the workbook's list
                self._ids[key] = getattr(cell._style, field)
            else:
                setattr(cell._style, field, idx)


def _put(ws: Worksheet, styles: _Styles, row: int, col: int, value: CellValue,
         fmt: str | None = None, *keys: StyleKey) -> Cell:  # fmt: skip
    """Write one value with its number format and styles (the 10 pt font unless `keys` has one)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if looks_like_formula(value):
            cell.quotePrefix = True
    if fmt and not isinstance(value, str):
        cell.number_format = st.fitted(fmt, value)
    if not any(k[0] == "font" for k in keys):
        keys = (_FONT10, *keys)
    styles.set(cell, *keys)
    return cell


def _lines(text: str, width: float, size: float = 10) -> int:
    """Lines a wrapped text needs in a column `width` characters wide (an estimate: a column
    holds about 1.4 x width characters of 10 pt text, word breaks cost a little)."""
    per_line = max(4.0, (width - 1) * 1.4 * 10 / size)
    lines, used = 1, 0.0
    for word in str(text).split():
        need = len(word) + (1 if used else 0)
        if used and used + need > per_line:
            lines, used = lines + 1, float(len(word))
        else:
            used += need
    return lines


def _escape_hf(text: str) -> str:
    """Header/footer text: '&' starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


RIGHT_CHART_CM = 13.0  # a chart beside a table
COLUMN_CM = (14 * 7 + 5) * 2.54 / 96  # a column of width 14, printed


class _PageWriter:
    def __init__(self, ws: Worksheet, page: Page, pack: BoardPack, styles: _Styles,
                 appendix: bool = False) -> None:  # fmt: skip
        self.ws, self.page, self.pack, self.styles = ws, page, pack, styles
        self.appendix = appendix
        tables = [b for b in page.blocks if isinstance(b, Table) and not b.helper]
        self.n_cols = max(len(t.columns) for t in tables) if tables else page.width_cols
        tiles = [len(b.tiles) for b in page.blocks if isinstance(b, KpiRow)]
        self.n_cols = max([self.n_cols] + tiles)
        widths = [14.0] * self.n_cols
        seen = [False] * self.n_cols
        for t in tables:
            for i, c in enumerate(t.columns):
                widths[i] = max(widths[i], c.width) if seen[i] else c.width
                seen[i] = True
        # Charts placed "right" sit beside the block before them, in columns of their own after a
        # narrow gap: the page grows wider instead of longer (a tall, narrow page prints small).
        right = [b for b in page.blocks if isinstance(b, Chart) and b.place == "right"]
        self.right_col = 0
        if right:
            cm = max(b.width_cm or RIGHT_CHART_CM for b in right)
            self.right_col = len(widths) + 2
            widths += [2.0] + [14.0] * math.ceil(cm / COLUMN_CM)
            self.n_cols = len(widths)
        self.widths = widths
        self.block_top = 4  # where the block being written starts
        self.row = 1
        self.positions: dict[str, tuple[int, int, int]] = {}  # key -> header row, col, n rows
        self.helper_row = 1
        self.pending: list[tuple[Chart, int]] = []
        self.heights: dict[int, float] = {}  # row -> height in points (15 unless set)
        self.table_rows: dict[str, list[float]] = {}  # table key -> its data rows' heights
        self.last_row = 1  # the last row of the printed page

    def _height(self, row: int, points: float) -> None:
        self.heights[row] = points
        self.ws.row_dimensions[row].height = points

    @property
    def height_pt(self) -> float:
        """The printed page's height in points, rows 1 to the last."""
        return sum(self.heights.get(r, DEFAULT_ROW_PT) for r in range(1, self.last_row + 1))

    @property
    def width_pt(self) -> float:
        """The printed page's width in points (a column of width w is w * 7 + 5 pixels)."""
        return sum(int(w * 7 + 5) for w in self.widths) * 0.75

    @property
    def total_width(self) -> float:
        return sum(self.widths)

    @property
    def width_cm(self) -> float:
        """The page's printed width: Excel draws a column of width w as w * 7 + 5 pixels."""
        return sum(int(w * 7 + 5) for w in self.widths) * 2.54 / 96

    def write(self) -> None:
        ws, put, styles = self.ws, self._put, self.styles
        for i, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        last = get_column_letter(self.n_cols)
        put(1, 1, self.page.title, None, _font(18, bold=True, colour=st.NAVY))
        ws.merge_cells(f"A1:{last}1")
        self._height(1, 28)
        sub = f"Steering committee board pack | as of {self.pack.as_of} | {self.pack.currency}"
        if self.page.title != self.pack.programme:
            sub = f"{self.pack.programme} | {sub}"
        put(2, 1, sub, None, _font(10, italic=True, colour=st.TEXT_GREY))
        ws.merge_cells(f"A2:{last}2")
        for c in range(1, self.n_cols + 1):
            styles.set(ws.cell(row=2, column=c), _border(bottom=NAVY_LINE))
        self.row = 4
        for block in self.page.blocks:
            if isinstance(block, Table) and block.helper:
                self._helper(block)
        for block in self.page.blocks:
            if isinstance(block, KpiRow) or (isinstance(block, Table) and not block.helper):
                self.block_top = self.row  # a chart placed "right" sits beside this block
            if isinstance(block, Table) and not block.helper:
                self._table(block)
            elif isinstance(block, Text):
                self._text(block)
            elif isinstance(block, KpiRow):
                self._kpis(block)
            elif isinstance(block, Links):
                self._links(block)
            elif isinstance(block, Chart):
                self._chart(block)
            else:
                continue
            self.row += 1
        self.last_row = max(self.row - 1, 3)
        for r in range(1, self.last_row + 1):  # every row's height fixed: Excel and
            if r not in self.heights:  # LibreOffice then lay out (and scale) the same page
                self._height(r, DEFAULT_ROW_PT)
        self._draw_charts()
        self._print_setup()

    def _put(self, row: int, col: int, value: CellValue, fmt: str | None = None,
             *keys: StyleKey) -> Cell:  # fmt: skip
        return _put(self.ws, self.styles, row, col, value, fmt, *keys)

    # blocks -----------------------------------------------------------------------------
    def _text(self, block: Text) -> None:
        ws, r = self.ws, self.row
        look = {
            "headline": _font(16, bold=True, colour=st.NAVY),
            "heading": _font(12, bold=True, colour=st.NAVY),
            "callout": _font(11, bold=True, colour="000000"),
            "note": _font(9, italic=True, colour=st.TEXT_GREY),
            "body": _font(10),
        }[block.style]
        self._put(r, 1, block.text, None, look, _align(wrap_text=True, vertical="top"))
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=self.n_cols)
        size = float(look[1])
        lines = _lines(block.text, self.total_width, size)
        self._height(r, lines * size * 1.4 + 6)
        if block.style == "callout":
            for c in range(1, self.n_cols + 1):
                self.styles.set(ws.cell(row=r, column=c), _fill(st.TILE))
        self.row += 1

    def _tile_spans(self, n: int) -> list[tuple[int, int]]:
        """Split the page's columns into n nearly equal-width spans (by column width)."""
        total = self.total_width
        bounds, acc, c = [1], 0.0, 0
        for i in range(1, n):
            while c < self.n_cols and acc + self.widths[c] / 2 < total * i / n:
                acc += self.widths[c]
                c += 1
            bounds.append(max(c + 1, bounds[-1] + 1))
        bounds.append(self.n_cols + 1)
        return [(bounds[i], max(bounds[i], bounds[i + 1] - 1)) for i in range(n)]

    def _kpis(self, block: KpiRow) -> None:
        ws, r = self.ws, self.row
        for tile, (c0, c1) in zip(block.tiles, self._tile_spans(len(block.tiles)), strict=True):
            rag = tile.rag and str(tile.value) in st.RAG_FILL
            value_font = _font(16, bold=True, colour=st.RAG_FONT[str(tile.value)] if rag
                               else st.NAVY)  # fmt: skip
            value_fill = _fill(st.RAG_FILL[str(tile.value)] if rag else st.TILE)
            center = _align(horizontal="center", vertical="center")
            self._put(r, c0, tile.label, None, _font(9, colour=st.TEXT_GREY),
                      _align(horizontal="center", vertical="center", wrap_text=True),
                      _fill(st.TILE))  # fmt: skip
            self._put(r + 1, c0, tile.value, tile.number_format, value_font, center, value_fill)
            # the merged tile takes its top-left cell's fill; the white line separates tiles
            for rr in (r, r + 1):
                ws.merge_cells(start_row=rr, start_column=c0, end_row=rr, end_column=c1)
            for c in range(c0, c1 + 1):
                self.styles.set(ws.cell(row=r + 1, column=c), _border(bottom=WHITE_GAP))
        self._height(r, 30)
        self._height(r + 1, 30)
        self.row += 2

    def _links(self, block: Links) -> None:
        ws = self.ws
        for n, (label, description, sheet) in enumerate(block.entries, start=2):
            link = _font(11, colour="0563C1", underline="single")
            cell = self._put(self.row, 1, f"{n}. {label}", None, link)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
            self._put(self.row, 3, description, None, _font(10, colour=st.TEXT_GREY))
            ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=2)
            ws.merge_cells(
                start_row=self.row, start_column=3, end_row=self.row, end_column=self.n_cols
            )
            self.row += 1

    def _table(self, t: Table) -> None:
        put = self._put
        if t.title:
            put(self.row, 1, t.title, None, _font(12, bold=True, colour=st.NAVY))
            self.row += 1
        header = self.row
        head_lines = 1
        head_font, head_fill = _font(9, bold=True, colour="FFFFFF"), _fill(st.NAVY)
        for c, col in enumerate(t.columns, start=1):
            numeric = col.number_format is not None
            align = _align(
                wrap_text=True,
                vertical="center",
                horizontal="right" if numeric else "left",
                indent=0 if c == 1 else 1,
            )
            put(header, c, col.header, None, head_font, head_fill, align)
            head_lines = max(head_lines, _lines(col.header, col.width, 9))
        self._height(header, 12 * head_lines + 6)
        self.positions[t.key] = (header, 1, len(t.rows))
        r = header + 1
        if not t.rows:
            put(r, 1, t.empty_text, None, _font(10, italic=True, colour=st.TEXT_GREY))
            self.row = r + 1
            return
        rag_align = _align(horizontal="center", vertical="top")
        heights = self.table_rows[t.key] = []
        for i, row in enumerate(t.rows):
            total = t.total_row and i == len(t.rows) - 1
            font, border = _font(10, bold=total), _border(THIN, NAVY_LINE if total else None)
            lines = 1
            for c, (col, value) in enumerate(zip(t.columns, row, strict=True), start=1):
                text_cell = isinstance(value, str)
                if col.rag and text_cell and value in st.RAG_FILL:
                    rag_font = _font(10, bold=True, colour=st.RAG_FONT[value])
                    put(r, c, value, col.number_format, rag_font, border, rag_align,
                        _fill(st.RAG_FILL[value]))  # fmt: skip
                else:
                    indent = 1 if c > 1 else 0
                    horizontal = "center" if col.center else ("left" if text_cell else "right")
                    align = _align(horizontal, "top", col.wrap, indent)
                    put(r, c, value, col.number_format, font, border, align)
                if col.wrap and isinstance(value, str):
                    lines = max(lines, _lines(value, col.width))
            if lines > 1:
                self._height(r, 13 * lines + 3)
            heights.append(self.heights.get(r, DEFAULT_ROW_PT))
            r += 1
        self.row = r

    def _helper(self, t: Table) -> None:
        ws = self.ws
        col0 = HELPER_COL
        header = self.helper_row
        for c, col in enumerate(t.columns):
            self._put(header, col0 + c, col.header)
            ws.column_dimensions[get_column_letter(col0 + c)].hidden = True
        for i, row in enumerate(t.rows, start=1):
            for c, (col, value) in enumerate(zip(t.columns, row, strict=True)):
                self._put(header + i, col0 + c, value, col.number_format)
        self.positions[t.key] = (header, col0, len(t.rows))
        self.helper_row = header + len(t.rows) + 2

    def _chart(self, spec: Chart) -> None:
        """Reserve the chart's rows; it is drawn once its table is placed (it may come later).
        A chart placed "right" takes no rows: it sits beside the block before it (which must be
        as tall, or the rows are added)."""
        if spec.place == "right":
            self.pending.append((spec, self.block_top))
            self.row = max(self.row, self.block_top + math.ceil(spec.height_cm / ROW_CM) + 1)
            return
        self.pending.append((spec, self.row))
        self.row += math.ceil(spec.height_cm / ROW_CM) + 1

    def _draw_charts(self) -> None:
        for spec, row in self.pending:
            if spec.table not in self.positions:
                raise ValueError(f"chart {spec.title!r}: no table {spec.table!r} on its page")
            header, col0, n = self.positions[spec.table]
            chart = build_chart(self.ws, spec, header, col0, n)
            if spec.place == "right":
                chart.width = spec.width_cm or RIGHT_CHART_CM
                self.ws.add_chart(chart, f"{get_column_letter(self.right_col)}{row}")
                continue
            chart.width = min(spec.width_cm, self.width_cm) if spec.width_cm else self.width_cm
            self.ws.add_chart(chart, f"A{row}")

    # print ------------------------------------------------------------------------------
    @property
    def one_sheet(self) -> bool:
        """Whether an appendix prints on one sheet of paper at no less than APPENDIX_SHRINK
        of the scale its width allows (one that does not prints on more, one page wide)."""
        by_width = min(1.0, PRINT_W_PT / self.width_pt)
        return self.height_pt * by_width * APPENDIX_SHRINK <= PRINT_H_PT

    def _print_setup(self) -> None:
        """A page prints on one sheet of paper (fit to one page wide and tall); so does an
        appendix that fits, a longer one prints one page wide on as many pages as it needs,
        its title and table header repeated on each."""
        ws, pack = self.ws, self.pack
        ws.sheet_view.showGridLines = False
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0 if self.appendix and not self.one_sheet else 1
        titles = 2
        if self.appendix and self.positions:
            titles = min(header for header, col, _ in self.positions.values() if col == 1)
        ws.print_title_rows = f"1:{titles}"
        ws.print_area = f"A1:{get_column_letter(self.n_cols)}{self.last_row}"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = MARGIN_LR_IN
        ws.page_margins.top = ws.page_margins.bottom = MARGIN_TB_IN
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.oddHeader.left.text = _escape_hf(pack.programme)
        ws.oddHeader.right.text = f"As of {pack.as_of}"
        ws.oddFooter.left.text = "EVR-XL steering committee board pack"
        ws.oddFooter.center.text = "&A"
        ws.oddFooter.right.text = "Page &P of &N"
        ws.sheet_properties.tabColor = st.NAVY if not self.appendix else st.SLATE


def appendix_name(sheet: str) -> str:
    """The sheet holding the rows a page's long tables could not keep (<= 31 characters)."""
    return sheet[: 31 - len(APPENDIX)] + APPENDIX


def _measure(page: Page, pack: BoardPack) -> _PageWriter:
    """The page laid out on a scratch sheet, for its printed size."""
    writer = _PageWriter(Workbook().active, page, pack, _Styles())
    writer.write()
    return writer


def _print_scale(writer: _PageWriter) -> tuple[float, float]:
    """(the scale that fits the page's width, the scale that fits it on one sheet)."""
    by_width = min(1.0, PRINT_W_PT / writer.width_pt)
    return by_width, min(by_width, PRINT_H_PT / writer.height_pt)


def _cut_page(page: Page, cuts: dict[str, int]) -> tuple[Page, Page | None]:
    """The page with each table in `cuts` keeping its first n rows (and a note saying where
    the rest went), and the appendix page holding the rest; charts keep all the rows (their
    data moves to hidden columns)."""
    if not cuts:
        return page, None
    appendix = appendix_name(page.sheet)
    blocks: list = []
    moved: list = []
    plotted = {b.table for b in page.blocks if isinstance(b, Chart)}
    for block in page.blocks:
        if not (isinstance(block, Table) and block.key in cuts):
            if isinstance(block, Chart) and block.table in cuts:
                block = replace(block, table=block.table + "__chart")
            blocks.append(block)
            continue
        n, total = cuts[block.key], len(block.rows)
        blocks.append(replace(block, rows=block.rows[:n], total_row=False))
        blocks.append(
            Text(
                f"Rows 1 to {n} of {total}; the other {total - n} are on the sheet "
                f"'{appendix}', printed after the pages.",
                "note",
            )
        )
        if block.key in plotted:
            blocks.append(replace(block, key=block.key + "__chart", helper=True, title=None))
        title = f"{block.title} (continued)" if block.title else None
        moved.append(replace(block, rows=block.rows[n:], title=title))
    intro = Text(f"The rows that did not fit on the page '{page.sheet}'.", "note")
    rest = Page(appendix, f"{page.title} (continued)", (intro, *moved), page.width_cols)
    return replace(page, blocks=tuple(blocks)), rest


def fit_page(page: Page, pack: BoardPack) -> tuple[Page, Page | None]:
    """The page as it prints on one sheet of paper, legibly, and its appendix (or None).

    A page whose one-sheet print would be small (under MIN_SCALE, or well under the scale its
    width alone allows) has its longest table cut: the rows beyond what fits move to an
    appendix sheet, printed one page wide on as many pages as it needs. Charts are never cut.
    """
    cuts: dict[str, int] = {}
    originals = {b.key: b for b in page.blocks if isinstance(b, Table) and not b.helper}
    for _ in range(len(originals) + 1):
        cut, appendix = _cut_page(page, cuts)
        writer = _measure(cut, pack)
        by_width, scale = _print_scale(writer)
        target = max(MIN_SCALE, by_width * SHRINK)
        if scale >= target - 1e-9:
            return cut, appendix
        excess = writer.height_pt - PRINT_H_PT / target
        candidates = [
            (sum(writer.table_rows[k][MIN_KEEP:]), k)
            for k in originals
            if len(writer.table_rows.get(k, ())) > MIN_KEEP and len(originals[k].rows) > LONG_TABLE
        ]
        if not candidates:
            break
        _, key = max(candidates)
        heights = writer.table_rows[key]
        n = len(heights)
        note = 0.0 if key in cuts else 2 * DEFAULT_ROW_PT  # the note (and its blank row)
        while n > MIN_KEEP and excess + note > 0:
            n -= 1
            excess -= heights[n]
        cuts[key] = n
    cut, appendix = _cut_page(page, cuts)
    if cuts and _print_scale(_measure(cut, pack))[1] < _print_scale(_measure(page, pack))[1] + 0.05:
        return page, None  # cutting does not make it legible: the page prints smaller instead
    return cut, appendix


def _with_appendices(page: Page, appendices: list[Page]) -> Page:
    """A contents list (the cover's) that also links the appendix sheets, after the pages."""
    if not appendices or not any(isinstance(b, Links) for b in page.blocks):
        return page
    more = tuple(
        (a.sheet, "The rows of its page that do not fit on one sheet of paper", a.sheet)
        for a in appendices
    )
    blocks = tuple(
        replace(b, entries=b.entries + more) if isinstance(b, Links) else b for b in page.blocks
    )
    return replace(page, blocks=blocks)


def render(pack: BoardPack, path: str | Path) -> Path:
    """Write the pack to `path` (.xlsx) and return the path.

    One sheet per page, each printing on one A4 landscape sheet of paper; rows a page cannot
    hold legibly go to appendix sheets after the pages (see `fit_page`).
    """
    wb = Workbook()
    wb.remove(wb.active)
    styles = _Styles()
    fits = [fit_page(page, pack) for page in pack.pages]
    appendices = [appendix for _page, appendix in fits if appendix is not None]
    pages = [_with_appendices(fitted, appendices) for fitted, _appendix in fits]
    for page in pages:
        ws = wb.create_sheet(page.sheet)
        _PageWriter(ws, page, pack, styles).write()
    for page in appendices:
        ws = wb.create_sheet(page.sheet)
        _PageWriter(ws, page, pack, styles, appendix=True).write()
    wb.active = 0
    props = wb.properties
    props.title = f"{pack.programme} - board pack as of {pack.as_of}"
    props.creator = "EVR-XL"
    props.created = props.modified = pack.generated_at
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
