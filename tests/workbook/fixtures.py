"""A rich test workbook: everything a refresh must not lose, as Excel itself stores it.

openpyxl builds the base (input sheets, formulas, a table, a chart, a defined name, a dropdown,
a data bar, a stale "Dashboard" output sheet); then the zip is post-processed to add what
openpyxl cannot write: an image, x14 extensions (a data bar's extension and a dropdown list
fed by another sheet), a dynamic-array formula with its metadata part, a calcChain, an
Excel-style workbook.xml root (mc:Ignorable prefixes, extLst) and a real VBA project (.xlsm).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import DataBarRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from evr_xl.workbook.layout import OUTPUT_SHEET_NAMES
from evr_xl.xlsx.sheet import CellSpec, ConditionalFormat, PrintSettings, SheetSpec

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DATABAR_ID = "{00000000-000E-0000-0000-000001000000}"
INJECTION = "=cmd|' /C calc'!A0"
TARGETS = [100.0, 250.0, 75.0, 300.0, 125.0]


def tiny_png() -> bytes:
    """A valid 2x2 red PNG, made by hand (no Pillow needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def vba_project() -> bytes:
    """A real vbaProject.bin: the one in xlwings' quickstart workbook."""
    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as z:
        return z.read("xl/vbaProject.bin")


def _base_workbook(big_rows: int) -> bytes:
    wb = openpyxl.Workbook()
    program = wb.active
    program.title = "Program"
    program.append(["Setting", "Value"])
    for row in (["Value promise", 1000], ["Cost", 200], ["Contingency", 50]):
        program.append(row)
    program["A6"] = "Total"
    program["B6"] = "=SUM(B2:B4)"
    wb.defined_names["ValuePromise"] = DefinedName("ValuePromise", attr_text="Program!$B$2")

    workstreams = wb.create_sheet("Workstreams")
    workstreams.append(["Workstream ID", "Name"])
    for ws_id, name in (("WS-A", "Procurement"), ("WS-B", "IT"), ("WS-C", "Footprint")):
        workstreams.append([ws_id, name])

    drivers = wb.create_sheet("Value Drivers")
    drivers.append(["Driver ID", "Name", "Workstream ID", "Target", "Double"])
    for i, target in enumerate(TARGETS, start=2):
        drivers.append([f"VD-{i - 1:03d}", f"Driver {i - 1}", "WS-A", target, f"=D{i}*2"])
    drivers.add_table(Table(displayName="tblValueDrivers", ref="A1:E6"))
    dv = DataValidation(type="list", formula1="Workstreams!$A$2:$A$4", allow_blank=True)
    dv.add("C2:C6")
    drivers.add_data_validation(dv)
    drivers.conditional_formatting.add(
        "D2:D6", DataBarRule(start_type="min", end_type="max", color="638EC6")
    )
    chart = BarChart()
    chart.title = "Targets"
    chart.add_data(Reference(drivers, min_col=4, min_row=1, max_row=6), titles_from_data=True)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    drivers.add_chart(chart, "H2")

    if big_rows:
        actuals = wb.create_sheet("Actuals")
        actuals.append(["Driver ID", "Period", "Realized value", "Run-rate", "Validated"])
        start = dt.date(2024, 1, 1)
        for i in range(big_rows):
            actuals.append(
                [f"VD-{i % 500:03d}", start + dt.timedelta(days=i % 900), i * 1.5, i * 18.0, "Yes"]
                + [f"note {i} {j}" for j in range(8)]
            )

    dashboard = wb.create_sheet("Dashboard")  # a stale output sheet, replaced in place
    dashboard["A1"] = "Old dashboard"
    dashboard["Z99"] = "stale"
    wb.active = wb.sheetnames.index("Dashboard")
    program.sheet_view.tabSelected = False
    dashboard.sheet_view.tabSelected = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> its worksheet part, read from workbook.xml and its rels."""
    wb = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = {
        m.group(2): m.group(1)
        for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)
    }
    out = {}
    for m in re.finditer(r'<sheet name="([^"]+)" sheetId="\d+" state="\w+" r:id="([^"]+)"', wb):
        out[m.group(1)] = targets[m.group(2)].lstrip("/")
    return out


def _post_process(data: bytes, *, vba: bool) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheets = _sheet_parts(parts)
    types = parts["[Content_Types].xml"].decode()
    wb_rels = parts["xl/_rels/workbook.xml.rels"].decode()

    # An image on Workstreams, stored the way Excel stores a picture.
    ws_part = sheets["Workstreams"]
    ws_rels = "xl/worksheets/_rels/" + ws_part.rsplit("/", 1)[1] + ".rels"
    assert ws_rels not in parts
    parts[ws_rels] = (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/drawing" Target="../drawings/drawing99.xml"/>'
        f"</Relationships>"
    ).encode()
    parts[ws_part] = parts[ws_part].replace(
        b"</worksheet>", f'<drawing xmlns:r="{R}" r:id="rId1"/></worksheet>'.encode()
    )
    parts["xl/drawings/drawing99.xml"] = _PICTURE_DRAWING.encode()
    parts["xl/drawings/_rels/drawing99.xml.rels"] = (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{R}/image" Target="../media/image99.png"/>'
        f"</Relationships>"
    ).encode()
    parts["xl/media/image99.png"] = tiny_png()
    types = types.replace(
        "<Default Extension",
        '<Default Extension="png" ContentType="image/png"/><Default Extension',
        1,
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/drawings/drawing99.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>',
    )

    # x14 extensions on Value Drivers: the data bar's extension and a cross-sheet dropdown.
    vd_part = sheets["Value Drivers"]
    xml = parts[vd_part].decode()
    xml = xml.replace(
        "</dataBar></cfRule>",
        f'</dataBar><extLst><ext uri="{{B025F937-C7B1-47D3-B67F-A62EFF666E3E}}" '
        f'xmlns:x14="{X14}"><x14:id>{DATABAR_ID}</x14:id></ext></extLst></cfRule>',
    )
    # The dynamic-array formula, as Excel 365 stores it: cm="1" + metadata part; cached spill.
    spilled = sorted(TARGETS)
    for i, value in enumerate(spilled, start=2):
        if i == 2:
            cell = (
                f'<c r="F2" cm="1"><f t="array" ref="F2:F6">_xlfn._xlws.SORT(D2:D6)</f>'
                f"<v>{value:g}</v></c>"
            )
        else:
            cell = f'<c r="F{i}"><v>{value:g}</v></c>'
        xml = re.sub(rf'(<row r="{i}"[^>]*>.*?)(</row>)', rf"\1{cell}\2", xml, count=1)
    xml = xml.replace("</worksheet>", _X14_EXT + "</worksheet>")
    parts[vd_part] = xml.encode()
    parts["xl/metadata.xml"] = _METADATA.encode()
    wb_rels = wb_rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId90" Type="{R}/sheetMetadata" Target="metadata.xml"/>'
        f'<Relationship Id="rId91" Type="{R}/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/metadata.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheetMetadata+xml"/><Override PartName="/xl/calcChain.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"'
        "/></Types>",
    )
    # calcChain: formulas of input sheets only (Program B6; Value Drivers E2:E6, F2).
    ids = _sheet_ids(parts["xl/workbook.xml"].decode())
    entries = [f'<c r="B6" i="{ids["Program"]}"/>', f'<c r="E2" i="{ids["Value Drivers"]}"/>']
    entries += [f'<c r="E{i}"/>' for i in range(3, 7)] + ['<c r="F2" a="1"/>']
    parts["xl/calcChain.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(entries)
        + "</calcChain>"
    ).encode()

    # An Excel-style workbook.xml root: mc:Ignorable prefixes and an extLst to keep.
    wbx = parts["xl/workbook.xml"].decode()
    wbx = re.sub(r"<workbook [^>]*>", _EXCEL_WORKBOOK_ROOT, wbx, count=1)
    wbx = wbx.replace("</workbook>", _WORKBOOK_EXT + "</workbook>")
    parts["xl/workbook.xml"] = wbx.encode()

    if vba:
        parts["xl/vbaProject.bin"] = vba_project()
        wb_rels = wb_rels.replace(
            "</Relationships>",
            '<Relationship Id="rId92" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )
        types = types.replace(
            "<Default Extension",
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            "<Default Extension",
            1,
        )
        types = types.replace(
            "spreadsheetml.sheet.main+xml", "spreadsheetml.sheet.macroEnabled.main+xml"
        ).replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.macroEnabled",
            "application/vnd.ms-excel.sheet.macroEnabled",
        )
    parts["[Content_Types].xml"] = types.encode()
    parts["xl/_rels/workbook.xml.rels"] = wb_rels.encode()

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", parts.pop("[Content_Types].xml"))
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def _sheet_ids(workbook_xml: str) -> dict[str, int]:
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r'<sheet name="([^"]+)" sheetId="(\d+)"', workbook_xml)
    }


def build_rich_workbook(folder: Path, *, name: str = "Programme.xlsm", big_rows: int = 0) -> Path:
    """Write the rich workbook into `folder`; .xlsm gets the VBA project, .xlsx does not."""
    path = Path(folder) / name
    path.write_bytes(_post_process(_base_workbook(big_rows), vba=name.endswith(".xlsm")))
    return path


def output_specs(rows: int = 20, cols: int = 25) -> list[SheetSpec]:
    """Five output sheets (the contract's names) with every kind of value and style."""
    specs = []
    for n, sheet in enumerate(OUTPUT_SHEET_NAMES):
        cells = [
            CellSpec(1, 1, f"{sheet} — EVR-XL", style="title"),
            CellSpec(2, 1, "As of 2026-03 · USD", style="subtitle"),
            CellSpec(3, 1, INJECTION),  # user text that must stay text
            CellSpec(3, 2, "@SUM(1)"),
            CellSpec(3, 3, "Total & <net> \u0001 value"),
        ]
        cells += [CellSpec(4, c, f"Column {c}", style="header") for c in range(1, cols + 1)]
        for r in range(5, 5 + rows):
            for c in range(1, cols + 1):
                if c == 1:
                    value, fmt, style = f"VD-{r:04d}", None, None
                elif c == 2:
                    value, fmt, style = ("Green", "Amber", "Red")[r % 3], None, None
                elif c == 3:
                    value, fmt, style = dt.date(2026, 1 + r % 12, 1), "yyyy-mm", None
                elif c == 4:
                    value, fmt, style = r % 2 == 0, None, None
                elif c % 5 == 0:
                    value, fmt, style = (r * c) / 1000, "0%", "computed"
                else:
                    value, fmt, style = r * c * 1000.5 + n, "#,##0;[Red]-#,##0", None
                cells.append(CellSpec(r, c, value, fmt, style))
        cells.append(CellSpec(5 + rows, 1, "Fix it", style="link", hyperlink="'Value Drivers'!D3"))
        specs.append(
            SheetSpec(
                name=sheet,
                cells=tuple(cells),
                col_widths={1: 14, 2: 10, 3: 11},
                row_heights={1: 24},
                freeze="B5",
                merges=("A1:F1",),
                conditional_formats=tuple(
                    ConditionalFormat(f"B5:B{4 + rows}", word, f"rag_{word.lower()}")
                    for word in ("Green", "Amber", "Red")
                ),
                tab_colour="1F3864",
                print_settings=PrintSettings(footer=f"{sheet} & more"),
            )
        )
    return specs


_PICTURE_DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    f'xmlns:r="{R}"><xdr:oneCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff>'
    "<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
    '<xdr:ext cx="190500" cy="190500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo"/>'
    '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
    '<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="190500" cy="190500"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
    "</xdr:oneCellAnchor></xdr:wsDr>"
)

_X14_EXT = (
    f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}">'
    f'<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="{XM}">'
    f'<x14:cfRule type="dataBar" id="{DATABAR_ID}"><x14:dataBar minLength="0" maxLength="100" '
    'gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
    '<x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar>'
    "</x14:cfRule><xm:sqref>D2:D6</xm:sqref></x14:conditionalFormatting>"
    "</x14:conditionalFormattings></ext>"
    f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
    f'<x14:dataValidations count="1" xmlns:xm="{XM}"><x14:dataValidation type="list" '
    'allowBlank="1" showInputMessage="1" showErrorMessage="1"><x14:formula1>'
    "<xm:f>Workstreams!$B$2:$B$4</xm:f></x14:formula1><xm:sqref>B2:B6</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)

_METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk>'
    '</futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)

_EXCEL_WORKBOOK_ROOT = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'mc:Ignorable="x15 xr xr6 xr10 xr2" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
    'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
    'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
    'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
)

_WORKBOOK_EXT = (
    '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
    '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>'
)
