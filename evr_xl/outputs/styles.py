"""The look of the output sheets: the palette of named styles, in the programme's colours.

Every renderer of a `SheetSpec` (the file writer, the live-Excel adapter) is handed this palette;
a cell's `style` is one of its names. Colours come from the workbook contract (`layout.COLOURS`),
so the output sheets match the template's legend.
"""

from __future__ import annotations

from evr_xl.workbook.layout import COLOURS
from evr_xl.xlsx.sheet import NamedStyle

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
