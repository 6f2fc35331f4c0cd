"""The workbook guide (docs/workbook.md), generated from the contract in layout.py.

A test compares the committed docs/workbook.md with `render_workbook_guide()`, so the guide
cannot drift from the contract. Regenerate with `python -m evr_xl.workbook.guide [PATH]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evr_xl.workbook import layout, start_here
from evr_xl.workbook.layout import FORMATS, Column, Kind, Setting, Table
from evr_xl.workbook.template import DEFAULT_PLAN_PERIODS, VALIDATION_ROWS

GUIDE_PATH = Path(__file__).resolve().parents[2] / "docs" / "workbook.md"

KIND_NAMES = {
    Kind.TEXT: "Text",
    Kind.ID: "ID",
    Kind.IDS: "IDs, comma-separated",
    Kind.CHOICE: "Choice",
    Kind.MONEY: "Money",
    Kind.NUMBER: "Number",
    Kind.PERCENT: "Percent",
    Kind.PERIOD: "Period",
    Kind.DATE: "Date",
    Kind.YESNO: "Yes/No",
    Kind.INTEGER: "Whole number",
}


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _kind(kind: Kind) -> str:
    fmt = FORMATS.get(kind)
    return f"{KIND_NAMES[kind]} (`{fmt}`)" if fmt else KIND_NAMES[kind]


def _dropdown(column: Column) -> str:
    if column.choices:
        return ", ".join(column.choices)
    if column.list_source:
        return f"IDs from {column.list_source}"
    return ""


def _columns_table(table: Table) -> list[str]:
    lines = [
        "| Header | Required | Type | Dropdown | Help |",
        "|---|---|---|---|---|",
    ]
    for c in table.columns:
        help_text = c.help
        if c.aliases:
            help_text += " Also accepted as header: " + ", ".join(f"'{a}'" for a in c.aliases) + "."
        lines.append(
            f"| {_cell(c.header)} | {'yes' if c.required else ''} | {_kind(c.kind)} "
            f"| {_cell(_dropdown(c))} | {_cell(help_text)} |"
        )
    return lines


def _default(setting: Setting) -> str:
    value = setting.default
    if value is None:
        return ""
    if setting.kind is Kind.PERCENT and isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def _settings_table() -> list[str]:
    lines = [
        "| Setting | Required | Type | Default | Choices | Help |",
        "|---|---|---|---|---|---|",
    ]
    for s in layout.PROGRAM_SETTINGS:
        lines.append(
            f"| {_cell(s.label)} | {'yes' if s.required else ''} | {_kind(s.kind)} "
            f"| {_cell(_default(s))} | {_cell(', '.join(s.choices))} | {_cell(s.help)} |"
        )
    return lines


def _sheet_section(table: Table) -> list[str]:
    lines = [
        f"## {table.sheet}",
        "",
        f"{table.purpose} {table.how_to}".strip(),
        "",
        f"Excel table `{table.name}`; headers in row {table.header_row}, data from row "
        f"{table.header_row + 1}.",
        "",
    ]
    if table is layout.PROGRAM:
        lines += [
            "One row per setting. The Setting text is how EVR finds a setting: do not rename it.",
            "",
            *_settings_table(),
            "",
            "Columns of the table:",
            "",
        ]
    lines += _columns_table(table)
    if table is layout.STAGE_GATES:
        lines += ["", "Defaults:", "", "| Stage | Name | Definition | Confidence weight |"]
        lines.append("|---|---|---|---|")
        for stage, name, definition, weight in layout.DEFAULT_STAGE_GATES:
            lines.append(f"| {stage} | {name} | {_cell(definition)} | {weight:.0%} |")
    if table.wide_periods:
        lines += [
            "",
            "After the Driver ID, one column per period, headed by the period label "
            f"(the template has {DEFAULT_PLAN_PERIODS[0]} to {DEFAULT_PLAN_PERIODS[-1]}); "
            "each cell is the "
            + ("committed" if table is layout.FORECAST else "planned")
            + f" in-period value in the programme currency (`{FORMATS[Kind.MONEY]}`).",
        ]
    if table is layout.FORECAST:
        lines += [
            "",
            "How a committed forecast is used, and the findings it can raise (FC001 for a period "
            "up to the as-of or outside the horizon, FC002 for an amount above the plan): "
            "[metrics](metrics.md#7-forecast--value-driven), [findings](findings.md#fc001).",
        ]
    return [*lines, ""]


def render_workbook_guide() -> str:
    """The full text of docs/workbook.md."""
    lines = [
        "# The programme workbook",
        "",
        "<!-- Generated from evr_xl/workbook/layout.py by evr_xl.workbook.guide; do not edit. -->",
        "",
        start_here.INTRO,
        "",
        "One workbook per programme. Each input sheet holds one Excel table. **Headers are the "
        "contract**: EVR finds columns by header text (case, spaces and punctuation do not "
        "matter; the listed aliases are accepted too), so you may reorder columns or add your "
        "own, but do not rename them. In the template, required columns say *required* above "
        "their header, every header has a comment with its help, and the dropdowns reach "
        f"{VALIDATION_ROWS} rows below the header.",
        "",
        "Periods: a cell may hold an Excel date (any day inside the period) or text `2026-03` / "
        "`2026-Q1`. Percentages are fractions shown as % (type `45%`). Money is in the "
        "programme currency.",
        "",
        "## How to fill it",
        "",
        *[f"{i}. {step}" for i, step in enumerate(start_here.STEPS, start=1)],
        "",
        "## Sheets",
        "",
        "| Sheet | Excel table | What it is for |",
        "|---|---|---|",
        *[f"| {t.sheet} | `{t.name}` | {_cell(t.purpose)} |" for t in layout.INPUT_TABLES],
        "",
        f"Sheets that must exist: {', '.join(layout.REQUIRED_SHEETS)}. The template also has "
        f"'{layout.START_HERE}' (this guide in short) and a hidden '{layout.LISTS_SHEET}' sheet "
        "holding the dropdown lists.",
        "",
    ]
    for table in layout.INPUT_TABLES:
        lines += _sheet_section(table)
    lines += [
        "## Output sheets",
        "",
        start_here.OUTPUTS_NOTE,
        "",
        "| Sheet | What it shows |",
        "|---|---|",
        *[f"| {o.sheet} | {_cell(o.purpose)} |" for o in layout.OUTPUT_SHEETS],
        "",
        "## Colour legend",
        "",
        "| Colour | Meaning |",
        "|---|---|",
        *[
            f"| `#{layout.COLOURS[key]}` ({key}) | {_cell(text)} |"
            for key, text in layout.Legend().items
        ],
        "",
        "## Next steps",
        "",
        *[f"- `{command}`: {text}" for command, text in start_here.NEXT_STEPS],
        "",
        start_here.EXCEL_NOTE,
        "",
    ]
    return "\n".join(lines)


def write_workbook_guide(path: str | Path = GUIDE_PATH) -> Path:
    """Write the guide to `path` (docs/workbook.md by default)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_workbook_guide(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_workbook_guide(*sys.argv[1:2]))
