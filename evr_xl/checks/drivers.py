"""Checks on the value-driver register: accountability (TR007), Custom ramps and the Value Plan
(TR008, TR009), possible double counting (TR010), risks that name no driver (TR011) and stage
consistency (ST001, ST002)."""

from __future__ import annotations

from collections import defaultdict

from evr_xl.checks.common import results_of
from evr_xl.engine import Results
from evr_xl.engine.frames import key, keys
from evr_xl.findings import Finding, finding
from evr_xl.model.records import ProgramData, ValueDriver

ACCOUNTABILITY = (("owner", "owner"), ("kpi", "KPI"), ("measurement", "measurement method"))
VALIDATED_STAGES = ("L3", "L4", "L5")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_accountability(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR007: a driver without owner, KPI, measurement method or baseline (one finding each)."""
    out = []
    for d in data.drivers:
        missing = [(f, label) for f, label in ACCOUNTABILITY if _blank(getattr(d, f))]
        if d.baseline is None:
            missing.append(("baseline", "baseline"))
        if missing:
            names = ", ".join(label for _f, label in missing)
            out.append(
                finding(
                    "TR007",
                    f"driver {d.driver_id} has no {names}",
                    d.cell(missing[0][0]),
                    fix=f"Fill the driver's {names}.",
                )
            )
    return out


def custom_ramps(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR008: a Custom driver without a Value Plan row (its plan is zero); TR009: a Value Plan row
    for a driver whose profile is not Custom (ignored)."""
    planned = set(keys(v.driver_id for v in data.value_plan))
    drivers: dict[str, ValueDriver] = {}
    for k, d in zip(keys(d.driver_id for d in data.drivers), data.drivers, strict=True):
        drivers.setdefault(k, d)
    out = [
        finding(
            "TR008",
            f"driver {d.driver_id} has ramp profile Custom but no row on Value Plan: its plan is zero",
            d.cell("ramp_profile"),
        )
        for k, d in drivers.items()
        if _is_custom(d) and k not in planned
    ]
    out += [
        finding(
            "TR009",
            f"Value Plan row for driver {v.driver_id} is not used: the driver's ramp profile is "
            f"{drivers[key(v.driver_id)].ramp_profile}, not Custom",
            v.cell("driver_id"),
        )
        for v in data.value_plan
        if key(v.driver_id) in drivers and not _is_custom(drivers[key(v.driver_id)])
    ]
    return out


def _is_custom(d: ValueDriver) -> bool:
    return (d.ramp_profile or "").strip().lower() == "custom"


def double_counting(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR010: two or more drivers with the same KPI in the same workstream."""
    groups: dict[tuple[str, str], list[ValueDriver]] = defaultdict(list)
    workstreams = keys(d.workstream_id for d in data.drivers)
    kpis = keys(d.kpi for d in data.drivers)  # "" for a blank KPI
    for d, ws, kpi in zip(data.drivers, workstreams, kpis, strict=True):
        if kpi:
            groups[(ws, kpi)].append(d)
    out = []
    for same in groups.values():
        first = same[0]
        for d in same[1:]:
            out.append(
                finding(
                    "TR010",
                    f"drivers {first.driver_id} and {d.driver_id} in workstream {d.workstream_id} "
                    f"share the KPI '{d.kpi}': is the same value counted twice?",
                    d.cell("kpi"),
                )
            )
    return out


def risks_without_drivers(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """TR011: an open risk naming no existing driver (its exposure is not in value at risk)."""
    drivers = results_of(data, results).frames.driver_index
    return [
        finding(
            "TR011",
            f"risk {r.risk_id} names no existing driver, so its exposure is not counted in value at risk",
            r.cell("driver_ids"),
        )
        for r in data.risks
        if r.is_open and not any(key(d) in drivers for d in r.driver_ids)
    ]


def stage_consistency(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """ST001: L3 or later without finance validation; ST002: L5 without validated actuals."""
    res = results_of(data, results)
    validated = res.drivers["realized_validated"].to_numpy(float)  # one row per unique driver
    out = []
    for row, pos in enumerate(res.frames.drivers["pos"].tolist()):
        d = data.drivers[pos]
        if d.stage in VALIDATED_STAGES and not d.finance_validated:
            out.append(
                finding(
                    "ST001",
                    f"driver {d.driver_id} is at stage {d.stage} but finance has not validated it",
                    d.cell("finance_validated"),
                )
            )
        if d.stage == "L5" and validated[row] == 0:
            out.append(
                finding(
                    "ST002",
                    f"driver {d.driver_id} is at stage L5 (Realized) but has no validated actuals "
                    f"up to {res.program.as_of}",
                    d.cell("stage"),
                )
            )
    return out
