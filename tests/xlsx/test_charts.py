"""Native charts on output sheets: the Dashboard's task % vs value % chart, written into the
user's workbook by the part writer, read back as a chart, and not duplicated by a second refresh."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from evr_xl.demo import write_demo
from evr_xl.refresh import refresh


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_demo(tmp_path_factory.mktemp("demo"), snapshots=False).path
    refresh(path)
    return path


def chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if "_evr_" in n)


def test_the_dashboard_carries_a_native_chart_of_task_and_value_by_workstream(
    refreshed: Path,
) -> None:
    ws = openpyxl.load_workbook(refreshed)["Dashboard"]
    (chart,) = ws._charts
    assert len(chart.series) == 2
    task, value = (s.val.numRef.f.split("!")[1].replace("$", "") for s in chart.series)
    cats = chart.series[0].cat.strRef.f.split("!")[1].replace("$", "")
    assert task[0] == "C" and value[0] == "D" and cats[0] == "B"
    names = [row[0].value for row in ws[cats]]
    assert names == ["Procurement", "Footprint", "SG&A", "IT integration", "Commercial",
                     "Working capital"]  # fmt: skip
    shares = [row[0].value for row in ws[value]]
    assert all(isinstance(v, float) and 0 <= v <= 1.5 for v in shares)  # value realization %


def test_a_second_refresh_rewrites_the_chart_in_place(refreshed: Path) -> None:
    before = chart_parts(refreshed)
    refresh(refreshed)
    assert chart_parts(refreshed) == before
    with zipfile.ZipFile(refreshed) as z:
        types = z.read("[Content_Types].xml").decode()
    for part in before:
        if not part.endswith(".rels"):
            assert types.count(f'PartName="/{part}"') == 1
