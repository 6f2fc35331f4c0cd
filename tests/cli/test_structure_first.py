"""A renamed header: recognised when the rename only adds a unit; otherwise the structural error
comes first in `evr check`, with the findings that follow from it counted, not listed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from evr_xl.cli import main
from evr_xl.demo import write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo"), snapshots=False).path


def renamed(demo: Path, tmp_path: Path, header: str) -> Path:
    wb = openpyxl.load_workbook(demo)
    ws = wb["Value Drivers"]
    (cell,) = [c for c in ws[4] if c.value == "Target"]
    cell.value = header
    out = tmp_path / "renamed.xlsx"
    wb.save(out)
    return out


@pytest.mark.parametrize("header", ["Target (USD)", "Target, USD", "Target in USD", "Target $"])
def test_a_header_with_a_unit_is_the_same_column(
    demo: Path, tmp_path: Path, header: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["metrics", str(demo), "--json"])
    before = capsys.readouterr().out
    main(["metrics", str(renamed(demo, tmp_path, header)), "--json"])
    assert capsys.readouterr().out == before  # the same programme, to the cent


def test_a_header_with_a_scale_is_not_silently_read_in_full_units(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(renamed(demo, tmp_path, "Target (USD k)"))])
    out = capsys.readouterr().out
    assert code == 1 and "RD008" in out


def test_a_renamed_column_is_listed_first_with_what_follows_from_it_counted(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(renamed(demo, tmp_path, "Annual target"))])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[1].startswith("Fix these first")
    assert "RD008" in lines[2] and "required column 'Target'" in lines[2]
    follow = [ln for ln in lines if "finding(s) that follow from it" in ln]
    assert len(follow) == 1 and "TR002" in follow[0]
    assert not [ln for ln in lines if "[TR002]" in ln]  # counted, not listed
