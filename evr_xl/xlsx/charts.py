"""Native charts on a written sheet: the drawing part, its chart parts and their relationships.

The chart XML is openpyxl's (its chart model serialises a DrawingML chartSpace); the drawing that
anchors it to cells is written here. Part names follow the sheet's part, so a refresh overwrites
the same parts instead of leaving old ones behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.chart import BarChart
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series_factory import SeriesFactory
from openpyxl.xml.functions import tostring

from evr_xl.xlsx.sheet import ChartSpec, column_index

CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
RT_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_REL_ID = "rIdEvrDrawing"
_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CELL = re.compile(r"([A-Z]+)([0-9]+)")


@dataclass(frozen=True)
class ChartParts:
    """Everything a sheet's charts add to the package: part name -> bytes, and content types."""

    drawing: str  # the drawing part's name
    parts: dict[str, bytes]
    content_types: dict[str, str]


def chart_parts(sheet_part: str, sheet_name: str, charts: tuple[ChartSpec, ...]) -> ChartParts:
    stem = sheet_part.rsplit("/", 1)[-1].removesuffix(".xml")
    drawing = f"xl/drawings/drawing_evr_{stem}.xml"
    parts: dict[str, bytes] = {}
    types = {drawing: CT_DRAWING}
    anchors, rels = [], []
    for n, chart in enumerate(charts, start=1):
        part = f"xl/charts/chart_evr_{stem}_{n}.xml"
        parts[part] = _chart_xml(sheet_name, chart)
        types[part] = CT_CHART
        rels.append(
            f'<Relationship Id="rId{n}" Type="{RT_CHART}" Target="../charts/{part.rsplit("/", 1)[-1]}"/>'
        )
        anchors.append(_anchor(chart.anchor, n))
    parts[drawing] = (
        _HEADER
        + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        + "".join(anchors)
        + "</xdr:wsDr>"
    ).encode("utf-8")
    parts[_rels(drawing)] = _relationships(rels)
    return ChartParts(drawing, parts, types)


def sheet_rels(drawing: str) -> bytes:
    """The sheet's relationships part: its drawing."""
    target = "../drawings/" + drawing.rsplit("/", 1)[-1]
    return _relationships(
        [f'<Relationship Id="{DRAWING_REL_ID}" Type="{RT_DRAWING}" Target="{target}"/>']
    )


def with_drawing(sheet_xml: bytes) -> bytes:
    """The sheet XML with its <drawing> element (last, where the schema puts it here)."""
    xml = sheet_xml.replace(b"<worksheet ", f'<worksheet xmlns:r="{NS_R}" '.encode(), 1)
    return xml.replace(
        b"</worksheet>", f'<drawing r:id="{DRAWING_REL_ID}"/></worksheet>'.encode(), 1
    )


def _chart_xml(sheet_name: str, spec: ChartSpec) -> bytes:
    quoted = "'" + sheet_name.replace("'", "''") + "'"

    def ref(rng: str) -> str:
        return f"{quoted}!" + ":".join(f"${c}${r}" for c, r in _CELL.findall(rng))

    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = spec.title
    chart.y_axis.number_format = spec.y_format
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend.position = "b"
    for name, rng in spec.series:
        series = SeriesFactory(values=ref(rng), title=name)
        series.cat = AxDataSource(strRef=StrRef(f=ref(spec.categories)))
        chart.series.append(series)
    return (_HEADER + tostring(chart._write()).decode("utf-8")).encode("utf-8")


def _anchor(cells: str, n: int) -> str:
    (c1, r1), (c2, r2) = _CELL.findall(cells)
    corner = (
        "<xdr:{0}><xdr:col>{1}</xdr:col><xdr:colOff>0</xdr:colOff>"
        "<xdr:row>{2}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:{0}>"
    )
    return (
        '<xdr:twoCellAnchor editAs="oneCell">'
        + corner.format("from", column_index(c1) - 1, int(r1) - 1)
        + corner.format("to", column_index(c2), int(r2))
        + '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        f'<xdr:cNvPr id="{n + 1}" name="Chart {n}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{NS_R}" r:id="rId{n}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        "<xdr:clientData/></xdr:twoCellAnchor>"
    )


def _relationships(items: list[str]) -> bytes:
    return (
        _HEADER
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(items)
        + "</Relationships>"
    ).encode("utf-8")


def _rels(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"
