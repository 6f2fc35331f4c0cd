"""The Dashboard: the programme a finance partner can read in ten seconds.

KPI tiles (promise, realized, forecast exit run-rate, value at risk, gap, RAG), the workstreams
with task % against value %, the top value at risk with the milestones that cause it, and the
findings count — every figure with its currency and as-of period.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from evr_xl.engine import Results
from evr_xl.findings import Finding
from evr_xl.model import ProgramData
from evr_xl.model.cellref import column_letter
from evr_xl.outputs.sheets import (
    Col,
    clean,
    severity_counts,
    table_cells,
    title_cells,
    workstream_values,
)
from evr_xl.units import excel_money_format, money, pct
from evr_xl.xlsx.sheet import CellSpec, ConditionalFormat, PrintSettings, SheetSpec, escape_text

TILE_WIDTH = 2  # columns per KPI tile
TOP_AT_RISK = 10


def _tiles(results: Results) -> list[tuple[str, object, str, str | None]]:
    """(label, value, note, style) per tile."""
    p = results.program
    cur, period = p.currency, p.as_of
    return [
        (
            "Value promise",
            p.value_promise,
            f"annual run-rate · register Σ {money(p.sum_targets, cur)} (gap {money(p.reconciliation_gap, cur)})",
            None,
        ),
        (
            f"Realized to date ({period})",
            p.realized_to_date,
            f"{pct(p.realization_pct)} of plan to date {money(p.plan_to_date, cur)}",
            None,
        ),
        ("Forecast exit run-rate", p.forecast_exit_run_rate, f"run-rate at {p.last_period}", None),
        (
            "Value at risk",
            p.value_at_risk,
            f"slippage {money(p.slippage_var, cur)} + performance "
            f"{money(p.performance_var, cur)} + risks {money(p.risk_exposure, cur)}",
            None,
        ),
        ("Gap to promise", p.gap_to_promise, "promise − forecast exit run-rate", None),
        ("Value RAG", p.rag, f"as of {period}", f"rag_{p.rag.lower()}" if p.rag else None),
    ]


TOP_COLUMNS = (
    Col("Driver", "driver_id", "link"),
    Col("Name", "name"),
    Col("Owner", "owner"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Slip (periods)", "slip_periods", "int"),
    Col("Caused by", "slip_items"),
    Col("Value RAG", "rag", "rag"),
)
WS_COLUMNS = (
    Col("Workstream", "workstream_id", "link"),
    Col("Name", "name"),
    Col("Task %", "task_completion_pct", "pct"),
    Col("Value %", "value_realization_pct", "pct"),
    Col("Divergence", "divergence", "pct"),
    Col("Value RAG", "rag", "rag"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Green on tasks, red on value", "flag"),
)


def dashboard_sheet(data: ProgramData, results: Results, findings: Sequence[Finding]) -> SheetSpec:
    p = results.program
    cur = p.currency
    cells = title_cells(
        f"{p.name} — value dashboard",
        f"{p.currency} · as of {p.as_of} · horizon {p.first_period} to {p.last_period} · "
        "written by EVR on refresh: do not edit.",
    )
    merges: list[str] = []
    tile_fmt = excel_money_format(cur, "M")
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
                number_format=None if isinstance(value, str) else tile_fmt,
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
    cells += ws_table  # a small sheet: its tables as plain cells

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
    cells += top_table
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

    row = top_last + 2
    c = severity_counts(findings)
    cells.append(
        CellSpec(
            row,
            1,
            f"Findings: {c['Error']} error(s), {c['Warning']} warning(s), "
            f"{c['Info']} note(s) — open the Findings sheet",
            style="link",
            hyperlink="'Findings'!A1",
        )
    )
    cells.append(
        CellSpec(
            row + 1,
            1,
            f"Slipping work puts {money(p.slippage_var, cur)} at risk "
            f"({p.n_slipping_milestones} open milestone(s) late), under-performance "
            f"{money(p.performance_var, cur)}; open risks add {money(p.risk_exposure, cur)}.",
            style="note",
        )
    )

    rag_ranges = [f"F{ws_last - n_ws + 1}:F{ws_last}"] if n_ws else []
    if n_top:
        rag_ranges.append(f"G{top_last - n_top + 1}:G{top_last}")
    cond = tuple(
        ConditionalFormat(r, v, f"rag_{v.lower()}")
        for r in rag_ranges
        for v in ("Green", "Amber", "Red")
    )
    return SheetSpec(
        name="Dashboard",
        cells=tuple(cells),
        col_widths={i: 15 for i in range(1, 13)} | {2: 30},
        row_heights={5: 30, 6: 30},
        merges=tuple(merges),
        conditional_formats=cond,
        tab_colour="1F3864",
        print_settings=PrintSettings(footer=f"{p.name} · Dashboard · as of {p.as_of}"),
    )


def _top_at_risk(drivers: pd.DataFrame) -> dict[str, list[Any]]:
    """The TOP_COLUMNS of the drivers most at risk, by column, most at risk first.

    Sorted as sorting the at-risk rows by value at risk would (the same sort of the same
    values), but only the few columns shown are taken, and only for the top rows.
    """
    risk = drivers["value_at_risk"].reset_index(drop=True)
    rows = risk[risk > 0].sort_values(ascending=False).head(TOP_AT_RISK).index
    keys = [c.key for c in TOP_COLUMNS if c.key in drivers.columns]
    return {key: drivers[key].take(rows).tolist() for key in keys}
