"""Checks on the value-driver register: accountability (TR007), Custom ramps and the Value Plan
(TR008, TR009), possible double counting (TR010), risks that name no driver (TR011) and stage
consistency (ST001, ST002)."""

from __future__ import annotations

from collections import defaultdict
from itertools import chain, islice

from evr_xl.checks.common import findings, results_of
from evr_xl.engine import Results
from evr_xl.engine.frames import keys, shared_keys
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells, fields, fields_at

ACCOUNTABILITY = (("owner", "owner"), ("kpi", "KPI"), ("measurement", "measurement method"))
VALIDATED_STAGES = ("L3", "L4", "L5")
_LABELS = {**dict(ACCOUNTABILITY), "baseline": "baseline"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_accountability(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR007: a driver without owner, KPI, measurement method or baseline (one finding each)."""
    ids, owner, kpi, measurement, baseline = fields(
        data.drivers, "driver_id", "owner", "kpi", "measurement", "baseline"
    )
    messages, at, fixes = [], [], []
    for pos, values in enumerate(zip(owner, kpi, measurement, strict=True)):
        missing = [f for (f, _label), v in zip(ACCOUNTABILITY, values, strict=True) if _blank(v)]
        if baseline[pos] is None:
            missing.append("baseline")
        if missing:
            names = ", ".join(_LABELS[f] for f in missing)
            messages.append(f"driver {ids[pos]} has no {names}")
            at.append(cells(data.drivers, [pos], missing[0])[0])
            fixes.append(f"Fill the driver's {names}.")
    return findings("TR007", messages, at, fixes)


def custom_ramps(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR008: a Custom driver without a Value Plan row (its plan is zero); TR009: a Value Plan row
    for a driver whose profile is not Custom (ignored)."""
    (plan_ids,) = fields(data.value_plan, "driver_id")
    planned = set(keys(plan_ids))
    ids, profiles = fields(data.drivers, "driver_id", "ramp_profile")
    drivers: dict[str, int] = {}  # key -> position of its first driver row
    for pos, k in enumerate(keys(ids)):
        drivers.setdefault(k, pos)
    unplanned = [
        pos for k, pos in drivers.items() if _is_custom(profiles[pos]) and k not in planned
    ]
    out = findings(
        "TR008",
        [
            f"driver {ids[pos]} has ramp profile Custom but no row on Value Plan: its plan is zero"
            for pos in unplanned
        ],
        cells(data.drivers, unplanned, "ramp_profile"),
    )
    unused = [
        (row, drivers[k])
        for row, k in enumerate(keys(plan_ids))
        if k in drivers and not _is_custom(profiles[drivers[k]])
    ]
    out += findings(
        "TR009",
        [
            f"Value Plan row for driver {plan_ids[row]} is not used: the driver's ramp profile is "
            f"{profiles[pos]}, not Custom"
            for row, pos in unused
        ],
        cells(data.value_plan, [row for row, _pos in unused], "driver_id"),
    )
    return out


def _is_custom(profile: str | None) -> bool:
    return (profile or "").strip().lower() == "custom"


def double_counting(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR010: two or more drivers with the same KPI in the same workstream."""
    ids, workstream_ids, kpis = fields(data.drivers, "driver_id", "workstream_id", "kpi")
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    # "" for a blank KPI
    for pos, ws, kpi in zip(range(len(ids)), keys(workstream_ids), keys(kpis), strict=True):
        if kpi:
            groups[(ws, kpi)].append(pos)
    messages, rows = [], []
    for same in groups.values():
        first = same[0]
        for pos in same[1:]:
            messages.append(
                f"drivers {ids[first]} and {ids[pos]} in workstream {workstream_ids[pos]} "
                f"share the KPI '{kpis[pos]}': is the same value counted twice?"
            )
            rows.append(pos)
    return findings("TR010", messages, cells(data.drivers, rows, "kpi"))


def risks_without_drivers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR011: an open risk naming no existing driver (its exposure is not in value at risk)."""
    drivers = results_of(data, results).frames.driver_index
    ids, status, named = fields(data.risks, "risk_id", "status", "driver_ids")
    found = iter([k in drivers for k in shared_keys(list(chain.from_iterable(named)))])
    rows = [
        row
        for row, (s, n) in enumerate(zip(status, map(len, named), strict=True))
        if not any(list(islice(found, n))) and s != "Closed"  # Risk.is_open
    ]
    return findings(
        "TR011",
        [
            f"risk {ids[row]} names no existing driver, so its exposure is not counted in value "
            "at risk"
            for row in rows
        ],
        cells(data.risks, rows, "driver_ids"),
    )


def stage_consistency(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """ST001: L3 or later without finance validation; ST002: L5 without validated actuals."""
    res = results_of(data, results)
    validated = res.drivers["realized_validated"].to_numpy(float)  # one row per unique driver
    positions = res.frames.drivers["pos"].tolist()
    ids, stages, finance = fields_at(
        data.drivers, positions, "driver_id", "stage", "finance_validated"
    )
    codes, messages, at = [], [], []
    for row, (pos, ident, stage) in enumerate(zip(positions, ids, stages, strict=True)):
        if stage in VALIDATED_STAGES and not finance[row]:
            codes.append("ST001")
            messages.append(f"driver {ident} is at stage {stage} but finance has not validated it")
            at.append(pos)
        if stage == "L5" and validated[row] == 0:
            codes.append("ST002")
            messages.append(
                f"driver {ident} is at stage L5 (Realized) but has no validated actuals "
                f"up to {res.program.as_of}"
            )
            at.append(pos)
    unvalidated = iter(cells(data.drivers, _of(codes, at, "ST001"), "finance_validated"))
    l5 = iter(cells(data.drivers, _of(codes, at, "ST002"), "stage"))
    where = [next(unvalidated) if code == "ST001" else next(l5) for code in codes]
    return findings(codes, messages, where)


def _of(codes: list[str], positions: list[int], code: str) -> list[int]:
    return [pos for c, pos in zip(codes, positions, strict=True) if c == code]
