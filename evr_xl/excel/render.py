"""A SheetSpec (evr_xl.xlsx.sheet) rendered into a live Excel book through xlwings.

`plan(spec)` is pure: it turns the description into a few bulk operations — one value matrix
written in one call, number formats and named styles grouped into multi-area ranges, links,
widths — so a sheet of thousands of cells costs a few dozen COM calls, not one per cell.
`render(book, spec)` applies the plan. Only output sheets are ever written: a spec named like an
input sheet is refused, so a refresh cannot touch the user's data.

Text is written as text: writing through COM is like typing, so "=SUM(A1)" would become a
formula, "2026-03" a date and "007" the number 7. Every text value therefore gets Excel's quote
prefix (a leading ``'``, which Excel keeps as the cell's prefix character, not as text) — the
live equivalent of the file writer's inline strings, and the guard against formula injection.

What needs the Windows COM object model (``.api``): alignment, the bottom border, underline,
internal hyperlinks, frozen panes, gridlines, tab colour, conditional formats and page setup.
Values, number formats, fonts, fills, widths, wrapping and merges use xlwings' own API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from evr_xl.model.cellref import column_letter
from evr_xl.outputs.styles import STYLES
from evr_xl.workbook import layout as L
from evr_xl.xlsx.sheet import (
    CellSpec,
    CellValue,
    ChartSpec,
    SheetSpec,
    column_groups,
    escape_text,
    print_title_ranges,
)

MAX_ADDRESS = 250  # characters of one multi-area address (Excel's limit is 255)
PROTECTED_SHEETS = frozenset(
    s.lower() for s in (*(t.sheet for t in L.INPUT_TABLES), L.START_HERE, L.LISTS_SHEET)
)

XL_COLUMN_CLUSTERED, XL_VALUE = 51, 2  # XlChartType.xlColumnClustered, XlAxisType.xlValue
# Excel constants (COM): alignment, borders, conditional formats, page setup.
XL_ALIGN = {"left": -4131, "center": -4108, "right": -4152, "top": -4160, "bottom": -4107}
XL_EDGE_BOTTOM, XL_CONTINUOUS, XL_THIN = 9, 1, 2
XL_CELL_VALUE, XL_EQUAL = 1, 3
XL_LANDSCAPE, XL_PORTRAIT = 2, 1
XL_OVER_THEN_DOWN = 2
XL_PAPER = {"A4": 9, "Letter": 1}


@dataclass
class RenderPlan:
    """The bulk operations that draw one sheet."""

    name: str
    values: list[list[CellValue]] = field(default_factory=list)  # from A1
    number_formats: dict[str, list[str]] = field(default_factory=dict)  # format -> addresses
    styles: dict[str, list[str]] = field(default_factory=dict)  # style name -> addresses
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, location, text)


def cell_text(value: CellValue) -> CellValue:
    """A value as written through COM: text made XML-safe and kept as text (quote prefix)."""
    if not isinstance(value, str):
        return value
    text = escape_text(value)
    return "'" + text if text else None


def addresses(cells: Iterable[tuple[int, int]]) -> list[str]:
    """(row, col) cells as multi-area addresses: runs down each column, joined up to 250 chars."""
    by_col: dict[int, list[int]] = defaultdict(list)
    for row, col in cells:
        by_col[col].append(row)
    areas: list[str] = []
    for col in sorted(by_col):
        rows = sorted(set(by_col[col]))
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            letter = column_letter(col)
            areas.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
            if r is not None:
                start = prev = r
    joined: list[str] = []
    for area in areas:
        if joined and len(joined[-1]) + 1 + len(area) <= MAX_ADDRESS:
            joined[-1] += "," + area
        else:
            joined.append(area)
    return joined


def plan(spec: SheetSpec) -> RenderPlan:
    """The bulk operations for `spec` (pure; no Excel needed)."""
    cells: list[CellSpec] = list(spec.cells)
    out = RenderPlan(spec.name)
    if not cells:
        return out
    n_rows = max(c.row for c in cells)
    n_cols = max(c.col for c in cells)
    out.values = [[None] * n_cols for _ in range(n_rows)]
    formats: dict[str, list[tuple[int, int]]] = defaultdict(list)
    styles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in cells:
        out.values[c.row - 1][c.col - 1] = cell_text(c.value)
        if c.number_format:
            formats[c.number_format].append((c.row, c.col))
        if c.style:
            styles[c.style].append((c.row, c.col))
        if c.hyperlink:
            text = "" if c.value is None else str(c.value)
            out.links.append((f"{column_letter(c.col)}{c.row}", c.hyperlink, text))
    out.number_formats = {f: addresses(v) for f, v in formats.items()}
    out.styles = {s: addresses(v) for s, v in styles.items()}
    return out


def bgr(hex_rgb: str) -> int:
    """An RGB hex colour as the BGR integer COM expects."""
    r, g, b = (int(hex_rgb[i : i + 2], 16) for i in (0, 2, 4))
    return r + 256 * g + 65536 * b


def output_sheet(book: Any, name: str) -> Any:
    """The output sheet `name`, cleared (created at the end when missing). Refuses input sheets."""
    if name.strip().lower() in PROTECTED_SHEETS:
        raise ValueError(f"'{name}' is an input sheet; EVR-XL only writes its output sheets")
    for sheet in book.sheets:
        if sheet.name.strip().lower() == name.strip().lower():
            sheet.clear()  # contents, formats, conditional formats
            sheet.api.Cells.UnMerge()
            sheet.api.Hyperlinks.Delete()
            for i in range(int(sheet.api.ChartObjects().Count), 0, -1):  # clear() keeps them
                sheet.api.ChartObjects(i).Delete()
            return sheet
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])


def rename_sheet(book: Any, old: str, new: str) -> bool:
    """Rename the output sheet `old` of the live `book` to `new` (History -> Snapshots), when
    `new` does not exist yet; its content is then replaced by `render`. Refuses input sheets."""
    if old.strip().lower() in PROTECTED_SHEETS or new.strip().lower() in PROTECTED_SHEETS:
        raise ValueError(
            f"'{old}' or '{new}' is an input sheet; EVR-XL only writes its output sheets"
        )
    names = {sheet.name.strip().lower(): sheet for sheet in book.sheets}
    if new.strip().lower() in names or old.strip().lower() not in names:
        return False
    names[old.strip().lower()].name = new
    return True


def render(book: Any, spec: SheetSpec) -> Any:
    """Replace the output sheet `spec.name` of the live `book` with `spec`; returns the sheet."""
    p = plan(spec)
    sheet = output_sheet(book, spec.name)
    if p.values:
        sheet.range((1, 1)).value = p.values
    for fmt, areas in p.number_formats.items():
        for address in areas:
            sheet.range(address).number_format = fmt
    for name, areas in p.styles.items():
        for address in areas:
            _style(sheet.range(address), name)
    for address, location, text in p.links:
        rng = sheet.range(address)
        sheet.api.Hyperlinks.Add(
            Anchor=rng.api, Address="", SubAddress=location, TextToDisplay=text
        )
    for col, width in spec.col_widths.items():
        sheet.range((1, col)).column_width = width
    for row, height in spec.row_heights.items():
        sheet.range((row, 1)).row_height = height
    for address in spec.merges:
        sheet.range(address).merge()
    for cf in spec.conditional_formats:
        look = STYLES[cf.style]
        rule = sheet.range(cf.cell_range).api.FormatConditions.Add(
            Type=XL_CELL_VALUE, Operator=XL_EQUAL, Formula1=f'="{cf.equals}"'
        )
        if look.fill:
            rule.Interior.Color = bgr(look.fill)
        if look.font_colour:
            rule.Font.Color = bgr(look.font_colour)
    if spec.tab_colour:
        sheet.api.Tab.Color = bgr(spec.tab_colour)
    for chart in spec.charts:
        _chart(sheet, chart)
    _window(book, sheet, spec)
    _page_setup(book, sheet, spec)
    return sheet


def _chart(sheet: Any, spec: ChartSpec) -> None:
    """A native clustered column chart over the anchor cells, as the file writer draws it."""
    anchor = sheet.api.Range(spec.anchor)
    chart = sheet.api.ChartObjects().Add(anchor.Left, anchor.Top, anchor.Width, anchor.Height).Chart
    chart.ChartType = XL_COLUMN_CLUSTERED
    chart.HasTitle = True
    chart.ChartTitle.Text = spec.title
    for name, values in spec.series:
        series = chart.SeriesCollection().NewSeries()
        series.Name = name
        series.Values = sheet.api.Range(values)
        series.XValues = sheet.api.Range(spec.categories)
    chart.Axes(XL_VALUE).TickLabels.NumberFormat = spec.y_format


def _style(rng: Any, name: str) -> None:
    look = STYLES[name]
    font = rng.font
    font.bold = look.bold
    font.italic = look.italic
    font.size = look.size
    if look.font_colour:
        font.color = "#" + look.font_colour
    if look.fill:
        rng.color = "#" + look.fill
    if look.wrap:
        rng.wrap_text = True
    api = rng.api
    if look.underline:
        api.Font.Underline = 2  # xlUnderlineStyleSingle
    if look.horizontal:
        api.HorizontalAlignment = XL_ALIGN[look.horizontal]
    if look.vertical:
        api.VerticalAlignment = XL_ALIGN["center" if look.vertical == "center" else look.vertical]
    if look.border_bottom:
        edge = api.Borders(XL_EDGE_BOTTOM)
        edge.LineStyle, edge.Weight = XL_CONTINUOUS, XL_THIN


def _window(book: Any, sheet: Any, spec: SheetSpec) -> None:
    """Frozen panes and gridlines belong to the window: the sheet is activated to set them."""
    sheet.activate()
    window = book.app.api.ActiveWindow
    window.FreezePanes = False
    if spec.freeze:
        target = sheet.range(spec.freeze)
        window.SplitColumn, window.SplitRow = target.column - 1, target.row - 1
        window.FreezePanes = True
    window.DisplayGridlines = spec.gridlines


def _page_setup(book: Any, sheet: Any, spec: SheetSpec) -> None:
    ps = spec.print_settings
    if ps is None:
        return
    app = book.app.api
    app.PrintCommunication = False  # page setup is slow while Excel talks to the printer
    try:
        setup = sheet.api.PageSetup
        setup.Orientation = XL_LANDSCAPE if ps.landscape else XL_PORTRAIT
        setup.PaperSize = XL_PAPER.get(ps.paper, XL_PAPER["A4"])
        rows, cols = print_title_ranges(spec)
        setup.PrintTitleRows = rows or ""
        setup.PrintTitleColumns = cols or ""
        if ps.column_groups:  # as the file writer: whole-column groups at one scale
            groups = column_groups(spec, max([1, *spec.col_widths]))
            setup.Zoom = groups.scale
            setup.Order = XL_OVER_THEN_DOWN
            sheet.api.ResetAllPageBreaks()
            for col in groups.breaks:
                sheet.api.VPageBreaks.Add(sheet.api.Columns(col + 1))
        else:
            setup.Zoom = False
            setup.FitToPagesWide = ps.fit_width or False
            setup.FitToPagesTall = ps.fit_height or False
        setup.LeftFooter = (ps.footer or "").replace("&", "&&")
        setup.RightFooter = "Page &P of &N"
    finally:
        app.PrintCommunication = True
