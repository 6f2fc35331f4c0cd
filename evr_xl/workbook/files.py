"""Workbook files -> grids, with python-calamine (fast, read-only).

Before calamine reads anything, the package guards (`evr_xl.xlsx.package.check_package`) and the
sheet pre-scan (`evr_xl.xlsx.sheetscan`) make an unusable or hostile file a clear message instead
of a traceback. The reader (reader.py) does the rest. docs/reliability.md lists the limits and
their tests.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from evr_xl.findings import Finding
from evr_xl.model import ProgramData
from evr_xl.workbook.grids import Grid, WorkbookError
from evr_xl.workbook.reader import gc_paused, read_grids
from evr_xl.xlsx.package import check_package
from evr_xl.xlsx.sheetscan import SheetRefused, SheetScan, scan_sheet, sheet_parts

READERS = 3  # threads: the two biggest sheets side by side, the other sheets meanwhile in a third


class SheetGrids(Mapping[str, Grid]):
    """The sheets of a workbook (open_grids), each one available as soon as it has been read.

    Every sheet of the workbook is a key, in workbook order; a sheet not asked for is an empty
    Grid. Looking a sheet up waits for that sheet only, so the reader parses the first tables
    while threads still read the big ones (calamine lets go of the GIL while it parses). When a
    sheet cannot be read, looking it up waits for all of them and raises the problem of the first
    failing sheet in workbook order — what a one-by-one read would have raised.
    """

    def __init__(self, names: list[str], pending: dict[str, Future[Grid | WorkbookError]]):
        self._names = names
        self._pending = pending

    def __getitem__(self, name: str) -> Grid:
        job = self._pending.get(name)
        if job is None:
            if name in self._names:
                return Grid(name, [])  # not asked for; still named in messages ("sheets present")
            raise KeyError(name)
        outcome = job.result()
        if isinstance(outcome, WorkbookError):
            raise self._first_failure()
        return outcome

    def as_ready(self, names: list[str]) -> Iterator[str]:
        """`names` in the order their sheets are read (those not being read first)."""
        waiting = {self._pending[n]: n for n in names if n in self._pending}
        yield from (n for n in names if n not in self._pending)
        for job in as_completed(waiting):
            yield waiting[job]

    def _first_failure(self) -> WorkbookError:
        for name in self._names:
            job = self._pending.get(name)
            outcome = job.result() if job is not None else None
            if isinstance(outcome, WorkbookError):
                return outcome
        raise AssertionError("unreachable: a sheet failed")  # pragma: no cover

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def open_grids(path: str | Path, sheets: list[str] | None = None) -> SheetGrids:
    """Start reading the sheets of a workbook (or the named ones); see SheetGrids.

    The package is checked first (check_package), so an unusable file raises WorkbookError here.
    Each sheet is scanned here (sheetscan: a quick pass that holds the GIL), biggest first, and
    handed to READERS threads as soon as it is scanned, for calamine to parse: the two biggest
    side by side, the others meanwhile, in workbook order, so the first tables come early. Each
    thread has its own calamine workbook (one cannot be used by two threads). Build the records
    inside reader.gc_paused: the threads make hundreds of thousands of values.
    """
    path = Path(path)
    check_package(path)
    names = list(_open(path).sheet_names)
    wanted = {s.strip().lower() for s in sheets} if sheets else None
    chosen = [n for n in names if wanted is None or n.strip().lower() in wanted]
    local = threading.local()  # each thread's own calamine workbook

    def parse(name: str, scan: SheetScan | None) -> Grid | WorkbookError:
        try:
            if not hasattr(local, "book"):
                local.book = _open(path)
        except WorkbookError as exc:
            return exc
        return _parse(path, local.book, name, scan)

    pool = ThreadPoolExecutor(max_workers=max(1, READERS), thread_name_prefix="evr-read")
    pending: dict[str, Future[Grid | WorkbookError]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            parts = sheet_parts(z)
            sizes = {i.filename: i.file_size for i in z.infolist()}
            big = sorted(chosen, key=lambda n: -sizes.get(parts.get(n, ""), 0))[: READERS - 1]
            for name in big + [n for n in chosen if n not in big]:
                scan = _scan(path, z, parts, name)
                if isinstance(scan, WorkbookError):
                    pending[name] = Future()
                    pending[name].set_result(scan)
                else:
                    pending[name] = pool.submit(parse, name, scan)
    finally:
        pool.shutdown(wait=False)  # the threads end when the sheets handed over are read
    return SheetGrids(names, pending)


def load_grids(path: str | Path, sheets: list[str] | None = None) -> dict[str, Grid]:
    """The values of each sheet (or of the named ones), A1-anchored, blanks as None: all read."""
    with gc_paused():  # hundreds of thousands of cell values (see reader.gc_paused)
        return dict(open_grids(path, sheets))


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


def _scan(
    path: Path, z: zipfile.ZipFile, parts: dict[str, str], name: str
) -> SheetScan | None | WorkbookError:
    """The sheet's scan (None when its part is not found), or why it cannot be read."""
    try:
        return scan_sheet(z, parts[name], name, path.name) if name in parts else None
    except SheetRefused as exc:
        return WorkbookError(str(exc))
    except Exception as exc:  # a damaged or lying zip entry
        return _unreadable(path, name, exc)


def _parse(path: Path, book: Any, name: str, scan: SheetScan | None) -> Grid | WorkbookError:
    """The named sheet as a Grid (calamine), or the WorkbookError that says why it cannot be read."""
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException as exc:  # calamine: damaged XML, a lying zip, a Rust panic
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        return _unreadable(path, name, exc)
    # grid_from_rows, inlined: one comparison per cell (calamine gives "" for blanks)
    grid = Grid(name, [[None if v == "" else v for v in r] for r in rows])
    if scan is not None:
        _mark_special_cells(grid, scan.special)
    return grid


def _unreadable(path: Path, name: str, exc: BaseException) -> WorkbookError:
    hint = (
        " A date cell holds a number outside Excel's dates (1900-9999): find it "
        "and type a real date."
        if "out of bounds" in str(exc) or "TimeDelta" in str(exc)
        else ""
    )
    return WorkbookError(
        f"{path}: sheet '{name}' could not be read ({exc}).{hint} Open the workbook "
        "in Excel, save it as a new .xlsx, and try again."
    )


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
    with gc_paused():
        return read_grids(open_grids(path, wanted), source=path.name)
