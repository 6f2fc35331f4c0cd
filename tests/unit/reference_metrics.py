"""An independent, loop-based reference of the revised metric definitions (PRODUCT.md, "Metric
definitions" 1-12 and 14, with the choices of the 2026-12 revision).

It is written from the definitions, not from the engine, so that the engine can be checked to the
cent (tests/unit/test_engine_reference.py). Plain Python: dicts, loops and floats; nothing here is
clever on purpose.

    reference(data) -> {
        "drivers": {driver_id: {field: value}},
        "workstreams": {workstream_id: {field: value}},
        "program": {field: value, "by_value_type": {...}},
        "forecast": {driver_id: {ordinal: value}},   # every horizon period
        "plan": {driver_id: {ordinal: value}},       # every horizon period
        "actual": {driver_id: {ordinal: value}},     # horizon periods <= T
    }

Conventions (the places where the definitions leave a choice, as chosen for the engine):
- A Dis-benefit's money figures are negative (typed positive, multiplied by sign -1).
- IDs match trimmed and casefolded; a duplicated driver ID counts once (its first row).
- "empty" is NaN.
"""

from __future__ import annotations

import math
from typing import Any

from evr_xl.model.periods import PeriodType, label, ordinal
from evr_xl.model.records import ProgramData, ValueDriver

NAN = float("nan")
EPS = 1e-9
DEFAULT_WEIGHTS = {"L0": 0.10, "L1": 0.25, "L2": 0.50, "L3": 0.75, "L4": 0.90, "L5": 1.0}
VALUE_TYPES = ("P&L", "cash", "capex")


def key(ident: str | None) -> str:
    return (ident or "").strip().casefold()


def value_type(category: str) -> str:
    if category == "Working capital":
        return "cash"
    if category == "Capex avoidance":
        return "capex"
    return "P&L"


def is_nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


def ratio(num: float, den: float) -> float:
    """num / den, NaN where den is 0 or num is NaN."""
    if is_nan(num) or den == 0:
        return NAN
    return num / den


# 1. Ramp -----------------------------------------------------------------------------------------
def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-10.0 * (x - 0.5)))


def ramp(driver: ValueDriver, p: int, ptype: PeriodType) -> float:
    """r(p): 0 before the ramp start, 1 from the full-run-rate period on."""
    start = ordinal(driver.ramp_start, ptype)
    full = ordinal(driver.full_run_rate_by, ptype)
    if full < start:  # read as "full at the ramp start"
        full = start
    if p < start:
        return 0.0
    if p >= full:
        return 1.0
    n = full - start + 1
    x = (p - start + 1) / n
    if driver.ramp_profile == "Step":
        return 0.0
    if driver.ramp_profile == "S-curve":
        return (logistic(x) - logistic(0.0)) / (logistic(1.0) - logistic(0.0))
    return x  # Linear, and any profile the engine does not know


# The driver as the reference sees it -------------------------------------------------------------
class Driver:
    def __init__(self, d: ValueDriver, data: ProgramData, ptype: PeriodType, k: int) -> None:
        self.d = d
        self.id = d.driver_id
        self.key = key(d.driver_id)
        self.ptype = ptype
        self.k = k
        self.sign = -1.0 if d.category == "Dis-benefit" else 1.0
        self.recurring = d.recurrence == "Recurring"
        self.custom = d.ramp_profile == "Custom"
        # a dis-benefit's amounts are the size of the loss, whatever sign they were typed with
        # (docs/workbook.md, reading policy)
        self.size = abs if self.sign < 0 else (lambda x: x)
        self.R = self.sign * self.size(d.target)  # signed target
        self.custom_plan: dict[int, float] = {}
        if self.custom:
            for row in data.value_plan:
                if key(row.driver_id) == self.key:
                    for when, amount in row.values.items():
                        o = ordinal(when, ptype)
                        self.custom_plan[o] = self.custom_plan.get(o, 0.0) + self.size(amount)
                    break  # the first Value Plan row of the driver
        self.committed: dict[int, float] | None = None
        for row in data.committed_forecast:
            if key(row.driver_id) == self.key:
                self.committed = {}
                for when, amount in row.values.items():
                    o = ordinal(when, ptype)
                    self.committed[o] = self.committed.get(o, 0.0) + amount
                break  # the first Forecast row of the driver

    def r(self, p: int) -> float:
        return ramp(self.d, p, self.ptype)

    def plan(self, p: int) -> float:
        """2. Plan in period p (signed), at any ordinal."""
        if self.custom:
            return self.sign * self.custom_plan.get(p, 0.0)
        if self.recurring:
            return self.R / self.k * self.r(p)
        return self.R * (self.r(p) - self.r(p - 1))

    def planned_run_rate(self, p: int) -> float:
        if self.custom:
            return self.k * self.plan(p)
        return self.R * self.r(p)


# 6. Slippage -------------------------------------------------------------------------------------
def is_complete(item: Any) -> bool:
    return (
        item.status == "Complete"
        or item.actual_finish is not None
        or (item.pct_complete is not None and item.pct_complete >= 1.0)
    )


def item_slip(item: Any, T: int, ptype: PeriodType) -> int:
    if item.status == "Cancelled":
        return 0
    planned = ordinal(item.planned_finish, ptype)
    complete = is_complete(item)
    if complete and item.actual_finish is not None:
        late = ordinal(item.actual_finish, ptype)
    elif item.forecast_finish is not None:
        late = ordinal(item.forecast_finish, ptype)
    else:
        late = planned
    if not complete and planned <= T:
        late = max(late, T + 1)  # overdue work finishes next period at the earliest
    return max(0, late - planned)


# The reference -----------------------------------------------------------------------------------
def rag_of(tests: list[tuple[float, float]], green: float, amber: float) -> str:
    """12. Each test (numerator, denominator); skipped where den is 0 or num NaN; a negative
    denominator mirrors the ratio (x -> 2 - x)."""
    ratios = []
    for num, den in tests:
        if den == 0 or is_nan(num):
            continue
        x = num / den
        if den < 0:
            x = 2.0 - x
        ratios.append(x)
    if any(x < amber - EPS for x in ratios):
        return "Red"
    if all(x >= green - EPS for x in ratios):
        return "Green"
    return "Amber"


def reference(data: ProgramData) -> dict[str, Any]:  # noqa: C901 - a reference reads top-down
    s = data.settings
    ptype = s.period_type
    k = ptype.per_year
    F = ordinal(s.first_period, ptype)
    L = ordinal(s.last_period, ptype)
    T = ordinal(s.as_of, ptype)
    horizon = list(range(F, L + 1))
    future = [p for p in horizon if p > T]
    past = [p for p in horizon if p <= T]
    green, amber = s.rag_green, s.rag_amber

    weights = dict(DEFAULT_WEIGHTS)
    for g in data.stage_gates:
        weights[g.stage] = g.weight

    # Drivers: first row of each ID.
    drivers: list[Driver] = []
    by_key: dict[str, Driver] = {}
    for d in data.drivers:
        if key(d.driver_id) in by_key:
            continue
        drv = Driver(d, data, ptype, k)
        drivers.append(drv)
        by_key[drv.key] = drv

    # Slip per driver.
    slips = {drv.key: 0 for drv in drivers}
    for item in data.workplan:
        if item.status == "Cancelled":
            continue
        sl = item_slip(item, T, ptype)
        for e in item.enables:
            if key(e) in slips:
                slips[key(e)] = max(slips[key(e)], sl)

    # Risk exposure before the cap.
    risk_raw = {drv.key: 0.0 for drv in drivers}
    for risk in data.risks:
        if risk.status == "Closed":
            continue
        named: list[str] = []
        for ident in risk.driver_ids:
            kk = key(ident)
            if kk in by_key and kk not in named:
                named.append(kk)
        if not named:
            continue
        amount = min(1.0, max(0.0, risk.probability)) * max(0.0, risk.impact)
        for kk in named:
            risk_raw[kk] += amount / len(named)

    out_drivers: dict[str, dict[str, Any]] = {}
    out_forecast: dict[str, dict[int, float]] = {}
    out_plan: dict[str, dict[int, float]] = {}
    out_actual: dict[str, dict[int, float]] = {}
    extra: dict[str, dict[str, Any]] = {}  # per driver, what the roll-ups need

    for drv in drivers:
        rows = [a for a in data.actuals if key(a.driver_id) == drv.key]
        # 3. actuals
        actual = {p: 0.0 for p in past}
        validated = 0.0
        for a in rows:
            o = ordinal(a.period, ptype)
            if F <= o <= min(T, L):
                actual[o] += drv.sign * drv.size(a.realized)
                if a.validated:
                    validated += drv.sign * drv.size(a.realized)
        realized = sum(actual[p] for p in past)
        plan_to_date = sum(drv.plan(p) for p in past)
        plan_in_horizon = sum(drv.plan(p) for p in horizon)

        # 5. run-rate achieved
        rra = NAN
        q: int | None = None
        if drv.recurring:
            window = [a for a in rows if F <= ordinal(a.period, ptype) <= T]
            reported = [a for a in window if a.run_rate is not None]
            if reported:
                q = max(ordinal(a.period, ptype) for a in reported)
                last_row = None
                for a in reported:  # sheet order: the later row of period q wins
                    if ordinal(a.period, ptype) == q:
                        last_row = a
                assert last_row is not None and last_row.run_rate is not None
                rra = drv.sign * drv.size(last_row.run_rate)
            elif window:
                q = max(ordinal(a.period, ptype) for a in window)
                rra = k * sum(
                    drv.sign * drv.size(a.realized) for a in window if ordinal(a.period, ptype) == q
                )
        run_rate_pct = ratio(rra, drv.R) if drv.recurring else NAN

        # 6./7. slip, performance ratio, forecast
        sl = slips[drv.key]
        pi = NAN
        if drv.recurring:
            pi = 1.0
            if q is not None and not is_nan(rra):
                D = drv.planned_run_rate(q - sl)
                if D != 0:
                    x = rra / D
                    pi = min(1.0, max(0.0, x)) if drv.sign > 0 else max(1.0, x)

        def shifted(p: int, drv: Driver = drv, sl: int = sl) -> float:
            if drv.recurring:
                return drv.plan(p - sl)
            return drv.plan(p - sl) if p - sl > T else 0.0

        forecast: dict[int, float] = {}
        for p in horizon:
            if p <= T:
                forecast[p] = actual[p]
                continue
            f = shifted(p) * pi if drv.recurring else shifted(p)
            if drv.committed is not None and p in drv.committed:
                f = drv.sign * drv.size(drv.committed[p])
            forecast[p] = f
        remaining = sum(forecast[p] for p in future)
        fih = realized + remaining

        if drv.recurring:
            last_forecast = forecast.get(L, 0.0) if L >= F else 0.0
            fer = k * last_forecast
            per = drv.planned_run_rate(L)
        else:
            fer = 0.0
            per = 0.0

        # 8. value at risk
        slippage_var = max(0.0, sum(drv.plan(p) - shifted(p) for p in future))
        performance_var = max(0.0, sum(drv.plan(p) - forecast[p] for p in future) - slippage_var)
        risk_exposure = min(risk_raw[drv.key], max(0.0, drv.sign * remaining))
        value_at_risk = slippage_var + performance_var + risk_exposure

        # 9. confidence
        w = weights.get(drv.d.stage, 0.0)
        cwf = realized + w * remaining

        # 12. RAG
        planned_rr_q = drv.planned_run_rate(q) if (drv.recurring and q is not None) else NAN
        if drv.recurring:
            tests = [
                (rra, planned_rr_q if q is not None else 0.0),
                (fer, drv.R),
                (fih, plan_in_horizon),
            ]
        else:
            tests = [(realized, plan_to_date), (fih, drv.R)]
        rag = rag_of(tests, green, amber)
        committed_periods = (
            sum(1 for p in future if p in drv.committed) if drv.committed is not None else 0
        )

        out_drivers[drv.id] = {
            "workstream_id": drv.d.workstream_id,
            "target": drv.R,
            "plan_to_date": plan_to_date,
            "realized_to_date": realized,
            "realized_validated": validated,
            "realized_unvalidated": realized - validated,
            "realization_pct": ratio(realized, plan_to_date),
            "run_rate_achieved": rra,
            "run_rate_pct": run_rate_pct,
            "performance_ratio": pi,
            "slip_periods": sl,
            "plan_in_horizon": plan_in_horizon,
            "forecast_in_horizon": fih,
            "planned_exit_run_rate": per,
            "forecast_exit_run_rate": fer,
            "slippage_var": slippage_var,
            "performance_var": performance_var,
            "risk_exposure": risk_exposure,
            "value_at_risk": value_at_risk,
            "confidence_weight": w,
            "confidence_weighted_forecast": cwf,
            "rag": rag,
            # engine-side detail, not in the definitions: checked for consistency
            "value_type": value_type(drv.d.category),
            "run_rate_period": label(q, ptype) if q is not None else None,
            "planned_run_rate_at_period": planned_rr_q,
            "committed_periods": committed_periods,
            # the tests' unmirrored ratios; a one-off shows realization % as "now" and
            # forecast in horizon / R as "horizon"
            "rag_now": ratio(*tests[0]),
            "rag_exit": ratio(*tests[1]) if drv.recurring else NAN,
            "rag_horizon": ratio(*tests[2]) if drv.recurring else ratio(*tests[1]),
        }
        out_forecast[drv.id] = forecast
        out_plan[drv.id] = {p: drv.plan(p) for p in horizon}
        out_actual[drv.id] = dict(actual)
        extra[drv.id] = {
            "recurring": drv.recurring,
            "has_rra": drv.recurring and not is_nan(rra),
            "planned_rr_q": planned_rr_q,
            "value_type": value_type(drv.d.category),
            "ws_key": key(drv.d.workstream_id),
        }

    # 11. Workstreams ---------------------------------------------------------------------------
    ws_names: dict[str, str] = {}  # key -> the ID as first spelled
    for w in data.workstreams:
        ws_names.setdefault(key(w.workstream_id), w.workstream_id)
    for drv in drivers:
        ws_names.setdefault(key(drv.d.workstream_id), drv.d.workstream_id)
    for item in data.workplan:
        ws_names.setdefault(key(item.workstream_id), item.workstream_id)

    sums = (
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
    )

    def rollup(ids: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = {f: sum(out_drivers[i][f] for i in ids) for f in sums}
        rr = [i for i in ids if extra[i]["has_rra"]]
        rec = [i for i in ids if extra[i]["recurring"]]
        row["run_rate_achieved"] = sum(out_drivers[i]["run_rate_achieved"] for i in rr)
        now_den = sum(extra[i]["planned_rr_q"] for i in rr)
        exit_num = sum(out_drivers[i]["forecast_exit_run_rate"] for i in rec)
        exit_den = sum(out_drivers[i]["target"] for i in rec)
        tests = [
            (row["run_rate_achieved"] if rr else NAN, now_den),
            (exit_num, exit_den),
            (row["forecast_in_horizon"], row["plan_in_horizon"]),
        ]
        row["rag"] = rag_of(tests, green, amber)
        # engine-side detail, not in the definitions: checked for consistency
        row["planned_run_rate"] = now_den
        row["rag_now"], row["rag_exit"], row["rag_horizon"] = (ratio(*t) for t in tests)
        return row

    def costs_of(ws_key: str | None) -> tuple[float, float, float]:
        budget_all = budget = actual = 0.0
        for c in data.costs:
            if ws_key is not None and key(c.workstream_id) != ws_key:
                continue
            budget_all += c.budget or 0.0
            if ordinal(c.period, ptype) <= T:
                budget += c.budget or 0.0
                actual += c.actual or 0.0
        return budget_all, budget, actual

    out_ws: dict[str, dict[str, Any]] = {}
    for wkey, wid in ws_names.items():
        ids = [drv.id for drv in drivers if extra[drv.id]["ws_key"] == wkey]
        row = rollup(ids)
        row["n_drivers"] = len(ids)
        items = [i for i in data.workplan if key(i.workstream_id) == wkey]
        row["n_items"] = len(items)
        counted = [i for i in items if i.status != "Cancelled"]
        if counted:
            row["task_completion_pct"] = sum(
                1.0 if is_complete(i) else (i.pct_complete or 0.0) for i in counted
            ) / len(counted)
        else:
            row["task_completion_pct"] = NAN
        row["value_realization_pct"] = ratio(row["realized_to_date"], row["plan_to_date"])
        row["divergence"] = row["task_completion_pct"] - row["value_realization_pct"]
        row["green_on_tasks_red_on_value"] = bool(
            not is_nan(row["task_completion_pct"])
            and row["task_completion_pct"] >= green - EPS
            and row["rag"] == "Red"
        )
        _all, budget, actual = costs_of(wkey)
        row["cost_budget_to_date"] = budget
        row["cost_actual_to_date"] = actual
        row["cost_variance_to_date"] = actual - budget
        out_ws[wid] = row

    # 10. Programme -----------------------------------------------------------------------------
    all_ids = [drv.id for drv in drivers]
    prog = rollup(all_ids)
    del prog["target"]  # the programme shows sum_targets (recurring) and targets by value type
    for f in ("realized_validated", "realized_unvalidated", "planned_exit_run_rate"):
        prog[f] = sum(out_drivers[i][f] for i in all_ids)
    prog["realization_pct"] = ratio(prog["realized_to_date"], prog["plan_to_date"])
    prog["value_promise"] = s.value_promise
    prog["sum_targets"] = sum(out_drivers[i]["target"] for i in all_ids if extra[i]["recurring"])
    prog["reconciliation_gap"] = s.value_promise - prog["sum_targets"]
    prog["gap_to_promise"] = s.value_promise - prog["forecast_exit_run_rate"]
    budget_all, budget, actual = costs_of(None)
    prog["cost_budget"] = budget_all
    prog["cost_budget_to_date"] = budget
    prog["cost_actual_to_date"] = actual
    prog["cost_variance_to_date"] = actual - budget
    prog["net_value"] = (
        sum(out_drivers[i]["realized_to_date"] for i in all_ids if extra[i]["value_type"] == "P&L")
        - actual
    )
    prog["n_drivers"] = len(all_ids)
    prog["n_items"] = len(data.workplan)
    n_ms = 0
    for item in data.workplan:
        if item.item_type != "Milestone" or item.status == "Cancelled" or is_complete(item):
            continue
        if item_slip(item, T, ptype) > 0 and any(key(e) in by_key for e in item.enables):
            n_ms += 1
    prog["n_slipping_milestones"] = n_ms
    by_type: dict[str, dict[str, float]] = {}
    for vt in VALUE_TYPES:
        ids = [i for i in all_ids if extra[i]["value_type"] == vt]
        rec = [i for i in ids if extra[i]["recurring"]]
        rr = [i for i in ids if extra[i]["has_rra"]]
        by_type[vt] = {
            "target": sum(out_drivers[i]["target"] for i in ids),
            "plan_to_date": sum(out_drivers[i]["plan_to_date"] for i in ids),
            "realized_to_date": sum(out_drivers[i]["realized_to_date"] for i in ids),
            "realized_validated": sum(out_drivers[i]["realized_validated"] for i in ids),
            "realized_unvalidated": sum(out_drivers[i]["realized_unvalidated"] for i in ids),
            "forecast_in_horizon": sum(out_drivers[i]["forecast_in_horizon"] for i in ids),
            "recurring_target": sum(out_drivers[i]["target"] for i in rec),
            "run_rate_achieved": sum(out_drivers[i]["run_rate_achieved"] for i in rr),
            "forecast_exit_run_rate": sum(out_drivers[i]["forecast_exit_run_rate"] for i in rec),
        }
    prog["by_value_type"] = by_type

    return {
        "drivers": out_drivers,
        "workstreams": out_ws,
        "program": prog,
        "forecast": out_forecast,
        "plan": out_plan,
        "actual": out_actual,
    }
