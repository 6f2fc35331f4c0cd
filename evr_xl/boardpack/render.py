"""BoardPack -> .xlsx with openpyxl: one sheet per page, printable and styled.

Each page: title and subtitle rows, then its blocks from top to bottom with a blank row between
them. Tables get a header band, RAG cells coloured only by RAG, money in the number format.
Helper tables (chart data) go to hidden columns right of the page. Print setup: landscape A4,
fit to one page wide, rows 1-2 as print titles, header and footer with programme, as-of and page
number, no gridlines. Text that starts with = + - @ is stored as text with Excel's quote prefix.
"""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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
from evr_xl.outputs.sheet import looks_like_formula

HELPER_COL = 40  # chart data starts in column AN, hidden
ROW_CM = 0.53  # default row height (15 pt) in cm
THIN = Side(style="thin", color=st.LIGHT_GREY)
NAVY_LINE = Side(style="thin", color=st.NAVY)


def _font(size: float = 10, bold: bool = False, italic: bool = False, colour: str = "000000",
          underline: str | None = None) -> Font:  # fmt: skip
    return Font(name=st.FONT, size=size, bold=bold, italic=italic, color=colour,
                underline=underline)  # fmt: skip


def _put(ws: Worksheet, row: int, col: int, value: CellValue, fmt: str | None = None):
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if looks_like_formula(value):
            cell.quotePrefix = True
    if fmt and not isinstance(value, str):
        cell.number_format = fmt
    cell.font = _font()
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


class _PageWriter:
    def __init__(self, ws: Worksheet, page: Page, pack: BoardPack) -> None:
        self.ws, self.page, self.pack = ws, page, pack
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
        self.widths = widths
        self.row = 1
        self.positions: dict[str, tuple[int, int, int]] = {}  # key -> header row, col, n rows
        self.helper_row = 1
        self.pending: list[tuple[Chart, int]] = []

    @property
    def total_width(self) -> float:
        return sum(self.widths)

    @property
    def width_cm(self) -> float:
        """The page's printed width: Excel draws a column of width w as w * 7 + 5 pixels."""
        return sum(int(w * 7 + 5) for w in self.widths) * 2.54 / 96

    def write(self) -> None:
        ws = self.ws
        for i, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        last = get_column_letter(self.n_cols)
        _put(ws, 1, 1, self.page.title).font = _font(18, bold=True, colour=st.NAVY)
        ws.merge_cells(f"A1:{last}1")
        ws.row_dimensions[1].height = 28
        sub = f"Steering committee board pack | as of {self.pack.as_of} | {self.pack.currency}"
        if self.page.title != self.pack.programme:
            sub = f"{self.pack.programme} | {sub}"
        _put(ws, 2, 1, sub).font = _font(10, italic=True, colour=st.TEXT_GREY)
        ws.merge_cells(f"A2:{last}2")
        for c in range(1, self.n_cols + 1):
            ws.cell(row=2, column=c).border = Border(bottom=NAVY_LINE)
        self.row = 4
        for block in self.page.blocks:
            if isinstance(block, Table) and block.helper:
                self._helper(block)
        for block in self.page.blocks:
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
        self._draw_charts()
        self._print_setup()

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
        cell = _put(ws, r, 1, block.text)
        cell.font = look
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=self.n_cols)
        size = float(look.sz or 10)
        lines = _lines(block.text, self.total_width, size)
        ws.row_dimensions[r].height = lines * size * 1.4 + 6
        if block.style == "callout":
            for c in range(1, self.n_cols + 1):
                ws.cell(row=r, column=c).fill = PatternFill("solid", fgColor=st.TILE)
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
            label = _put(ws, r, c0, tile.label)
            label.font = _font(9, colour=st.TEXT_GREY)
            label.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            value = _put(ws, r + 1, c0, tile.value, tile.number_format)
            value.font = _font(16, bold=True, colour=st.NAVY)
            value.alignment = Alignment(horizontal="center", vertical="center")
            fill = PatternFill("solid", fgColor=st.TILE)
            if tile.rag and str(tile.value) in st.RAG_FILL:
                fill = PatternFill("solid", fgColor=st.RAG_FILL[str(tile.value)])
                value.font = _font(16, bold=True, colour=st.RAG_FONT[str(tile.value)])
            for rr in (r, r + 1):
                for c in range(c0, c1 + 1):
                    ws.cell(row=rr, column=c).fill = fill if rr == r + 1 else PatternFill(
                        "solid", fgColor=st.TILE)  # fmt: skip
                ws.merge_cells(start_row=rr, start_column=c0, end_row=rr, end_column=c1)
            for c in range(c0, c1 + 1):
                ws.cell(row=r + 1, column=c).border = Border(bottom=Side("medium", color="FFFFFF"))
        ws.row_dimensions[r].height = 30
        ws.row_dimensions[r + 1].height = 30
        self.row += 2

    def _links(self, block: Links) -> None:
        ws = self.ws
        for n, (label, description, sheet) in enumerate(block.entries, start=2):
            cell = _put(ws, self.row, 1, f"{n}. {label}")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
            cell.font = _font(11, colour="0563C1", underline="single")
            desc = _put(ws, self.row, 3, description)
            desc.font = _font(10, colour=st.TEXT_GREY)
            ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=2)
            ws.merge_cells(
                start_row=self.row, start_column=3, end_row=self.row, end_column=self.n_cols
            )
            self.row += 1

    def _table(self, t: Table) -> None:
        ws = self.ws
        if t.title:
            _put(ws, self.row, 1, t.title).font = _font(12, bold=True, colour=st.NAVY)
            self.row += 1
        header = self.row
        head_lines = 1
        for c, col in enumerate(t.columns, start=1):
            cell = _put(ws, header, c, col.header)
            cell.font = _font(9, bold=True, colour="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=st.NAVY)
            numeric = col.number_format is not None
            cell.alignment = Alignment(
                wrap_text=True,
                vertical="center",
                horizontal="right" if numeric else "left",
                indent=0 if c == 1 else 1,
            )
            head_lines = max(head_lines, _lines(col.header, col.width, 9))
        ws.row_dimensions[header].height = 12 * head_lines + 6
        self.positions[t.key] = (header, 1, len(t.rows))
        r = header + 1
        if not t.rows:
            _put(ws, r, 1, t.empty_text).font = _font(10, italic=True, colour=st.TEXT_GREY)
            self.row = r + 1
            return
        for i, row in enumerate(t.rows):
            total = t.total_row and i == len(t.rows) - 1
            lines = 1
            for c, (col, value) in enumerate(zip(t.columns, row, strict=True), start=1):
                cell = _put(ws, r, c, value, col.number_format)
                cell.font = _font(10, bold=total)
                cell.border = Border(bottom=THIN, top=NAVY_LINE if total else None)
                text_cell = isinstance(value, str)
                indent = 1 if c > 1 else 0
                horizontal = "center" if col.center else ("left" if text_cell else "right")
                cell.alignment = Alignment(
                    wrap_text=col.wrap, vertical="top", indent=indent, horizontal=horizontal
                )
                if col.rag and isinstance(value, str) and value in st.RAG_FILL:
                    cell.fill = PatternFill("solid", fgColor=st.RAG_FILL[value])
                    cell.font = _font(10, bold=True, colour=st.RAG_FONT[value])
                    cell.alignment = Alignment(horizontal="center", vertical="top")
                if col.wrap and isinstance(value, str):
                    lines = max(lines, _lines(value, col.width))
            if lines > 1:
                ws.row_dimensions[r].height = 13 * lines + 3
            r += 1
        self.row = r

    def _helper(self, t: Table) -> None:
        ws = self.ws
        col0 = HELPER_COL
        header = self.helper_row
        for c, col in enumerate(t.columns):
            _put(ws, header, col0 + c, col.header)
            ws.column_dimensions[get_column_letter(col0 + c)].hidden = True
        for i, row in enumerate(t.rows, start=1):
            for c, (col, value) in enumerate(zip(t.columns, row, strict=True)):
                _put(ws, header + i, col0 + c, value, col.number_format)
        self.positions[t.key] = (header, col0, len(t.rows))
        self.helper_row = header + len(t.rows) + 2

    def _chart(self, spec: Chart) -> None:
        """Reserve the chart's rows; it is drawn once its table is placed (it may come later)."""
        self.pending.append((spec, self.row))
        self.row += math.ceil(spec.height_cm / ROW_CM) + 1

    def _draw_charts(self) -> None:
        for spec, row in self.pending:
            if spec.table not in self.positions:
                raise ValueError(f"chart {spec.title!r}: no table {spec.table!r} on its page")
            header, col0, n = self.positions[spec.table]
            chart = build_chart(self.ws, spec, header, col0, n)
            chart.width = min(spec.width_cm, self.width_cm) if spec.width_cm else self.width_cm
            self.ws.add_chart(chart, f"A{row}")

    # print ------------------------------------------------------------------------------
    def _print_setup(self) -> None:
        ws, pack = self.ws, self.pack
        ws.sheet_view.showGridLines = False
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:2"
        ws.print_area = f"A1:{get_column_letter(self.n_cols)}{max(self.row, 3)}"
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.oddHeader.left.text = _escape_hf(pack.programme)
        ws.oddHeader.right.text = f"As of {pack.as_of}"
        ws.oddFooter.left.text = "EVR-XL steering committee board pack"
        ws.oddFooter.center.text = "&A"
        ws.oddFooter.right.text = "Page &P of &N"
        ws.sheet_properties.tabColor = st.NAVY


def render(pack: BoardPack, path: str | Path) -> Path:
    """Write the pack to `path` (.xlsx) and return the path."""
    wb = Workbook()
    wb.remove(wb.active)
    for page in pack.pages:
        ws = wb.create_sheet(page.sheet)
        _PageWriter(ws, page, pack).write()
    wb.active = 0
    props = wb.properties
    props.title = f"{pack.programme} - board pack as of {pack.as_of}"
    props.creator = "EVR-XL"
    props.created = props.modified = pack.generated_at
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
