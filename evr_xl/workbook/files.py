"""Workbook files -> grids, with python-calamine (fast, read-only).

Also the guards that make an unusable file a clear message instead of a traceback: not a file,
not a zip, an old .xls or an encrypted workbook, a zip bomb, part names that point outside the
package, XML entity declarations, a sheet whose farthest cell is absurdly far away (sheetscan.py).
The reader (reader.py) does the rest. docs/reliability.md lists the limits and their tests.
"""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from evr_xl.findings import Finding
from evr_xl.model import ProgramData
from evr_xl.workbook.grids import Grid, WorkbookError
from evr_xl.workbook.reader import gc_paused, read_grids
from evr_xl.workbook.sheetscan import SheetRefused, has_dtd, scan_sheet, sheet_parts

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


READERS = 2  # sheets read in parallel: calamine lets go of the GIL while it parses


def load_grids(path: str | Path, sheets: list[str] | None = None) -> dict[str, Grid]:
    """The values of each sheet (or of the named ones), A1-anchored, blanks as None.

    The sheets are shared among READERS threads, each with its own calamine workbook (one cannot
    be used by two threads), biggest first; each sheet is scanned (sheetscan) before calamine
    reads it, and a problem is reported for the first failing sheet in workbook order, as a
    one-by-one read would.
    """
    path = Path(path)
    check_package(path)
    book = _open(path)
    wanted = {s.strip().lower() for s in sheets} if sheets else None
    # gc_paused: hundreds of thousands of cell values (see reader.gc_paused)
    with gc_paused(), zipfile.ZipFile(path) as z:
        parts = sheet_parts(z)
        names = [n for n in book.sheet_names if wanted is None or n.strip().lower() in wanted]
        sizes = {i.filename: i.file_size for i in z.infolist()}
        shares: list[list[str]] = [[] for _ in range(min(READERS, len(names)))]
        loads = [0] * len(shares)
        for name in sorted(names, key=lambda n: -sizes.get(parts.get(n, ""), 0)):
            lightest = loads.index(min(loads))
            shares[lightest].append(name)
            loads[lightest] += sizes.get(parts.get(name, ""), 0)
        books = [book, *(_open(path) for _ in shares[1:])][: len(shares)]  # none: no sheet
        outcomes: dict[str, Grid | BaseException] = {}
        with ThreadPoolExecutor(max_workers=max(1, len(shares))) as pool:
            for done in pool.map(
                lambda job: _read_sheets(path, z, parts, *job), zip(books, shares, strict=True)
            ):
                outcomes.update(done)
    grids: dict[str, Grid] = {}
    for name in book.sheet_names:
        outcome = outcomes.get(name)
        if isinstance(outcome, BaseException):
            raise outcome
        # a sheet not read is still named in messages ("sheets present")
        grids[name] = outcome if outcome is not None else Grid(name, [])
    return grids


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook  # imported here: keeps CLI start-up light

    try:
        return CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine's errors, and Rust panics (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise WorkbookError(
            f"{path}: the workbook could not be read ({exc}). "
            "Open and re-save it in Excel, then try again."
        ) from None


def _read_sheets(
    path: Path, z: zipfile.ZipFile, parts: dict[str, str], book: Any, names: list[str]
) -> dict[str, Grid | BaseException]:
    """Each named sheet as a Grid, or the WorkbookError that says why it cannot be read."""
    out: dict[str, Grid | BaseException] = {}
    for name in names:
        try:
            scan = scan_sheet(z, parts[name], name, path.name) if name in parts else None
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except SheetRefused as exc:
            out[name] = WorkbookError(str(exc))
            continue
        except BaseException as exc:  # calamine: damaged XML, a lying zip, a Rust panic
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            hint = (
                " A date cell holds a number outside Excel's dates (1900-9999): find it "
                "and type a real date."
                if "out of bounds" in str(exc) or "TimeDelta" in str(exc)
                else ""
            )
            out[name] = WorkbookError(
                f"{path}: sheet '{name}' could not be read ({exc}).{hint} Open the workbook "
                "in Excel, save it as a new .xlsx, and try again."
            )
            continue
        # grid_from_rows, inlined: one comparison per cell (calamine gives "" for blanks)
        grid = Grid(name, [[None if v == "" else v for v in r] for r in rows])
        if scan is not None:
            _mark_special_cells(grid, scan.special)
        out[name] = grid
    return out


def _mark_special_cells(grid: Grid, special: dict[tuple[int, int], str]) -> None:
    """Put error values and uncalculated formulas (read as blank by calamine) into the grid."""
    for (row, col), marker in special.items():
        while len(grid.rows) < row:
            grid.rows.append([])
        cells = grid.rows[row - 1]
        if len(cells) < col:
            cells.extend([None] * (col - len(cells)))
        if cells[col - 1] is None:
            cells[col - 1] = marker


def read_program(path: str | Path) -> tuple[ProgramData | None, list[Finding]]:
    """A programme workbook file -> (ProgramData or None, findings). Raises WorkbookError."""
    from evr_xl.workbook import layout

    path = Path(path)
    wanted = [t.sheet for t in layout.INPUT_TABLES]
    return read_grids(load_grids(path, wanted), source=path.name)
