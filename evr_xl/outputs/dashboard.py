"""The Dashboard: the programme a finance partner can read in ten seconds.

KPI tiles (promise, realized, forecast exit run-rate, value at risk, gap, RAG), the workstreams
with task % against value %, the top value at risk with the milestones that cause it, and the
findings count — every figure with its currency and as-of period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from evr_xl.engine import Results
from evr_xl.findings import Finding
from evr_xl.model import ProgramData
from evr_xl.model.cellref import column_letter
from evr_xl.model.vocab import PNL
from evr_xl.outputs.headline import gap_text, headline, value_at_risk_line
from evr_xl.outputs.history import Snapshot
from evr_xl.outputs.sheets import (
    Col,
    clean,
    severity_counts,
    table_cells,
    title_cells,
    workstream_values,
)
from evr_xl.units import excel_money_format, money, pct
from evr_xl.xlsx.sheet import (
    CellSpec,
    ChartSpec,
    ConditionalFormat,
    PrintSettings,
    SheetSpec,
    Table,
    escape_text,
)

TILE_WIDTH = 2  # columns per KPI tile
TILES = 7  # the most tiles in the row
TOP_AT_RISK = 10


def _tiles(results: Results) -> list[tuple[str, object, str, str | None]]:
    """(label, value, note, style) per tile: annual P&L run-rates first, then cumulative
    amounts — one unit per tile, said in its label."""
    p = results.program
    cur, period = p.currency, p.as_of
    pnl = p.by_value_type.get(PNL, {})
    rate = pnl.get("run_rate_achieved", 0.0)
    gap = p.reconciliation_gap
    if abs(gap) < 0.5:
        register = "recurring targets equal the promise"
    else:
        register = (
            f"recurring targets {money(p.sum_targets, cur)}, "
            f"{money(abs(gap), cur)} {'short of' if gap > 0 else 'above'} it"
        )
    return [
        ("Value promise (P&L, annual)", p.value_promise, register, None),
        (
            f"P&L run-rate achieved ({period}, annual)",
            rate,
            (f"{pct(rate / p.value_promise)} of the promise; " if p.value_promise else "")
            + f"planned now {money(p.planned_run_rate, cur)}",
            None,
        ),
        (
            f"Forecast exit run-rate ({p.last_period}, annual)",
            p.forecast_exit_run_rate,
            gap_text(p.gap_to_promise, cur, "the promise"),
            None,
        ),
        (
            f"Realized to date (cumulative to {period})",
            p.realized_to_date,
            f"{pct(p.realization_pct)} of plan to date {money(p.plan_to_date, cur)}; "
            f"{money(p.realized_unvalidated, cur)} not yet validated",
            None,
        ),
        (
            f"Value at risk (cumulative to {p.last_period})",
            p.value_at_risk,
            f"slippage {money(p.slippage_var, cur)} + performance "
            f"{money(p.performance_var, cur)} + risks {money(p.risk_exposure, cur)}",
            None,
        ),
        *_in_year(results),
        ("Value RAG", p.rag, f"as of {period}", f"rag_{p.rag.lower()}" if p.rag else None),
    ]


def _in_year(results: Results) -> list[tuple[str, object, str, str | None]]:
    """The current fiscal year's tile (metric 13): its forecast, against its plan."""
    p = results.program
    fy = next(
        (
            y
            for y in results.fiscal_years
            if str(y["first_period"]) <= p.as_of <= str(y["last_period"])
        ),
        None,
    )
    if fy is None:
        return []
    plan, forecast = float(fy["plan"]), float(fy["forecast"])  # type: ignore[arg-type]
    partial = "" if fy["complete"] else ", part in the horizon"
    return [
        (
            f"In-year {fy['fiscal_year']} forecast ({fy['first_period']} to "
            f"{fy['last_period']}{partial})",
            forecast,
            f"plan {money(plan, p.currency)}, realized {money(float(fy['realized']), p.currency)}"  # type: ignore[arg-type]
            f"; {gap_text(plan - forecast, p.currency, 'the in-year plan')}",
            None,
        )
    ]


# Texts sit left of numbers, never right of them, so "3" and "WP-017" cannot run together.
TOP_COLUMNS = (
    Col("Driver", "driver_id", "link"),
    Col("Name", "name"),
    Col("Owner", "owner"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Slip (periods)", "slip_periods", "int"),
    Col("Value RAG", "rag", "rag"),
    Col("Late enabling work", "slip_items"),
)
WS_COLUMNS = (
    Col("Workstream", "workstream_id", "link"),
    Col("Name", "name"),
    Col("Task %", "task_completion_pct", "pct"),
    Col("Value %", "value_realization_pct", "pct"),
    Col("Divergence", "divergence", "pct"),
    Col("Value RAG", "rag", "rag"),
    Col("Green on tasks, red on value", "flag"),
    Col("Value at risk", "value_at_risk", "money"),
)


MOVEMENT = (
    ("Recurring targets", "target"),
    ("Forecast exit run-rate (annual)", "forecast_exit_run_rate"),
    ("Forecast in horizon (cumulative)", "forecast_in_horizon"),
    ("Realized to date (cumulative)", "realized_to_date"),
    ("Value at risk (cumulative)", "value_at_risk"),
)


def _movement(results: Results, previous: Snapshot | None, top: int) -> tuple[list[CellSpec], int]:
    """The programme's key figures then and now, since the previous snapshot (Snapshots)."""
    p = results.program
    if previous is None:
        text = "Since the previous snapshot: none yet — each refresh adds one to Snapshots."
        return [CellSpec(top, 1, text, style="note")], top
    now = {"target": p.sum_targets} | {k: getattr(p, k) for _l, k in MOVEMENT[1:]}
    then = {k: previous.program.get(k) for _l, k in MOVEMENT}
    columns = (
        Col("Since the previous snapshot", "figure"),
        Col(f"At {previous.as_of}", "then", "money"),
        Col(f"Now, {p.as_of}", "now", "money"),
        Col("Change", "change", "money"),
    )
    values = {
        "figure": [label for label, _k in MOVEMENT],
        "then": [then[k] for _l, k in MOVEMENT],
        "now": [now[k] for _l, k in MOVEMENT],
        "change": [None if then[k] is None else now[k] - then[k] for _l, k in MOVEMENT],
    }
    title = CellSpec(
        top,
        1,
        f"Movement since the previous snapshot ({p.currency}; as of {previous.as_of})"
        + (" — target changes are not forecast movements" if then["target"] is not None else ""),
        style="subtitle",
    )
    table, last = table_cells(columns, values, p.currency, top=top + 1)
    # the labels span columns A:B (A is as narrow as an ID): figures go one column right
    moved = [replace(c, col=c.col + 1) if c.col > 1 else c for c in table]
    return [title, *moved], last


def dashboard_sheet(
    data: ProgramData,
    results: Results,
    findings: Sequence[Finding],
    previous: Snapshot | None = None,
) -> SheetSpec:
    p = results.program
    cur = p.currency
    cells = title_cells(
        f"{p.name} — value dashboard",
        f"{p.currency} · as of {p.as_of} · horizon {p.first_period} to {p.last_period} · "
        "written by EVR on refresh: do not edit.",
    )
    cells.append(CellSpec(3, 1, escape_text(headline(p)), style="note"))
    merges: list[str] = []
    for i, (label, value, note, style) in enumerate(_tiles(results)):
        c = 1 + i * TILE_WIDTH
        a, b = column_letter(c), column_letter(c + TILE_WIDTH - 1)
        merges += [f"{a}4:{b}4", f"{a}5:{b}5", f"{a}6:{b}6"]
        unit = "" if isinstance(value, str) else f" ({cur})"
        cells.append(CellSpec(4, c, escape_text(label + unit), style="kpi_label"))
        cells.append(
            CellSpec(
                5,
                c,
                clean(value),
                number_format=None if isinstance(value, str) else tile_format(value, cur),
                style=style or "kpi_value",
            )
        )
        cells.append(CellSpec(6, c, escape_text(note), style="kpi_label"))
        for r, st in ((4, "kpi_label"), (5, style or "kpi_value"), (6, "kpi_label")):
            cells.append(CellSpec(r, c + 1, None, style=st))  # the merged tile's right half

    row = 8
    cells.append(
        CellSpec(
            row,
            1,
            f"Workstreams — task completion vs value realization (as of {p.as_of})",
            style="subtitle",
        )
    )
    ws_values = workstream_values(results)
    n_ws = len(results.workstreams)
    ws_links = {i: "'Workstream Metrics'!A1" for i in range(n_ws)}
    ws_table, ws_last = table_cells(WS_COLUMNS, ws_values, cur, top=row + 1, links=ws_links)
    cells += _wrapped(ws_table, WRAP)  # a small sheet: its tables as plain cells

    row = ws_last + 2
    cells.append(
        CellSpec(
            row,
            1,
            f"Top value at risk ({cur}, over the horizon to {p.last_period})",
            style="subtitle",
        )
    )
    top = _top_at_risk(results.drivers)
    n_top = len(top["value_at_risk"])
    top_table, top_last = table_cells(
        TOP_COLUMNS,
        top,
        cur,
        top=row + 1,
        links={i: "'Driver Metrics'!A1" for i in range(n_top)},
    )
    cells += _wrapped(top_table, WRAP)
    if not n_top:
        cells.append(
            CellSpec(
                row + 2,
                1,
                "No value at risk: no slipping enablers and no open risks.",
                style="note",
            )
        )
        top_last = row + 2

    move_cells, move_last = _movement(results, previous, top_last + 2)
    cells += move_cells
    if previous is not None:
        merges += [f"A{r}:B{r}" for r in range(top_last + 3, move_last + 1)]
        cells += [CellSpec(top_last + 3, 2, None, style="header")]  # the merged header's half
    row = move_last + 2
    c = severity_counts(findings)
    errors = ": what the errors hold is not (fully) counted in these figures" if c["Error"] else ""
    cells.append(
        CellSpec(
            row,
            1,
            f"Findings: {c['Error']} error(s), {c['Warning']} warning(s), "
            f"{c['Info']} note(s){errors} — open the Findings sheet",
            style="link",
            hyperlink="'Findings'!A1",
        )
    )
    cells.append(
        CellSpec(
            row + 1,
            1,
            value_at_risk_line(p) + ".",
            style="note",
        )
    )

    rag_ranges = [f"F{ws_last - n_ws + 1}:F{ws_last}"] if n_ws else []
    if n_top:
        rag_ranges.append(f"F{top_last - n_top + 1}:F{top_last}")
    cond = tuple(
        ConditionalFormat(r, v, f"rag_{v.lower()}")
        for r in rag_ranges
        for v in ("Green", "Amber", "Red")
    )
    charts: tuple[ChartSpec, ...] = ()
    if n_ws:
        first = ws_last - n_ws + 1
        charts = (
            ChartSpec(
                f"Task completion vs value realization by workstream (as of {p.as_of})",
                f"B{first}:B{ws_last}",
                (("Task %", f"C{first}:C{ws_last}"), ("Value %", f"D{first}:D{ws_last}")),
                anchor=f"J8:M{max(24, ws_last)}",
            ),
        )
    return SheetSpec(
        name="Dashboard",
        charts=charts,
        cells=tuple(cells),
        col_widths=_widths([(WS_COLUMNS, ws_values), (TOP_COLUMNS, top)]),
        row_heights={3: 30, 5: 30, 6: 30},
        merges=tuple(merges),
        conditional_formats=cond,
        tab_colour="1F3864",
        print_settings=PrintSettings(footer=f"{p.name} · Dashboard · as of {p.as_of}"),
    )


WRAP = {"name", "owner", "slip_items", "flag"}  # texts that may be long
MIN_WIDTH, MAX_WIDTH, WRAP_WIDTH = 13, 40, 40


def _wrapped(table: Table, keys: set[str]) -> list[CellSpec]:
    """The table's cells; a text longer than its column is wide wraps (never cut off)."""
    columns = {c + 1 for c, col in enumerate(_columns_of(table)) if col in keys}
    return [
        replace(cell, style="wrap")
        if cell.col in columns
        and cell.row > table.top
        and isinstance(cell.value, str)
        and len(cell.value) > WRAP_WIDTH - 2
        else cell
        for cell in table
    ]


def _columns_of(table: Table) -> list[str]:
    by_header = {c.header: c.key for c in (*WS_COLUMNS, *TOP_COLUMNS)}
    return [by_header.get(h, "") for h in table.headers]


def _widths(tables: list[tuple[tuple[Col, ...], dict[str, list[Any]]]]) -> dict[int, float]:
    """Each column as wide as the widest of its cells across the tables (within bounds); the
    long texts wrap at WRAP_WIDTH."""
    widths = dict.fromkeys(range(1, TILES * TILE_WIDTH + 1), float(MIN_WIDTH))
    for columns, values in tables:
        for c, col in enumerate(columns, start=1):
            texts = [col.header, *(str(v) for v in values.get(col.key, []) if v is not None)]
            want = max(len(t) for t in texts) + 2
            if col.kind == "money":
                want = 14
            limit = WRAP_WIDTH if col.key in WRAP else MAX_WIDTH
            widths[c] = max(widths[c], float(min(limit, want)))
    return widths


def tile_format(value: object, currency: str) -> str:
    """Millions, or thousands for an amount under a million: never "$0.0M". No red: a tile's
    note says whether a figure is good or bad."""
    big = isinstance(value, (int, float)) and abs(float(value)) >= 999_500
    body = excel_money_format(currency, "M" if big else "k").split(";")
    return f"{body[0]};-{body[0]};{body[2]}"


def _top_at_risk(drivers: pd.DataFrame) -> dict[str, list[Any]]:
    """The TOP_COLUMNS of the drivers most at risk, by column, most at risk first.

    Sorted as sorting the at-risk rows by value at risk would (the same sort of the same
    values), but only the few columns shown are taken, and only for the top rows.
    """
    risk = drivers["value_at_risk"].reset_index(drop=True)
    rows = risk[risk > 0].sort_values(ascending=False).head(TOP_AT_RISK).index
    keys = [c.key for c in TOP_COLUMNS if c.key in drivers.columns]
    return {key: drivers[key].take(rows).tolist() for key in keys}
