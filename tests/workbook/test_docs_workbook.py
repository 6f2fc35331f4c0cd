"""docs/workbook.md is generated from the contract and cannot drift from it."""

from __future__ import annotations

from pathlib import Path

from evr_xl.workbook import layout
from evr_xl.workbook.guide import GUIDE_PATH, render_workbook_guide

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "workbook.md"


def test_committed_guide_equals_generated_text():
    assert GUIDE_PATH == COMMITTED
    assert COMMITTED.read_text(encoding="utf-8") == render_workbook_guide(), (
        "docs/workbook.md is stale: run python -m evr_xl.workbook.guide"
    )


def test_guide_documents_every_sheet_column_and_setting():
    text = render_workbook_guide()
    for table in layout.INPUT_TABLES:
        assert f"## {table.sheet}\n" in text and f"`{table.name}`" in text
        for column in table.columns:
            required = "yes" if column.required else ""
            assert f"| {column.header} | {required} |" in text, column.header
            for alias in column.aliases:
                assert f"'{alias}'" in text
    for setting in layout.PROGRAM_SETTINGS:
        assert f"| {setting.label} | {'yes' if setting.required else ''} |" in text
    assert "| RAG green threshold |  | Percent (`0%`) | 95% |" in text
    for stage, name, _, weight in layout.DEFAULT_STAGE_GATES:
        assert f"| {stage} | {name} |" in text and f"| {weight:.0%} |" in text
    for out in layout.OUTPUT_SHEETS:
        assert f"| {out.sheet} |" in text


def test_guide_lists_dropdown_values():
    text = render_workbook_guide()
    assert "| Category | yes | Choice | Cost synergy, Revenue synergy," in text
    assert "| Workstream ID | yes | ID | IDs from Workstreams |" in text
