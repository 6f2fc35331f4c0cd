"""Checks on the committed forecast (the optional Forecast sheet): periods it cannot replace
(FC001) and commitments above the plan (FC002)."""

from __future__ import annotations

from evr_xl.checks.common import findings, money, results_of
from evr_xl.engine import Horizon, Results
from evr_xl.engine.frames import key
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells

CENT = 0.005


def committed_forecast(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """FC001: a committed amount for a period up to the as-of, or outside the horizon (ignored:
    actuals judge the past). FC002: a committed amount above the driver's plan for that period
    (Info: an owner may commit to catch up, but the board should see it)."""
    res = results_of(data, results)
    h = res.horizon
    index = res.frames.driver_index
    plan = res.plan.to_numpy()
    currency = data.settings.currency
    seen: set[int] = set()
    messages: list[str] = []
    codes: list[str] = []
    rows: list[int] = []
    for row, record in enumerate(data.committed_forecast):
        d = index.get(key(record.driver_id))
        if d is None or d in seen:
            continue  # unknown (TR002) or a second row (TR001)
        seen.add(d)
        by_ord: dict[int, float] = {}
        for period, amount in record.values.items():
            p = h.ordinal(period)
            by_ord[p] = by_ord.get(p, 0.0) + amount
        past = sorted(p for p in by_ord if p <= h.as_of or p > h.last or p < h.first)
        if past:
            messages.append(
                f"committed forecast of driver {record.driver_id} for "
                f"{_periods(h, past)} is ignored: only periods after the as-of period "
                f"{h.label(h.as_of)} and inside the horizon can be forecast (actuals judge the past)"
            )
            codes.append("FC001")
            rows.append(row)
        above = sorted(
            p
            for p, amount in by_ord.items()
            if h.as_of < p <= h.last
            and p >= h.first
            and abs(amount) > abs(float(plan[d, p - h.first])) + CENT
        )
        if above:
            extra = sum(abs(by_ord[p]) - abs(float(plan[d, p - h.first])) for p in above)
            messages.append(
                f"committed forecast of driver {record.driver_id} is above its plan in "
                f"{_periods(h, above)} (by {money(extra, currency)} in all): a recovery "
                "commitment the steering committee should see"
            )
            codes.append("FC002")
            rows.append(row)
    return findings(codes, messages, cells(data.committed_forecast, rows, "driver_id"))


def _periods(h: Horizon, ords: list[int]) -> str:
    labels = [h.label(p) for p in ords]
    return ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
