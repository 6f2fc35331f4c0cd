"""The corpus of broken and hostile workbooks, generated (never committed as binaries).

Each `Case` names a builder that writes one bad workbook from a clean programme (the demo without
its two deliberate errors), the exit code `evr check` must give, and message fragments that must
appear in its output: the file, the sheet and cell, and what to do. `{file}` in a fragment stands
for the corpus file's name. Run ``python -m tests.corpus.make_corpus DIR`` to write them all.
"""

from __future__ import annotations

import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from evr_xl.demo import demo_rows
from evr_xl.workbook.template import write_workbook

HEADER_ROW = 4  # layout.Table.header_row: rows 1-3 hold the title and instructions
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET_PARTS = {  # openpyxl writes the sheets in this order (template.build_workbook)
    "Start Here": "xl/worksheets/sheet1.xml",
    "Program": "xl/worksheets/sheet2.xml",
    "Value Drivers": "xl/worksheets/sheet5.xml",
    "Workplan": "xl/worksheets/sheet7.xml",
}

Builder = Callable[[Path, Path], None]  # (clean base workbook, target path)


@dataclass(frozen=True)
class Case:
    name: str
    build: Builder
    exit_code: int  # of `evr check`
    expect: tuple[str, ...]  # fragments of the check output (stdout + stderr)
    refresh_exit: int | None = None  # also run `evr refresh --output` when set
    absent: tuple[str, ...] = ()  # fragments that must not appear

    @property
    def filename(self) -> str:
        return f"{self.name}.xlsx"


# --- the clean base ------------------------------------------------------------------------


def clean_rows() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The demo programme without its deliberate errors (an unknown driver, a typo'd enabler)."""
    settings, rows = demo_rows()
    rows["Actuals"] = [a for a in rows["Actuals"] if a["driver_id"] != "VD-990"]
    for item in rows["Workplan"]:
        item["enables"] = tuple(e for e in item["enables"] if e != "VD-099")
    return settings, rows


def write_base(path: Path) -> Path:
    settings, rows = clean_rows()
    return write_workbook(path, rows=rows, settings=settings)


# --- helpers --------------------------------------------------------------------------------


def column_of(ws: Worksheet, header: str) -> int:
    for cell in ws[HEADER_ROW]:
        if cell.value == header:
            return cell.column
    raise KeyError(f"{ws.title}: no header {header!r}")


def edit(change: Callable[[openpyxl.Workbook], None]) -> Builder:
    """A builder that loads the base with openpyxl, applies `change` and saves to the target."""

    def build(base: Path, target: Path) -> None:
        wb = openpyxl.load_workbook(base)
        change(wb)
        wb.save(target)

    return build


def put(sheet: str, header: str, data_row: int, value: Any) -> Callable[[openpyxl.Workbook], None]:
    """Set the cell of `header` in the `data_row`-th row under the header (1 = first data row)."""

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws.cell(HEADER_ROW + data_row, column_of(ws, header)).value = value

    return change


def setting(label: str, value: Any) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Program"]
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            if str(row[0].value or "").rstrip(" *") == label:
                row[1].value = value
                return
        raise KeyError(label)

    return change


def rewrite_part(
    part: str, change: Callable[[bytes], bytes], base_change: Builder | None = None
) -> Builder:
    """A builder that edits one part's raw XML (for what openpyxl cannot write)."""

    def build(base: Path, target: Path) -> None:
        source = base
        if base_change is not None:
            base_change(base, target)
            source = target.with_suffix(".tmp.xlsx")
            target.replace(source)
        with (
            zipfile.ZipFile(source) as zin,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout,
        ):
            for info in zin.infolist():
                data = zin.read(info.filename)
                zout.writestr(info, change(data) if info.filename == part else data)
        if source != base:
            source.unlink()

    return build


def raw_cell(part_xml: bytes, ref: str, new_cell: bytes) -> bytes:
    """Replace the <c r="ref" ...>...</c> element in a sheet's XML."""
    start = part_xml.index(f'<c r="{ref}"'.encode())
    end = part_xml.index(b"</c>", start) + 4
    self_closing = part_xml.index(b">", start)
    if part_xml[self_closing - 1 : self_closing] == b"/":
        end = self_closing + 1
    return part_xml[:start] + new_cell + part_xml[end:]


def write_bytes(data: bytes) -> Builder:
    def build(_base: Path, target: Path) -> None:
        target.write_bytes(data)

    return build


def write_zip(members: dict[str, bytes]) -> Builder:
    def build(_base: Path, target: Path) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)

    return build


def ole_file(stream_names: tuple[str, ...]) -> bytes:
    """An OLE2 compound-file header followed by directory names (enough for the magic check)."""
    header = OLE_MAGIC + b"\0" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + b"\0" * 482
    names = b"".join(n.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64 for n in stream_names)
    return header + names


def add_to_zip(name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> Builder:
    def build(base: Path, target: Path) -> None:
        target.write_bytes(base.read_bytes())
        with zipfile.ZipFile(target, "a", compress) as z:
            z.writestr(name, data)

    return build


def lying_zip_size(part: str, padding: int) -> Builder:
    """The part grows by `padding` bytes while its zip headers still claim 1,000 bytes."""

    def build(base: Path, target: Path) -> None:
        rewrite_part(
            part, lambda d: d.replace(b"<sheetData>", b"<sheetData><!--" + b" " * padding + b"-->")
        )(base, target)
        data = bytearray(target.read_bytes())
        name = part.encode()
        for sig, name_at, size_at in ((b"PK\x03\x04", 26, 22), (b"PK\x01\x02", 28, 24)):
            i = data.find(sig)
            while i >= 0:
                (n,) = struct.unpack_from("<H", data, i + name_at)
                fixed = 30 if sig == b"PK\x03\x04" else 46
                if data[i + fixed : i + fixed + n] == name:
                    struct.pack_into("<I", data, i + size_at, 1000)
                i = data.find(sig, i + 4)
        target.write_bytes(bytes(data))

    return build


def zip_bomb(size: int) -> Builder:
    """A real workbook plus one part of `size` zero bytes (deflates ~1000x)."""

    def build(base: Path, target: Path) -> None:
        target.write_bytes(base.read_bytes())
        chunk = b"\0" * (1 << 20)
        with (
            zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as z,
            z.open("xl/media/bomb.bin", "w", force_zip64=True) as fh,
        ):
            for _ in range(size // len(chunk)):
                fh.write(chunk)

    return build


def entity_doctype(kind: str) -> bytes:
    if kind == "xxe":
        return b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    entities = b'<!ENTITY a0 "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1)) * 10) for i in range(1, 10)
    )
    return b"<!DOCTYPE worksheet [" + entities + b"]>"


def with_doctype(kind: str, entity: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        decl_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        body = xml[decl_end:].replace(
            b"<sheetData>",
            b'<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&'
            + entity.encode()
            + b";</t></is></c></row>",
            1,
        )
        return xml[:decl_end] + entity_doctype(kind) + body

    return change


def far_cell(ref: str, row: int) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        return xml.replace(
            b"</sheetData>",
            f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row></sheetData>'.encode(),
        )

    return change


# --- the cases ------------------------------------------------------------------------------


def _drop_sheet(name: str) -> Callable[[openpyxl.Workbook], None]:
    return lambda wb: wb.remove(wb[name])


def _rename_sheet(old: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[old].title = new

    return change


def _rename_table(wb: openpyxl.Workbook) -> None:
    ws = wb["Value Drivers"]
    table = ws.tables["tblValueDrivers"]
    del ws.tables["tblValueDrivers"]
    table.name = table.displayName = "Table1"
    ws.add_table(table)


def _header(sheet: str, old: str, new: str | None) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws.cell(HEADER_ROW, column_of(ws, old)).value = new
        for t in list(ws.tables):
            del ws.tables[t]  # a table's column names must match its header cells

    return change


def _duplicate_header(wb: openpyxl.Workbook) -> None:
    ws = wb["Value Drivers"]
    for t in list(ws.tables):
        del ws.tables[t]
    col = ws.max_column + 1
    ws.cell(HEADER_ROW, col).value = "Owner"
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        ws.cell(r, col).value = "Someone Else"


def _swap_columns(wb: openpyxl.Workbook) -> None:
    ws = wb["Value Drivers"]
    for t in list(ws.tables):
        del ws.tables[t]
    a, b = column_of(ws, "Target"), column_of(ws, "Driver ID")
    for r in range(HEADER_ROW, ws.max_row + 1):
        ca, cb = ws.cell(r, a), ws.cell(r, b)
        ca.value, cb.value = cb.value, ca.value


def _merge(wb: openpyxl.Workbook) -> None:
    ws = wb["Workplan"]
    col = column_of(ws, "Item")
    ws.merge_cells(
        start_row=HEADER_ROW + 1, start_column=col, end_row=HEADER_ROW + 3, end_column=col
    )


def _blank_rows_and_junk(wb: openpyxl.Workbook) -> None:
    ws = wb["Value Drivers"]
    for t in list(ws.tables):
        del ws.tables[t]
    ws.insert_rows(HEADER_ROW + 3, 2)
    last = ws.max_row + 3
    ws.cell(last, 1).value = "Total"
    ws.cell(last, column_of(ws, "Target")).value = "=SUM(L5:L46)"


def _self_links(wb: openpyxl.Workbook) -> None:
    put("Risks", "Driver IDs", 1, "R-001")(wb)  # a risk naming itself
    put("Workplan", "Enables drivers", 1, "VD-777, WP-001")(wb)  # an unknown driver, itself
    put("Value Drivers", "Workstream ID", 2, "VD-002")(wb)  # a driver in a driver's workstream
    put("Value Drivers", "Driver ID", 3, "VD-001")(wb)  # a duplicate driver ID


def _many(*changes: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        for c in changes:
            c(wb)

    return change


VD, WP, AC, RK, PG = "Value Drivers", "Workplan", "Actuals", "Risks", "Program"
# The first data row is row 5: the first driver VD-001's Target is Value Drivers!K5 (column K).
FORMULA_CACHED = b'<c r="K5"><f>4500000*2</f><v>9000000</v></c>'
FORMULA_UNCACHED = b'<c r="K5"><f>4500000*2</f></c>'
ERROR_REQUIRED = b'<c r="K5" t="e"><v>#REF!</v></c>'
ERROR_OPTIONAL = b'<c r="H6" t="e"><f>VLOOKUP(A6,X!A:B,2,0)</f><v>#N/A</v></c>'

CASES: tuple[Case, ...] = (
    # -- files that are not workbooks ------------------------------------------------------
    Case(
        "not_a_zip",
        write_bytes(b"Driver ID,Target\nVD-001,100\n"),
        2,
        ("{file}", "not an Excel workbook (.xlsx)", "Save it from Excel as .xlsx"),
    ),
    Case("empty_file", write_bytes(b""), 2, ("{file}", "not an Excel workbook")),
    Case(
        "zip_not_workbook",
        write_zip({"readme.txt": b"hello", "word/document.xml": b"<w/>"}),
        2,
        ("{file}", "no xl/workbook.xml inside"),
    ),
    Case(
        "old_xls",
        write_bytes(ole_file(("Workbook", "SummaryInformation"))),
        2,
        ("{file}", "old-format .xls", "save it as an Excel Workbook (.xlsx)"),
    ),
    Case(
        "encrypted",
        write_bytes(ole_file(("EncryptionInfo", "EncryptedPackage"))),
        2,
        ("{file}", "password-protected", "remove the password"),
    ),
    Case(
        "xlsb",
        write_zip({"xl/workbook.bin": b"\0" * 64, "[Content_Types].xml": b"<Types/>"}),
        2,
        ("{file}", ".xlsb", "Save it as .xlsx"),
    ),
    Case(
        "truncated",
        lambda base, t: t.write_bytes(base.read_bytes()[: base.stat().st_size // 2]),
        2,
        ("{file}", "not an Excel workbook"),
    ),
    # -- structure ------------------------------------------------------------------------------
    Case(
        "missing_required_sheet",
        edit(_drop_sheet(VD)),
        2,
        ("{file}", "required sheet(s) Value Drivers not found", "evr new"),
        refresh_exit=2,
    ),
    Case(
        "missing_optional_sheet",
        edit(_drop_sheet("Costs")),
        0,
        ("{file}", "Costs", "sheet 'Costs' not found; treated as empty", "RD014"),
        refresh_exit=0,
    ),
    Case(
        "sheet_renamed_case_and_space",
        edit(_rename_sheet(VD, "value drivers ")),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case("table_renamed", edit(_rename_table), 0, ("{file}: 0 error(s)",), refresh_exit=0),
    Case(
        "header_renamed",
        edit(_header(VD, "Target", "Target value")),
        1,
        ("Value Drivers!A4", "required column 'Target' not found", "RD008"),
        refresh_exit=1,  # the register is unreadable: refresh refuses rather than show $0
    ),
    Case(
        "header_deleted",
        edit(_header(AC, "Realized value", None)),
        1,
        ("Actuals!A4", "required column 'Realized value' not found"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "header_duplicated",
        edit(_duplicate_header),
        0,
        ("Value Drivers!", "the header 'Owner' appears twice", "RD009"),
        refresh_exit=0,
    ),
    Case("headers_moved", edit(_swap_columns), 0, ("{file}: 0 error(s)",), refresh_exit=0),
    Case(
        "merged_cells",
        edit(_merge),
        1,
        ("Workplan!C6", "Item is required", "RD001"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "blank_rows_and_trailing_junk",
        edit(_blank_rows_and_junk),
        1,
        ("Value Drivers!", "RD001"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    # -- formulas and error values -----------------------------------------------------------
    Case(
        "formula_cached",
        rewrite_part(SHEET_PARTS[VD], lambda x: raw_cell(x, "K5", FORMULA_CACHED)),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case(
        "formula_uncached",
        rewrite_part(SHEET_PARTS[VD], lambda x: raw_cell(x, "K5", FORMULA_UNCACHED)),
        1,
        ("Value Drivers!K5", "no saved result", "open it in Excel", "RD011"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "error_value_required",
        rewrite_part(SHEET_PARTS[VD], lambda x: raw_cell(x, "K5", ERROR_REQUIRED)),
        1,
        ("Value Drivers!K5", "holds the error #REF!", "RD011"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "error_value_optional",
        rewrite_part(SHEET_PARTS[WP], lambda x: raw_cell(x, "H6", ERROR_OPTIONAL)),
        1,
        ("Workplan!H6", "holds the error #N/A", "RD011"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "error_text_typed",
        edit(put(AC, "Realized value", 1, "#DIV/0!")),
        1,
        ("Actuals!C5", "holds the error #DIV/0!"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    # -- numbers, dates and IDs typed as text --------------------------------------------------
    Case(
        "numbers_as_text",
        edit(
            _many(
                put(VD, "Target", 1, "$9,000,000"),
                put(VD, "Target", 2, "USD 3.5M"),
                put(AC, "Realized value", 1, "(12,500.00)"),
                put(AC, "Run-rate", 1, "$1.234.567,89"),
                put(RK, "Probability", 1, "40%"),
                put(RK, "Impact", 1, " 3,000,000 "),
            )
        ),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case(
        "numbers_that_read_two_ways_or_in_another_currency",
        edit(
            _many(
                put(VD, "Target", 1, "800.000"),
                put(VD, "Target", 2, "€200,000"),
            )
        ),
        1,
        ("reads two ways: 800,000 or 800", "RD018", "not in the programme currency USD", "RD019"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "number_junk",
        edit(put(VD, "Target", 1, "nine million")),
        1,
        ("Value Drivers!K5", "'nine million' is not a number", "RD002"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "dates_as_text",
        edit(
            _many(
                put(WP, "Planned finish", 1, "2024-10-31"),
                put(WP, "Planned finish", 2, "30 Nov 2024"),
                put(WP, "Planned finish", 3, "31/12/2024"),
                put(WP, "Planned finish", 4, "2025.01.31"),
            )
        ),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case(
        "date_ambiguous",
        edit(put(WP, "Planned finish", 1, "03/04/2025")),
        1,
        ("Workplan!G5", "ambiguous", "RD003"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "ids_spaces_and_case",
        edit(
            _many(
                put(WP, "Enables drivers", 1, "  vd-001 "),
                put(AC, "Driver ID", 1, "Vd-001"),
                put(RK, "Driver IDs", 1, "vd-008 ;"),
            )
        ),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    # -- sizes and text ---------------------------------------------------------------------
    Case(
        "cell_at_last_row",
        rewrite_part(SHEET_PARTS[VD], far_cell("A1048576", 1048576)),
        2,
        ("{file}", "Value Drivers!A1048576", "Ctrl+End"),
        refresh_exit=2,
    ),
    Case(
        "cell_at_last_row_and_column",
        rewrite_part(SHEET_PARTS[VD], far_cell("XFD1048576", 1048576)),
        2,
        ("{file}", "Value Drivers!XFD1048576", "Delete the stray cells"),
        refresh_exit=2,
    ),
    Case(
        "cell_at_last_row_unread_sheet",
        rewrite_part(SHEET_PARTS["Start Here"], far_cell("XFD1048576", 1048576)),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case(
        "longest_text",
        edit(put(VD, "Name", 1, "x" * 32_767)),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    Case(
        "non_ascii_ünïcødé_名前",
        edit(
            _many(
                put(VD, "Name", 1, "Synergies — Zürich/東京 🚀"),
                put(VD, "Owner", 1, "José Ñúñez"),
                setting("Programme name", "Projet Été — 統合"),
                setting("Currency", "€"),
            )
        ),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
    # -- settings ------------------------------------------------------------------------------
    Case(
        "as_of_outside_horizon",
        edit(setting("As-of period", date(2031, 1, 1))),
        1,
        ("Program!B13", "after the Last period 2027-12", "RD013"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "as_of_before_start",
        edit(setting("As-of period", "2019-03")),
        1,
        ("Program!B13", "before the First period 2025-01"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
    Case(
        "period_type_mismatch",
        edit(setting("Period type", "Quarter")),
        0,
        ("{file}",),
        refresh_exit=0,
    ),
    Case(
        "value_promise_junk",
        edit(setting("Value promise", "lots")),
        1,
        ("Program!B", "'lots' is not a number", "no metrics can be computed"),
        refresh_exit=1,
    ),
    # -- links -------------------------------------------------------------------------------
    Case(
        "self_and_dangling_links",
        edit(_self_links),
        1,
        ("Workplan!", "VD-777", "Value Drivers!"),
        refresh_exit=1,  # written, and exit 1: the figures miss what the errors hold
    ),
)

HOSTILE: tuple[Case, ...] = (
    Case(
        "xxe_in_sheet",
        rewrite_part(SHEET_PARTS[VD], with_doctype("xxe", "xxe")),
        2,
        ("{file}", "declares XML entities", "save it as a new .xlsx"),
        refresh_exit=2,
        absent=("root:",),
    ),
    Case(
        "billion_laughs_in_sheet",
        rewrite_part(SHEET_PARTS[VD], with_doctype("lol", "a9")),
        2,
        ("{file}", "declares XML entities"),
        refresh_exit=2,
    ),
    Case(
        "billion_laughs_in_workbook_xml",
        rewrite_part(
            "xl/workbook.xml",
            lambda x: x.replace(b"<workbook", entity_doctype("lol") + b"<workbook", 1),
        ),
        2,
        ("{file}", "xl/workbook.xml declares XML entities"),
        refresh_exit=2,
    ),
    Case(
        "zip_bomb",
        zip_bomb(64 << 20),
        2,
        ("{file}", "xl/media/bomb.bin", "zip bomb"),
        refresh_exit=2,
    ),
    Case(
        "zip_lying_sizes", lying_zip_size(SHEET_PARTS[VD], 64 << 20), 2, ("{file}",), refresh_exit=2
    ),
    Case(
        "zip_slip_name",
        add_to_zip("../../evil.sh", b"#!/bin/sh\necho pwned\n"),
        2,
        ("{file}", "'../../evil.sh' points outside the workbook"),
        refresh_exit=2,
    ),
    Case(
        "dimension_claims_whole_sheet",
        rewrite_part(
            SHEET_PARTS[VD],
            lambda x: x.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="', 1),
        ),
        0,
        ("{file}: 0 error(s)",),
        refresh_exit=0,
    ),
)


def build_all(folder: Path, cases: tuple[Case, ...] = CASES + HOSTILE) -> dict[str, Path]:
    """Write the base and every case into `folder`; return case name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = write_base(folder / "_clean_base.xlsx")
    out = {}
    for case in cases:
        target = folder / case.filename
        case.build(base, target)
        out[case.name] = target
    return out


if __name__ == "__main__":
    written = build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus"))
    print(f"wrote {len(written)} workbooks")
