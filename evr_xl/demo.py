"""The demo programme: a realistic, reproducible $100M post-merger integration.

Six workstreams, ~40 value drivers of several categories and stages, ~300 workplan items with
milestones, 18 months of actuals, costs to achieve and risks — with the imperfections a real
programme has: slipping milestones, orphan work, a driver without an owner, unvalidated actuals,
a workstream whose tasks are done while its value is not coming, a promise the register does not
quite reconcile to. Same seed, same workbook.

The demo also carries three earlier snapshots (as of 2026-03, 2026-04 and 2026-05) on its
Snapshots sheet, so the board pack's "Since the last steering committee" page has something to
compare with on first use. They are not invented: each is the engine run on this workbook's own
data seen from that earlier as-of period (`ProgramData.with_as_of`) — actuals up to that period,
the register and workplan as they are in the file — and each says so in its Note column.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

FIRST = date(2025, 1, 1)
LAST = date(2027, 12, 1)
AS_OF = date(2026, 6, 1)  # 18 months of actuals: 2025-01 .. 2026-06
# Earlier snapshots the demo carries, computed from its own data (see the module docstring).
SNAPSHOT_PERIODS = (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1))
SNAPSHOT_NOTE = (
    "Computed by `evr demo` from this workbook's data seen as of {as_of} (actuals up to {as_of}; "
    "register and workplan as in the file) - not a record taken at the time."
)

WORKSTREAMS = (
    ("WS-PROC", "Procurement", "Maria Lopez", "CFO"),
    ("WS-FOOT", "Footprint", "James Carter", "COO"),
    ("WS-SGA", "SG&A", "Priya Natarajan", "CHRO"),
    ("WS-IT", "IT integration", "Tom Becker", "CIO"),
    ("WS-COM", "Commercial", "Sofia Rossi", "CCO"),
    ("WS-WC", "Working capital", "Daniel Kim", "CFO"),
)

# The value-driver register: target in USD (annual run-rate if recurring, total if one-off);
# start = ramp start in months from FIRST; months = months from ramp start to full run-rate.
# Integration costs (retention bonuses, contract-exit penalties) are costs to achieve, on Costs.
DRIVERS_TABLE = """
workstream | name                                        | category        | recurrence | target     | kpi                          | start | months
WS-PROC    | Direct materials price harmonisation        | Cost synergy    | Recurring  | 9,000,000  | Price per unit, top 200 SKUs | 3     | 9
WS-PROC    | Packaging supplier consolidation            | Cost synergy    | Recurring  | 3,500,000  | Packaging spend              | 5     | 8
WS-PROC    | Logistics tender                            | Cost synergy    | Recurring  | 4,000,000  | Freight cost per tonne       | 6     | 10
WS-PROC    | Indirect spend (MRO) catalogue              | Cost synergy    | Recurring  | 2,200,000  | MRO spend                    | 8     | 8
WS-PROC    | Professional services rate card             | Cost synergy    | Recurring  | 1,800,000  | Rate per consultant day      | 4     | 6
WS-PROC    | Energy contract pooling                     | Cost synergy    | Recurring  | 1,500,000  | Energy cost per MWh          | 9     | 6
WS-PROC    | Supplier overpayment recoveries             | Cost synergy    | One-off    | 600,000    | Recovered overpayments       | 4     | 3
WS-FOOT    | Close Plant B (Lyon)                        | Cost synergy    | Recurring  | 10,000,000 | Site fixed cost              | 12    | 12
WS-FOOT    | Warehouse network consolidation             | Cost synergy    | Recurring  | 4,200,000  | Warehouse cost               | 9     | 9
WS-FOOT    | Office co-location (3 cities)               | Cost synergy    | Recurring  | 2,600,000  | Lease cost                   | 6     | 6
WS-FOOT    | Avoided capacity expansion                  | Capex avoidance | One-off    | 6,000,000  | Capex                        | 10    | 6
WS-FOOT    | Sale of surplus property                    | Other           | One-off    | 3,000,000  | Disposal proceeds            | 18    | 3
WS-SGA     | Executive layer de-duplication              | Cost synergy    | Recurring  | 6,500,000  | Exec headcount cost          | 2     | 4
WS-SGA     | Finance shared service centre               | Cost synergy    | Recurring  | 4,800,000  | Finance FTE cost             | 8     | 12
WS-SGA     | HR service consolidation                    | Cost synergy    | Recurring  | 2,400,000  | HR cost per employee         | 7     | 9
WS-SGA     | Marketing agency consolidation              | Cost synergy    | Recurring  | 1,900,000  | Agency fees                  | 5     | 6
WS-SGA     | Insurance programme merge                   | Cost synergy    | Recurring  | 1,100,000  | Premiums                     | 6     | 3
WS-SGA     | Travel policy harmonisation                 | Cost avoidance  | Recurring  | 900,000    | Travel spend per FTE         | 4     | 6
WS-SGA     | Duplicate subscriptions cancelled (refunds) | Cost synergy    | One-off    | 1,500,000  | Refunds received             | 1     | 6
WS-IT      | ERP consolidation (decommission legacy)     | Cost synergy    | Recurring  | 7,500,000  | IT run cost                  | 15    | 9
WS-IT      | Data centre exit                            | Cost synergy    | Recurring  | 2,800,000  | Hosting cost                 | 12    | 6
WS-IT      | Licence rationalisation                     | Cost synergy    | Recurring  | 2,100,000  | Licence spend                | 6     | 6
WS-IT      | Network and telecom merge                   | Cost synergy    | Recurring  | 1,200,000  | Telecom spend                | 8     | 6
WS-IT      | Avoided ERP upgrade                         | Capex avoidance | One-off    | 4,000,000  | IT capex                     | 12    | 6
WS-IT      | Dual-running IT costs                       | Dis-benefit     | Recurring  | 1,000,000  | Dual-run cost                | 3     | 3
WS-COM     | Cross-selling into acquired accounts        | Revenue synergy | Recurring  | 10,000,000 | Cross-sell gross margin      | 6     | 12
WS-COM     | Price harmonisation (customer terms)        | Revenue synergy | Recurring  | 4,500,000  | Net price realisation        | 5     | 9
WS-COM     | Combined key-account teams                  | Revenue synergy | Recurring  | 3,000,000  | Key-account margin           | 7     | 9
WS-COM     | Distributor network rationalisation         | Cost synergy    | Recurring  | 2,000,000  | Distributor margin           | 8     | 6
WS-COM     | Sales force overlap                         | Cost synergy    | Recurring  | 3,200,000  | Sales FTE cost               | 4     | 6
WS-COM     | Customer attrition from rebranding          | Dis-benefit     | Recurring  | 1,200,000  | Lost margin                  | 6     | 6
WS-WC      | Payment terms harmonisation (DPO)           | Working capital | One-off    | 12,000,000 | Days payable outstanding     | 4     | 9
WS-WC      | Inventory reduction (DIO)                   | Working capital | One-off    | 9,000,000  | Days inventory outstanding   | 6     | 12
WS-WC      | Receivables collection (DSO)                | Working capital | One-off    | 6,000,000  | Days sales outstanding       | 5     | 9
WS-WC      | Treasury and bank account consolidation     | Cost synergy    | Recurring  | 700,000    | Bank fees                    | 3     | 3
WS-WC      | Cash pooling interest                       | Cost synergy    | Recurring  | 900,000    | Net interest                 | 6     | 6
WS-PROC    | Spend cube analytics (in-house)             | Cost avoidance  | Recurring  | 800,000    | Analytics spend              | 10    | 6
WS-FOOT    | Fleet consolidation                         | Cost synergy    | Recurring  | 1,100,000  | Fleet cost                   | 7     | 6
WS-SGA     | Legal entity rationalisation                | Cost synergy    | Recurring  | 1,300,000  | Entity admin cost            | 12    | 6
WS-IT      | Service desk merge                          | Cost synergy    | Recurring  | 1,400,000  | Service desk cost            | 9     | 6
"""


def _register(text: str) -> tuple[tuple[str, str, str, str, float, str, int, int], ...]:
    """The register above as (workstream, name, category, recurrence, target, kpi, start,
    months) tuples."""
    out = []
    for line in text.strip().splitlines()[1:]:
        ws, name, cat, rec, target, kpi, start, months = (c.strip() for c in line.split("|"))
        out.append(
            (ws, name, cat, rec, float(target.replace(",", "")), kpi, int(start), int(months))
        )
    return tuple(out)


DRIVER_PLAN = _register(DRIVERS_TABLE)

OWNERS = (
    "Maria Lopez",
    "Ana Silva",
    "Kenji Sato",
    "James Carter",
    "Lena Fischer",
    "Priya Natarajan",
    "Omar Haddad",
    "Tom Becker",
    "Chloe Martin",
    "Sofia Rossi",
    "Luca Bianchi",
    "Daniel Kim",
)

# Deliberate imperfections, by driver index (0-based in DRIVER_PLAN).
NO_OWNER = {13}  # Finance shared service centre
SLIPPING = {7: 3, 19: 4, 0: 2, 14: 2, 25: 2, 8: 1}  # driver -> months its key milestone slips
UNDERPERFORMING_WS = "WS-COM"  # green on tasks, red on value
COMMITTED_DRIVER = "VD-026"  # its owner commits a recovery on the Forecast sheet
NOT_VALIDATED_RECENT = 2  # the last two months of actuals are not yet validated


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    workstreams: int
    drivers: int
    workplan_items: int
    actuals: int
    risks: int
    snapshots: tuple[str, ...] = ()  # as-of periods of the earlier snapshots it carries


def _add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def _month_end(d: date) -> date:
    return _add_months(d, 1) - timedelta(days=1)


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _linear(month: date, start: date, full: date) -> float:
    n = _months(start, full) + 1
    k = _months(start, month) + 1
    return 0.0 if k <= 0 else min(1.0, k / n)


def _stage_for(start: date) -> str:
    """Earlier ramps are further along the stage gates."""
    if start < date(2025, 7, 1):
        return "L5"
    if start < date(2025, 11, 1):
        return "L4"
    return "L3" if start < date(2026, 3, 1) else "L2"


def demo_rows(seed: int = 7) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(settings, rows by sheet) of the demo programme. Pure: no files."""
    rnd = random.Random(seed)
    settings = {
        "name": "Project Atlas — Northwind + Southbay integration",
        "program_type": "PMI",
        "currency": "USD",
        "value_promise": 100_000_000,
        "promise_basis": "Deal model v7 (board approval, Dec 2024)",
        "first_period": FIRST,
        "last_period": LAST,
        "period_type": "Month",
        "as_of": AS_OF,
        "fiscal_year_start": 1,
        "discount_rate": 0.08,
        "rag_green": 0.95,
        "rag_amber": 0.80,
    }
    workstreams = [
        dict(workstream_id=w, name=n, lead=lead, sponsor=s) for w, n, lead, s in WORKSTREAMS
    ]
    drivers: list[dict[str, Any]] = []
    workplan: list[dict[str, Any]] = []
    actuals: list[dict[str, Any]] = []
    item_no = 0

    def new_item(
        ws: str,
        text: str,
        kind: str,
        planned: date,
        enables: tuple[str, ...],
        slip: int = 0,
        owner: str | None = None,
    ) -> dict[str, Any]:
        nonlocal item_no
        item_no += 1
        finish = planned
        forecast = _month_end(_add_months(planned, slip)) if slip else None
        done_by = forecast or finish
        complete = done_by < AS_OF
        if ws == UNDERPERFORMING_WS and planned < _add_months(AS_OF, 3):
            complete, forecast = True, None  # the commercial team ticks its boxes on time
        if complete:
            actual = min(done_by, AS_OF - timedelta(days=1))
            pct, status = 1.0, "Complete"
        else:
            actual = None
            started = planned - timedelta(days=60) < AS_OF
            pct = round(rnd.uniform(0.1, 0.8), 2) if started else 0.0
            status = "At risk" if slip >= 2 else ("In progress" if started else "Not started")
        return dict(
            item_id=f"WP-{item_no:03d}",
            workstream_id=ws,
            item=text,
            item_type=kind,
            owner=owner or rnd.choice(OWNERS),
            planned_start=planned - timedelta(days=rnd.choice((30, 45, 60, 90))),
            planned_finish=planned,
            forecast_finish=forecast,
            actual_finish=actual,
            pct_complete=pct,
            status=status,
            enables=enables,
            notes=None,
        )

    for i, (ws, name, cat, rec, target, kpi, off, length) in enumerate(DRIVER_PLAN):
        did = f"VD-{i + 1:03d}"
        start = _add_months(FIRST, off)
        full = _add_months(start, length - 1)
        stage = _stage_for(start)
        if ws == UNDERPERFORMING_WS:
            stage = "L3" if stage in ("L4", "L5") else stage
        validated = (
            stage in ("L3", "L4", "L5") and i != 21
        )  # VD-022: L3+ without finance validation
        drivers.append(
            dict(
                driver_id=did,
                name=name,
                workstream_id=ws,
                category=cat,
                recurrence=rec,
                owner=None if i in NO_OWNER else OWNERS[i % len(OWNERS)],
                kpi=kpi,
                measurement="Monthly finance report vs baseline" if i != 30 else None,
                baseline=round(rnd.uniform(5, 500), 1),
                baseline_date=date(2024, 12, 31),
                target=target,
                ramp_start=start,
                full_run_rate_by=full,
                ramp_profile="S-curve" if i % 7 == 3 else ("Step" if i % 11 == 5 else "Linear"),
                stage=stage,
                finance_validated=validated,
                evidence=f"Deal model v7, line {100 + i}",
                notes=None,
            )
        )
        # Enabling work: tasks, then the milestone the value depends on, finishing before ramp start.
        slip = SLIPPING.get(i, 0)
        key_date = _month_end(_add_months(start, -1))
        n_tasks = rnd.randint(5, 7)
        for t in range(n_tasks):
            planned = _month_end(_add_months(key_date, -(n_tasks - t)))
            workplan.append(
                new_item(
                    ws,
                    f"{name}: step {t + 1} of {n_tasks}",
                    "Task",
                    planned,
                    (did,),
                    slip=slip if t == n_tasks - 1 else 0,
                )
            )
        workplan.append(new_item(ws, f"{name}: go-live", "Milestone", key_date, (did,), slip=slip))
        # Actuals: what really happened until the as-of period.
        performance = 0.55 if ws == UNDERPERFORMING_WS else rnd.uniform(0.9, 1.08)
        month = start
        while month <= AS_OF and month <= LAST:
            shifted = _add_months(month, -slip)
            frac = _linear(shifted, start, full) if shifted >= start else 0.0
            base = target / 12 if rec == "Recurring" else target / (_months(start, full) + 1)
            if rec == "One-off" and (shifted > full or shifted < start):
                frac = 0.0
            value = base * (frac if rec == "Recurring" else (1.0 if frac else 0.0)) * performance
            if value:
                recent = _months(month, AS_OF) < NOT_VALIDATED_RECENT
                actuals.append(
                    dict(
                        driver_id=did,
                        period=month,
                        realized=round(value * rnd.uniform(0.95, 1.05), -2),
                        run_rate=round(target * frac * performance, -3)
                        if rec == "Recurring"
                        else None,
                        validated=not recent,
                        evidence="GL extract" if not recent else "Workstream estimate",
                        notes=None,
                    )
                )
            month = _add_months(month, 1)
    # Orphan work: items that enable no value.
    for ws, *_ in WORKSTREAMS:
        for k in range(2 if ws != "WS-IT" else 6):
            workplan.append(
                new_item(
                    ws,
                    f"{dict((w, n) for w, n, *_ in WORKSTREAMS)[ws]}: governance pack {k + 1}",
                    "Task",
                    _month_end(_add_months(date(2025, 3, 1), 3 * k)),
                    (),
                )
            )
    # A typo'd enabler and an actual for a driver that does not exist (reader and checks catch them).
    workplan.append(
        new_item(
            "WS-PROC", "Supplier onboarding portal", "Milestone", date(2026, 8, 31), ("VD-099",)
        )
    )
    actuals.append(
        dict(
            driver_id="VD-990",
            period=date(2026, 5, 1),
            realized=120_000,
            run_rate=None,
            validated=False,
            evidence="Email from plant controller",
            notes=None,
        )
    )
    costs = []
    for ws, *_ in WORKSTREAMS:
        for q in range(8):
            period = _add_months(FIRST, 3 * q)
            budget = round(rnd.uniform(0.4, 1.6) * 1_000_000, -3)
            actual = round(budget * rnd.uniform(0.85, 1.3), -3) if period <= AS_OF else None
            costs.append(
                dict(
                    workstream_id=ws,
                    driver_id=None,
                    period=period,
                    budget=budget,
                    actual=actual,
                    cost_type="One-off",
                )
            )
    # Integration costs are costs to achieve, not dis-benefits: retention bonuses (SG&A) and
    # contract-exit penalties (packaging supplier consolidation, VD-002).
    for month, ws, driver, amount in [
        *((_add_months(date(2025, 2, 1), m), "WS-SGA", None, 250_000) for m in range(6)),
        *((_add_months(date(2025, 5, 1), m), "WS-PROC", "VD-002", 200_000) for m in range(3)),
    ]:
        costs.append(
            dict(
                workstream_id=ws,
                driver_id=driver,
                period=month,
                budget=amount,
                actual=amount,
                cost_type="One-off",
            )
        )
    # A committed recovery: the owner of the under-performing cross-selling driver (VD-026, at
    # 55% of its run-rate) commits to climb back to 90% of target by mid-2027.
    recovery = {"driver_id": COMMITTED_DRIVER}
    for m in range(18):
        month = _add_months(AS_OF, m + 1)
        share = min(0.90, 0.60 + 0.025 * m)
        recovery[f"{month:%Y-%m}"] = round(10_000_000 / 12 * share, -3)
    risks = []
    risk_texts = (
        ("Works council delays Plant B closure", ("VD-008",), 0.4, 3_000_000),
        ("Key supplier refuses harmonised terms", ("VD-001", "VD-002"), 0.3, 2_000_000),
        ("ERP data migration quality", ("VD-020", "VD-024"), 0.5, 2_500_000),
        ("Customer churn after rebrand larger than planned", ("VD-026", "VD-027"), 0.35, 3_000_000),
        ("Shared service centre hiring lags", ("VD-014",), 0.3, 1_200_000),
        ("Logistics tender bids above benchmark", ("VD-003",), 0.25, 1_000_000),
        ("Inventory write-down on SKU rationalisation", ("VD-033",), 0.2, 1_500_000),
        ("Regulatory approval of entity merges", ("VD-039",), 0.15, 500_000),
        ("Data centre lease exit clause", ("VD-021",), 0.2, 800_000),
        ("Cross-sell incentives not in sales plan", ("VD-026",), 0.45, 2_000_000),
        ("Property market softens", ("VD-012",), 0.3, 900_000),
        ("Payment terms pushback from top 20 suppliers", ("VD-032",), 0.25, 2_000_000),
    )
    for k, (text, ids, p, impact) in enumerate(risk_texts, start=1):
        risks.append(
            dict(
                risk_id=f"R-{k:03d}",
                risk=text,
                driver_ids=ids,
                probability=p,
                impact=impact,
                owner=OWNERS[k % len(OWNERS)],
                mitigation="Mitigation plan agreed at SteerCo",
                status="Closed" if k in (6, 8) else "Open",
            )
        )
    rows = {
        "Workstreams": workstreams,
        "Value Drivers": drivers,
        "Workplan": workplan,
        "Actuals": actuals,
        "Costs": costs,
        "Risks": risks,
        "Forecast": [recovery],
    }
    return settings, rows


def write_demo(
    folder: str | Path = ".",
    name: str = "evr_demo_program.xlsx",
    seed: int = 7,
    snapshots: bool = True,
) -> DemoSummary:
    """Write the demo workbook into `folder` and say what it holds.

    With `snapshots`, the earlier snapshots of SNAPSHOT_PERIODS are written to its Snapshots
    sheet (input sheets byte-identical to the workbook without them).
    """
    from evr_xl.workbook.template import write_workbook

    settings, rows = demo_rows(seed)
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, rows=rows, settings=settings)
    taken = add_computed_snapshots(path, SNAPSHOT_PERIODS) if snapshots else ()
    return DemoSummary(
        path=path,
        workstreams=len(rows["Workstreams"]),
        drivers=len(rows["Value Drivers"]),
        workplan_items=len(rows["Workplan"]),
        actuals=len(rows["Actuals"]),
        risks=len(rows["Risks"]),
        snapshots=taken,
    )


def add_computed_snapshots(path: str | Path, periods: Sequence[date]) -> tuple[str, ...]:
    """Add to the workbook at `path` the snapshots the engine computes from its own data as of
    each of `periods`, each noted as computed (SNAPSHOT_NOTE) and with no "taken at" (none was
    taken at the time; and the demo stays the same file for the same seed). Only the Snapshots
    sheet is written (the part writer: every other part byte-identical); returns their as-ofs."""
    from evr_xl.engine import compute
    from evr_xl.outputs.file import write_output_sheets
    from evr_xl.outputs.history import history_sheet, merge, snapshot
    from evr_xl.refresh import analyse

    analysis = analyse(path)
    if analysis.data is None:
        raise ValueError(f"{path}: the programme could not be read")
    snaps = list(analysis.history)
    results = None
    for period in periods:
        results = compute(analysis.data.with_as_of(period))
        note = SNAPSHOT_NOTE.format(as_of=results.program.as_of)
        computed = snapshot(results, datetime(2000, 1, 1), note)
        computed.taken_at = ""  # computed now, not taken then
        snaps = merge(snaps, computed)
    if results is None:
        return ()
    p = results.program
    write_output_sheets(path, [history_sheet(snaps, p.currency, p.name)], backup=False)
    return tuple(s.as_of for s in snaps)
