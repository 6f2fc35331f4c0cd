"""Workbook files -> grids, with python-calamine (fast, read-only).

Also the guards that make an unusable file a clear message instead of a traceback: not a file,
not a zip, an old .xls or an encrypted workbook, a zip bomb. The reader (reader.py) does the rest.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from evr_xl.findings import Finding
from evr_xl.model import ProgramData
from evr_xl.workbook.grids import Grid, WorkbookError, grid_from_rows
from evr_xl.workbook.reader import read_grids

# Refuse workbooks whose parts inflate beyond this (a zip bomb), before inflating anything.
MAX_UNCOMPRESSED_BYTES = 1_000_000_000
MAX_COMPRESSION_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_package(path: Path) -> None:
    """Raise WorkbookError unless `path` looks like an .xlsx/.xlsm package we can read safely."""
    name = str(path)
    if not path.exists():
        raise WorkbookError(
            f"{name}: file not found. Check the path, or create one with 'evr new {name}'."
        )
    if path.is_dir():
        raise WorkbookError(f"{name}: is a folder, not a workbook file.")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise WorkbookError(
            f"{name}: this is an old-format .xls file or a password-protected workbook. "
            "Open it in Excel, remove the password if any (File > Info > Protect Workbook), "
            "and save it as an Excel Workbook (.xlsx)."
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            f"{name}: not an Excel workbook (.xlsx). Save it from Excel as .xlsx and try again."
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"{name}: the file is damaged and cannot be opened ({exc}).") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise WorkbookError(
            f"{name}: a zip file, but not an Excel workbook (no xl/workbook.xml inside). "
            "Save it from Excel as .xlsx and try again."
        )
    if "xl/workbook.bin" in names:
        raise WorkbookError(f"{name}: an .xlsb (binary) workbook. Save it as .xlsx and try again.")
    total = sum(i.file_size for i in infos)
    for i in infos:
        if (
            i.file_size > 1_000_000
            and i.compress_size
            and i.file_size / i.compress_size > MAX_COMPRESSION_RATIO
        ):
            raise WorkbookError(
                f"{name}: the part {i.filename} would inflate {i.file_size / i.compress_size:,.0f}x "
                f"(to {i.file_size:,} bytes); refused as a possible zip bomb."
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"{name}: the workbook inflates to {total:,} bytes, above the limit of "
            f"{MAX_UNCOMPRESSED_BYTES:,}; refused. Split the programme or remove unused sheets."
        )


def load_grids(path: str | Path, sheets: list[str] | None = None) -> dict[str, Grid]:
    """The values of each sheet (or of the named ones), A1-anchored, blanks as None."""
    from python_calamine import CalamineWorkbook  # imported here: keeps CLI start-up light

    path = Path(path)
    check_package(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise WorkbookError(
            f"{path}: the workbook could not be read ({exc}). "
            "Open and re-save it in Excel, then try again."
        ) from None
    grids: dict[str, Grid] = {}
    wanted = {s.lower() for s in sheets} if sheets else None
    for name in book.sheet_names:
        if wanted is not None and name.lower() not in wanted:
            continue
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise WorkbookError(f"{path}: sheet '{name}' could not be read ({exc}).") from None
        grids[name] = grid_from_rows(name, rows)
    return grids


def read_program(path: str | Path) -> tuple[ProgramData | None, list[Finding]]:
    """A programme workbook file -> (ProgramData or None, findings). Raises WorkbookError."""
    from evr_xl.workbook import layout

    path = Path(path)
    wanted = [t.sheet for t in layout.INPUT_TABLES]
    return read_grids(load_grids(path, wanted), source=path.name)
