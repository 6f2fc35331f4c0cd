"""The programme's headline in like units, shared by the Dashboard, the board pack cover and the
command line: the P&L run-rate against the (P&L, annual) promise, the forecast exit run-rate, and
cumulative realized value against plan to date, per value type, validated and not.

Never an annual run-rate against a cumulative amount: "$78.5M of $100.0M realized" read 18 months
of cash, capex and unvalidated value as 78.5% of an annual P&L synergy.
"""

from __future__ import annotations

import math

from evr_xl.engine.rollups import ProgramMetrics
from evr_xl.model.vocab import PNL
from evr_xl.units import money, pct


def headline(p: ProgramMetrics) -> str:
    """e.g. "P&L run-rate $68.4M of the $100.0M promise (68%); forecast exit $87.7M at 2027-12;
    realized to date $82.8M of $95.0M planned (87%): P&L $47.6M, cash $25.0M, capex $10.2M;
    $13.7M not yet validated"."""
    cur = p.currency
    pnl = p.by_value_type.get(PNL, {})
    rate = pnl.get("run_rate_achieved", 0.0)
    if p.value_promise:
        first = (
            f"P&L run-rate {money(rate, cur)} of the {money(p.value_promise, cur)} promise "
            f"({pct(rate / p.value_promise)})"
        )
    else:
        first = f"P&L run-rate {money(rate, cur)} (no value promise set)"
    exit_rate = pnl.get("forecast_exit_run_rate", 0.0)
    realized = (
        f"realized to date {money(p.realized_to_date, cur)} of {money(p.plan_to_date, cur)} planned"
    )
    if math.isfinite(p.realization_pct):
        realized += f" ({pct(p.realization_pct)})"
    types = [
        f"{vt} {money(v['realized_to_date'], cur)}"
        for vt, v in p.by_value_type.items()
        if v["realized_to_date"] or v["plan_to_date"]
    ]
    if len(types) > 1:
        realized += ": " + ", ".join(types)
    sentence = f"{first}; forecast exit {money(exit_rate, cur)} at {p.last_period}; {realized}"
    if p.realized_unvalidated:
        sentence += f"; {money(p.realized_unvalidated, cur)} not yet validated"
    return sentence


def value_at_risk_line(p: ProgramMetrics, n_open_risks: int | None = None) -> str:
    """e.g. "Value at risk to 2027-12: $24.5M — slippage $4.2M (2 open milestones late),
    under-performance $15.1M, open risks $5.2M"."""
    cur = p.currency
    n = p.n_slipping_milestones
    late = f" ({n} open milestone{'' if n == 1 else 's'} late)" if n else ""
    risks = f" ({n_open_risks} open)" if n_open_risks else ""
    return (
        f"Value at risk to {p.last_period}: {money(p.value_at_risk, cur)} — slippage "
        f"{money(p.slippage_var, cur)}{late}, under-performance {money(p.performance_var, cur)}, "
        f"open risks {money(p.risk_exposure, cur)}{risks}"
    )


def gap_text(gap: float, currency: str, what: str) -> str:
    """A gap as words, one convention (gap = promise - delivery, positive = short):
    "$12.3M short of the promise", "$0.1M ahead of the promise", "on the promise"."""
    if abs(gap) < 0.5:
        return f"on {what}"
    return f"{money(abs(gap), currency)} {'short of' if gap > 0 else 'ahead of'} {what}"


def budget_text(p: ProgramMetrics) -> str:
    """Cost to achieve against budget to date: "$2.8M (7%) over budget to date"."""
    v, budget = p.cost_variance_to_date, p.cost_budget_to_date
    if abs(v) < 0.5:
        return "on budget to date"
    share = f" ({pct(abs(v) / budget)})" if budget else ""
    return f"{money(abs(v), p.currency)}{share} {'over' if v > 0 else 'under'} budget to date"
