"""Value RAG, and the roll-ups of driver metrics to workstreams and to the programme.

Money is signed (dis-benefits negative), so a workstream or programme figure is the plain sum of
its drivers' figures. RAG (metric 12) is one rule applied at every level; see docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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


def value_rag(
    realization: np.ndarray,
    forecast_ratio: np.ndarray,
    mirrored: np.ndarray,
    green: float,
    amber: float,
) -> np.ndarray:
    """Metric 12. `forecast_ratio` = forecast measure / target (NaN = nothing to deliver).

    Mirrored rows (dis-benefits) are rated on overrun: x is replaced by 2 - x, so a dis-benefit
    at 110% of plan scores like a benefit at 90%.
    """
    real = np.where(mirrored, 2.0 - realization, realization)
    fc = np.where(mirrored, 2.0 - forecast_ratio, forecast_ratio)
    fc = np.where(np.isnan(fc), 1.0, fc)
    has_real = ~np.isnan(real)
    red = (has_real & (real < amber - TOLERANCE)) | (fc < amber - TOLERANCE)
    ok = (~has_real | (real >= green - TOLERANCE)) & (fc >= green - TOLERANCE)
    return np.where(red, RED, np.where(ok, GREEN, AMBER)).astype(object)


WORKSTREAM_SUMS = (
    "target",
    "plan_to_date",
    "realized_to_date",
    "plan_in_horizon",
    "forecast_in_horizon",
    "forecast_exit_run_rate",
    "slippage_var",
    "risk_exposure",
    "value_at_risk",
    "confidence_weighted_forecast",
    "rag_measure",
)


def workstream_table(
    data: ProgramData, drivers: pd.DataFrame, items: pd.DataFrame, green: float, amber: float
) -> pd.DataFrame:
    """Metric 11 per workstream; `drivers` carries ws_key, rag_measure and the signed sums."""
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
    grouped = drivers[list(WORKSTREAM_SUMS)].groupby(pd.Index(driver_ws)).sum()
    sums = {c: v.to_numpy(float) for c, v in grouped.reindex(range(n), fill_value=0.0).items()}
    live = ~items["cancelled"].to_numpy(bool)
    task = items["pct"][live].groupby(item_ws[live]).mean().reindex(range(n)).to_numpy(float)
    realization = ratio(sums["realized_to_date"], sums["plan_to_date"])
    target = sums["target"]
    rag = value_rag(realization, ratio(sums.pop("rag_measure"), target), target < 0, green, amber)
    ids = [wid for wid, _name in names.values()]
    return pd.DataFrame(
        {
            "workstream_id": ids,
            "name": [name for _wid, name in names.values()],
            "n_drivers": np.bincount(driver_ws, minlength=n).astype(np.int64),
            "n_items": np.bincount(item_ws, minlength=n).astype(np.int64),
            "task_completion_pct": task,
            **sums,
            "value_realization_pct": realization,
            "divergence": task - realization,
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
    realization_pct: float
    plan_in_horizon: float
    forecast_in_horizon: float
    forecast_exit_run_rate: float
    gap_to_promise: float
    slippage_var: float
    risk_exposure: float
    value_at_risk: float
    confidence_weighted_forecast: float
    cost_budget: float
    cost_actual_to_date: float
    net_value: float
    npv: float | None
    rag: str
    n_drivers: int
    n_items: int
    n_slipping_milestones: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
