"""Refresh end to end on the demo: output sheets written, inputs untouched, Snapshots per as-of.

The demo here is written without its earlier snapshots (tests/cli/test_snapshots.py has those),
so a refresh starts from input sheets only."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from evr_xl.demo import write_demo
from evr_xl.engine import compute
from evr_xl.outputs.history import PROGRAMME
from evr_xl.refresh import refresh
from evr_xl.workbook import layout
from evr_xl.workbook.files import load_grids, read_program

OUTPUTS = ["Dashboard", "Driver Metrics", "Workstream Metrics", "Findings", "Snapshots"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo"), snapshots=False).path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_file, tmp_path / "program.xlsx"))


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part name, from workbook.xml and its rels."""
    import re

    m = members(path)
    rels = dict(
        re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', m["xl/_rels/workbook.xml.rels"].decode())
    )
    rels |= {
        k: v
        for v, k in re.findall(
            r'Target="([^"]+)"[^>]*Id="(rId\d+)"', m["xl/_rels/workbook.xml.rels"].decode()
        )
    }
    out = {}
    for name, rid in re.findall(
        r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', m["xl/workbook.xml"].decode()
    ):
        target = rels[rid].lstrip("/")
        out[name] = target if target.startswith("xl/") else "xl/" + target
    return out


def test_refresh_writes_outputs_and_leaves_inputs_byte_identical(demo: Path) -> None:
    before = members(demo)
    inputs_before = {s: before[p] for s, p in sheet_parts(demo).items()}
    report = refresh(demo)
    assert report.written is not None and list(report.written.sheets_written) == OUTPUTS
    after = members(demo)
    parts = sheet_parts(demo)
    for sheet, data in inputs_before.items():
        assert after[parts[sheet]] == data, f"input sheet {sheet} changed"
    assert members(demo.parent / "program.bak.xlsx") == before  # the backup is the previous file
    wb = openpyxl.load_workbook(demo)  # a second, independent reader
    assert wb.sheetnames[-5:] == OUTPUTS
    data, _ = read_program(demo)
    results = compute(data)
    dm = wb["Driver Metrics"]
    header = [c.value for c in dm[4]]
    got = {
        dm.cell(r, 1).value: dm.cell(r, header.index("Value at risk") + 1).value
        for r in range(5, dm.max_row + 1)
    }
    want = results.drivers.set_index("driver_id")["value_at_risk"].to_dict()
    assert set(got) == set(want)
    assert all(abs(got[k] - want[k]) < 1e-6 for k in want)
    assert dm["A5"].hyperlink.location.startswith("'Value Drivers'!A")
    fs = wb["Findings"]
    assert fs["A5"].hyperlink is not None and "!" in fs["A5"].hyperlink.location


def test_refresh_twice_is_idempotent_except_snapshots(demo: Path) -> None:
    t = datetime(2026, 7, 2, 9, 0, tzinfo=timezone.utc)
    refresh(demo, now=t)
    first = members(demo)
    refresh(demo, now=t)
    second = members(demo)
    assert first == second  # same as-of, same time: the snapshot is replaced by an identical one
    refresh(demo, now=datetime(2026, 7, 3, tzinfo=timezone.utc))
    grid = load_grids(demo, ["Snapshots"])["Snapshots"]
    programme_rows = [r for r in grid.rows if PROGRAMME in r]
    assert (
        len(programme_rows) == 1 and "2026-07-03 00:00" in programme_rows[0]
    )  # replaced, not duplicated
    refresh(demo, as_of="2026-07")
    grid = load_grids(demo, ["Snapshots"])["Snapshots"]
    assert sorted(r[0] for r in grid.rows if PROGRAMME in r) == ["2026-06", "2026-07"]


def test_refresh_to_output_leaves_the_input_unchanged(demo: Path, tmp_path: Path) -> None:
    before = demo.read_bytes()
    out = tmp_path / "copy.xlsx"
    report = refresh(demo, output=out)
    assert demo.read_bytes() == before and out.exists()
    assert report.written.path == out


def test_refresh_refuses_a_file_changed_since_it_was_read(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evr_xl import refresh as refresh_module
    from evr_xl.xlsx.writer import WorkbookChanged

    real = refresh_module.analyse

    def analyse_then_user_saves(*args, **kwargs):  # the user saves in Excel while we compute
        result = real(*args, **kwargs)
        with zipfile.ZipFile(demo, "a") as z:
            z.writestr("customXml/note.xml", "<note>saved meanwhile</note>")
        return result

    monkeypatch.setattr(refresh_module, "analyse", analyse_then_user_saves)
    with pytest.raises(WorkbookChanged):
        refresh(demo)
    assert "customXml/note.xml" in members(demo)  # the user's save survives


def test_cli_refresh_and_metrics(demo: Path, tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "evr_xl.cli", "refresh", str(demo)], capture_output=True, text=True
    )
    # the demo carries two deliberate errors: the sheets are written, and the exit code says so
    assert r.returncode == 1, r.stderr
    assert "Sheets written: Dashboard, Driver Metrics" in r.stdout and ".. Reading" in r.stderr
    assert "2 error(s) in 2 row(s): what they hold is not (fully) counted" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "evr_xl.cli", "metrics", str(demo), "--csv", str(tmp_path / "csv")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1, r.stderr
    assert "green on tasks, red on value" in r.stdout and "WS-COM" in r.stdout
    assert "Drivers most at risk" in r.stdout and "because of WP-" in r.stdout
    assert (tmp_path / "csv" / "drivers.csv").read_text().count("\n") == 41


def test_dashboard_carries_currency_and_as_of(demo: Path) -> None:
    refresh(demo)
    ws = openpyxl.load_workbook(demo)["Dashboard"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "USD" in texts[1] and "as of 2026-06" in texts[1]
    assert any(t.startswith("Value promise (P&L, annual) (USD)") for t in texts)
    assert any(t.startswith("P&L run-rate $") and "of the $100.0M promise" in t for t in texts)
    flags = [t for t in texts if t == "No" or t.startswith("Yes — tasks done")]
    assert len(flags) == 6  # one explicit answer per workstream, never a blank
    assert ws["A5"].number_format.startswith('"$"') and ws["A5"].value == 100_000_000
    assert layout.OUTPUT_SHEET_NAMES == tuple(OUTPUTS)


def test_refresh_refuses_when_the_register_cannot_be_read(demo: Path, tmp_path: Path) -> None:
    """A renamed required header would make every figure $0: nothing is written, the cell is named."""
    import openpyxl as xl

    from evr_xl.refresh import summary_lines

    broken = tmp_path / "broken.xlsx"
    wb = xl.load_workbook(demo)  # a test fixture: fine to re-save with openpyxl here
    ws = wb["Value Drivers"]
    col = next(c.column for c in ws[layout.VALUE_DRIVERS.header_row] if c.value == "Target")
    ws.cell(layout.VALUE_DRIVERS.header_row, col, "Amount")
    wb.save(broken)
    before = broken.read_bytes()
    report = refresh(broken)
    assert report.written is None and broken.read_bytes() == before
    text = "\n".join(summary_lines(report))
    assert "not refreshed" in text and "required column 'Target' not found" in text
    assert "Value Drivers!A4" in text


def test_dashboard_has_the_current_fiscal_year_tile(demo: Path) -> None:
    refresh(demo)
    ws = openpyxl.load_workbook(demo)["Dashboard"]
    labels = [ws.cell(4, c).value for c in range(1, 15, 2)]
    (label,) = [t for t in labels if t and t.startswith("In-year FY2026 forecast")]
    col = labels.index(label) * 2 + 1
    assert "2026-01 to 2026-12" in label
    assert "short of the in-year plan" in ws.cell(6, col).value or "ahead" in ws.cell(6, col).value
