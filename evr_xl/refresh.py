"""Refresh: read a programme workbook, compute, check, and write the output sheets into it.

The one refresh the CLI and the ribbon share. Only the output sheets are written (Dashboard,
Driver Metrics, Workstream Metrics, Findings, Snapshots), through the part-level writer, so every
input sheet and everything else in the file stays byte-identical; the file is replaced atomically
with a backup, and a file that changed since it was read is not overwritten. A workbook whose
snapshots are still on an EVR-written "History" sheet (before 2026-12) has that sheet renamed to
Snapshots in place, every old snapshot kept (docs/refresh.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from evr_xl.checks import run_checks
from evr_xl.engine import Results, compute
from evr_xl.findings import Finding, Severity, counts
from evr_xl.model import CellRef, ProgramData, ProgramSettings
from evr_xl.model.periods import from_ordinal, label, label_of, ordinal, parse_period
from evr_xl.outputs.dashboard import dashboard_sheet
from evr_xl.outputs.file import write_output_sheets
from evr_xl.outputs.history import (
    LEGACY_SHEET,
    Snapshot,
    history_sheet,
    is_evr_history,
    merge,
    previous_snapshot,
    read_history,
    snapshot,
)
from evr_xl.outputs.history import SHEET as SNAPSHOTS
from evr_xl.outputs.sheets import driver_metrics_sheet, findings_sheet, workstream_metrics_sheet
from evr_xl.workbook import layout
from evr_xl.workbook.files import open_grids
from evr_xl.workbook.grids import Grid, WorkbookError
from evr_xl.workbook.reader import gc_paused, read_grids
from evr_xl.workbook.settings import read_settings
from evr_xl.xlsx.cellpatch import CellNotWritable, set_date_or_text_cell
from evr_xl.xlsx.package import check_package
from evr_xl.xlsx.sheet import SheetSpec
from evr_xl.xlsx.writer import WriteReport, fingerprint

Progress = Callable[[str], None]


@dataclass
class Analysis:
    """A workbook read, computed and checked: what every output is built from."""

    path: Path
    data: ProgramData | None
    findings: list[Finding]
    results: Results | None
    history: list[Snapshot] = field(default_factory=list)
    # The EVR-written "History" sheet the snapshots were read from, when there is no Snapshots
    # sheet yet: the refresh renames it to Snapshots (in place, every old snapshot kept).
    legacy_history: str | None = None

    @property
    def unreadable(self) -> list[Finding]:
        """Why a required table (Value Drivers, Workplan) yielded nothing: its header problems.

        Outputs built from an unreadable register would show $0 as if it were true, so refresh
        and the board pack refuse instead, naming the cell to fix.
        """
        if self.data is None:
            return []
        counts_by_sheet = {
            layout.VALUE_DRIVERS.sheet: len(self.data.drivers),
            layout.WORKPLAN.sheet: len(self.data.workplan),
        }
        return [
            f
            for f in self.findings
            if f.code in ("RD008", "RD010")
            and f.cell is not None
            and counts_by_sheet.get(f.cell.sheet) == 0
        ]


@dataclass
class RefreshReport:
    analysis: Analysis
    written: WriteReport | None
    snapshot: Snapshot | None
    previous: Snapshot | None  # the latest earlier snapshot, for "what changed"
    seconds: float = 0.0


def _quiet(_: str) -> None:
    pass


def analyse(
    path: str | Path,
    *,
    as_of: str | None = None,
    progress: Progress = _quiet,
    grids: Mapping[str, Grid] | None = None,
) -> Analysis:
    """Read, compute and check. Raises WorkbookError for an unusable file or a bad --as-of."""
    with gc_paused():  # a large programme is millions of objects: see reader.gc_paused
        return _analyse(Path(path), as_of, progress, grids)


def _analyse(
    path: Path, as_of: str | None, progress: Progress, grids: Mapping[str, Grid] | None
) -> Analysis:
    if grids is None:
        progress(f"Reading {path.name}")
        grids = open_grids(path, [t.sheet for t in layout.INPUT_TABLES] + [SNAPSHOTS, LEGACY_SHEET])
    data, findings = read_grids(grids, path.name)
    history, legacy = snapshots_of(grids)
    if data is None:
        return Analysis(path, None, findings, None, history, legacy)
    if as_of is not None:
        period = parse_period(as_of)
        if period is None:
            raise WorkbookError(f"--as-of {as_of!r} is not a period: use 2026-06 or 2026-Q2.")
        _check_in_horizon(data, period, f"--as-of {as_of}", path)
        data = data.with_as_of(period)
    progress(f"Computing {len(data.drivers)} drivers, {len(data.workplan)} workplan items")
    results = compute(data)
    progress("Running the traceability checks")
    findings = findings + run_checks(data, results)
    return Analysis(path, data, findings, results, history, legacy)


def _check_in_horizon(data: ProgramData, period: date, what: str, path: Path) -> None:
    """Refuse a period outside First period..Last period (a snapshot for it would stay forever)."""
    st = data.settings
    pt = st.period_type
    if not ordinal(st.first_period, pt) <= ordinal(period, pt) <= ordinal(st.last_period, pt):
        raise WorkbookError(
            f"{path.name}: {what} is outside the programme's horizon, "
            f"{label_of(st.first_period, pt)} to {label_of(st.last_period, pt)} (First period / "
            "Last period on the Program sheet). Nothing was computed or written: use a period "
            "inside it, or widen the horizon first."
        )


def snapshots_of(grids: Mapping[str, Grid]) -> tuple[list[Snapshot], str | None]:
    """The snapshots of a workbook, and the name of its EVR-written History sheet to rename.

    The Snapshots sheet when there is one; else an EVR-written History sheet (before 2026-12),
    whose name is returned so the refresh renames it. A user's own sheet named History (not
    EVR's table) is neither read nor touched.
    """

    def named(name: str) -> str | None:
        return next((n for n in grids if n.strip().lower() == name.lower()), None)

    current = named(SNAPSHOTS)
    if current is not None:
        return read_history(grids[current]), None
    old = named(LEGACY_SHEET)
    if old is not None and is_evr_history(grids[old]):
        return read_history(grids[old]), old
    return [], None


def output_sheets(analysis: Analysis, taken_at: datetime) -> tuple[list[SheetSpec], Snapshot]:
    """The five output sheets, and the snapshot this refresh adds to Snapshots."""
    data, results = analysis.data, analysis.results
    assert data is not None and results is not None
    snap = snapshot(results, taken_at)
    history = merge(analysis.history, snap)
    p = results.program
    sheets = [
        dashboard_sheet(
            data, results, analysis.findings, previous_snapshot(analysis.history, p.as_of)
        ),
        driver_metrics_sheet(data, results),
        workstream_metrics_sheet(data, results),
        findings_sheet(analysis.findings, analysis.path.name, p.as_of),
        history_sheet(history, p.currency, p.name),
    ]
    return sheets, snap


def refresh(
    path: str | Path,
    *,
    as_of: str | None = None,
    output: str | Path | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> RefreshReport:
    """Refresh the output sheets of the workbook at `path` (or of a copy at `out_path`)."""
    return _refresh(Path(path), as_of, output, progress, now)


def _refresh(
    path: Path,
    as_of: str | None,
    output: str | Path | None,
    progress: Progress,
    now: datetime | None,
    edit: Callable[[bytes], bytes] | None = None,
) -> RefreshReport:
    """refresh(); `edit` also changes the file's bytes in the same write (roll_forward)."""
    started = time.perf_counter()
    check_package(path)
    before = fingerprint(path)
    # One pause for the whole refresh (see reader.gc_paused): the collection the collector makes
    # when it resumes walks everything built meanwhile, so resuming between the analysis and
    # the output sheets would walk the records twice.
    with gc_paused():
        analysis = analyse(path, as_of=as_of, progress=progress)
        if analysis.results is None or analysis.unreadable:
            return RefreshReport(analysis, None, None, None, time.perf_counter() - started)
        taken_at = now or datetime.now(timezone.utc)
        sheets, snap = output_sheets(analysis, taken_at)
        previous = next(
            (s for s in reversed(analysis.history) if s.as_of <= snap.as_of and s is not snap),
            None,
        )
        progress(f"Writing {', '.join(s.name for s in sheets)}")
        renames = {analysis.legacy_history: SNAPSHOTS} if analysis.legacy_history else None
        written = write_output_sheets(
            path,
            sheets,
            out_path=output,
            expected_fingerprint=before,
            renames=renames,
            edit=edit,
        )
    return RefreshReport(analysis, written, snap, previous, time.perf_counter() - started)


@dataclass(frozen=True)
class RollTarget:
    """Where the As-of cell goes: from `current` to `period` (labels as the programme counts)."""

    cell: CellRef
    current: str
    period: date
    label: str


def roll_target(settings: ProgramSettings, to: str | None = None) -> RollTarget:
    """The period the As-of setting rolls forward to: `to`, or the period after the current one.

    Raises ValueError (the message says what to do) for a period that is not one, or is outside
    the horizon. The CLI (`evr roll-forward`) and the ribbon's Roll Forward share it.
    """
    pt = settings.period_type
    current = label_of(settings.as_of, pt)
    if to is None:
        n = ordinal(settings.as_of, pt) + 1
        if n > ordinal(settings.last_period, pt):
            raise ValueError(
                f"the as-of period {current} is already the last period of the horizon; extend "
                "'Last period' on the Program sheet first."
            )
    else:
        parsed = parse_period(to)
        if parsed is None:
            raise ValueError(f"--to {to!r} is not a period: use 2026-06 or 2026-Q2.")
        n = ordinal(parsed, pt)
        first, last = settings.first_period, settings.last_period
        if not ordinal(first, pt) <= n <= ordinal(last, pt):
            raise ValueError(
                f"--to {to} is outside the programme's horizon, {label_of(first, pt)} to "
                f"{label_of(last, pt)} (First period / Last period on the Program sheet); widen "
                "the horizon first."
            )
    return RollTarget(settings.cells["as_of"], current, from_ordinal(n, pt), label(n, pt))


@dataclass
class RollForwardReport:
    target: RollTarget
    refreshed: RefreshReport


def roll_forward(
    path: str | Path,
    *,
    to: str | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> RollForwardReport:
    """Set the Program sheet's As-of cell to the next period (or `to`) and refresh, in one write.

    The As-of cell is the one input cell EVR changes: rewritten in the kind it holds (a date stays
    a date with its format, text stays text; `xlsx.cellpatch`), every other part of the file
    byte-identical but the output sheets'. The outputs are computed as of the new period, and
    the file is replaced once (backup, fingerprint, lock: as a refresh). Raises WorkbookError when
    the file or its Program settings cannot be used or the period is outside the horizon.
    """
    path = Path(path)
    check_package(path)
    grids = open_grids(path, [layout.PROGRAM.sheet])
    name = next((n for n in grids if n.strip().lower() == layout.PROGRAM.sheet.lower()), None)
    settings, findings = read_settings(grids[name]) if name is not None else (None, [])
    if settings is None or "as_of" not in settings.cells:
        errors = [f.render() for f in findings if f.severity is Severity.ERROR][:5]
        raise WorkbookError(
            f"{path.name}: cannot roll forward; the Program settings could not be read:\n  "
            + "\n  ".join(errors or [f"the {layout.PROGRAM.sheet} sheet is missing"])
            + f"\nRun 'evr check {path}' for every finding."
        )
    try:
        target = roll_target(settings, to)
    except ValueError as exc:
        raise WorkbookError(f"{path.name}: {exc} Nothing was changed.") from None
    cell = target.cell

    def edit(data: bytes) -> bytes:
        try:
            return set_date_or_text_cell(
                data, cell.sheet, cell.row, cell.col, day=target.period, text=target.label
            )
        except CellNotWritable as exc:
            raise WorkbookError(
                f"{path.name}: the As-of period cannot be changed here: {exc}. Nothing was changed."
            ) from None

    report = _refresh(path, target.label, None, progress, now, edit)
    return RollForwardReport(target, report)


def summary_lines(report: RefreshReport) -> list[str]:
    """What the refresh did and what changed since the previous snapshot, for people."""
    from evr_xl.units import money

    a = report.analysis
    if a.unreadable:
        return (
            [
                f"{a.path.name}: not refreshed — a required table could not be read, so every figure "
                "would be wrong:"
            ]
            + [f"  {f.render()}" for f in a.unreadable]
            + ["Nothing was written. Fix the header and refresh again."]
        )
    if a.results is None or report.written is None:
        return [
            f"{a.path.name}: not refreshed — the Program settings could not be read. Run 'evr check "
            f"{a.path}' and fix the errors on the Program sheet."
        ]
    p = a.results.program
    w = report.written
    c = counts(a.findings)
    lines = [
        f"Refreshed {w.path} in {report.seconds:.2f} s (as of {p.as_of}, {p.currency}).",
        f"  Sheets written: {', '.join(w.sheets_written)}"
        + (f" (new: {', '.join(w.sheets_added)})" if w.sheets_added else ""),
        *(
            f"  Sheet {old!r} renamed to {new!r} (a name Excel reserves); its snapshots kept."
            for old, new in w.sheets_renamed
        ),
        f"  Backup of the previous file: {w.backup_path}"
        if w.backup_path
        else "  No backup (new file).",
        f"  Realized to date {money(p.realized_to_date, p.currency)}, forecast exit run-rate "
        f"{money(p.forecast_exit_run_rate, p.currency)}, value at risk {money(p.value_at_risk, p.currency)}, "
        f"RAG {p.rag}.",
        f"  Findings: {c['Error']} error(s), {c['Warning']} warning(s), {c['Info']} note(s).",
    ]
    prev = report.previous
    if prev and prev.program:
        if prev.as_of == p.as_of:
            lines.append(
                f"  Snapshots: the snapshot for {p.as_of} was replaced (taken earlier at {prev.taken_at})."
            )
        else:
            lines.append(f"  Snapshots: new snapshot for {p.as_of}; since {prev.as_of}:")
        moved: list[str] = []
        for key, name in (
            ("forecast_exit_run_rate", "forecast exit run-rate"),
            ("value_at_risk", "value at risk"),
            ("realized_to_date", "realized to date"),
        ):
            old = prev.program.get(key)
            if old is not None and abs(getattr(p, key) - old) >= 0.5:  # moved (not "$0")
                moved.append(f"    {name}: {money(getattr(p, key) - old, p.currency, signed=True)}")
        lines += moved or ["    no movement in forecast exit run-rate, value at risk or realized."]
    else:
        lines.append(f"  Snapshots: first snapshot ({p.as_of}).")
    return lines
