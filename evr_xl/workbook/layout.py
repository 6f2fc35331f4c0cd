"""The workbook contract, declared once.

Every input sheet, its Excel table and each column with its type, required flag, dropdown list,
number format, width and help text; the Program settings; the Stage gate defaults; the output
sheets. The template, the reader, the checks and the docs all read this module, so a column is
renamed or added here and nowhere else.

Headers are the contract: the reader finds columns by header text (case- and space-insensitive,
aliases allowed), so a user may reorder or add columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from evr_xl.model.vocab import (  # noqa: F401  (re-exported: the contract's lists)
    CATEGORIES,
    COST_TYPES,
    DEFAULT_STAGE_GATES,
    ITEM_STATUSES,
    ITEM_TYPES,
    MONTHS,
    PERIOD_TYPES,
    PROGRAM_TYPES,
    RAMP_PROFILES,
    RECURRENCES,
    RISK_STATUSES,
    STAGES,
    YES_NO,
)


class Kind(str, Enum):
    """How a column's cells are read and shown."""

    TEXT = "text"
    ID = "id"  # an identifier: trimmed; compared case-insensitively
    IDS = "ids"  # comma-separated identifiers
    CHOICE = "choice"  # one of a closed list
    MONEY = "money"
    NUMBER = "number"
    PERCENT = "percent"  # 0..1 in the cell, shown as %; "45%" or 45 typed are accepted
    PERIOD = "period"  # a date inside the period, or 2026-03 / 2026-Q1 text
    DATE = "date"
    YESNO = "yesno"
    INTEGER = "integer"


FORMATS = {
    Kind.MONEY: "#,##0;[Red]-#,##0",
    Kind.NUMBER: "#,##0.00",
    Kind.PERCENT: "0%",
    Kind.PERIOD: "yyyy-mm",
    Kind.DATE: "yyyy-mm-dd",
    Kind.INTEGER: "0",
}


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    key: str  # the field name in the model
    header: str  # the header text in the workbook (the contract)
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    width: float = 14
    help: str = ""
    aliases: tuple[str, ...] = ()
    list_source: str | None = None  # a dropdown fed by another table's ID column ("Workstreams")

    @property
    def number_format(self) -> str | None:
        return FORMATS.get(self.kind)


@dataclass(frozen=True)
class Table:
    """An input sheet holding one Excel table (ListObject)."""

    sheet: str
    name: str  # the Excel table name, e.g. tblValueDrivers
    purpose: str
    columns: tuple[Column, ...]
    id_key: str | None = None  # the column holding this table's identifier
    wide_periods: bool = False  # Value Plan, Forecast: one extra column per period
    optional: bool = False  # a workbook without the sheet is complete (no RD014)
    header_row: int = 4  # rows 1-3 hold the sheet title and instructions
    how_to: str = ""

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


@dataclass(frozen=True)
class Setting:
    """One row of the Program settings table."""

    key: str
    label: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    default: object = None
    help: str = ""


C = Column  # short alias for the declarations below

PROGRAM_SETTINGS: tuple[Setting, ...] = (
    Setting("name", "Programme name", Kind.TEXT, True, help="The name shown on every report."),
    Setting(
        "program_type",
        "Programme type",
        Kind.CHOICE,
        True,
        PROGRAM_TYPES,
        "PMI",
        "PMI, Divestiture, Transformation, Technology programme, Manufacturing consolidation or Other.",
    ),
    Setting(
        "currency",
        "Currency",
        Kind.TEXT,
        True,
        default="USD",
        help="ISO code of the programme currency, e.g. USD, EUR, GBP. All money is in this currency.",
    ),
    Setting(
        "value_promise",
        "Value promise",
        Kind.MONEY,
        True,
        help="Annual run-rate value committed to the board, e.g. 100,000,000.",
    ),
    Setting(
        "promise_basis",
        "Promise basis",
        Kind.TEXT,
        help="Where the promise comes from: deal model and version.",
    ),
    Setting(
        "first_period",
        "First period",
        Kind.PERIOD,
        True,
        help="First period of the horizon: 2026-01, 2026-Q1 or a date.",
    ),
    Setting("last_period", "Last period", Kind.PERIOD, True, help="Last period of the horizon."),
    Setting(
        "period_type", "Period type", Kind.CHOICE, True, PERIOD_TYPES, "Month", "Month or Quarter."
    ),
    Setting(
        "as_of",
        "As-of period",
        Kind.PERIOD,
        True,
        help="The period the actuals run to (T). Roll forward each period.",
    ),
    Setting(
        "number_format",
        "Number format",
        Kind.CHOICE,
        choices=("1,234.56", "1.234,56"),
        help=(
            "How numbers typed as text are written: 1,234.56 (comma thousands, point decimals) "
            "or 1.234,56. Blank: a number that reads two ways, such as 800.000, is flagged."
        ),
    ),
    Setting(
        "fiscal_year_start",
        "Fiscal year start month",
        Kind.INTEGER,
        choices=MONTHS,
        default=1,
        help="1 = January. Used for fiscal-year totals.",
    ),
    Setting(
        "discount_rate",
        "Discount rate",
        Kind.PERCENT,
        help="Annual rate for the NPV of the forecast; leave blank for no NPV.",
    ),
    Setting(
        "rag_green",
        "RAG green threshold",
        Kind.PERCENT,
        default=0.95,
        help="Green when realization and exit run-rate reach this share of plan.",
    ),
    Setting(
        "rag_amber",
        "RAG amber threshold",
        Kind.PERCENT,
        default=0.80,
        help="Red below this share of plan; amber in between.",
    ),
)

PROGRAM = Table(
    sheet="Program",
    name="tblProgram",
    purpose="Programme settings: name, currency, value promise, horizon, as-of period, RAG thresholds.",
    columns=(
        C(
            "setting",
            "Setting",
            Kind.TEXT,
            True,
            width=28,
            help="The setting's name. Do not rename.",
        ),
        C("value", "Value", Kind.TEXT, False, width=24, help="Your value for the setting."),
        C("help", "Help", Kind.TEXT, width=70, help="What the setting means."),
    ),
    how_to="Fill the Value column. Required settings are in bold; their Help starts with 'Required.'",
)

STAGE_GATES = Table(
    sheet="Stage Gates",
    name="tblStageGates",
    purpose="The stage-gate ladder L0-L5 and the confidence weight applied to each stage's forecast.",
    columns=(
        C("stage", "Stage", Kind.CHOICE, True, STAGES, 8, "L0 to L5."),
        C("name", "Name", Kind.TEXT, False, width=14, help="Short name of the stage."),
        C(
            "definition",
            "Definition",
            Kind.TEXT,
            width=60,
            help="What a driver must show to be at this stage.",
        ),
        C(
            "weight",
            "Confidence weight",
            Kind.PERCENT,
            True,
            width=18,
            help="Share of the forecast counted in the confidence-weighted forecast.",
        ),
    ),
    id_key="stage",
    how_to="The defaults follow common VMO practice; change the weights only with the finance lead.",
)

WORKSTREAMS = Table(
    sheet="Workstreams",
    name="tblWorkstreams",
    purpose="The workstreams of the programme, each with a lead and a sponsor.",
    columns=(
        C(
            "workstream_id",
            "Workstream ID",
            Kind.ID,
            True,
            width=14,
            help="Short unique code, e.g. WS-PROC.",
        ),
        C("name", "Name", Kind.TEXT, True, width=28, help="Workstream name."),
        C("lead", "Lead", Kind.TEXT, width=20, help="Who runs the workstream."),
        C("sponsor", "Sponsor", Kind.TEXT, width=20, help="Executive sponsor."),
    ),
    id_key="workstream_id",
    how_to="One row per workstream. IDs are used by the other sheets' dropdowns.",
)

VALUE_DRIVERS = Table(
    sheet="Value Drivers",
    name="tblValueDrivers",
    purpose="The value-driver register: every promised benefit, its owner, KPI, target and ramp.",
    columns=(
        C("driver_id", "Driver ID", Kind.ID, True, width=11, help="Unique code, e.g. VD-001."),
        C("name", "Name", Kind.TEXT, True, width=34, help="What the benefit is."),
        C(
            "workstream_id",
            "Workstream ID",
            Kind.ID,
            True,
            width=14,
            help="The workstream that delivers it.",
            list_source="Workstreams",
        ),
        C("category", "Category", Kind.CHOICE, True, CATEGORIES, 16, "Kind of value."),
        C(
            "recurrence",
            "Recurrence",
            Kind.CHOICE,
            True,
            RECURRENCES,
            12,
            "Recurring (annual run-rate) or One-off (a total).",
        ),
        C(
            "owner",
            "Owner",
            Kind.TEXT,
            True,
            width=18,
            help="The one person accountable for the value.",
        ),
        C(
            "kpi",
            "KPI",
            Kind.TEXT,
            True,
            width=24,
            help="The measure that shows the value, e.g. 'Spend per unit'.",
        ),
        C(
            "measurement",
            "Measurement method",
            Kind.TEXT,
            True,
            width=26,
            aliases=("Measurement",),
            help="How the KPI is measured and by whom.",
        ),
        C("baseline", "Baseline", Kind.NUMBER, width=12, help="The KPI's baseline value."),
        C(
            "baseline_date",
            "Baseline date",
            Kind.DATE,
            width=12,
            help="When the baseline was taken.",
        ),
        C(
            "target",
            "Target",
            Kind.MONEY,
            True,
            width=14,
            help="Annual run-rate (Recurring) or total (One-off), a positive amount in the programme currency.",
        ),
        C("ramp_start", "Ramp start", Kind.PERIOD, True, width=11, help="First period with value."),
        C(
            "full_run_rate_by",
            "Full run-rate by",
            Kind.PERIOD,
            True,
            width=14,
            aliases=("Full run rate by",),
            help="Period from which the full run-rate is reached.",
        ),
        C(
            "ramp_profile",
            "Ramp profile",
            Kind.CHOICE,
            False,
            RAMP_PROFILES,
            12,
            "Linear (default), S-curve, Step, or Custom (from the Value Plan sheet).",
        ),
        C("stage", "Stage", Kind.CHOICE, True, STAGES, 8, "Stage gate L0-L5."),
        C(
            "finance_validated",
            "Finance validated",
            Kind.YESNO,
            False,
            YES_NO,
            12,
            "Has finance approved the business case?",
        ),
        C(
            "evidence",
            "Basis / evidence",
            Kind.TEXT,
            width=26,
            aliases=("Basis", "Evidence"),
            help="Where the number comes from.",
        ),
        C("notes", "Notes", Kind.TEXT, width=26, help="Anything else."),
    ),
    id_key="driver_id",
    how_to="One row per value driver. Target is positive; a Dis-benefit reduces net value.",
)

VALUE_PLAN = Table(
    sheet="Value Plan",
    name="tblValuePlan",
    purpose="Planned in-period value for drivers whose ramp profile is Custom, one column per period.",
    columns=(
        C(
            "driver_id",
            "Driver ID",
            Kind.ID,
            True,
            width=11,
            help="A driver whose ramp profile is Custom.",
            list_source="Value Drivers",
        ),
    ),
    id_key="driver_id",
    wide_periods=True,
    how_to="Period headers are 2026-01 (months) or 2026-Q1 (quarters); add or rename columns to match your horizon.",
)

FORECAST = Table(
    sheet="Forecast",
    name="tblForecast",
    purpose=(
        "Optional: a driver owner's committed forecast (recovery plan), in-period value by period;"
        " it replaces EVR's computed forecast for the periods after the as-of that it fills."
    ),
    columns=(
        C(
            "driver_id",
            "Driver ID",
            Kind.ID,
            True,
            width=11,
            help="The driver whose forecast its owner commits.",
            list_source="Value Drivers",
        ),
    ),
    id_key="driver_id",
    wide_periods=True,
    optional=True,
    how_to=(
        "Leave empty to let EVR forecast from today's performance. Fill only the periods after "
        "the as-of that the owner commits to (positive amounts, like the plan); a blank cell "
        "keeps EVR's forecast, a typed 0 commits zero value for that period."
    ),
)

WORKPLAN = Table(
    sheet="Workplan",
    name="tblWorkplan",
    purpose="The workplan: milestones and tasks, with the value drivers each one enables.",
    columns=(
        C("item_id", "Item ID", Kind.ID, True, width=10, help="Unique code, e.g. WP-001."),
        C(
            "workstream_id",
            "Workstream ID",
            Kind.ID,
            True,
            width=14,
            list_source="Workstreams",
            help="The workstream doing the work.",
        ),
        C("item", "Item", Kind.TEXT, True, width=36, help="What is done."),
        C("item_type", "Type", Kind.CHOICE, True, ITEM_TYPES, 11, "Milestone or Task."),
        C("owner", "Owner", Kind.TEXT, width=18, help="Who does it."),
        C("planned_start", "Planned start", Kind.DATE, width=12, help="Planned start date."),
        C(
            "planned_finish",
            "Planned finish",
            Kind.DATE,
            True,
            width=12,
            help="Planned finish date (baseline).",
        ),
        C(
            "forecast_finish",
            "Forecast finish",
            Kind.DATE,
            width=12,
            help="Current forecast finish, if it moved.",
        ),
        C("actual_finish", "Actual finish", Kind.DATE, width=12, help="When it was finished."),
        C(
            "pct_complete",
            "% complete",
            Kind.PERCENT,
            width=11,
            aliases=("Percent complete", "% Complete"),
            help="0% to 100%.",
        ),
        C(
            "status",
            "Status",
            Kind.CHOICE,
            False,
            ITEM_STATUSES,
            12,
            "Not started, In progress, Complete, At risk, Blocked or Cancelled.",
        ),
        C(
            "enables",
            "Enables drivers",
            Kind.IDS,
            width=18,
            aliases=("Enables",),
            help="Comma-separated driver IDs this item is needed for, e.g. VD-001, VD-004.",
        ),
        C("notes", "Notes", Kind.TEXT, width=24, help="Anything else."),
    ),
    id_key="item_id",
    how_to="Connect every item to the value it enables (Enables drivers). Dates are real dates.",
)

ACTUALS = Table(
    sheet="Actuals",
    name="tblActuals",
    purpose="Realized value: one row per driver and period (in-period value, not cumulative).",
    columns=(
        C(
            "driver_id",
            "Driver ID",
            Kind.ID,
            True,
            width=11,
            list_source="Value Drivers",
            help="The driver.",
        ),
        C(
            "period",
            "Period",
            Kind.PERIOD,
            True,
            width=10,
            help="2026-03, 2026-Q1 or any date in the period.",
        ),
        C(
            "realized",
            "Realized value",
            Kind.MONEY,
            True,
            width=14,
            aliases=("Realized",),
            help="Value realized in the period (not cumulative), programme currency.",
        ),
        C(
            "run_rate",
            "Run-rate",
            Kind.MONEY,
            width=14,
            aliases=("Run rate",),
            help="Annualised run-rate at period end (optional).",
        ),
        C(
            "validated",
            "Validated",
            Kind.YESNO,
            False,
            YES_NO,
            10,
            "Has finance validated this actual?",
        ),
        C(
            "evidence",
            "Source / evidence",
            Kind.TEXT,
            width=26,
            aliases=("Source", "Evidence"),
            help="Ledger, report or file the number comes from.",
        ),
        C("notes", "Notes", Kind.TEXT, width=24, help="Anything else."),
    ),
    how_to="Append one row per driver per period as actuals arrive.",
)

COSTS = Table(
    sheet="Costs",
    name="tblCosts",
    purpose="Cost to achieve: budget and actual per workstream (and driver) and period.",
    columns=(
        C(
            "workstream_id",
            "Workstream ID",
            Kind.ID,
            True,
            width=14,
            list_source="Workstreams",
            help="The workstream.",
        ),
        C(
            "driver_id",
            "Driver ID",
            Kind.ID,
            width=11,
            list_source="Value Drivers",
            help="The driver, if the cost is specific to one.",
        ),
        C(
            "period",
            "Period",
            Kind.PERIOD,
            True,
            width=10,
            help="2026-03, 2026-Q1 or any date in the period.",
        ),
        C("budget", "Budget", Kind.MONEY, width=14, help="Budgeted cost to achieve."),
        C("actual", "Actual", Kind.MONEY, width=14, help="Actual cost to achieve."),
        C("cost_type", "Type", Kind.CHOICE, False, COST_TYPES, 11, "One-off or Recurring."),
    ),
    how_to="One row per workstream, period (and driver where known).",
)

RISKS = Table(
    sheet="Risks",
    name="tblRisks",
    purpose="Risks to value: probability x impact, split over the drivers each risk names.",
    columns=(
        C("risk_id", "Risk ID", Kind.ID, True, width=10, help="Unique code, e.g. R-001."),
        C("risk", "Risk", Kind.TEXT, True, width=36, help="What could happen."),
        C(
            "driver_ids",
            "Driver IDs",
            Kind.IDS,
            width=16,
            help="Comma-separated driver IDs at risk.",
        ),
        C("probability", "Probability", Kind.PERCENT, True, width=12, help="0% to 100%."),
        C(
            "impact",
            "Impact",
            Kind.MONEY,
            True,
            width=14,
            help="Value lost if it happens, programme currency.",
        ),
        C("owner", "Owner", Kind.TEXT, width=18, help="Who manages the risk."),
        C("mitigation", "Mitigation", Kind.TEXT, width=30, help="What is being done."),
        C("status", "Status", Kind.CHOICE, False, RISK_STATUSES, 10, "Open or Closed."),
    ),
    id_key="risk_id",
    how_to="Only Open risks count towards value at risk.",
)

INPUT_TABLES: tuple[Table, ...] = (
    PROGRAM,
    STAGE_GATES,
    WORKSTREAMS,
    VALUE_DRIVERS,
    VALUE_PLAN,
    WORKPLAN,
    ACTUALS,
    COSTS,
    RISKS,
    FORECAST,
)
TABLES_BY_SHEET = {t.sheet: t for t in INPUT_TABLES}

# Sheets that must exist for a workbook to be usable at all; the others are optional.
REQUIRED_SHEETS = ("Program", "Value Drivers", "Workplan")

START_HERE = "Start Here"
LISTS_SHEET = "Lists"  # hidden: the dropdown lists (so they are not limited to 255 characters)


@dataclass(frozen=True)
class OutputSheet:
    sheet: str
    purpose: str


OUTPUT_SHEETS: tuple[OutputSheet, ...] = (
    OutputSheet(
        "Dashboard", "The programme at a glance: KPI tiles, workstreams, top value at risk."
    ),
    OutputSheet(
        "Driver Metrics", "One row per value driver: plan, realized, forecast, value at risk, RAG."
    ),
    OutputSheet("Workstream Metrics", "Task completion vs value realization per workstream."),
    OutputSheet("Findings", "Every traceability finding with a link to the cell to fix."),
    OutputSheet(
        "Snapshots",
        "One snapshot of the key figures (targets included) per refresh: how the forecast moved.",
    ),
)
OUTPUT_SHEET_NAMES = tuple(o.sheet for o in OUTPUT_SHEETS)

# Colour legend shared by the template, the outputs and the board pack.
COLOURS = {
    "input": "FFF2CC",  # pale yellow: cells you fill
    "header": "1F3864",  # dark blue header band, white text
    "computed": "E7E6E6",  # grey: computed by EVR, do not edit
    "green": "C6EFCE",
    "amber": "FFEB9C",
    "red": "FFC7CE",
}


@dataclass(frozen=True)
class Legend:
    items: tuple[tuple[str, str], ...] = field(
        default=(
            ("input", "Input cell: yours to fill."),
            ("computed", "Output: written by EVR on refresh; do not edit."),
            ("green", "Green: on track (>= green threshold)."),
            ("amber", "Amber: watch (between the thresholds)."),
            ("red", "Red: off track (< amber threshold)."),
        )
    )


def normalise_header(text: object) -> str:
    """Header text as compared by the reader: case-, space- and punctuation-tolerant."""
    s = str(text or "").strip().lower().replace("\u00a0", " ")
    for ch in "*_/-.":
        s = s.replace(ch, " ")
    return " ".join(s.split())
