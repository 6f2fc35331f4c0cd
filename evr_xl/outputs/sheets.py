"""The output sheets of PRODUCT.md as descriptions: Driver Metrics, Workstream Metrics, Findings.

Pure data built from the engine's Results, the findings and the ProgramData (for links back to
the input cells). The Dashboard is in dashboard.py and History in history.py. Rendered to a file
by evr_xl.outputs.file (over the evr_xl.xlsx writer) and to a live book by evr_xl.excel.render.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from operator import attrgetter, is_not
from typing import Any

import pandas as pd

from evr_xl.engine import Results
from evr_xl.findings import Finding, sort_findings
from evr_xl.model import CellRef, ProgramData
from evr_xl.model.cellref import column_letter
from evr_xl.units import excel_money_format
from evr_xl.xlsx.sheet import (
    EXCEL_MAX_TEXT,
    Cells,
    CellSpec,
    ConditionalFormat,
    PrintSettings,
    SheetSpec,
    Table,
    escape_text,
)

HEADER_ROW = 4
PCT = "0%"
INT = "0"
TEXT = None


@dataclass(frozen=True)
class Col:
    """One column of an output table: header, source key, number-format kind, width."""

    header: str
    key: str
    kind: str = "text"  # text | money | pct | int | rag | link
    width: float = 14
    wrap: bool = False


def clean(value: Any) -> Any:
    """A DataFrame value as a cell value: NaN/NA -> blank, numpy scalars -> Python, text escaped."""
    kind = type(value)
    if kind is float:  # the common cases first: tens of thousands of cells per refresh
        return value if math.isfinite(value) else None
    if kind is str:
        return escape_text(value)
    if value is None or kind is int or kind is bool:
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (tuple, list)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return escape_text(value)
    return value


_NUMBERS = frozenset((float, int, bool, type(None)))  # `clean` keeps them, finite floats too
_TEXTS = frozenset((str, float, type(None)))  # text, with NaN for a gap as pandas has it
_NOT_NONE = partial(is_not, None)


def clean_column(values: Sequence[Any]) -> list[Any]:
    """`clean` of each value: a column of numbers or of text at once, in C loops.

    A metrics table has tens of thousands of values, nearly all finite floats and printable
    text, which `clean` leaves as they are: a column is checked whole (its sum is finite only
    if every float is; its distinct texts joined are printable only if each is) and only odd
    values are converted one by one.
    """
    kinds = set(map(type, values))
    if kinds <= _NUMBERS:
        try:
            finite = float not in kinds or math.isfinite(sum(filter(_NOT_NONE, values)))
        except OverflowError:  # an int too big for a float: look at each value
            finite = False
        if finite:
            return list(values)
        return [v if v is None or v - v == 0 else None for v in values]  # NaN, inf: None
    if kinds <= _TEXTS:
        if float in kinds:  # NaN, inf: None
            values = [v if type(v) is not float or v - v == 0 else None for v in values]
        texts = [t for t in dict.fromkeys(values) if type(t) is str]
        joined = "".join(texts)
        if joined.isprintable() and (
            len(joined) <= EXCEL_MAX_TEXT or max(map(len, texts)) <= EXCEL_MAX_TEXT
        ):
            return list(values)
        escaped = {t: escape_text(t) for t in texts}
        return list(map(escaped.get, values, values))  # other values stay as they are
    return list(map(clean, values))


def title_cells(title: str, subtitle: str) -> list[CellSpec]:
    return [
        CellSpec(1, 1, escape_text(title), style="title"),
        CellSpec(2, 1, escape_text(subtitle), style="subtitle"),
    ]


def subtitle_for(results: Results, what: str) -> str:
    p = results.program
    return (
        f"{what} · {p.currency} · as of {p.as_of} · horizon {p.first_period} to {p.last_period} · "
        "written by EVR on refresh: do not edit (your changes would be replaced)."
    )


def table_cells(
    columns: Sequence[Col],
    values: Mapping[str, Sequence[Any]],
    currency: str,
    *,
    top: int = HEADER_ROW,
    links: Mapping[int, str] | None = None,
) -> tuple[Table, int]:
    """Header + rows as a `Table`; returns (table, last row).

    `values[col.key]` holds one column's values, top to bottom (a missing key is a blank
    column): columns, because pandas hands them over far faster than rows of dicts.
    `links[i]` links row i's first cell.
    """
    fmt = {"money": excel_money_format(currency), "pct": PCT, "int": INT}
    n_rows = max(map(len, values.values()), default=0)
    table = Table(
        top,
        tuple(col.header for col in columns),
        tuple(
            clean_column(values[col.key]) if col.key in values else [None] * n_rows
            for col in columns
        ),
        tuple(fmt.get(col.kind) for col in columns),
        links or {},
    )
    return table, top + table.n_rows


def frame_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A DataFrame's columns as lists of Python values, for `table_cells`."""
    return {key: frame[key].tolist() for key in frame.columns}


def rag_formats(columns: Sequence[Col], first: int, last: int) -> tuple[ConditionalFormat, ...]:
    out: list[ConditionalFormat] = []
    for c, col in enumerate(columns):
        if col.kind == "rag" and last >= first:
            rng = f"{column_letter(c + 1)}{first}:{column_letter(c + 1)}{last}"
            out += [
                ConditionalFormat(rng, "Green", "rag_green"),
                ConditionalFormat(rng, "Amber", "rag_amber"),
                ConditionalFormat(rng, "Red", "rag_red"),
            ]
    return tuple(out)


def _sheet(
    name: str,
    cells: Cells,
    columns: Sequence[Col],
    last: int,
    footer: str,
    print_settings: PrintSettings | None = None,
) -> SheetSpec:
    """An output table's sheet; printed with its header row on every page (one page wide
    unless `print_settings` say otherwise)."""
    return SheetSpec(
        name=name,
        cells=cells,
        col_widths={c + 1: col.width for c, col in enumerate(columns)},
        freeze=f"B{HEADER_ROW + 1}",
        conditional_formats=rag_formats(columns, HEADER_ROW + 1, last),
        tab_colour="1F3864",
        print_settings=print_settings or PrintSettings(footer=footer),
    )


def _column_groups(footer: str) -> PrintSettings:
    """A table too wide for one page prints in groups of columns, ID and name repeated on
    each, at a scale still legible (rather than all columns shrunk onto one page's width)."""
    return PrintSettings(footer=footer, title_cols=(1, 2), column_groups=True)


DRIVER_COLUMNS = (
    Col("Driver ID", "driver_id", "link", 11),
    Col("Name", "name", width=34),
    Col("Workstream", "workstream_id", width=12),
    Col("Category", "category", width=15),
    Col("Recurrence", "recurrence", width=11),
    Col("Owner", "owner", width=16),
    Col("Stage", "stage", width=7),
    Col("Target", "target", "money"),
    Col("Plan to date", "plan_to_date", "money"),
    Col("Realized to date", "realized_to_date", "money"),
    Col("of which validated", "realized_validated", "money"),
    Col("Realization %", "realization_pct", "pct", 12),
    Col("Run-rate achieved", "run_rate_achieved", "money"),
    Col("Run-rate %", "run_rate_pct", "pct", 11),
    Col("Performance ratio", "performance_ratio", "pct", 11),
    Col("Slip (periods)", "slip_periods", "int", 9),
    Col("Late enabling work", "slip_items", width=18),
    Col("Plan in horizon", "plan_in_horizon", "money"),
    Col("Forecast in horizon", "forecast_in_horizon", "money"),
    Col("Forecast exit run-rate", "forecast_exit_run_rate", "money"),
    Col("Slippage VaR", "slippage_var", "money"),
    Col("Performance VaR", "performance_var", "money"),
    Col("Risk exposure", "risk_exposure", "money"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Confidence weight", "confidence_weight", "pct", 11),
    Col("Confidence-weighted forecast", "confidence_weighted_forecast", "money", 16),
    Col("Current FY: plan", "current_fy_plan", "money"),
    Col("Current FY: realized", "current_fy_realized", "money"),
    Col("Current FY: forecast", "current_fy_forecast", "money"),
    Col("Value RAG", "rag", "rag", 9),
)


def _input_links(records: Iterable[Any], key: str) -> dict[str, str]:
    cells = {getattr(r, key): r.cell(key) for r in records}
    return {k: _excel_ref(cell) for k, cell in cells.items() if cell is not None}


def driver_metrics_sheet(data: ProgramData, results: Results) -> SheetSpec:
    """One row per value driver; the ID links to the driver's row on Value Drivers."""
    p = results.program
    values = frame_columns(results.drivers)
    where = _input_links(data.drivers, "driver_id")
    links = {i: where[d] for i, d in enumerate(values["driver_id"]) if d in where}
    table, last = table_cells(DRIVER_COLUMNS, values, p.currency, links=links)
    cells = Cells(
        table,
        title_cells(f"Driver Metrics — {p.name}", subtitle_for(results, "Money in " + p.currency)),
    )
    return _sheet(
        "Driver Metrics",
        cells,
        DRIVER_COLUMNS,
        last,
        f"{p.name} · Driver Metrics · as of {p.as_of}",
        _column_groups(f"{p.name} · Driver Metrics · as of {p.as_of}"),
    )


WORKSTREAM_COLUMNS = (
    Col("Workstream", "workstream_id", "link", 12),
    Col("Name", "name", width=22),
    Col("Drivers", "n_drivers", "int", 8),
    Col("Workplan items", "n_items", "int", 9),
    Col("Task completion %", "task_completion_pct", "pct", 11),
    Col("Value realization %", "value_realization_pct", "pct", 11),
    Col("Divergence (pts)", "divergence", "pct", 11),
    Col("Green on tasks, red on value", "flag", width=16),
    Col("Value RAG", "rag", "rag", 9),
    Col("Target", "target", "money"),
    Col("Plan to date", "plan_to_date", "money"),
    Col("Realized to date", "realized_to_date", "money"),
    Col("Run-rate achieved", "run_rate_achieved", "money"),
    Col("Forecast exit run-rate", "forecast_exit_run_rate", "money"),
    Col("Slippage VaR", "slippage_var", "money"),
    Col("Performance VaR", "performance_var", "money"),
    Col("Risk exposure", "risk_exposure", "money"),
    Col("Value at risk", "value_at_risk", "money"),
    Col("Confidence-weighted forecast", "confidence_weighted_forecast", "money", 16),
    Col("Cost to achieve: budget to date", "cost_budget_to_date", "money"),
    Col("Cost to achieve: actual to date", "cost_actual_to_date", "money"),
    Col("Current FY: plan", "current_fy_plan", "money"),
    Col("Current FY: realized", "current_fy_realized", "money"),
    Col("Current FY: forecast", "current_fy_forecast", "money"),
)


def workstream_values(results: Results) -> dict[str, list[Any]]:
    """The workstream table by column, with the "green on tasks, red on value" flag as text."""
    values = frame_columns(results.workstreams)
    values["flag"] = [
        "Yes — tasks done, value not" if green_red else "No"
        for green_red in values["green_on_tasks_red_on_value"]
    ]
    return values


def workstream_metrics_sheet(data: ProgramData, results: Results) -> SheetSpec:
    p = results.program
    values = workstream_values(results)
    where = _input_links(data.workstreams, "workstream_id")
    links = {i: where[w] for i, w in enumerate(values["workstream_id"]) if w in where}
    table, last = table_cells(WORKSTREAM_COLUMNS, values, p.currency, links=links)
    note = CellSpec(
        last + 2,
        1,
        "Divergence = task completion % − value realization %. "
        "'Green on tasks, red on value': tasks at or above the green threshold while the "
        "value RAG is Red — the work is done but the value is not coming.",
        style="note",
    )
    cells = Cells(
        table,
        title_cells(
            f"Workstream Metrics — {p.name}",
            subtitle_for(results, "Task completion vs value realization"),
        ),
        [note],
    )
    return _sheet(
        "Workstream Metrics",
        cells,
        WORKSTREAM_COLUMNS,
        last,
        f"{p.name} · Workstream Metrics · as of {p.as_of}",
        _column_groups(f"{p.name} · Workstream Metrics · as of {p.as_of}"),
    )


FINDING_COLUMNS = (
    Col("Where", "where", "link", 20),
    Col("Severity", "severity", width=9),
    Col("Code", "code", width=8),
    Col("Finding", "message", width=70, wrap=True),
    Col("What to do", "fix", width=50, wrap=True),
)


def severity_counts(findings: Iterable[Finding]) -> Counter[str]:
    """Findings per severity ("Error", "Warning", "Info"), as `findings.counts` gives them.

    Severity is a str Enum: str.__str__ gives a member's value in C, where `.value` is a
    Python property call per finding (a large programme has thousands).
    """
    return Counter(map(str.__str__, map(attrgetter("severity"), findings)))


def findings_sheet(findings: Sequence[Finding], source: str, as_of: str) -> SheetSpec:
    """Every finding, errors first, each with a link to the cell to fix."""
    ordered = sort_findings(list(findings))
    refs = list(map(attrgetter("cell"), ordered))
    severities = list(map(str.__str__, map(attrgetter("severity"), ordered)))  # as severity_counts
    addresses = list(map(_addresses, refs))
    values = {
        "where": [where or "(programme)" for where, _ in addresses],
        "severity": severities,
        "code": list(map(attrgetter("code"), ordered)),
        "message": list(map(attrgetter("message"), ordered)),
        "fix": list(map(attrgetter("fix"), ordered)),
    }
    links = {i: link for i, (_, link) in enumerate(addresses) if link is not None}
    table, last = table_cells(FINDING_COLUMNS, values, "", links=links)
    c = Counter(severities)
    titles = title_cells(
        f"Findings — {source}",
        f"As of {as_of} · {c['Error']} error(s), {c['Warning']} warning(s), {c['Info']} note(s)"
        " · click a cell address to go there · rewritten on each refresh.",
    )
    if not ordered:
        titles.append(CellSpec(HEADER_ROW + 1, 1, "No findings: every check passed.", style="note"))
    cells = Cells(table, titles)
    sev = tuple(
        ConditionalFormat(f"B{HEADER_ROW + 1}:B{max(last, HEADER_ROW + 1)}", s, style)
        for s, style in (("Error", "rag_red"), ("Warning", "rag_amber"), ("Info", "rag_green"))
    )
    spec = _sheet("Findings", cells, FINDING_COLUMNS, last, f"Findings · as of {as_of}")
    return SheetSpec(**{**spec.__dict__, "conditional_formats": sev})


# A cell's address as CellRef gives it (a1, excel_ref), made here without the model's property
# calls: the Findings sheet gives one per finding, thousands on a large programme.


@cache
def _letters(col: int) -> str:
    return column_letter(col)


@cache
def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!"


def _coordinate(cell: CellRef) -> str:
    """CellRef.coordinate: C12, 12:12 (a whole row) or "" (the sheet)."""
    row, col = cell.row, cell.col
    if row and col:
        return f"{_letters(col)}{row}"
    return f"{row}:{row}" if row else ""


def _addresses(cell: CellRef | None) -> tuple[str, str | None]:
    """A finding's `where` (CellRef.a1; "" without a cell) and its link, a whole row's to its
    first cell (None without a cell)."""
    if cell is None:
        return "", None
    sheet, row, col = cell.sheet, cell.row, cell.col
    coordinate = _coordinate(cell)
    where = f"{sheet}!{coordinate}" if coordinate else sheet
    return where, _quoted(sheet) + (f"A{row}" if row and not col else coordinate or "A1")


def _excel_ref(cell: CellRef) -> str:
    """CellRef.excel_ref: 'Sheet name'!C12."""
    return _quoted(cell.sheet) + (_coordinate(cell) or "A1")
