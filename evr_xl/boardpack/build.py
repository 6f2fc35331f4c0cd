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
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData


def headline(results: Results, n_open_risks: int) -> str:
    """The cover's one sentence, e.g. "$41.2M of $100.0M realized; $7.5M at risk from 6
    slipping milestones" (and the open risks when they carry exposure)."""
    p = results.program
    cur = p.currency
    n = p.n_slipping_milestones
    causes = f"{n} slipping milestone{'' if n == 1 else 's'}"
    if p.risk_exposure > 0 and n_open_risks:
        causes += f" and {n_open_risks} open risk{'' if n_open_risks == 1 else 's'}"
    return (
        f"{st.money_text(p.realized_to_date, cur)} of {st.money_text(p.value_promise, cur)} "
        f"realized; {st.money_text(p.value_at_risk, cur)} at risk from {causes}"
    )


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
    line = headline(results, n_open)
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    pages = (
        cover_page(results, line, findings, when, source, data),
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
    "Value bridge": "From the value promise to the forecast; realized, on track and at risk.",
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
    findings: Sequence[Finding],
    when: dt.datetime,
    source: str,
    data: ProgramData | None,
) -> Page:
    p = results.program
    m = st.money_format(p.currency)
    h = results.horizon
    horizon = f"{p.first_period} to {p.last_period}"
    errors = sum(1 for f in findings if f.severity.value == "Error")
    warnings = sum(1 for f in findings if f.severity.value == "Warning")
    kind = f"{text(data.settings.program_type)} programme" if data is not None else "Programme"
    basis = ""
    if data is not None and data.settings.promise_basis:
        basis = f"; promise basis: {text(data.settings.promise_basis)}"
    tiles1 = (
        Kpi("Value RAG", p.rag, rag=True),
        Kpi("Value promise (annual run-rate)", p.value_promise, m),
        Kpi(f"Realized to date (to {p.as_of})", p.realized_to_date, m),
        Kpi(f"Realization (% of plan to {p.as_of})", num(p.realization_pct), st.PCT),
        Kpi(f"Forecast exit run-rate ({p.last_period}, annual)", p.forecast_exit_run_rate, m),
        Kpi("Value at risk (horizon)", p.value_at_risk, m),
    )
    tiles2 = (
        Kpi(f"Plan to date (to {p.as_of})", p.plan_to_date, m),
        Kpi(f"Forecast in horizon ({horizon})", p.forecast_in_horizon, m),
        Kpi("Confidence-weighted forecast (horizon)", p.confidence_weighted_forecast, m),
        Kpi(f"Cost to achieve, actual to {p.as_of}", p.cost_actual_to_date, m),
        Kpi(f"Net value to {p.as_of}", p.net_value, m),
        Kpi("Findings: errors / warnings", f"{errors} / {warnings}"),
    )
    contents = tuple((sheet, CONTENTS[sheet], sheet) for sheet in SHEETS[1:])
    period_word = "months" if h.per_year == 12 else "quarters"
    return Page(
        sheet=SHEETS[0],
        title=text(p.name),
        blocks=(
            Text(line, "headline"),
            Text(
                f"{kind} as of {p.as_of}; horizon {horizon} in {period_word}; "
                f"money in {p.currency} (M = millions){basis}.",
                "body",
            ),
            KpiRow(tiles1),
            KpiRow(tiles2),
            Text("Contents", "heading"),
            Links(contents),
            Text(
                f"Generated {when:%Y-%m-%d %H:%M} by EVR-XL from {text(source) or 'the programme workbook'}. "
                "Run-rates are annual; to-date figures are cumulative from the first period to the "
                "as-of period; value at risk = slippage value at risk over the horizon + open risk "
                "exposure (probability x impact).",
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
    for label, amount, is_total in steps:
        if is_total:
            running = amount
            rows.append((label, None, None, None, amount))
            continue
        after = running + amount
        base = max(0.0, min(running, after))
        rows.append(
            (label, base, -amount if amount < 0 else None, amount if amount > 0 else None, None)
        )
        running = after
    return rows


def bridge_page(results: Results) -> Page:
    p = results.program
    cur = p.currency
    m = st.money_format(cur)
    unit = st.unit_label(cur)
    slip_loss = p.sum_targets - p.forecast_exit_run_rate
    net = p.forecast_exit_run_rate - p.value_at_risk
    steps = [
        ("Value promise", p.value_promise, True, "Annual run-rate committed"),
        ("Reconciliation gap", -p.reconciliation_gap, False,
         "Promise not covered by recurring driver targets"),
        ("Driver targets", p.sum_targets, True, "Sum of recurring targets (dis-benefits subtract)"),
        ("Run-rate lost to slippage and performance", -slip_loss, False,
         f"Targets not reached by {p.last_period}: enabling work slips, and drivers run below "
         "their planned run-rate today"),
        ("Forecast exit run-rate", p.forecast_exit_run_rate, True,
         f"Annual run-rate forecast at {p.last_period}"),
        ("Value at risk", -p.value_at_risk, False,
         f"Slippage {st.money_text(p.slippage_var, cur)} + performance "
         f"{st.money_text(p.performance_var, cur)} + open risks "
         f"{st.money_text(p.risk_exposure, cur)} (horizon)"),
        ("Forecast net of value at risk", net, True, "Prudent view: forecast less value at risk"),
    ]  # fmt: skip
    bridge = Table(
        "bridge",
        (Column("Step", width=30), Column(f"Amount ({unit})", m, 14),
         Column("What it is", width=52, wrap=True)),
        tuple((s[0], s[1], s[3]) for s in steps),
        title="Value bridge: promise to forecast (annual run-rate)",
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
        f"Value bridge ({unit}, annual run-rate)",
        "bridge_chart",
        0,
        (Series(1, invisible=True), Series(4, st.NAVY, labels=True)) + moves,
        y_title=unit,
        y_format=m,
        height_cm=9,
        y_min=0,
    )  # fmt: skip
    on_track = max(0.0, p.forecast_in_horizon - p.realized_to_date - p.risk_exposure)
    behind = max(0.0, p.plan_to_date - p.realized_to_date)
    parts = [
        ("Realized to date", p.realized_to_date, f"Actuals {p.first_period} to {p.as_of}"),
        ("On track", on_track, f"Forecast {p.as_of} to {p.last_period} not exposed to open risks"),
        ("At risk", p.value_at_risk, "Slippage + performance value at risk + open risk exposure"),
        ("Behind plan to date", behind, f"Plan to {p.as_of} not realized"),
    ]
    total = sum(x[1] for x in parts)
    horizon = Table(
        "horizon",
        (Column("Value over the horizon", width=30), Column(f"Amount ({unit})", m, 14),
         Column("What it is", width=52, wrap=True)),
        tuple(parts) + (("Total", total, f"Plan over the horizon: "
                                        f"{st.money_text(p.plan_in_horizon, cur)}"),),
        title=f"Realized, on track and at risk ({p.first_period} to {p.last_period}, cumulative)",
        total_row=True,
    )  # fmt: skip
    horizon_data = Table(
        "horizon_chart",
        (Column("Horizon"),) + tuple(Column(x[0], m) for x in parts),
        ((f"{p.first_period} to {p.last_period}",) + tuple(x[1] for x in parts),),
        helper=True,
    )
    colours = (st.NAVY, st.BLUE, st.SLATE, st.LIGHT_GREY)
    stacked = Chart(
        "stacked_bar",
        f"Realized / on track / at risk ({unit}, horizon)",
        "horizon_chart",
        0,
        tuple(Series(i + 1, colours[i], labels=True) for i in range(len(parts))),
        y_title=unit,
        y_format=m,
        height_cm=5,
        y_min=0,
    )
    return Page(
        SHEETS[1],
        "Value bridge",
        (bridge, waterfall, horizon, stacked, bridge_data, horizon_data),
    )
