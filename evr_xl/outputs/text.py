"""The programme summary as text (for `evr metrics`) and the tables as CSV files.

Every figure carries its currency and the period it refers to.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evr_xl.engine import Results
from evr_xl.findings import Finding, counts, knock_ons, sort_findings
from evr_xl.outputs.headline import budget_text, headline
from evr_xl.units import money, pct
from evr_xl.xlsx.sheet import escape_csv_cell

TOP = 10


def summary_lines(results: Results) -> list[str]:
    p = results.program
    cur = p.currency
    m = lambda v: money(v, cur)  # noqa: E731
    pnl = p.by_value_type.get("P&L", {})
    lines = [
        f"{p.name} — {cur}, as of {p.as_of} (horizon {p.first_period} to {p.last_period}); value RAG {p.rag}",
        f"  {headline(p)}.",
        f"  Value promise (run-rate)       {m(p.value_promise):>10}   register Σ recurring targets "
        f"{m(p.sum_targets)}, reconciliation gap {m(p.reconciliation_gap)} (promise − targets)",
        f"  Run-rate achieved ({p.as_of})   {m(p.run_rate_achieved):>10}   a year at today's rate; "
        f"planned {m(p.planned_run_rate)}; P&L {m(pnl.get('run_rate_achieved', 0.0))}",
        f"  Forecast exit run-rate         {m(p.forecast_exit_run_rate):>10}   at {p.last_period}; gap to promise "
        f"{m(p.gap_to_promise)} (promise − forecast)",
        f"  Plan to date ({p.as_of})        {m(p.plan_to_date):>10}   cumulative",
        f"  Realized to date ({p.as_of})    {m(p.realized_to_date):>10}   {pct(p.realization_pct)} of plan; "
        f"{m(p.realized_validated)} validated by finance",
        "                                             by value type: "
        + ", ".join(
            f"{vt} {m(v['realized_to_date'])}"
            for vt, v in p.by_value_type.items()
            if v["realized_to_date"] or v["plan_to_date"]
        ),
        f"  Forecast in horizon            {m(p.forecast_in_horizon):>10}   plan in horizon {m(p.plan_in_horizon)}",
        f"  Value at risk (horizon)        {m(p.value_at_risk):>10}   slippage {m(p.slippage_var)} + "
        f"performance {m(p.performance_var)} + open risks {m(p.risk_exposure)}; "
        f"{p.n_slipping_milestones} open milestone(s) late",
        f"  Confidence-weighted forecast   {m(p.confidence_weighted_forecast):>10}   realized + stage-weighted remaining forecast",
        f"  Cost to achieve to date        {m(p.cost_actual_to_date):>10}   budget to date "
        f"{m(p.cost_budget_to_date)}: {budget_text(p)}; whole budget {m(p.cost_budget)}",
        f"  Net value to date (P&L)        {m(p.net_value):>10}   P&L realized − cost to achieve",
    ]
    current = next(
        (
            fy
            for fy in results.fiscal_years
            if str(fy["first_period"]) <= p.as_of <= str(fy["last_period"])
        ),
        None,
    )
    if current is not None:
        lines.append(
            f"  In-year, {current['fiscal_year']}"
            + ("" if current["complete"] else " (partly in the horizon)")
            + f"   plan {m(float(current['plan']))}, realized {m(float(current['realized']))}, "
            f"forecast {m(float(current['forecast']))} ({current['first_period']} to "
            f"{current['last_period']})"
        )
    if p.npv is not None:
        lines.append(
            f"  NPV of the forecast            {m(p.npv):>10}   at the programme's discount rate"
        )
    d = results.drivers
    at_risk = d[d["value_at_risk"] > 0].sort_values("value_at_risk", ascending=False).head(TOP)
    lines.append("")
    lines.append(
        f"Drivers most at risk ({cur}, over the horizon):"
        if len(at_risk)
        else "No driver has value at risk."
    )
    causes = _causes(results)
    for _, r in at_risk.iterrows():
        why = []
        if r["slippage_var"] > 0:
            why.append(
                f"slips {int(r['slip_periods'])} period(s) because of {causes.get(r['driver_id'], r['slip_items'])}"
            )
        if r["performance_var"] > 0:
            why.append(
                f"runs at {pct(r['performance_ratio'])} of its planned run-rate: "
                f"{m(r['performance_var'])} short"
            )
        if r["risk_exposure"] > 0:
            why.append(f"open risks {m(r['risk_exposure'])}")
        lines.append(
            f"  {r['driver_id']:<8} {str(r['name'])[:40]:<40} {m(r['value_at_risk']):>9}  {r['rag']:<5} "
            + "; ".join(why)
        )
    lines.append("")
    lines.append(f"Workstreams — task completion vs value realization (as of {p.as_of}):")
    for _, w in results.workstreams.iterrows():
        flag = "  <- green on tasks, red on value" if w["green_on_tasks_red_on_value"] else ""
        lines.append(
            f"  {w['workstream_id']:<8} {str(w['name'])[:22]:<22} tasks {pct(w['task_completion_pct']):>5}  "
            f"value {pct(w['value_realization_pct']):>5}  {w['rag']:<5} at risk {m(w['value_at_risk']):>8}{flag}"
        )
    return lines


COLLAPSE_OVER, SHOW_FIRST = 5, 3


def errors_line(findings: Sequence[Finding], path: object = "") -> str | None:
    """'2 error(s) in 2 row(s): what they hold is not (fully) counted in these figures — run
    evr check PATH', or None without errors."""
    errors = [f for f in findings if f.severity.value == "Error"]
    if not errors:
        return None
    rows = {(f.cell.sheet, f.cell.row) for f in errors if f.cell and f.cell.row}
    where = f" in {len(rows)} row(s)" if rows else ""
    return (
        f"{len(errors)} error(s){where}: what they hold is not (fully) counted in these "
        f"figures — run 'evr check {path}'"
    )


def findings_lines(findings: Sequence[Finding], *, show_all: bool = False) -> list[str]:
    """Findings grouped by sheet (the sheet with the worst finding first), errors first.

    Errors in the workbook's structure (a renamed column) come first, and unless `show_all` the
    findings that follow from them are counted, not listed. Unless `show_all`, a run of more
    than COLLAPSE_OVER findings of one code on one sheet shows its first SHOW_FIRST and a count,
    so a screen is not filled by one kind of note.
    """
    structural, follow, rest = knock_ons(sort_findings(list(findings)))
    lines: list[str] = []
    if structural:
        lines.append("Fix these first — the workbook's structure (other findings may follow):")
        lines += [f"  {f.severity.value:<7} {f.render()}" for f in structural]
        if follow and not show_all:
            by_code = ", ".join(
                f"{code} x{n}" for code, n in sorted(Counter(f.code for f in follow).items())
            )
            lines.append(
                f"  ... and {len(follow)} finding(s) that follow from it ({by_code}): "
                "listed with --all"
            )
        lines.append("")
    listed = rest + (follow if show_all else [])
    by_sheet: dict[str, list[Finding]] = defaultdict(list)
    for f in sort_findings(listed):
        by_sheet[f.cell.sheet if f.cell else "(programme)"].append(f)
    for sheet, items in sorted(
        by_sheet.items(), key=lambda kv: min(f.severity.rank for f in kv[1])
    ):
        c = counts(items)
        lines.append(
            f"{sheet}: {len(items)} finding(s) - "
            + ", ".join(f"{n} {s}" for s, n in c.items() if n)
        )
        by_code: dict[str, list[Finding]] = defaultdict(list)
        for f in items:
            by_code[f.code].append(f)
        for code, group in sorted(by_code.items(), key=lambda kv: (kv[1][0].severity.rank, kv[0])):
            shown = group if show_all or len(group) <= COLLAPSE_OVER else group[:SHOW_FIRST]
            lines += [f"  {f.severity.value:<7} {f.render()}" for f in shown]
            if len(shown) < len(group):
                lines.append(
                    f"  {'':<7} ... and {len(group) - len(shown)} more [{code}] on {sheet} "
                    "(evr check --all lists every one)"
                )
    return lines


def _causes(results: Results) -> dict[str, str]:
    """Driver -> 'WP-055 Close Plant B: go-live (3 periods late)' for its slipping enablers."""
    out: dict[str, list[str]] = {}
    s = results.slipping_items
    for _, it in s.iterrows():
        enables = (
            it["enables"]
            if isinstance(it["enables"], (tuple, list))
            else str(it["enables"]).split(", ")
        )
        for did in enables:
            out.setdefault(did, []).append(
                f"{it['item_id']} '{it['item']}' ({int(it['slip_periods'])} late)"
            )
    return {
        k: ", ".join(v[:3]) + (f" and {len(v) - 3} more" if len(v) > 3 else "")
        for k, v in out.items()
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """Nested figures (by_value_type) as columns: `P&L.realized_to_date`, ..."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out |= {f"{group}.{name}": x for group, fig in v.items() for name, x in fig.items()}
        else:
            out[k] = v
    return out


def metrics_json(results: Results) -> str:
    return json.dumps(
        {
            "program": {k: _plain(v) for k, v in results.program.as_dict().items()},
            "drivers": [
                {k: _plain(v) for k, v in r.items()} for r in results.drivers.to_dict("records")
            ],
            "workstreams": [
                {k: _plain(v) for k, v in r.items()} for r in results.workstreams.to_dict("records")
            ],
            "fiscal_years": [{k: _plain(v) for k, v in fy.items()} for fy in results.fiscal_years],
        },
        indent=2,
        ensure_ascii=False,
    )


def write_csvs(results: Results, folder: str | Path) -> list[Path]:
    """drivers.csv, workstreams.csv and program.csv in `folder`; user text is CSV-injection safe."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {
        "drivers": results.drivers.to_dict("records"),
        "workstreams": results.workstreams.to_dict("records"),
        "program": [_flat(results.program.as_dict())],
    }
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            if rows:
                w.writerow(list(rows[0]))
                for r in rows:
                    w.writerow([escape_csv_cell(_plain(v)) for v in r.values()])
        written.append(path)
    return written
