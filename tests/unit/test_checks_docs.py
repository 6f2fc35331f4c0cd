"""Every finding code and every metric column is documented."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import evr_xl.checks  # noqa: F401  (registers the traceability codes)
from evr_xl.engine import compute
from evr_xl.findings import CATALOGUE
from evr_xl.model import ProgramData, ProgramSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def headings(path: Path) -> set[str]:
    return set(re.findall(r"^## ([A-Z]{2}\d{3})\b", path.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_finding_code_has_a_section(code: str) -> None:
    assert code in headings(DOCS / "findings.md")


def test_findings_doc_states_each_severity_as_catalogued() -> None:
    text = (DOCS / "findings.md").read_text(encoding="utf-8")
    for code, check in CATALOGUE.items():
        section = text.split(f"## {code}", 1)[1].split("\n## ", 1)[0]
        assert f"Severity: {check.severity.value}" in section, code


def test_every_result_column_is_in_the_metrics_doc() -> None:
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    s = ProgramSettings(
        first_period=date(2026, 1, 1), last_period=date(2026, 12, 1), as_of=date(2026, 6, 1)
    )
    r = compute(ProgramData(settings=s))
    names = [*r.drivers.columns, *r.workstreams.columns, *r.trajectory.columns]
    names += list(r.program.as_dict()) + list(r.slipping_items.columns)
    missing = sorted({n for n in names if f"`{n}`" not in text})
    assert missing == []
