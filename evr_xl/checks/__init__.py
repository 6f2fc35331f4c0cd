"""Traceability checks: ProgramData (and optionally the engine's Results) -> findings.

One function per check, all listed in CHECKS; none stops the others. Codes live in codes.py and
are registered in the shared catalogue (evr_xl.findings) on import. docs/findings.md explains
each code.
"""

from __future__ import annotations

from collections.abc import Callable

from evr_xl.checks import actuals, connections, drivers, forecast, references, signs, timing
from evr_xl.checks.codes import CODES, TRACEABILITY_CHECKS
from evr_xl.checks.common import results_of
from evr_xl.checks.connections import coverage
from evr_xl.engine import Results
from evr_xl.findings import Finding, sort_findings
from evr_xl.model.records import ProgramData

CheckFunction = Callable[[ProgramData, Results | None], list[Finding]]

# The one list of checks, in the order of PRODUCT.md "Traceability checks".
CHECKS: tuple[CheckFunction, ...] = (
    references.duplicate_ids,  # TR001
    references.unknown_drivers,  # TR002
    references.unknown_workstreams,  # TR003
    connections.unconnected_work,  # TR004
    connections.workstreams_without_drivers,  # TR005
    connections.unbacked_value,  # TR006
    connections.coverage_summary,  # TR012
    drivers.missing_accountability,  # TR007
    drivers.custom_ramps,  # TR008, TR009
    timing.ramp_before_enablers,  # TM001
    timing.full_run_rate_before_start,  # TM002
    timing.reconciliation,  # RC001
    actuals.unknown_or_misplaced,  # AC001, AC002, AC008
    actuals.not_validated,  # AC003
    actuals.negative_on_benefit,  # AC004
    actuals.claimed_before_work,  # AC005
    actuals.missing_current_actual,  # AC006
    actuals.duplicate_actuals,  # AC007
    drivers.stage_consistency,  # ST001, ST002
    drivers.double_counting,  # TR010
    drivers.risks_without_drivers,  # TR011
    forecast.committed_forecast,  # FC001, FC002
    signs.contradicting_signs,  # SG001, SG002
)


def run_checks(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """Every check's findings, errors first, then by sheet and cell."""
    res = results_of(data, results)
    found: list[Finding] = []
    for check in CHECKS:
        found.extend(check(data, res))
    return sort_findings(found)


__all__ = ["CHECKS", "CODES", "TRACEABILITY_CHECKS", "coverage", "run_checks"]
