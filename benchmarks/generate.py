"""Large programmes for the benchmark, reproducible from a seed.

Sizes: ``small`` is the demo (evr_xl.demo); ``medium`` and ``large`` are synthetic programmes of
the same shape, scaled up: 36 monthly periods (2025-01 .. 2027-12, as of the last one, so every
driver reports every period), about 40 drivers per workstream, a fixed number of workplan items
per driver (tasks then the go-live milestone the value depends on), one actual per driver and
period, risks linking one to three drivers, quarterly costs per workstream, and a Custom ramp on
the Value Plan for a few drivers. A small share of rows carries the imperfections a real
programme has (a missing owner, a slipping milestone, an unvalidated actual, money typed as text,
an enabler that does not exist), so the reader's and the checks' slow paths are exercised too.

Same size and seed, same rows; files are cached under ``benchmarks/.cache/`` (gitignored).
``python -m benchmarks.generate [--sizes small,medium,large] [--seed 7]`` writes them.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evr_xl.demo import demo_rows

CACHE = Path(__file__).resolve().parent / ".cache"
FIRST = date(2025, 1, 1)
N_PERIODS = 36
LAST = date(2027, 12, 1)
AS_OF = LAST
DEFAULT_SEED = 7


@dataclass(frozen=True)
class Size:
    """How big a synthetic programme is."""

    name: str
    drivers: int
    items: int
    actuals: int
    risks: int


SIZES: dict[str, Size] = {
    "small": Size("small", 0, 0, 0, 0),  # the demo, whatever its counts are
    "medium": Size("medium", 250, 5_000, 9_000, 125),
    "large": Size("large", 1_000, 20_000, 36_000, 500),
}

CATEGORIES = (
    ("Cost synergy", 0.55),
    ("Revenue synergy", 0.15),
    ("Working capital", 0.08),
    ("Capex avoidance", 0.05),
    ("Cost avoidance", 0.07),
    ("Dis-benefit", 0.06),
    ("Other", 0.04),
)
PROFILES = (("Linear", 0.6), ("S-curve", 0.25), ("Step", 0.1), ("Custom", 0.05))
FIRST_NAMES = ("Maria", "Ana", "Kenji", "James", "Lena", "Priya", "Omar", "Tom", "Chloe", "Sofia")
LAST_NAMES = ("Lopez", "Silva", "Sato", "Carter", "Fischer", "Natarajan", "Haddad", "Becker")
SPONSORS = ("CFO", "COO", "CHRO", "CIO", "CCO", "CPO")
AREAS = ("Procurement", "Footprint", "SG&A", "IT", "Commercial", "Working capital", "R&D")
LEVERS = ("price harmonisation", "supplier consolidation", "site closure", "shared services",
          "licence rationalisation", "cross-selling", "inventory reduction", "tender",
          "process automation", "org. de-layering", "contract renegotiation")  # fmt: skip


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def month_end(d: date) -> date:
    return add_months(d, 1) - timedelta(days=1)


def _pick(rnd: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rnd.choices([w for w, _ in weighted], [p for _, p in weighted])[0]


def _ramp(profile: str, k: int, length: int) -> float:
    """Fraction of the full run-rate reached k periods (0-based) into a ramp of `length`."""
    if k < 0:
        return 0.0
    x = min(1.0, (k + 1) / length)
    if profile == "S-curve":
        return x * x * (3 - 2 * x)
    if profile == "Step":
        return 1.0 if k + 1 >= length else 0.0
    return x


def synthetic_rows(
    size: Size, seed: int = DEFAULT_SEED
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(settings, rows by sheet) of a synthetic programme of `size`. Pure: no files."""
    rnd = random.Random(f"{size.name}:{seed}")
    n_ws = max(1, size.drivers // 40)
    per_driver = max(2, size.items // size.drivers)
    per_driver_actuals = max(1, size.actuals // size.drivers)
    people = [f"{f} {ln}" for f in FIRST_NAMES for ln in LAST_NAMES]
    workstreams = [
        dict(workstream_id=f"WS-{w + 1:03d}", name=f"{AREAS[w % len(AREAS)]} {w // len(AREAS) + 1}",
             lead=rnd.choice(people), sponsor=SPONSORS[w % len(SPONSORS)])
        for w in range(n_ws)
    ]  # fmt: skip
    drivers: list[dict[str, Any]] = []
    workplan: list[dict[str, Any]] = []
    actuals: list[dict[str, Any]] = []
    value_plan: list[dict[str, Any]] = []
    total_target = 0.0
    for i in range(size.drivers):
        did = f"VD-{i + 1:04d}"
        ws = workstreams[i % n_ws]["workstream_id"]
        category = _pick(rnd, CATEGORIES)
        recurrence = (
            "One-off" if category in ("Working capital", "Capex avoidance") else "Recurring"
        )
        profile = _pick(rnd, PROFILES)
        target = round(rnd.lognormvariate(13.5, 0.9), -3)
        total_target += target if category != "Dis-benefit" else -target
        off, length = rnd.randint(2, 24), rnd.randint(3, 12)
        start = add_months(FIRST, off)
        full = add_months(start, length - 1)
        stage = rnd.choice(("L2", "L3", "L4", "L5")) if off < 18 else rnd.choice(("L1", "L2"))
        odd = rnd.random()
        drivers.append(dict(
            driver_id=did, name=f"{AREAS[i % len(AREAS)]}: {rnd.choice(LEVERS)} #{i + 1}",
            workstream_id=ws, category=category, recurrence=recurrence,
            owner=None if odd < 0.01 else rnd.choice(people), kpi=f"KPI {i + 1}",
            measurement="Monthly finance report vs baseline" if odd > 0.02 else None,
            baseline=round(rnd.uniform(5, 500), 1), baseline_date=date(2024, 12, 31),
            # money typed as text now and then, as users do
            target=f"${target:,.0f}" if odd > 0.99 else target,
            ramp_start=start, full_run_rate_by=full, ramp_profile=profile, stage=stage,
            finance_validated=stage in ("L4", "L5") and odd > 0.05,
            evidence=f"Business case v3, line {100 + i}", notes=None,
        ))  # fmt: skip
        if profile == "Custom":
            plan = {}
            for k in range(N_PERIODS):
                f = _ramp("Linear", k - off, length)
                if f:
                    plan[add_months(FIRST, k).strftime("%Y-%m")] = round(target / 12 * f, -2)
            value_plan.append(dict(driver_id=did, **plan))
        # Enabling work: tasks, then the go-live milestone, finishing before the ramp starts.
        slip = rnd.choice((1, 2, 3)) if rnd.random() < 0.08 else 0
        key_date = month_end(add_months(start, -1))
        for t in range(per_driver):
            milestone = t == per_driver - 1
            planned = key_date if milestone else key_date - timedelta(days=7 * (per_driver - 1 - t))
            forecast = month_end(add_months(planned, slip)) if slip and milestone else None
            done_by = forecast or planned
            complete = done_by < AS_OF and rnd.random() > 0.03
            workplan.append(dict(
                item_id=f"WP-{len(workplan) + 1:05d}", workstream_id=ws,
                item=f"{did}: {'go-live' if milestone else f'step {t + 1}'}",
                item_type="Milestone" if milestone else "Task",
                owner=rnd.choice(people), planned_start=planned - timedelta(days=30),
                planned_finish=planned, forecast_finish=forecast,
                actual_finish=done_by if complete else None,
                pct_complete=1.0 if complete else round(rnd.uniform(0.1, 0.9), 2),
                status="Complete" if complete else ("At risk" if slip else "In progress"),
                enables=(did,) if rnd.random() > 0.002 else ("VD-9999",), notes=None,
            ))  # fmt: skip
        performance = rnd.uniform(0.6, 1.1)
        base = target / 12 if recurrence == "Recurring" else target / length
        for k in range(per_driver_actuals):
            month = add_months(FIRST, k)
            frac = _ramp(profile, k - off - slip, length)
            if recurrence == "One-off" and not (off + slip <= k < off + slip + length):
                frac = 0.0
            value = base * (frac if recurrence == "Recurring" else (1.0 if frac else 0.0))
            unvalidated = k >= per_driver_actuals - 2
            actuals.append(dict(
                driver_id=did, period=month,
                realized=round(value * performance * rnd.uniform(0.95, 1.05), -2),
                run_rate=round(target * frac * performance, -3) if recurrence == "Recurring" else None,
                validated=not unvalidated, evidence="Workstream estimate" if unvalidated else "GL extract",
                notes=None,
            ))  # fmt: skip
    costs = [
        dict(workstream_id=w["workstream_id"], driver_id=None, period=add_months(FIRST, 3 * q),
             budget=round(rnd.uniform(0.2, 1.2) * 1e6, -3),
             actual=round(rnd.uniform(0.2, 1.4) * 1e6, -3), cost_type="One-off")
        for w in workstreams
        for q in range(N_PERIODS // 3)
    ]  # fmt: skip
    risks = []
    for k in range(size.risks):
        ids = tuple(
            sorted({f"VD-{rnd.randrange(size.drivers) + 1:04d}" for _ in range(rnd.randint(1, 3))})
        )
        risks.append(dict(
            risk_id=f"R-{k + 1:04d}", risk=f"Risk {k + 1} to {', '.join(ids)}", driver_ids=ids,
            probability=round(rnd.uniform(0.05, 0.6), 2), impact=round(rnd.uniform(0.1, 3) * 1e6, -4),
            owner=rnd.choice(people), mitigation="Mitigation plan agreed at SteerCo",
            status="Closed" if rnd.random() < 0.15 else "Open",
        ))  # fmt: skip
    settings = {
        "name": f"Benchmark programme ({size.name}, seed {seed})",
        "program_type": "Transformation",
        "currency": "USD",
        "value_promise": round(total_target * 1.05, -6),
        "promise_basis": "Synthetic business case",
        "first_period": FIRST,
        "last_period": LAST,
        "period_type": "Month",
        "as_of": AS_OF,
        "fiscal_year_start": 1,
        "discount_rate": 0.08,
        "rag_green": 0.95,
        "rag_amber": 0.80,
    }
    rows = {
        "Workstreams": workstreams,
        "Value Drivers": drivers,
        "Value Plan": value_plan,
        "Workplan": workplan,
        "Actuals": actuals,
        "Costs": costs,
        "Risks": risks,
    }
    return settings, rows


def program_rows(
    size: str, seed: int = DEFAULT_SEED
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(settings, rows) for a named size; ``small`` is the demo programme."""
    if size == "small":
        return demo_rows(seed)
    return synthetic_rows(SIZES[size], seed)


def workbook_path(size: str, seed: int = DEFAULT_SEED, folder: Path = CACHE) -> Path:
    return folder / f"evr_bench_{size}_s{seed}.xlsx"


def generate(
    size: str, seed: int = DEFAULT_SEED, folder: Path = CACHE, force: bool = False
) -> Path:
    """The programme workbook of `size` (written once, then taken from the cache)."""
    from evr_xl.workbook.template import DEFAULT_PLAN_PERIODS, write_workbook

    path = workbook_path(size, seed, folder)
    if path.exists() and not force:
        return path
    settings, rows = program_rows(size, seed)
    periods = None
    if size != "small":
        periods = [add_months(FIRST, k).strftime("%Y-%m") for k in range(N_PERIODS)]
    else:
        periods = list(DEFAULT_PLAN_PERIODS)
    tmp = path.with_suffix(".tmp.xlsx")
    write_workbook(tmp, rows=rows, settings=settings, value_plan_periods=periods)
    tmp.replace(path)  # atomic: an interrupted run leaves no half-written cache entry
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true", help="rewrite cached files")
    args = ap.parse_args(argv)
    for size in args.sizes.split(","):
        t = time.perf_counter()
        path = generate(size, args.seed, force=args.force)
        print(f"{size}: {path} ({path.stat().st_size:,} bytes, {time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
