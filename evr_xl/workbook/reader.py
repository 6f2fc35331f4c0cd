"""The reader: grids of cell values -> ProgramData + findings.

No openpyxl or xlwings here: it takes plain grids (see grids.py), so the file path and the live
Excel path share it. Each table is read by its kind: long tables (tables.py), the Program
settings (settings.py), the wide Value Plan and Forecast (wide.py). Every cell the reader cannot
accept becomes a finding naming the cell; a record missing a required value is left out (and
said so). Only an unusable workbook (a required sheet missing) raises WorkbookError.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from evr_xl.findings import Finding, finding
from evr_xl.model import (
    Actual,
    CellRef,
    Cost,
    ProgramData,
    ProgramSettings,
    Risk,
    StageGate,
    ValueDriver,
    WorkItem,
    Workstream,
)
from evr_xl.model.periods import PeriodType
from evr_xl.workbook import layout as L
from evr_xl.workbook.cells import NUMBER_FORMATS, PLAIN, ReadContext
from evr_xl.workbook.grids import Grid, WorkbookError
from evr_xl.workbook.settings import read_settings
from evr_xl.workbook.tables import build_records, read_table
from evr_xl.workbook.wide import read_value_plan

# What a blank cell (or a missing column) means where it is not the model's own default.
READ_DEFAULTS: dict[str, dict[str, Any]] = {
    L.RISKS.sheet: {"status": "Open"},
    L.WORKPLAN.sheet: {"item_type": "Task"},
}

RECORD_TYPES: dict[str, type] = {
    L.STAGE_GATES.sheet: StageGate,
    L.WORKSTREAMS.sheet: Workstream,
    L.VALUE_DRIVERS.sheet: ValueDriver,
    L.WORKPLAN.sheet: WorkItem,
    L.ACTUALS.sheet: Actual,
    L.COSTS.sheet: Cost,
    L.RISKS.sheet: Risk,
}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for building hundreds of thousands of objects.

    Each collection walks every live container, and a large programme holds millions (grids,
    records, cell addresses), so collections triggered while building them made reading a
    large programme 2-3x slower (benchmarks/, docs/performance.md). Reference counting still
    frees what it can; the collector resumes, as it was, on the way out.

    On the way out, what was built inside goes straight to the oldest generation (freeze, then
    unfreeze): otherwise the first collection after resuming walks all of it at once (~50 ms on
    a large programme) only to find it alive. It stays collectable: the oldest generation is
    collected as usual, when enough has been added to it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:  # the outermost pause (an inner one finds the collector disabled)
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def read_grids(
    grids: Mapping[str, Grid], source: str = ""
) -> tuple[ProgramData | None, list[Finding]]:
    """The whole programme from its grids. Returns (None, findings) when the settings are unusable.

    Each grid is looked up when its table is read, in table order: a mapping still reading its
    sheets (files.SheetGrids) hands over each one as soon as it is ready.
    """
    with gc_paused():
        return _read_grids(grids, source)


def as_ready(grids: Mapping[str, Grid], names: list[str]) -> Iterator[str]:
    """`names` in the order their sheets become available: as read, for a mapping still reading
    them (files.SheetGrids), else as given."""
    ready = getattr(grids, "as_ready", None)
    return ready(names) if ready is not None else iter(names)


def context_of(settings: ProgramSettings | None) -> ReadContext:
    """How the programme's cells are read: its currency, number format and period type."""
    if settings is None:
        return PLAIN
    return ReadContext(
        currency=settings.currency.strip().upper(),
        decimal=NUMBER_FORMATS.get(settings.number_format or ""),
        period_type=settings.period_type,
    )


def _read_one(
    table: L.Table, grid: Grid, ptype: PeriodType | None, ctx: ReadContext
) -> tuple[Sequence[Any], list[Finding]]:
    """One input table's records (or Value Plan rows) and its findings."""
    if table.wide_periods:
        return read_value_plan(grid, ptype, table, ctx)
    kind = RECORD_TYPES[table.sheet]
    read, findings = read_table(grid, table, kind, ctx)
    if read is None:
        return (), findings
    for key, default in READ_DEFAULTS.get(table.sheet, {}).items():
        read.fill(key, default)
    return build_records(kind, read, findings), findings


def _read_grids(grids: Mapping[str, Grid], source: str) -> tuple[ProgramData | None, list[Finding]]:
    names = {name.strip().lower(): name for name in grids}
    missing = [s for s in L.REQUIRED_SHEETS if s.lower() not in names]
    if missing:
        have = ", ".join(grids) or "none"
        raise WorkbookError(
            f"{source or 'the workbook'}: required sheet(s) {', '.join(missing)} not "
            f"found (sheets present: {have}). Is this an EVR programme workbook? "
            "Start from 'evr new' or the template."
        )
    findings: list[Finding] = []
    settings, f = read_settings(grids[names[L.PROGRAM.sheet.lower()]])
    findings += f
    ptype = settings.period_type if settings is not None else None
    ctx = context_of(settings)
    tables = [t for t in L.INPUT_TABLES if t is not L.PROGRAM]
    present = [names[t.sheet.lower()] for t in tables if t.sheet.lower() in names]
    # Each table as soon as its sheet is read (files.SheetGrids.as_ready); its findings are
    # put back in table order below, so the order of reading does not show.
    read_tables: dict[str, tuple[Sequence[Any], list[Finding]]] = {}
    by_sheet = {t.sheet.lower(): t for t in tables}
    for name in as_ready(grids, present):
        table = by_sheet[name.strip().lower()]
        read_tables[table.sheet] = _read_one(table, grids[name], ptype, ctx)
    collected: dict[str, Sequence[Any]] = {}
    for table in tables:
        if table.sheet not in read_tables and table.optional:
            collected[table.sheet] = ()
            continue
        if table.sheet not in read_tables:
            findings.append(
                finding(
                    "RD014",
                    f"sheet '{table.sheet}' not found; treated as empty",
                    CellRef(sheet=table.sheet),
                )
            )
            collected[table.sheet] = ()
            continue
        collected[table.sheet], f = read_tables[table.sheet]
        findings += f
    if settings is None:
        return None, findings
    # Not validated again: the records are (TableRecords, made when asked for), and iterating
    # them here to validate would make them all.
    data = ProgramData.model_construct(
        source=source,
        settings=settings,
        stage_gates=collected[L.STAGE_GATES.sheet],
        workstreams=collected[L.WORKSTREAMS.sheet],
        drivers=collected[L.VALUE_DRIVERS.sheet],
        value_plan=tuple(collected[L.VALUE_PLAN.sheet]),
        workplan=collected[L.WORKPLAN.sheet],
        actuals=collected[L.ACTUALS.sheet],
        costs=collected[L.COSTS.sheet],
        risks=collected[L.RISKS.sheet],
        committed_forecast=tuple(collected[L.FORECAST.sheet]),
    )
    return data, findings
