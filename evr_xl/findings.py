"""Findings: what is wrong in a workbook, where, and what to do about it.

A Finding has a stable code from the catalogue below, a severity, the cell to fix, a message and
a suggested fix. It renders as ``Sheet!C12: <message> — <fix> [CODE]``. Reader findings (cells the
reader could not accept) and traceability findings (checks/) share this one catalogue, so the
docs test can prove every code is documented.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict

from evr_xl.model.cellref import CellRef


class Severity(str, Enum):
    ERROR = "Error"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


_RANK = {"Error": 0, "Warning": 1, "Info": 2}  # errors first


@dataclass(frozen=True)
class Check:
    """A catalogue entry: one kind of finding."""

    code: str
    severity: Severity
    title: str
    fix: str  # the default suggested fix


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# The catalogue. Codes are stable: never reuse or renumber one. RD = reading a cell,
# TR = traceability, AC = actuals, ST = stage, RC = reconciliation, TM = timing.
CATALOGUE: dict[str, Check] = {
    c.code: c
    for c in (
        # Reading (reader.py)
        Check("RD001", E, "Required value missing", "Fill the cell."),
        Check("RD002", E, "Not a number", "Type a number, e.g. 1250000 or 1,250,000."),
        Check("RD003", E, "Not a date", "Type a date, e.g. 2026-03-31."),
        Check("RD004", E, "Not a period", "Type a period as 2026-03, 2026-Q1 or any date in it."),
        Check(
            "RD005", E, "Not one of the allowed values", "Pick a value from the cell's dropdown."
        ),
        Check("RD006", W, "Not Yes or No", "Type Yes or No."),
        Check("RD007", E, "Not a percentage", "Type a percentage such as 45% or 0.45."),
        Check(
            "RD008",
            E,
            "Required column missing",
            "Add the column with exactly this header, or undo the rename.",
        ),
        Check("RD009", W, "Duplicate column header", "Rename or delete one of the two columns."),
        Check(
            "RD010", E, "Table header row not found", "Restore the header row from the template."
        ),
        Check("RD011", E, "Error value in cell", "Fix the formula or type the value."),
        Check("RD012", E, "Setting missing", "Add the setting row back (see the template)."),
        Check("RD013", E, "Invalid programme settings", "Correct the Program sheet."),
        Check(
            "RD014", W, "Optional sheet missing", "Add the sheet from the template if you need it."
        ),
        Check(
            "RD015",
            W,
            "Value Plan column is not a period",
            "Rename the header to a period such as 2026-03.",
        ),
        Check("RD016", W, "Text too long", "Shorten the text."),
        Check(
            "RD017",
            W,
            "Value Plan period does not match the period type",
            "Rename the Value Plan headers to the programme's periods (2026-03 for months), or change "
            "the Period type on the Program sheet.",
        ),
        Check(
            "RD018",
            E,
            "Number reads two ways",
            "Set the Program sheet's Number format (1,234.56 or 1.234,56), or type the number "
            "without separators (800000).",
        ),
        Check(
            "RD019",
            E,
            "Amount in another currency",
            "Convert the amount to the programme currency and type it without the other "
            "currency's symbol or code.",
        ),
        Check(
            "RD021",
            W,
            "Fiscal year starts inside a quarter",
            "Set the fiscal year start month to 1, 4, 7 or 10.",
        ),
        Check(
            "RD020",
            W,
            "Share outside 0-100%",
            "Type a share between 0% and 100%; until then the nearest bound is used.",
        ),
    )
}


class Finding(BaseModel):
    """One problem, pointing at the cell to fix."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    fix: str = ""
    cell: CellRef | None = None

    @property
    def where(self) -> str:
        return self.cell.a1 if self.cell else ""

    def render(self) -> str:
        where = f"{self.where}: " if self.where else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{where}{self.message}{fix} [{self.code}]"

    def __str__(self) -> str:
        return self.render()


def finding(
    code: str, message: str, cell: CellRef | None = None, fix: str | None = None
) -> Finding:
    """A finding of a catalogued kind; the fix defaults to the catalogue's."""
    check = CATALOGUE[code]
    return Finding(
        code=code,
        severity=check.severity,
        message=message,
        fix=check.fix if fix is None else fix,
        cell=cell,
    )


def register(*checks: Check) -> None:
    """Add catalogue entries (used by checks/ to declare its codes next to its functions)."""
    for c in checks:
        if c.code in CATALOGUE and CATALOGUE[c.code] != c:
            raise ValueError(f"finding code {c.code} declared twice")
        CATALOGUE[c.code] = c


# Errors in the workbook's structure (a missing or renamed column, a missing setting, no header
# row): listed first, because many other findings follow from them.
STRUCTURAL = frozenset({"RD008", "RD010", "RD012", "RD013"})
# What a structural error on a sheet brings in its wake (records of that sheet left out).
KNOCK_ON = {
    "Value Drivers": frozenset({"TR002", "AC001", "TR005", "TR004", "TR012"}),
    "Workstreams": frozenset({"TR003"}),
    "Workplan": frozenset({"TR006", "TR004", "TR012", "TM001", "AC005"}),
    "Program": frozenset(),
}


def knock_ons(findings: list[Finding]) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(structural errors, the findings that may follow from them, the rest)."""
    structural = [f for f in findings if f.code in STRUCTURAL and f.severity is Severity.ERROR]
    codes: set[str] = set()
    for f in structural:
        codes |= KNOCK_ON.get(f.cell.sheet if f.cell else "", frozenset())
    follow = [f for f in findings if f.code in codes and f not in structural]
    rest = [f for f in findings if f.code not in codes and f not in structural]
    return structural, follow, rest


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first — the workbook's structure first among them — then by sheet and cell, then
    by code."""
    return sorted(
        findings,
        key=lambda f: (
            f.severity.rank,
            f.code not in STRUCTURAL,
            f.cell.sheet if f.cell else "",
            f.cell.row if f.cell else 0,
            f.cell.col if f.cell else 0,
            f.code,
        ),
    )


def counts(findings: list[Finding]) -> dict[str, int]:
    c = Counter(f.severity.value for f in findings)
    return {s.value: c.get(s.value, 0) for s in Severity}
