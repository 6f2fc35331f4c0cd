"""Value RAG, and the roll-ups of driver metrics to workstreams and to the programme.

Money is signed (dis-benefits negative), so a workstream or programme figure is the plain sum of
its drivers' figures. RAG (metric 12) is one rule applied at every level; see docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from evr_xl.engine.frames import key
from evr_xl.model.records import ProgramData

GREEN, AMBER, RED = "Green", "Amber", "Red"
TOLERANCE = 1e-9  # 95/100 must count as 95%


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):  # a tiny denominator gives inf, not noise
        np.divide(num, den, out=out, where=den != 0)
    return out


Test = tuple[np.ndarray, np.ndarray]  # (numerator, denominator), signed


def value_rag(tests: Sequence[Test], green: float, amber: float) -> np.ndarray:
    """Metric 12: Green when every test that applies is >= green, Red when any is < amber, Amber
    otherwise. A test is a ratio numerator / denominator; it is skipped where the denominator is
    0 or the numerator empty. A negative denominator is a dis-benefit (or a sum of them): its
    ratio x is rated on overrun, as 2 - x, so 110% of a planned cost rates like 90% of a benefit.
    """
    red: np.ndarray | bool = False
    ok: np.ndarray | bool = True
    for numerator, denominator in tests:
        x = ratio(numerator, denominator)
        x = np.where(np.asarray(denominator, dtype=float) < 0, 2.0 - x, x)
        applies = ~np.isnan(x)
        red = red | (applies & (x < amber - TOLERANCE))
        ok = ok & (~applies | (x >= green - TOLERANCE))
    return np.asarray(np.where(red, RED, np.where(ok, GREEN, AMBER))).astype(object)


WORKSTREAM_SUMS = (
    "target",
    "plan_to_date",
    "realized_to_date",
    "plan_in_horizon",
    "forecast_in_horizon",
    "forecast_exit_run_rate",
    "slippage_var",
    "performance_var",
    "risk_exposure",
    "value_at_risk",
    "confidence_weighted_forecast",
    "current_fy_plan",
    "current_fy_realized",
    "current_fy_forecast",
)
# the RAG tests' sums (metric 12), used and not shown
RAG_SUMS = ("now_numerator", "now_denominator", "recurring_target")


def workstream_table(
    data: ProgramData,
    drivers: pd.DataFrame,
    items: pd.DataFrame,
    costs: pd.DataFrame,
    as_of: int,
    green: float,
    amber: float,
) -> pd.DataFrame:
    """Metric 11 per workstream; `drivers` carries ws_key, the RAG sums and the signed sums;
    `costs` (ws_key, ord, budget, actual) gives each workstream its cost to achieve to date."""
    names: dict[str, tuple[str, str]] = {}
    for w in data.workstreams:
        names.setdefault(key(w.workstream_id), (w.workstream_id, w.name))
    codes = []  # per frame: each row's workstream as a position in `names`
    for frame in (drivers, items):
        local, uniques = pd.factorize(frame["ws_key"].to_numpy(object))
        _, first = np.unique(local, return_index=True)  # each key's first row
        wids = frame["workstream_id"].to_numpy(object)[first]
        for k, wid in zip(uniques.tolist(), wids.tolist(), strict=True):
            names.setdefault(k, (wid, ""))
        position = {k: n for n, k in enumerate(names)}
        codes.append(np.array([position[k] for k in uniques], dtype=np.int64)[local])
    driver_ws, item_ws = codes
    n = len(names)
    # grouped by the codes, sums and means add the same rows in the same order as by the keys;
    # an Index (not an array) as the grouper, so pandas does not look it up as a column name
    columns = [*WORKSTREAM_SUMS, *RAG_SUMS]
    grouped = drivers[columns].groupby(pd.Index(driver_ws)).sum()
    sums = {c: v.to_numpy(float) for c, v in grouped.reindex(range(n), fill_value=0.0).items()}
    now, now_planned, recurring_target = (sums.pop(c) for c in RAG_SUMS)
    position = {k: i for i, k in enumerate(names)}
    cost_ws = np.array([position.get(k, -1) for k in costs["ws_key"].tolist()], dtype=np.int64)
    to_date = (cost_ws >= 0) & (costs["ord"].to_numpy(float) <= as_of)
    budget = np.bincount(cost_ws[to_date], costs["budget"].to_numpy()[to_date], minlength=n)
    spent = np.bincount(cost_ws[to_date], costs["actual"].to_numpy()[to_date], minlength=n)
    live = ~items["cancelled"].to_numpy(bool)
    task = items["pct"][live].groupby(item_ws[live]).mean().reindex(range(n)).to_numpy(float)
    realization = ratio(sums["realized_to_date"], sums["plan_to_date"])
    tests = (
        (now, now_planned),
        (sums["forecast_exit_run_rate"], recurring_target),
        (sums["forecast_in_horizon"], sums["plan_in_horizon"]),
    )
    rag = value_rag(tests, green, amber)
    ids = [wid for wid, _name in names.values()]
    return pd.DataFrame(
        {
            "workstream_id": ids,
            "name": [name for _wid, name in names.values()],
            "n_drivers": np.bincount(driver_ws, minlength=n).astype(np.int64),
            "n_items": np.bincount(item_ws, minlength=n).astype(np.int64),
            "task_completion_pct": task,
            **sums,
            "run_rate_achieved": now,
            "planned_run_rate": now_planned,
            "value_realization_pct": realization,
            "divergence": task - realization,
            "cost_budget_to_date": budget.astype(float),
            "cost_actual_to_date": spent.astype(float),
            "cost_variance_to_date": (spent - budget).astype(float),
            "rag_now": ratio(*tests[0]),
            "rag_exit": ratio(*tests[1]),
            "rag_horizon": ratio(*tests[2]),
            "rag": rag,
            "green_on_tasks_red_on_value": (task >= green - 1e-9) & (rag == RED),
        },
        index=pd.Index(ids),
    )


@dataclass(frozen=True)
class ProgramMetrics:
    """Metric 10: the programme's headline figures (money signed, in `currency`)."""

    name: str
    currency: str
    as_of: str
    period_type: str
    first_period: str
    last_period: str
    value_promise: float
    sum_targets: float
    reconciliation_gap: float
    plan_to_date: float
    realized_to_date: float
    realized_validated: float
    realized_unvalidated: float
    realization_pct: float
    run_rate_achieved: float  # over recurring drivers with a run-rate achieved
    planned_run_rate: float  # their planned run-rate at the period of that run-rate
    plan_in_horizon: float
    forecast_in_horizon: float
    planned_exit_run_rate: float
    slipped_exit_run_rate: float  # with the slip alone: pi = 1, nothing committed
    forecast_exit_run_rate: float
    gap_to_promise: float
    slippage_var: float
    performance_var: float
    risk_exposure: float
    value_at_risk: float
    confidence_weighted_forecast: float
    cost_budget: float
    cost_budget_to_date: float
    cost_actual_to_date: float
    cost_variance_to_date: float  # actual - budget to date: positive = over budget
    net_value: float  # P&L realized to date - cost to achieve actual to date
    npv: float | None
    rag_now: float
    rag_exit: float
    rag_horizon: float
    rag: str
    n_drivers: int
    n_items: int
    n_slipping_milestones: int  # open milestones, late, enabling value
    # P&L, cash, capex -> target, plan_to_date, realized_to_date, ... (metric 14)
    by_value_type: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
