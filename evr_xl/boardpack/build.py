"""Results (+ findings, + History snapshots) -> BoardPack: the eight pages' content.

Every figure comes from the engine's Results unchanged; this module only selects, orders and
labels. Money cells hold full amounts (the number format shows millions or thousands). Text from
the user's workbook (names, owners, item descriptions, messages) passes through `escape_text`;
the renderer also keeps any text that starts with = + - @ as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from evr_xl.boardpack import style as st
from evr_xl.boardpack.model import (
    BoardPack,
    CellValue,
    Chart,
    Column,
    Kpi,
    KpiRow,
    Links,
    Page,
    Series,
    Table,
    Text,
)
from evr_xl.boardpack.pages import (
    decisions_page,
    history_page,
    scorecard_page,
    traceability_page,
    trajectory_page,
    value_at_risk_page,
)
from evr_xl.boardpack.sheets import SHEETS
from evr_xl.boardpack.values import num, text
from evr_xl.engine import Results
from evr_xl.engine.rollups import ProgramMetrics
from evr_xl.findings import Finding
from evr_xl.model.periods import PeriodType, label, ordinal, parse_period
from evr_xl.model.records import ProgramData
from evr_xl.model.vocab import PNL
from evr_xl.outputs.headline import budget_text, headline, value_at_risk_line
from evr_xl.units import money


def build_boardpack(
    results: Results,
    findings: Sequence[Finding] = (),
    data: ProgramData | None = None,
    history: Sequence[dict] | None = None,
    source: str = "",
    generated_at: dt.datetime | None = None,
    coverage: dict | None = None,
) -> BoardPack:
    """The whole pack for one programme."""
    p = results.program
    n_open = sum(1 for r in data.risks if r.is_open) if data is not None else 0
    line = headline(p)
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    pages = (
        cover_page(results, line, value_at_risk_line(p, n_open), findings, when, source, data),
        bridge_page(results),
        scorecard_page(results),
        value_at_risk_page(results),
        trajectory_page(results),
        traceability_page(results, findings, coverage),
        history_page(results, history),
        decisions_page(results, data.settings.rag_amber if data is not None else 0.80),
    )
    return BoardPack(
        programme=text(p.name),
        as_of=p.as_of,
        currency=p.currency,
        value_rag=p.rag,
        headline=line,
        generated_at=when,
        source=text(source),
        pages=pages,
    )


CONTENTS = {
    "Value bridge": "Run-rate: promise to forecast exit. Horizon: plan to forecast, cumulative.",
    "Workstreams": "Task completion against value realization, per workstream.",
    "Value at risk": "The drivers with the most value at risk and the slipping work behind it.",
    "Trajectory": "Cumulative plan, actual and forecast by period.",
    "Traceability": "Findings by check, with the errors to fix.",
    "Since last SteerCo": "How the forecast moved since the previous snapshot.",
    "Decisions": "Red drivers and their owners: the decisions needed.",
}


def cover_page(
    results: Results,
    line: str,
    risk_line: str,
    findings: Sequence[Finding],
    when: dt.datetime,
    source: str,
    data: ProgramData | None,
) -> Page:
    p = results.program
    cur = p.currency
    m = st.money_format(cur)
    h = results.horizon
    pnl = p.by_value_type.get(PNL, {})
    horizon = f"{p.first_period} to {p.last_period}"
    errors = sum(1 for f in findings if f.severity.value == "Error")
    warnings = sum(1 for f in findings if f.severity.value == "Warning")
    kind = f"{text(data.settings.program_type)} programme" if data is not None else "Programme"
    basis = ""
    if data is not None and data.settings.promise_basis:
        basis = f"; promise basis: {text(data.settings.promise_basis)}"
    # Row 1 speaks annual P&L run-rates, row 2 cumulative amounts: one unit per row.
    tiles1 = (
        Kpi("Value RAG", p.rag, rag=True),
        Kpi("Value promise (P&L, annual run-rate)", p.value_promise, m),
        Kpi(f"P&L run-rate achieved ({p.as_of}, annual)", pnl.get("run_rate_achieved", 0.0), m),
        Kpi(f"Forecast exit run-rate ({p.last_period}, annual)", p.forecast_exit_run_rate, m),
        Kpi("Gap to promise (promise − forecast; + = short)", p.gap_to_promise, m),
        Kpi(f"Value at risk ({horizon}, cumulative)", p.value_at_risk, m),
    )
    tiles2 = (
        Kpi(f"Realized to date (to {p.as_of}, cumulative)", p.realized_to_date, m),
        Kpi(f"Plan to date (to {p.as_of}, cumulative)", p.plan_to_date, m),
        Kpi(f"Realization (% of plan to {p.as_of})", num(p.realization_pct), st.PCT),
        Kpi(f"Cost to achieve, actual to {p.as_of}", p.cost_actual_to_date, m),
        Kpi(f"Net P&L value to {p.as_of} (realized − cost)", p.net_value, m),
        Kpi("Findings: errors / warnings", f"{errors} / {warnings}"),
    )
    types = " · ".join(
        f"{vt}: {money(v['realized_to_date'], cur)} realized of {money(v['plan_to_date'], cur)} "
        f"planned ({money(v['realized_unvalidated'], cur)} not yet validated)"
        for vt, v in p.by_value_type.items()
        if v["realized_to_date"] or v["plan_to_date"]
    )
    spend = (
        f"Cost to achieve to {p.as_of}: {money(p.cost_actual_to_date, cur)} against a budget to "
        f"date of {money(p.cost_budget_to_date, cur)} — {budget_text(p)}; whole-programme "
        f"budget {money(p.cost_budget, cur)}."
    )
    contents = tuple((sheet, CONTENTS[sheet], sheet) for sheet in SHEETS[1:])
    period_word = "months" if h.per_year == 12 else "quarters"
    return Page(
        sheet=SHEETS[0],
        title=text(p.name),
        blocks=(
            Text(line, "headline"),
            Text(risk_line + ".", "body"),
            *(
                (
                    Text(
                        f"{errors} error(s) in the workbook: what they hold is not (fully) "
                        "counted in these figures (see the Traceability page).",
                        "callout",
                    ),
                )
                if errors
                else ()
            ),
            Text(
                f"{kind} as of {p.as_of}; horizon {horizon} in {period_word}; "
                f"money in {cur} (M = millions, k = thousands){basis}.",
                "body",
            ),
            KpiRow(tiles1),
            KpiRow(tiles2),
            Text("Realized to date by value type — " + (types or "none yet") + ".", "note"),
            Text(spend, "note"),
            Text("Contents", "heading"),
            Links(contents),
            Text(
                f"Generated {when:%Y-%m-%d %H:%M} by EVR-XL from {text(source) or 'the programme workbook'}. "
                "Run-rates are annual; to-date figures are cumulative from the first period to the "
                "as-of period; value at risk = slippage + under-performance carried forward over "
                "the horizon + open risk exposure (probability x impact, capped at the forecast "
                "still expected). Gaps are promise (or budget) minus delivery: positive = short.",
                "note",
            ),
        ),
        width_cols=12,
    )


def _waterfall(steps: Sequence[tuple[str, float, bool]]) -> list[tuple[CellValue, ...]]:
    """Stacked-bar waterfall rows: (label, base, decrease, increase, total) per step.

    A step is (label, amount, is_total). A total bar stands on zero; a move floats on an
    invisible base at the lower of the running totals before and after it. Unused cells stay
    empty, so no zero-height bar gets a label. (Running totals below zero are not drawn below
    the axis: the base is floored at zero.)
    """
    rows: list[tuple[CellValue, ...]] = []
    running = 0.0
    for step, amount, is_total in steps:
        if is_total:
            running = amount
            rows.append((step, None, None, None, amount))
            continue
        after = running + amount
        base = max(0.0, min(running, after))
        rows.append(
            (step, base, -amount if amount < 0 else None, amount if amount > 0 else None, None)
        )
        running = after
    return rows


def run_rate_steps(p: ProgramMetrics) -> list[tuple[str, float, bool, str]]:
    """The run-rate bridge, annual run-rate at the last period: (label, amount, is_total, what)
    per step; start + moves = each total, exactly (tests/boardpack/test_numbers.py)."""
    cur = p.currency
    gap = p.reconciliation_gap
    if abs(gap) < 0.5:
        gap_what = "The recurring targets equal the promise"
    elif gap > 0:
        gap_what = f"Promise not covered by recurring targets ({money(gap, cur)} short)"
    else:
        gap_what = f"Recurring targets exceed the promise by {money(-gap, cur)}"
    steps = [
        ("Value promise", p.value_promise, True, "Annual P&L run-rate committed"),
        ("Reconciliation gap", -gap, False, gap_what),
        ("Recurring targets", p.sum_targets, True, "Sum of recurring targets (dis-benefits subtract)"),
        ("Ramp beyond the horizon", p.planned_exit_run_rate - p.sum_targets, False,
         f"Targets not planned to reach full run-rate by {p.last_period}"),
        ("Slippage", p.slipped_exit_run_rate - p.planned_exit_run_rate, False,
         f"Run-rate at {p.last_period} lost because enabling work slips"),
        ("Performance", p.forecast_exit_run_rate - p.slipped_exit_run_rate, False,
         "Today's run-rate against plan carried forward, and owners' committed forecasts"),
        ("Forecast exit run-rate", p.forecast_exit_run_rate, True,
         f"Annual run-rate forecast at {p.last_period}"),
    ]  # fmt: skip
    return [s for s in steps if s[2] or abs(s[1]) >= 0.5 or s[0] != "Ramp beyond the horizon"]


def horizon_steps(p: ProgramMetrics) -> list[tuple[str, float, bool, str]]:
    """The horizon bridge, cumulative first to last period: plan in horizon -> forecast in
    horizon, then the forecast split into realized, on track and at risk."""
    cur = p.currency
    behind = p.plan_to_date - p.realized_to_date
    after = p.plan_in_horizon - p.plan_to_date  # planned after T
    remaining = p.forecast_in_horizon - p.realized_to_date  # forecast after T
    # Each driver's slippage and performance are never negative; where a forecast beats its
    # plan, the difference shows here rather than being netted against other drivers' risk.
    beats = remaining - (after - p.slippage_var - p.performance_var)
    next_period = _next_label(p)
    steps = [
        ("Plan in horizon", p.plan_in_horizon, True,
         f"Cumulative plan {p.first_period} to {p.last_period}"),
        ("Behind plan to date" if behind >= 0 else "Ahead of plan to date", -behind, False,
         f"Plan to {p.as_of} {money(p.plan_to_date, cur)}, realized "
         f"{money(p.realized_to_date, cur)}"),
        ("Slippage", -p.slippage_var, False, "Value the slips move beyond the horizon"),
        ("Performance", -p.performance_var, False,
         "Under-performance carried forward (or committed below plan)"),
        ("Forecast above plan", beats, False,
         "Where a driver's forecast beats its plan (not netted against value at risk)"),
        ("Forecast in horizon", p.forecast_in_horizon, True,
         f"Realized to {p.as_of} + forecast {next_period} to {p.last_period}"),
        ("of which: realized to date", p.realized_to_date, True, f"Actuals to {p.as_of}"),
        ("of which: on track", remaining - p.risk_exposure, True,
         f"Forecast {next_period} to {p.last_period} not exposed to open risks"),
        ("of which: exposed to open risks", p.risk_exposure, True,
         "Probability x impact of open risks, capped at the forecast still expected"),
    ]  # fmt: skip
    return [s for s in steps if s[2] or abs(s[1]) >= 0.5 or s[0] not in ("Forecast above plan",)]


def _next_label(p: ProgramMetrics) -> str:
    """The period after the as-of period, as a label."""
    pt = PeriodType(p.period_type)
    as_of = parse_period(p.as_of)
    return label(ordinal(as_of, pt) + 1, pt) if as_of is not None else p.as_of


def bridge_page(results: Results) -> Page:
    p = results.program
    cur = p.currency
    m = st.money_format(cur)
    unit = st.unit_label(cur)
    steps = run_rate_steps(p)
    bridge = Table(
        "bridge",
        (Column("Step", width=30), Column(f"Amount ({unit}, annual)", m, 14),
         Column("What it is", width=52, wrap=True)),
        tuple((s[0], s[1], s[3]) for s in steps),
        title=f"Run-rate bridge: promise to forecast exit run-rate ({unit}, annual, at "
        f"{p.last_period})",
    )  # fmt: skip
    chart_rows = _waterfall([(s[0], s[1], s[2]) for s in steps])
    bridge_data = Table(
        "bridge_chart",
        (Column("Step"), Column("Base", m), Column("Decrease", m), Column("Increase", m),
         Column("Total", m)),
        tuple(chart_rows),
        helper=True,
    )  # fmt: skip
    used = [any(r[c] for r in chart_rows) for c in range(5)]
    moves = tuple(
        Series(c, colour, labels=True) for c, colour in ((2, st.SLATE), (3, st.BLUE)) if used[c]
    )
    waterfall = Chart(
        "waterfall",
        f"Run-rate bridge ({unit}, annual run-rate at {p.last_period})",
        "bridge_chart",
        0,
        (Series(1, invisible=True), Series(4, st.NAVY, labels=True)) + moves,
        y_title=unit,
        y_format=m,
        height_cm=9,
        y_min=0,
        place="right",
    )  # fmt: skip
    hsteps = horizon_steps(p)
    horizon = Table(
        "horizon",
        (Column("Step", width=30), Column(f"Amount ({unit}, cumulative)", m, 14),
         Column("What it is", width=52, wrap=True)),
        tuple((s[0], s[1], s[3]) for s in hsteps),
        title=f"Horizon bridge: plan to forecast ({unit}, cumulative {p.first_period} to "
        f"{p.last_period})",
    )  # fmt: skip
    parts = [s for s in hsteps if s[0].startswith("of which")]
    horizon_data = Table(
        "horizon_chart",
        (Column("Horizon"),) + tuple(Column(x[0].removeprefix("of which: "), m) for x in parts),
        ((f"{p.first_period} to {p.last_period}",) + tuple(max(0.0, x[1]) for x in parts),),
        helper=True,
    )
    colours = (st.NAVY, st.BLUE, st.SLATE)
    stacked = Chart(
        "stacked_bar",
        f"Forecast in horizon: realized / on track / exposed to risk ({unit}, cumulative)",
        "horizon_chart",
        0,
        tuple(Series(i + 1, colours[i], labels=True) for i in range(len(parts))),
        y_title=unit,
        y_format=m,
        height_cm=6,
        y_min=0,
        place="right",
    )
    return Page(
        SHEETS[1],
        "Value bridges",
        (bridge, waterfall, horizon, stacked, bridge_data, horizon_data),
    )
