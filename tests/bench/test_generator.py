"""The benchmark's generator: same seed, same programme; a readable workbook of the size asked."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import Size, synthetic_rows
from evr_xl.workbook.files import read_program
from evr_xl.workbook.template import write_workbook

TINY = Size("tiny", drivers=20, items=200, actuals=360, risks=10)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert synthetic_rows(TINY, seed=3) == synthetic_rows(TINY, seed=3)
    assert synthetic_rows(TINY, seed=3) != synthetic_rows(TINY, seed=4)


def test_generated_workbook_reads_back_at_the_requested_size(tmp_path: Path) -> None:
    settings, rows = synthetic_rows(TINY, seed=3)
    path = write_workbook(tmp_path / "tiny.xlsx", rows=rows, settings=settings)
    data, findings = read_program(path)
    assert data is not None, [f.render() for f in findings]
    assert not [f for f in findings if f.severity.value == "Error"]
    assert len(data.drivers) == TINY.drivers
    assert len(data.workplan) == TINY.items
    assert len(data.actuals) == TINY.actuals
    assert len(data.risks) == TINY.risks
    assert len({a.period for a in data.actuals}) == TINY.actuals // TINY.drivers
