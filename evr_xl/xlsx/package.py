"""Opening a spreadsheet package safely: the guards that run before anything inflates a part.

`check_package` makes an unusable file a clear message instead of a traceback: not a file, not a
zip, an old .xls or an encrypted workbook, an .xlsb, a zip bomb, part names that point outside the
package, XML entity declarations. The sheets themselves are pre-scanned by sheetscan.py (a sheet
whose farthest cell is absurdly far away). docs/reliability.md lists the limits and their tests.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from evr_xl.xlsx.sheetscan import has_dtd


class WorkbookError(Exception):
    """The workbook cannot be used at all (not a workbook, a required sheet missing, ...).

    The message names the file and says what was expected; the CLI prints it and exits 2.
    """


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
    for i in infos:
        parts = i.filename.replace("\\", "/").split("/")
        if i.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise WorkbookError(
                f"{name}: the part name '{i.filename}' points outside the workbook, which Excel "
                "never writes; refused as possibly hostile. Save the workbook again from Excel."
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
    try:
        with zipfile.ZipFile(path) as z:
            hostile = next(
                (
                    i.filename
                    for i in infos
                    if i.filename.lower().endswith((".xml", ".rels", ".vml")) and has_dtd(z, i)
                ),
                None,
            )
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise WorkbookError(f"{name}: the file is damaged and cannot be opened ({exc}).") from None
    if hostile:
        raise WorkbookError(
            f"{name}: the part {hostile} declares XML entities (a DOCTYPE), which Excel never "
            "writes; refused as possibly hostile. Open it in Excel and save it as a new .xlsx."
        )
