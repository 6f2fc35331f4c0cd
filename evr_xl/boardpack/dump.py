"""A readable dump of a generated pack for golden tests: content, formats, charts, print setup.

Not bytes: cell values and number formats per sheet, merges, hyperlinks, print settings, and
each chart's type, grouping and series references read from the chart XML. Volatile values (the
generation time) are normalised so the dump of the same programme is always the same.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl import load_workbook

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_GENERATED = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d")


def _value(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return _GENERATED.sub("Generated <time>", v)
    return v


def _chart(xml: bytes) -> dict[str, Any]:
    root = ET.fromstring(xml)
    plot = root.find(f"{C}chart/{C}plotArea")
    out: dict[str, Any] = {"types": []}
    title = root.find(f"{C}chart/{C}title")
    if title is not None:
        out["title"] = "".join(t.text or "" for t in title.iter(f"{A}t"))
    for kind in plot if plot is not None else []:
        tag = kind.tag.replace(C, "")
        if not tag.endswith("Chart"):
            continue
        entry: dict[str, Any] = {"type": tag}
        for name in ("barDir", "grouping", "overlap"):
            el = kind.find(f"{C}{name}")
            if el is not None:
                entry[name] = el.get("val")
        series = []
        for ser in kind.findall(f"{C}ser"):
            s: dict[str, Any] = {}
            for part in ("tx", "cat", "val"):
                f = ser.find(f"{C}{part}//{C}f")
                s[part] = f.text if f is not None else None
            sp = ser.find(f"{C}spPr")
            s["no_fill"] = sp is not None and sp.find(f"{A}noFill") is not None
            series.append(s)
        entry["series"] = series
        out["types"].append(entry)
    out["axes_deleted"] = [
        d.get("val") for ax in (plot if plot is not None else []) for d in ax.findall(f"{C}delete")
    ]
    return out


def dump_pack(path: str | Path) -> dict[str, Any]:
    """The pack at `path` as plain JSON-able data (see the module docstring)."""
    wb = load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                entry: dict[str, Any] = {"v": _value(c.value)}
                if c.number_format != "General":
                    entry["fmt"] = c.number_format
                if c.hyperlink is not None:
                    entry["link"] = c.hyperlink.location or c.hyperlink.target
                cells[c.coordinate] = entry
        sheets[ws.title] = {
            "cells": cells,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "hidden_columns": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "print": {
                "orientation": ws.page_setup.orientation,
                "fit_to_width": ws.page_setup.fitToWidth,
                "fit_to_height": ws.page_setup.fitToHeight,
                "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage,
                "print_titles": ws.print_title_rows,
                "print_area": ws.print_area,
                "gridlines": ws.sheet_view.showGridLines,
                "header": [ws.oddHeader.left.text, ws.oddHeader.right.text],
                "footer": [ws.oddFooter.left.text, ws.oddFooter.center.text,
                           ws.oddFooter.right.text],
            },
        }  # fmt: skip
    charts: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for i, ws in enumerate(wb.worksheets, start=1):
            rels = f"xl/worksheets/_rels/sheet{i}.xml.rels"
            if rels not in names:
                continue
            for rel in ET.fromstring(z.read(rels)):
                target = rel.get("Target", "")
                if "drawing" not in target:
                    continue
                drawing = "xl/drawings/" + target.rsplit("/", 1)[-1]
                drels = drawing.replace("drawings/", "drawings/_rels/") + ".rels"
                for crel in ET.fromstring(z.read(drels)) if drels in names else []:
                    chart = "xl/charts/" + crel.get("Target", "").rsplit("/", 1)[-1]
                    charts.setdefault(ws.title, []).append(_chart(z.read(chart)))
        extra = sorted(n for n in names if "chartEx" in n or n.startswith("xl/charts/chartEx"))
    return {"sheets": sheets, "charts": charts, "chartex_parts": extra}
