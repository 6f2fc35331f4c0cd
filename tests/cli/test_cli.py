"""The newcomer's path through the real `evr` entry point: demo, check, new, bad files."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from evr_xl.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evr_xl.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder)]) == 0
    return folder / "evr_demo_program.xlsx"


def test_demo_then_check_reports_the_deliberate_imperfections(demo: Path) -> None:
    before = demo.read_bytes()
    r = run("check", str(demo), "--json")
    out = json.loads(r.stdout)
    assert r.stderr == ""
    cells = {f["cell"] for f in out["findings"]}
    messages = " ".join(f["message"] for f in out["findings"])
    assert out["counts"]["Error"] >= 1 and r.returncode == 1
    # the typo'd enabler VD-099 and the actual for unknown driver VD-990 are pointed at by cell
    assert "VD-099" in messages and "VD-990" in messages
    assert any(c.startswith("Workplan!") for c in cells) and any(
        c.startswith("Actuals!") for c in cells
    )
    assert any(c.startswith("Value Drivers!") for c in cells)  # the driver without an owner
    assert demo.read_bytes() == before  # checking never writes


def test_check_text_output_groups_by_sheet(demo: Path) -> None:
    r = run("check", str(demo))
    assert r.stdout.splitlines()[0].startswith("evr_demo_program.xlsx: ")
    assert "Workplan: " in r.stdout and "Traceback" not in r.stdout + r.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"hello, not a workbook", "not an Excel workbook (.xlsx)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "old-format .xls file or a password-protected",
        ),
    ],
)
def test_unusable_files_get_a_message_and_exit_2(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    r = run("check", str(bad))
    assert r.returncode == 2
    assert expected in r.stderr and str(bad) in r.stderr and "Traceback" not in r.stderr


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("readme.txt", "hi")
    r = run("check", str(bad))
    assert r.returncode == 2 and "not an Excel workbook (no xl/workbook.xml inside)" in r.stderr


def test_missing_file(tmp_path: Path) -> None:
    r = run("check", str(tmp_path / "nope.xlsx"))
    assert r.returncode == 2 and "file not found" in r.stderr


def test_new_writes_a_blank_template_that_checks_clean_of_errors(tmp_path: Path) -> None:
    target = tmp_path / "mine.xlsx"
    assert main(["new", str(target)]) == 0
    assert main(["new", str(target)]) == 2  # never overwrites without --force
    r = run("check", str(target), "--json")
    out = json.loads(r.stdout)
    # the blank template lacks the programme's name, promise and horizon: those are the errors
    cells = {f["cell"] for f in out["findings"] if f["severity"] == "Error"}
    assert cells and all(c.startswith("Program!") for c in cells)


def test_check_collapses_long_runs_unless_all(demo: Path) -> None:
    short = run("check", str(demo)).stdout
    full = run("check", str(demo), "--all").stdout
    assert "more [AC003] on Actuals (evr check --all lists every one)" in short
    assert "more [AC003]" not in full
    assert full.count("[AC003]") > short.count("[AC003]") >= 3
