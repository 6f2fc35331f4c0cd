"""Native Excel charts for the pack (openpyxl): waterfall as stacked bars, bars and lines.

No Excel 2016 chart types: the value bridge is a stacked column chart whose first series (the
base) has no fill. Axes are kept visible (`delete = False`, or Excel may hide them), the legend
sits at the bottom, and series colours come from the pack's palette.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.legend import Legend, LegendEntry
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.worksheet.worksheet import Worksheet

from evr_xl.boardpack import style as st
from evr_xl.boardpack.model import Chart

CM = 1.0  # openpyxl chart sizes are in cm


def _text_props(size: int = 900, colour: str = st.TEXT_GREY, bold: bool = False) -> RichText:
    props = CharacterProperties(sz=size, b=bold, solidFill=colour, latin=None)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def build_chart(
    ws: Worksheet, spec: Chart, header_row: int, first_col: int, n_rows: int
) -> BarChart | LineChart:
    """A chart over the table whose header is at (header_row, first_col) with n_rows rows."""
    if spec.kind == "line":
        chart: BarChart | LineChart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind in ("stacked_bar", "clustered_bar") else "col"
        if spec.kind in ("waterfall", "stacked_bar"):
            chart.grouping = "stacked"
            chart.overlap = 100
            chart.gapWidth = 60
        else:
            chart.grouping = "clustered"
            chart.gapWidth = 80
    last = header_row + n_rows
    for s in spec.series:
        col = first_col + s.column
        chart.add_data(
            Reference(ws, min_col=col, min_row=header_row, max_row=last), titles_from_data=True
        )
    chart.set_categories(
        Reference(ws, min_col=first_col + spec.categories, min_row=header_row + 1, max_row=last)
    )
    for s, series in zip(spec.series, chart.series, strict=True):
        gp = series.graphicalProperties or GraphicalProperties()
        series.graphicalProperties = gp
        if s.invisible:
            series.invertIfNegative = False
            gp.noFill = True
            gp.line.noFill = True
        elif spec.kind == "line":
            gp.line.solidFill = s.colour or st.BLUE
            gp.line.width = 28575  # 2.25 pt
            if s.dashed:
                gp.line.prstDash = "dash"
            series.smooth = False
            series.marker.symbol = "none"
        else:
            series.invertIfNegative = False  # else LibreOffice draws negative bars as positive
            gp.solidFill = s.colour or st.BLUE
            gp.line.solidFill = s.colour or st.BLUE
        if s.labels:
            stacked = spec.kind in ("waterfall", "stacked_bar")
            light = (s.colour or st.BLUE) in (st.LIGHT_BLUE, st.LIGHT_GREY)
            colour = "FFFFFF" if stacked and not light else "000000"
            series.dLbls = DataLabelList(
                showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                showPercent=False, numFmt=spec.y_format, txPr=_text_props(800, colour, stacked),
                dLblPos="ctr" if stacked else "outEnd",
            )  # fmt: skip
    chart.title = spec.title
    chart.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1100, b=True))
    chart.width = (spec.width_cm or 16.0) * CM
    chart.height = spec.height_cm * CM
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = spec.y_format
    chart.y_axis.numFmt.sourceLinked = False
    chart.y_axis.txPr = _text_props()
    chart.x_axis.txPr = _text_props()
    chart.x_axis.tickLblPos = "low"  # category labels below the plot, even under negatives
    if spec.y_min is not None:
        chart.y_axis.scaling.min = spec.y_min
    if spec.y_max is not None:
        chart.y_axis.scaling.max = spec.y_max
    if chart.type == "bar" if isinstance(chart, BarChart) else False:
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
        chart.x_axis.axPos = "l"
        chart.y_axis.axPos = "b"
    chart.legend = Legend(legendPos="b")
    if spec.kind == "waterfall":
        base = [i for i, s in enumerate(spec.series) if s.invisible]
        chart.legend.legendEntry = [LegendEntry(idx=i, delete=True) for i in base]
    chart.display_blanks = "gap"
    chart.visible_cells_only = False  # chart data may sit in hidden columns
    return chart
