"""evr portfolio: programmes side by side, totals per currency, a bad file listed not fatal."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from evr_xl.cli import main
from evr_xl.demo import write_demo
from evr_xl.portfolio import portfolio, totals
from evr_xl.refresh import analyse


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pf")
    demo = write_demo(d).path
    shutil.copy(demo, d / "copy.xlsx")
    (d / "broken.xlsx").write_bytes(b"not a workbook")
    (d / "~$copy.xlsx").write_bytes(b"excel lock file")  # skipped
    return d


def test_totals_are_per_currency_and_equal_the_sum(folder: Path) -> None:
    lines = portfolio(sorted(folder.glob("[!~]*.xlsx")))
    good = [ln for ln in lines if ln.figures]
    assert len(good) == 2 and [ln.path.name for ln in lines if ln.problem][0] == "broken.xlsx"
    one = analyse(folder / "copy.xlsx").results.program
    t = totals(lines)
    assert set(t) == {"USD"}
    assert t["USD"]["value_at_risk"] == pytest.approx(2 * one.value_at_risk)
    assert t["USD"]["realized_to_date"] == pytest.approx(2 * one.realized_to_date)


def test_cli_portfolio_lists_a_bad_file_and_exits_1(folder: Path, tmp_path: Path, capsys) -> None:
    out_csv = tmp_path / "p.csv"
    code = main(["portfolio", str(folder), "--csv", str(out_csv)])
    text = capsys.readouterr().out
    assert code == 1
    assert "broken.xlsx" in text and "not read:" in text and "Total (USD)" in text
    assert "~$copy" not in text
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 3 and {r["file"] for r in rows} == {
        "evr_demo_program.xlsx",
        "copy.xlsx",
        "broken.xlsx",
    }
