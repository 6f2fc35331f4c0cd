"""Fixtures: the demo programme, its engine results and its board pack (built once)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from evr_xl.boardpack import make_boardpack
from evr_xl.demo import write_demo
from evr_xl.engine import compute
from evr_xl.workbook.files import read_program

GENERATED_AT = dt.datetime(2026, 7, 3, 9, 30)


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo")).path


@pytest.fixture(scope="session")
def demo_data(demo_path: Path):
    data, _ = read_program(demo_path)
    assert data is not None
    return data


@pytest.fixture(scope="session")
def demo_results(demo_data):
    return compute(demo_data)


@pytest.fixture(scope="session")
def demo_pack(demo_path: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("pack") / "demo_pack.xlsx"
    return make_boardpack(demo_path, out, generated_at=GENERATED_AT)


@pytest.fixture(scope="session")
def demo_metrics_json(demo_path: Path) -> dict:
    """What `evr metrics --json` prints for the demo: the figures the bridges must add up to."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "evr_xl.cli", "metrics", str(demo_path), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)
