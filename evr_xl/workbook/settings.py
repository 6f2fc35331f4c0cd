"""The Program sheet: one value per setting -> ProgramSettings, and the horizon's findings."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from evr_xl.findings import Finding, finding
from evr_xl.model import CellRef, ProgramSettings
from evr_xl.model.periods import PeriodType
from evr_xl.workbook import cells as parse
from evr_xl.workbook import layout as L
from evr_xl.workbook.cells import NUMBER_FORMATS, ReadContext
from evr_xl.workbook.grids import Grid
from evr_xl.workbook.tables import find_header, parse_cell, problem_finding


def read_settings(grid: Grid) -> tuple[ProgramSettings | None, list[Finding]]:
    """The Program sheet: one Setting/Value row per setting, found by the setting's label."""
    header, findings = find_header(grid, L.PROGRAM)
    if header is None or "setting" not in header.columns or "value" not in header.columns:
        return None, findings
    by_label = {L.normalise_header(s.label): s for s in L.PROGRAM_SETTINGS}
    found: dict[str, tuple[Any, CellRef]] = {}
    for r in range(header.row + 1, grid.n_rows + 1):
        label = L.normalise_header(grid.value(r, header.columns["setting"])).rstrip(" *")
        setting = by_label.get(label)
        if setting is not None and setting.key not in found:
            cell = CellRef(sheet=grid.sheet, row=r, col=header.columns["value"])
            found[setting.key] = (grid.value(r, header.columns["value"]), cell)
    values: dict[str, Any] = {}
    cells: dict[str, CellRef] = {}
    bad_required = False
    ctx = _context(found)
    for s in L.PROGRAM_SETTINGS:
        if s.key not in found:
            if s.required:
                findings.append(
                    finding(
                        "RD012",
                        f"the setting '{s.label}' is missing",
                        CellRef(sheet=grid.sheet, row=header.row, col=1),
                        f"Add a row with '{s.label}' in the Setting column and its value.",
                    )
                )
                bad_required = True
            continue
        raw, cell = found[s.key]
        cells[s.key] = cell
        value, problem = parse_cell(s, raw, ctx)
        if problem:
            findings.append(problem_finding(s, cell, problem))
        if value is None:
            if s.required:
                if not problem:
                    findings.append(finding("RD001", f"{s.label} is required", cell))
                bad_required = True
            continue
        values[s.key] = value
    if bad_required:
        return None, findings
    try:
        settings = ProgramSettings(
            ref=CellRef(sheet=grid.sheet, row=header.row, col=1), cells=cells, **values
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err.get("loc") else ""
        findings.append(finding("RD013", f"{key}: {err['msg']}", cells.get(key)))
        return None, findings
    return settings, findings + _horizon_findings(settings)


def _context(found: dict[str, tuple[Any, CellRef]]) -> ReadContext:
    """The currency, number format and period type the other settings are read in (the value
    promise in the currency and number format; the periods as months or quarters, so that a
    quarter typed as the as-of of a monthly programme is flagged like on any other sheet)."""
    currency = parse.parse_text(found.get("currency", (None,))[0])[0] or ""
    by_key = {s.key: s for s in L.PROGRAM_SETTINGS}

    def setting(key: str) -> Any:
        return parse_cell(by_key[key], found.get(key, (None,))[0])[0]

    period_type = setting("period_type")
    return ReadContext(
        currency=str(currency).upper(),
        decimal=NUMBER_FORMATS.get(setting("number_format") or ""),
        period_type=PeriodType(period_type) if period_type else None,
    )


def _horizon_findings(s: ProgramSettings) -> list[Finding]:
    """The as-of period and the horizon must agree, or every metric is quietly meaningless."""
    return _fiscal_start_findings(s) + _as_of_findings(s)


def _fiscal_start_findings(s: ProgramSettings) -> list[Finding]:
    """In a quarterly programme a fiscal year must start with a quarter (metric 13)."""
    if s.period_type is not PeriodType.QUARTER or s.fiscal_year_start in (1, 4, 7, 10):
        return []
    start = 3 * ((s.fiscal_year_start - 1) // 3) + 1
    return [
        finding(
            "RD021",
            f"Fiscal year start month {s.fiscal_year_start} is inside a quarter; in a quarterly "
            f"programme fiscal years are counted from month {start}, the quarter's first month",
            s.cell("fiscal_year_start"),
            "Set the fiscal year start month to 1, 4, 7 or 10, or make the programme monthly.",
        )
    ]


def _as_of_findings(s: ProgramSettings) -> list[Finding]:
    first, last, as_of = s.first_period, s.last_period, s.as_of
    if last < first:
        return [
            finding(
                "RD013",
                f"Last period {last:%Y-%m} is before First period {first:%Y-%m}",
                s.cell("last_period"),
                "Correct First period or Last period on the Program sheet.",
            )
        ]
    if not first <= as_of <= last:
        side = "before the First period" if as_of < first else "after the Last period"
        edge = first if as_of < first else last
        return [
            finding(
                "RD013",
                f"As-of period {as_of:%Y-%m} is {side} {edge:%Y-%m}: the metrics would describe "
                "a time outside the programme",
                s.cell("as_of"),
                "Set the As-of period inside the horizon, or widen First period / Last period.",
            )
        ]
    return []
