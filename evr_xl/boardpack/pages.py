"""Pages 3 to 6 and 8 of the pack: scorecard, value at risk, trajectory, traceability, decisions.

Page 7 (since the last steering committee) is in history.py; the cover and the value bridge in
build.py. Each function takes the engine's Results and returns one Page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from evr_xl.boardpack import style as st
from evr_xl.boardpack.history import history_page
from evr_xl.boardpack.model import Chart, Column, Kpi, KpiRow, Page, Series, Table, Text
from evr_xl.boardpack.sheets import SHEETS
from evr_xl.boardpack.values import frame_rows, num, text
from evr_xl.engine import Results
from evr_xl.findings import CATALOGUE, Finding, sort_findings
from evr_xl.units import money

__all__ = [
    "decisions_page",
    "history_page",
    "scorecard_page",
    "traceability_page",
    "trajectory_page",
    "value_at_risk_page",
]

TOP_DRIVERS = 10
MAX_ITEMS = 15
MAX_ERRORS = 40
MAX_RED = 25  # red drivers listed on the Decisions page (the summary counts them all)


def scorecard_page(results: Results) -> Page:
    w = results.workstreams.copy()
    cur = results.program.currency
    m = st.money_format(cur)
    unit = st.unit_label(cur)
    as_of = results.program.as_of
    w["flag"] = ["Yes" if f else "" for f in w["green_on_tasks_red_on_value"]]
    cols = (
        Column("Workstream", width=11),
        Column("Name", width=22),
        Column("Drivers", st.INT, 8),
        Column("Tasks complete (%)", st.PCT, 11),
        Column(f"Value realized (% of plan to {as_of})", st.PCT, 13),
        Column("Divergence (tasks % - value %)", st.PCT, 12),
        Column("Value RAG", width=9, rag=True),
        Column(f"Value at risk ({unit}, horizon)", m, 12),
        Column(f"Forecast exit run-rate ({unit})", m, 12),
        Column("Green on tasks, red on value", width=12, center=True),
    )
    keys = [
        "workstream_id", "name", "n_drivers", "task_completion_pct", "value_realization_pct",
        "divergence", "rag", "value_at_risk", "forecast_exit_run_rate", "flag",
    ]  # fmt: skip
    table = Table(
        "scorecard", cols, tuple(frame_rows(w, keys)), title=f"By workstream, as of {as_of}"
    )
    chart = Chart(
        "clustered_column",
        f"Tasks complete vs value realized (% , to {as_of})",
        "scorecard",
        1,
        (Series(3, st.LIGHT_BLUE, labels=True), Series(4, st.NAVY, labels=True)),
        y_title="%",
        y_format=st.PCT,
        height_cm=8,
        y_min=0,
    )
    flagged = w[w["green_on_tasks_red_on_value"]]
    if flagged.empty:
        callout = Text("No workstream is green on tasks and red on value.", "callout")
    else:
        parts = [
            f"{text(r.workstream_id)} {text(r.name)}: tasks {st.pct_text(r.task_completion_pct)} "
            f"complete, value {st.pct_text(r.value_realization_pct)} of plan to date"
            for r in flagged.itertuples()
        ]
        callout = Text("Green on tasks, red on value - " + "; ".join(parts) + ".", "callout")
    return Page(SHEETS[2], "Workstream scorecard", (callout, table, chart), width_cols=10)


def value_at_risk_page(results: Results) -> Page:
    p = results.program
    cur = p.currency
    m = st.money_format(cur)
    k = st.money_format(cur, "K", 0)
    unit_k = st.unit_label(cur, "K")
    d = results.drivers
    top = d[d["value_at_risk"] > 0].sort_values(
        ["value_at_risk", "driver_id"], ascending=[False, True], kind="stable"
    )
    top = top.head(TOP_DRIVERS).assign(
        owner=lambda f: [text(o) or "(no owner)" for o in f["owner"]]
    )
    kpis = KpiRow(
        (
            Kpi("Value at risk (horizon)", p.value_at_risk, m),
            Kpi("of which: slipping work", p.slippage_var, m),
            Kpi("of which: under-performance carried forward", p.performance_var, m),
            Kpi("of which: open risks (probability x impact)", p.risk_exposure, m),
            Kpi("Slipping milestones enabling value", p.n_slipping_milestones, st.INT),
        )
    )
    cols = (
        Column("Driver", width=9),
        Column("Name", width=34, wrap=True),
        Column("Workstream", width=11),
        Column("Owner", width=15),
        Column("Slip (periods)", st.INT, 8),
        Column(f"Slippage ({unit_k})", k, 11),
        Column(f"Performance ({unit_k})", k, 11),
        Column(f"Open risks ({unit_k})", k, 11),
        Column(f"Value at risk ({unit_k})", k, 11),
        Column("Value RAG", width=9, rag=True),
        Column("Late enabling work", width=16, wrap=True),
    )
    keys = [
        "driver_id", "name", "workstream_id", "owner", "slip_periods", "slippage_var",
        "performance_var", "risk_exposure", "value_at_risk", "rag", "slip_items",
    ]  # fmt: skip
    drivers = Table(
        "top_drivers",
        cols,
        tuple(frame_rows(top, keys)),
        title=f"Top {TOP_DRIVERS} drivers by value at risk (horizon {p.first_period} to "
        f"{p.last_period})",
        empty_text="No driver has value at risk.",
    )
    chart = Chart(
        "stacked_bar",
        f"Value at risk by driver ({unit_k})",
        "top_drivers",
        0,
        (Series(5, st.SLATE), Series(6, st.LIGHT_BLUE)),
        y_title=unit_k,
        y_format=k,
        height_cm=max(5.0, 1.0 + 0.7 * len(top)),
        y_min=0,
    )
    items = results.slipping_items
    enabling = items[(items["value_at_risk_caused"] > 0) | (
        (items["type"].astype(str).str.lower() == "milestone") & (items["enables"].astype(str) != "")
    )]  # fmt: skip
    shown = enabling.head(MAX_ITEMS)
    icols = (
        Column("Item", width=9),
        Column("Workplan item", width=30, wrap=True),
        Column("Workstream", width=11),
        Column("Type", width=10),
        Column("Owner", width=15),
        Column("Planned finish", "yyyy-mm-dd", 11),
        Column("Late finish", "yyyy-mm-dd", 11),
        Column("Slip (periods)", st.INT, 8),
        Column("Enables", width=11, wrap=True),
        Column(f"Value at risk caused ({unit_k})", k, 12),
    )
    ikeys = [
        "item_id", "item", "workstream_id", "type", "owner", "planned_finish", "late_finish",
        "slip_periods", "enables", "value_at_risk_caused",
    ]  # fmt: skip
    more = len(enabling) - len(shown)
    item_table = Table(
        "slipping",
        icols,
        tuple(frame_rows(shown, ikeys)),
        title="Slipping work that causes it (milestones enabling value, and any item whose "
        "slip binds a driver)" + (f" - {more} more in the workbook" if more > 0 else ""),
        empty_text="No enabling work is slipping.",
    )
    blocks: tuple = (kpis, drivers)
    if len(top):
        blocks += (chart,)
    return Page(SHEETS[3], "Value at risk", blocks + (item_table,), width_cols=10)


def trajectory_page(results: Results) -> Page:
    p = results.program
    m = st.money_format(p.currency)
    unit = st.unit_label(p.currency)
    t = results.trajectory
    cols = (
        Column("Period", width=10),
        Column(f"Plan in period ({unit})", m, 12),
        Column(f"Actual in period ({unit})", m, 12),
        Column(f"Forecast in period ({unit})", m, 12),
        Column(f"Cumulative plan ({unit})", m, 12),
        Column(f"Cumulative actual ({unit})", m, 12),
        Column(f"Cumulative forecast ({unit})", m, 12),
    )
    keys = [
        "label", "plan", "actual", "forecast", "cumulative_plan", "cumulative_actual",
        "cumulative_forecast",
    ]  # fmt: skip
    table = Table("trajectory", cols, tuple(frame_rows(t, keys)), title="By period")
    chart = Chart(
        "line",
        f"Cumulative value: plan, actual and forecast ({unit}; actuals to {p.as_of})",
        "trajectory",
        0,
        (Series(4, st.LIGHT_BLUE), Series(6, st.BLUE, dashed=True), Series(5, st.NAVY)),
        y_title=unit,
        y_format=m,
        height_cm=10,
        place="right",
        width_cm=16,
    )
    kpis = KpiRow(
        (
            Kpi(f"Plan to date (to {p.as_of})", p.plan_to_date, m),
            Kpi(f"Realized to date (to {p.as_of})", p.realized_to_date, m),
            Kpi("Realization (% of plan to date)", num(p.realization_pct), st.PCT),
            Kpi(f"Plan in horizon (to {p.last_period})", p.plan_in_horizon, m),
            Kpi(f"Forecast in horizon (to {p.last_period})", p.forecast_in_horizon, m),
        )
    )
    return Page(SHEETS[4], "Trajectory", (kpis, table, chart), width_cols=8)


def traceability_page(
    results: Results, findings: Sequence[Finding], coverage: dict | None = None
) -> Page:
    by_sev = Counter(f.severity.value for f in findings)
    tiles = [
        Kpi("Errors", by_sev.get("Error", 0), st.INT),
        Kpi("Warnings", by_sev.get("Warning", 0), st.INT),
        Kpi("Info", by_sev.get("Info", 0), st.INT),
    ]
    for key, label in (
        ("items_connected_pct", "Workplan items connected to value"),
        ("milestones_connected_pct", "Milestones connected to value"),
    ):
        value = num((coverage or {}).get(key))
        if value is not None:
            tiles.append(Kpi(label, value, st.PCT))
    by_code = Counter(f.code for f in findings)
    sev_of = {f.code: f.severity for f in findings}
    order = sorted(by_code, key=lambda c: (sev_of[c].rank, c))
    code_rows = tuple(
        (c, CATALOGUE[c].title if c in CATALOGUE else "", sev_of[c].value, by_code[c])
        for c in order
    )
    codes = Table(
        "by_check",
        (Column("Code", width=9), Column("Check", width=55), Column("Severity", width=18),
         Column("Findings", st.INT, 12, center=True)),
        code_rows,
        title="Findings by check",
        empty_text="No findings: every check passed.",
    )  # fmt: skip
    errors = [f for f in sort_findings(list(findings)) if f.severity.value == "Error"]
    shown = errors[:MAX_ERRORS]
    more = len(errors) - len(shown)
    error_rows = tuple((f.code, text(f.message), f.where, text(f.fix)) for f in shown)
    listing = Table(
        "errors",
        (Column("Code", width=9), Column("Message", width=55, wrap=True),
         Column("Where (sheet!cell)", width=18), Column("Fix", width=45, wrap=True)),
        error_rows,
        title="Errors to fix" + (f" (first {MAX_ERRORS}; {more} more - run `evr check`)"
                                 if more else ""),
        empty_text="No errors.",
    )  # fmt: skip
    return Page(SHEETS[5], "Traceability", (KpiRow(tuple(tiles)), codes, listing), width_cols=8)


def _why_red(r: pd.Series, amber: float) -> str:
    """The RAG tests (metric 12) that fail, in words, and the slip behind them."""
    reasons = []
    recurring = r["recurrence"] == "Recurring"
    now, exit_, horizon = (num(r[k]) for k in ("rag_now", "rag_exit", "rag_horizon"))
    mirrored = (num(r["target"]) or 0.0) < 0  # a dis-benefit is rated on overrun: 2 - x

    def failing(x: float | None) -> bool:
        return x is not None and (2.0 - x if mirrored else x) < amber

    if failing(now):
        what = "run-rate today" if recurring else "realized"
        reasons.append(f"{what} {now:.0%} of plan")
    if recurring and failing(exit_):
        reasons.append(f"exit run-rate {exit_:.0%} of target")
    if failing(horizon):
        reasons.append(f"forecast {horizon:.0%} of {'plan in horizon' if recurring else 'total'}")
    if int(r["slip_periods"] or 0) > 0:
        n = int(r["slip_periods"])
        reasons.append(f"enabling work {n} period{'' if n == 1 else 's'} late")
    return "; ".join(reasons) + f" (< {amber:.0%})" if reasons else "below the amber threshold"


def _open_late_work(results: Results) -> dict[str, list[str]]:
    """Driver ID (casefolded) -> the open late workplan items that enable it."""
    out: dict[str, list[str]] = {}
    items = results.slipping_items
    for item_id, enables in zip(items["item_id"].tolist(), items["enables"].tolist(), strict=True):
        for d in str(enables or "").split(","):
            if d.strip():
                out.setdefault(d.strip().casefold(), []).append(str(item_id))
    return out


def _ask(r: pd.Series, late: list[str]) -> str:
    """Only what can still be decided: name an owner, recover open late work, commit a recovery
    forecast or approve a re-baseline, mitigate open risks."""
    asks = []
    if not text(r["owner"]).strip():
        asks.append("Name an accountable owner.")
    if late:
        shown = ", ".join(late[:3]) + (f" and {len(late) - 3} more" if len(late) > 3 else "")
        asks.append(f"Recover the open late work ({shown}) or re-phase the plan.")
    under = (num(r["performance_var"]) or 0.0) > 0
    if under and int(r["committed_periods"] or 0) == 0:
        asks.append(
            "Have the owner commit a recovery forecast (Forecast sheet), or approve a "
            "re-baseline of the target with finance."
        )
    elif under:
        asks.append("Review the owner's committed recovery against today's run-rate.")
    if (num(r["risk_exposure"]) or 0.0) > 0:
        asks.append("Approve mitigation of the open risks, or accept the reduced forecast.")
    return " ".join(asks) or "Approve a recovery plan, or a re-baseline of the target with finance."


def decisions_page(results: Results, amber: float = 0.80) -> Page:
    """Red drivers with owners, by value at risk; `amber` is the programme's amber threshold.

    The table lists the MAX_RED red drivers with the most value at risk (its title says how many
    more there are); the summary above it counts and totals every red driver.
    """
    cur = results.program.currency
    k = st.money_format(cur, "K", 0)
    unit_k = st.unit_label(cur, "K")
    d = results.drivers
    red = d[d["rag"] == "Red"].sort_values(
        ["value_at_risk", "driver_id"], ascending=[False, True], kind="stable"
    )
    rows = []
    late = _open_late_work(results)
    for _, r in red.head(MAX_RED).iterrows():
        rows.append(
            (text(r["driver_id"]), text(r["name"]), text(r["workstream_id"]),
             text(r["owner"]) or "(no owner)", text(r["stage"]), num(r["realization_pct"]),
             num(r["target"]), num(r["forecast_exit_run_rate"]), num(r["value_at_risk"]),
             _why_red(r, amber), _ask(r, late.get(text(r["driver_id"]).casefold(), [])))
        )  # fmt: skip
    cols = (
        Column("Driver", width=9),
        Column("Name", width=26, wrap=True),
        Column("Workstream", width=11),
        Column("Owner", width=15),
        Column("Stage", width=7),
        Column(f"Realized (% of plan to {results.program.as_of})", st.PCT, 11),
        Column(f"Target ({unit_k}, annual or total)", k, 11),
        Column(f"Forecast exit run-rate ({unit_k})", k, 11),
        Column(f"Value at risk ({unit_k})", k, 11),
        Column("Why it is red", width=30, wrap=True),
        Column("Decision needed", width=30, wrap=True),
    )
    n = len(red)
    more = n - len(rows)
    summary = Text(
        f"{n} driver{'' if n == 1 else 's'} rated Red"
        + (f", {money(float(red['value_at_risk'].sum()), cur)} value at risk between them."
           if n else ": no decision is forced by value this time."),
        "callout",
    )  # fmt: skip
    title = "Red drivers, by value at risk"
    if more > 0:
        title += f" (the {MAX_RED} with the most; {more} more in the workbook)"
    table = Table("red_drivers", cols, tuple(rows), title=title, empty_text="No driver is Red.")
    return Page(SHEETS[7], "Decisions needed", (summary, table), width_cols=11)
