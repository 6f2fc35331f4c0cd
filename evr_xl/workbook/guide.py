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


READING_POLICY = [
    "## Reading policy: every cell read as meant, or flagged at that cell",
    "",
    "A cell is either read exactly as a careful person would read it, or flagged at that cell "
    "with what was typed, how it would be read, and what to type instead — never a different "
    "value silently. Numbers typed as numbers are numbers; the rules below are for what people "
    "type as text. (Code: `evr_xl/workbook/cells.py`; findings: [findings.md](findings.md).)",
    "",
    "| kind | accepted, and how it is read | flagged |",
    "|---|---|---|",
    "| money, numbers | `1250000`, `1,250,000`, `1.250.000`, `1 250 000`, `1'250'000`; "
    "`1,234.56` and `1.234,56` (the last mark is the decimal mark); `(2,500)` and `-2500` are "
    "negative; `50k`, `1.2M`, `2bn`; the programme's own currency before or after (`€50k`, "
    "`EUR 50k`, `50k EUR`; `$` for a dollar programme); `-` (an accountant's nil) is 0; `n/a`, "
    "`tbd` are blank | a number that reads two ways when the Program's *Number format* is blank: "
    "`800.000` (800 or 800,000?), `1,250`, `(2,500)` — **RD018**, not counted; separators that "
    "contradict the Number format — RD002; another currency's symbol or code (`$200,000`, "
    "`£50k`, `USD 50k` in a EUR programme) — **RD019**, not counted |",
    "| percentages | `45%`, `0.45`, `45` (45%) | `1.5` (150% or 1.5%?) — RD018; a share "
    "outside 0–100% (`150%`, `-10%`) — **RD020** (Warning), the nearest bound is used |",
    "| periods | a date (any day in the period), `2026-07`, `2026/07`, `07/2026`, `Jul-26`, "
    "`July 2026`, `2026-Q3`, `Q3 2026`, a date as text (`31/07/2026`, `2026-07-31`) | a quarter in "
    "a monthly programme (which month?) — RD004, not booked; `04/11/2026` (4 November or "
    "11 April?) — RD004 with both readings |",
    "| dates | a date cell, `2026-03-31`, `31/03/2026`, `31 Mar 2026`, `31.03.2026` | "
    "`04/11/2026` — RD003 with both readings |",
    "| yes/no | `Yes`, `Y`, `True`, `1`, `x` (a tick), `Ja`, `Oui`, `Sí`; `No`, `N`, `False`, "
    "`0`, `Nein`, `Non` | anything else — RD006 (read as No) |",
    "| signs | targets, Value Plan, Forecast, actuals and run-rates are typed positive, in the "
    "driver's own terms; a Dis-benefit's amounts are the size of the loss (EVR subtracts them); "
    "a benefit's negative actual is a reversal | a Dis-benefit typed negative — **SG001**, read "
    "as the same loss, never as a benefit; a benefit's negative target — SG002, read as typed; "
    "a benefit's negative actual — AC004 |",
    "| IDs | trimmed, inner spaces collapsed, upper case: ` vd-007 ` is `VD-007` | — |",
    "",
    "Set the Program sheet's *Number format* (`1,234.56` or `1.234,56`) so that numbers typed "
    "as text with one separator read one way.",
    "",
]


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
    lines += READING_POLICY
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
