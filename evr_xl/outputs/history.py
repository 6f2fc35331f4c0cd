"""Snapshots: one snapshot of the key figures per refresh — the memory of how the forecast moved.

The Snapshots sheet is a long table: per snapshot one Programme row and one row per driver. A
refresh reads the rows already there, drops any snapshot with the same as-of period (refreshing
twice for one period replaces that period's snapshot), appends the new one, and writes the sheet
again. The board pack's "since the last steering committee" page compares the two latest.

Each row keeps the (signed) target next to the forecast, so a movement can be split into a
target change and a forecast movement. The sheet was called "History" until 2026-12 — a name
Excel reserves; `read_history` reads the old rows (which have no target), and a refresh renames
an EVR-written History sheet to Snapshots in place (`LEGACY_SHEET`, `is_evr_history`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evr_xl.engine import Results
from evr_xl.outputs.sheets import HEADER_ROW, Col, rag_formats, table_cells, title_cells
from evr_xl.workbook.grids import Grid
from evr_xl.workbook.layout import normalise_header
from evr_xl.xlsx.sheet import Cells, PrintSettings, SheetSpec

SHEET = "Snapshots"
LEGACY_SHEET = "History"  # the sheet's name until 2026-12: read, then renamed to SHEET by a refresh
PROGRAMME = "PROGRAMME"
FIGURES = (
    "target",  # signed (a dis-benefit is negative); programme: the sum of the recurring targets
    "plan_to_date",
    "realized_to_date",
    "forecast_in_horizon",
    "forecast_exit_run_rate",
    "value_at_risk",
    "confidence_weighted_forecast",
)
COLUMNS = (
    Col("As-of", "as_of", width=10),
    Col("Taken at (UTC)", "taken_at", width=18),
    Col("Scope", "scope", width=11),
    Col("ID", "id", width=11),
    Col("Name", "name", width=30),
    Col("Target", "target", "money"),
    Col("Plan to date", "plan_to_date", "money"),
    Col("Realized to date", "realized_to_date", "money"),
    Col("Forecast in horizon", "forecast_in_horizon", "money"),
    Col("Forecast exit run-rate", "forecast_exit_run_rate", "money"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Confidence-weighted forecast", "confidence_weighted_forecast", "money", 16),
    Col("Value RAG", "rag", "rag", 9),
    Col("Note", "note", width=40),
)


@dataclass
class Snapshot:
    """The key figures at one refresh."""

    as_of: str
    taken_at: str
    program: dict[str, Any] = field(default_factory=dict)
    drivers: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str = ""  # e.g. that the snapshot was computed afterwards, not taken at the time

    def rows(self) -> list[dict[str, Any]]:
        head = {"as_of": self.as_of, "taken_at": self.taken_at, "note": self.note or None}
        out = [{**head, "scope": "Programme", "id": PROGRAMME, **self.program}]
        out += [{**head, "scope": "Driver", "id": k, **v} for k, v in self.drivers.items()]
        return out


def snapshot(results: Results, taken_at: datetime, note: str = "") -> Snapshot:
    p = results.program
    program = {k: getattr(p, "sum_targets" if k == "target" else k) for k in FIGURES}
    program |= {"name": p.name, "rag": p.rag}
    d = results.drivers
    columns = [d[k].tolist() for k in ("driver_id", "name", "rag", *FIGURES)]
    drivers = {
        str(i): {"name": name, "rag": rag, **dict(zip(FIGURES, map(float, figures), strict=True))}
        for i, name, rag, *figures in zip(*columns, strict=True)
    }
    taken = taken_at.strftime("%Y-%m-%d %H:%M")
    return Snapshot(p.as_of, taken, program, drivers, note)


def _header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The header row of a Snapshots (or old History) table and its columns by key."""
    keys = {normalise_header(c.header): c.key for c in COLUMNS}
    header_row = next(
        (
            r
            for r in range(1, min(grid.n_rows, 30) + 1)
            if normalise_header(grid.value(r, 1)) == "as of"
        ),
        None,
    )
    if header_row is None:
        return None
    cols = {
        keys[n]: ci
        for ci, v in enumerate(grid.rows[header_row - 1], start=1)
        if (n := normalise_header(v)) in keys
    }
    return header_row, cols


def is_evr_history(grid: Grid | None) -> bool:
    """Whether `grid` is a History sheet EVR wrote (before it became Snapshots), not a user's own.

    EVR's History table starts with an As-of column and has Scope, ID and the figures; a sheet
    of that name without them is left alone.
    """
    if grid is None:
        return False
    found = _header(grid)
    needed = {"as_of", "taken_at", "scope", "id", "forecast_in_horizon", "value_at_risk"}
    return found is not None and needed <= found[1].keys()


def read_history(grid: Grid | None) -> list[Snapshot]:
    """Snapshots from a Snapshots (or old History) sheet, oldest first; unreadable rows skipped.

    Rows written before the target was recorded read with target None.
    """
    if grid is None:
        return []
    found = _header(grid)
    if found is None:
        return []
    header_row, cols = found
    snaps: dict[str, Snapshot] = {}
    for r in range(header_row + 1, grid.n_rows + 1):
        row = {k: grid.value(r, ci) for k, ci in cols.items()}
        as_of, ident = row.get("as_of"), row.get("id")
        if not as_of or not ident:
            continue
        as_of = str(as_of)
        snap = snaps.setdefault(as_of, Snapshot(as_of, str(row.get("taken_at") or "")))
        if row.get("note") and not snap.note:
            snap.note = str(row["note"])
        figures = {k: _number(row.get(k)) for k in FIGURES} | {
            "name": row.get("name"),
            "rag": row.get("rag"),
        }
        if str(ident) == PROGRAMME:
            snap.program = figures
        else:
            snap.drivers[str(ident)] = figures
    return sorted(snaps.values(), key=lambda s: s.as_of)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def merge(previous: list[Snapshot], new: Snapshot) -> list[Snapshot]:
    """Previous snapshots with the same as-of replaced by `new`, oldest first."""
    return sorted([s for s in previous if s.as_of != new.as_of] + [new], key=lambda s: s.as_of)


def previous_snapshot(snapshots: list[Snapshot], as_of: str) -> Snapshot | None:
    """The latest snapshot whose as-of period is before `as_of` (for "movement since the
    previous snapshot"), or None. Its `program` and `drivers` hold the FIGURES (None where an
    old row did not record one, e.g. the target of a History row)."""
    earlier = [s for s in snapshots if s.as_of and s.as_of < as_of]
    return max(earlier, key=lambda s: (s.as_of, s.taken_at)) if earlier else None


def history_sheet(snapshots: list[Snapshot], currency: str, name: str) -> SheetSpec:
    rows = [row for s in snapshots for row in s.rows()]
    values = {c.key: [row.get(c.key) for row in rows] for c in COLUMNS}
    table, last = table_cells(COLUMNS, values, currency)
    titles = title_cells(
        f"Snapshots — {name}",
        f"{currency} · one snapshot per refresh (a second refresh for the same as-of replaces "
        "it) · target signed (a dis-benefit is negative) · written by EVR: do not edit (to remove a "
        "snapshot, delete its rows).",
    )
    return SheetSpec(
        name=SHEET,
        cells=Cells(table, titles),
        col_widths={c + 1: col.width for c, col in enumerate(COLUMNS)},
        freeze=f"A{HEADER_ROW + 1}",
        conditional_formats=rag_formats(COLUMNS, HEADER_ROW + 1, last),
        tab_colour="7F7F7F",
        print_settings=PrintSettings(footer=f"{name} · Snapshots"),
    )
