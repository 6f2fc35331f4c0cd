"""User text in output sheets: never a formula, never broken XML, read back as written."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from evr_xl.outputs.file import render_workbook
from evr_xl.xlsx.sheet import (
    EXCEL_MAX_TEXT,
    CellSpec,
    SheetSpec,
    escape_csv_cell,
    escape_text,
    looks_like_formula,
    sheet_name_problem,
)


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+A1", "-2+3", "@SUM(A1)", '  =HYPERLINK("x")', "\t=1", "\r\n=1", "\n@x"],
)
def test_formula_like_text_is_recognised(text: str) -> None:
    assert looks_like_formula(text)
    assert escape_csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Total", "a=b", "VD-001", "", " x", "100"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert not looks_like_formula(text)
    assert escape_csv_cell(text) == text


def test_csv_escape_leaves_numbers_and_prefixes_tab_and_cr() -> None:
    assert escape_csv_cell(-5) == -5 and escape_csv_cell(None) is None
    assert escape_csv_cell("\tx") == "'\tx" and escape_csv_cell("\rx") == "'\rx"


def test_escape_text_strips_illegal_characters_and_caps_length() -> None:
    assert escape_text("a\x00b\x0bc\x1fd\ufffe\tok\n") == "abcd\tok\n"
    long = escape_text("x" * (EXCEL_MAX_TEXT + 10))
    assert len(long) == EXCEL_MAX_TEXT and long.endswith("…")


def test_sheet_names_excel_refuses() -> None:
    assert sheet_name_problem("Driver Metrics") is None
    for bad in ("", "a" * 32, "a/b", "x[1]", "'quoted'", "what?"):
        assert sheet_name_problem(bad)
        with pytest.raises(ValueError, match="bad sheet name"):
            SheetSpec(bad)


def test_a_literal_ooxml_escape_survives(blank: bytes) -> None:
    data = render_workbook(blank, [SheetSpec("Out", [CellSpec(1, 1, "_x0041_ and _x005F_")])]).data
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Out").to_python()
    assert cal[0][0] == "_x0041_ and _x005F_"  # Excel decodes _xHHHH_ the same way


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_any_text_round_trips(blank: bytes, texts: list[str]) -> None:
    cells = [CellSpec(i + 1, 1, t) for i, t in enumerate(texts)]
    data = render_workbook(blank, [SheetSpec("Out", cells)]).data
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Out")
    grid = cal.to_python(skip_empty_area=False)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Out"]
    for i, text in enumerate(texts):
        expected = escape_text(text)
        got = grid[i][0] if i < len(grid) else ""
        assert got == expected
        cell = ws.cell(i + 1, 1)
        if not re.search(r"_x[0-9A-Fa-f]{4}_", text):  # openpyxl does not decode _xHHHH_
            assert cell.value == (expected or None)
        if expected:
            assert cell.data_type == "s"
            assert bool(cell.quotePrefix) == looks_like_formula(expected)
