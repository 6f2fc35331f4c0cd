"""User text that looks like a formula never becomes one in any output: the refreshed sheets,
the board pack, or the CSVs. Payloads go into names, owners, notes and IDs."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from evr_xl.cli import main
from evr_xl.workbook.template import write_workbook
from tests.corpus.make_corpus import clean_rows

PAYLOADS = (
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=2+2",
    "  =cmd|' /C calc'!A0",
)
MARK = "EVIL"  # every payload carries it, so it can be found in outputs


def _payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)] + f"{MARK}{i}"


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings, rows = clean_rows()
    settings["name"] = _payload(0)
    n = 1
    for sheet, keys in {
        "Workstreams": ("name", "lead"),
        "Value Drivers": ("name", "owner", "kpi", "notes", "evidence"),
        "Workplan": ("item", "owner", "notes"),
        "Risks": ("risk", "owner", "mitigation"),
    }.items():
        for row in rows[sheet][:6]:
            for key in keys:
                row[key] = _payload(n)
                n += 1
    # an ID that looks like a formula, used consistently by the actuals that reference it
    old = rows["Value Drivers"][1]["driver_id"]
    for a in rows["Actuals"]:
        if a["driver_id"] == old:
            a["driver_id"] = "=1+1"
    rows["Value Drivers"][1]["driver_id"] = "=1+1"
    path = tmp_path_factory.mktemp("inject") / "hostile.xlsx"
    return write_workbook(path, rows=rows, settings=settings)


def _assert_no_user_formulas(path: Path, sheets: set[str] | None = None) -> int:
    """No <f> element holds user text; every payload read back is a string cell. Returns hits."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                for formula in re.findall(r"<f[^>]*>(.*?)</f>", xml, re.S):
                    assert MARK not in formula and "HYPERLINK(&quot;http://evil" not in formula
    wb = openpyxl.load_workbook(path)
    hits = 0
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and (MARK in v or v.lstrip(" \t\r").startswith("=1+1")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v)
                    hits += 1
                if cell.data_type == "f":
                    assert MARK not in str(v), (ws.title, cell.coordinate, v)
    return hits


def test_refresh_writes_payloads_as_text(hostile_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "refreshed.xlsx"
    assert main(["refresh", "-q", str(hostile_book), "--output", str(out)]) in (0, 1)
    outputs = {"Dashboard", "Driver Metrics", "Workstream Metrics", "Findings", "Snapshots"}
    assert _assert_no_user_formulas(out, outputs) >= 10  # the payloads did reach the outputs


def test_board_pack_writes_payloads_as_text(hostile_book: Path, tmp_path: Path) -> None:
    boardpack = pytest.importorskip("evr_xl.boardpack")
    report = boardpack.make_boardpack(hostile_book, tmp_path / "pack.xlsx")
    assert _assert_no_user_formulas(report.path) >= 1


def test_csv_cells_are_neutralised(hostile_book: Path, tmp_path: Path) -> None:
    # the demo's deliberate errors: exit 1, the CSVs written all the same
    assert main(["metrics", str(hostile_book), "--csv", str(tmp_path)]) == 1
    seen = 0
    for name in ("drivers.csv", "workstreams.csv", "program.csv"):
        with (tmp_path / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if MARK in value or value.lstrip(" ").startswith("=1+1"):
                        seen += 1
                        assert value.startswith("'"), (name, value)
    assert seen >= 3
