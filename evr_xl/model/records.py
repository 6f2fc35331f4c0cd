"""Pydantic records for everything in the workbook contract (shared/design/PRODUCT.md).

Records are immutable. Every record read from a sheet carries `ref`, the CellRef of its row's
first cell (row-level), and where each field was read from, so a check can point at the exact cell
to fix: `record.cell(key)`. A table's records share one `columns` mapping (field -> column on the
record's row: one dict for the whole table, not one address per cell); `cells` holds addresses
off the row (the Program settings, one per row) or given by hand. Values are already normalised by the reader: IDs trimmed,
periods as the first day of the period, percentages as fractions (0.45), Yes/No as bool.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
)

from evr_xl.model.cellref import CellRef, cell_at
from evr_xl.model.periods import PeriodType
from evr_xl.model.vocab import DEFAULT_STAGE_GATES


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: CellRef | None = None
    cells: dict[str, CellRef] = Field(default_factory=dict, repr=False)
    # field -> 1-based column on ref's row; the reader gives all rows of a table the same dict
    columns: dict[str, int] = Field(default_factory=dict, repr=False)

    def cell(self, key: str) -> CellRef | None:
        """The cell a field was read from (falls back to the row)."""
        cell = self.cells.get(key)
        if cell is not None:
            return cell
        col = self.columns.get(key)
        ref = self.ref
        if col is None or ref is None:
            return ref
        return ref if col == ref.col else cell_at(ref.sheet, ref.row, col)


class ProgramSettings(Record):
    name: str = "Untitled programme"
    program_type: str = "Other"
    currency: str = "USD"
    value_promise: float = 0.0
    promise_basis: str | None = None
    first_period: date
    last_period: date
    period_type: PeriodType = PeriodType.MONTH
    as_of: date
    fiscal_year_start: int = 1
    number_format: str | None = None  # "1,234.56" or "1.234,56"; None: flag what reads two ways
    discount_rate: float | None = None
    rag_green: float = 0.95
    rag_amber: float = 0.80


class StageGate(Record):
    stage: str
    name: str | None = None
    definition: str | None = None
    weight: float


class Workstream(Record):
    workstream_id: str
    name: str
    lead: str | None = None
    sponsor: str | None = None


class ValueDriver(Record):
    driver_id: str
    name: str
    workstream_id: str
    category: str
    recurrence: str  # "Recurring" | "One-off"
    owner: str | None = None
    kpi: str | None = None
    measurement: str | None = None
    baseline: float | None = None
    baseline_date: date | None = None
    target: float
    ramp_start: date
    full_run_rate_by: date
    ramp_profile: str = "Linear"
    stage: str = "L0"
    finance_validated: bool = False
    evidence: str | None = None
    notes: str | None = None

    @property
    def is_recurring(self) -> bool:
        return self.recurrence == "Recurring"

    @property
    def is_disbenefit(self) -> bool:
        return self.category == "Dis-benefit"

    @property
    def sign(self) -> int:
        """+1 for a benefit, -1 for a dis-benefit (its target is typed positive)."""
        return -1 if self.is_disbenefit else 1


class ValuePlanRow(Record):
    """A Custom ramp: planned in-period value by period (first day of the period)."""

    driver_id: str
    values: dict[date, float]


class ForecastRow(Record):
    """A committed forecast (Forecast sheet): the owner's in-period amounts by period (first day
    of the period), typed positive like the Value Plan. It replaces the computed forecast of its
    driver for the periods after the as-of that it fills."""

    driver_id: str
    values: dict[date, float]


class WorkItem(Record):
    item_id: str
    workstream_id: str
    item: str
    item_type: str = "Task"  # "Milestone" | "Task"
    owner: str | None = None
    planned_start: date | None = None
    planned_finish: date
    forecast_finish: date | None = None
    actual_finish: date | None = None
    pct_complete: float | None = None
    status: str | None = None
    enables: tuple[str, ...] = ()
    notes: str | None = None

    @property
    def is_complete(self) -> bool:
        return (
            self.status == "Complete"
            or self.actual_finish is not None
            or (self.pct_complete is not None and self.pct_complete >= 1.0)
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == "Cancelled"


class Actual(Record):
    driver_id: str
    period: date
    realized: float
    run_rate: float | None = None
    validated: bool = False
    evidence: str | None = None
    notes: str | None = None


class Cost(Record):
    workstream_id: str
    driver_id: str | None = None
    period: date
    budget: float | None = None
    actual: float | None = None
    cost_type: str | None = None


class Risk(Record):
    risk_id: str
    risk: str
    driver_ids: tuple[str, ...] = ()
    probability: float
    impact: float
    owner: str | None = None
    mitigation: str | None = None
    status: str = "Open"

    @property
    def is_open(self) -> bool:
        return self.status != "Closed"


TABLE_FIELDS = (
    "stage_gates", "workstreams", "drivers", "value_plan", "workplan", "actuals", "costs", "risks",
    "committed_forecast",
)  # fmt: skip


class ProgramData(BaseModel):
    """Everything the engine and the checks need, as read from one workbook.

    Each table is a sequence of records: a tuple, or (from the reader) TableRecords, which makes
    a record when it is first asked for (model/table.py).
    """

    model_config = ConfigDict(frozen=True)

    source: str = ""  # the file name (or book name) it was read from
    settings: ProgramSettings
    stage_gates: Sequence[StageGate] = ()
    workstreams: Sequence[Workstream] = ()
    drivers: Sequence[ValueDriver] = ()
    value_plan: Sequence[ValuePlanRow] = ()
    workplan: Sequence[WorkItem] = ()
    actuals: Sequence[Actual] = ()
    costs: Sequence[Cost] = ()
    risks: Sequence[Risk] = ()
    committed_forecast: Sequence[ForecastRow] = ()  # the optional Forecast sheet

    @field_serializer(*TABLE_FIELDS, mode="wrap")
    def _table(self, value: Sequence[Record], handler: SerializerFunctionWrapHandler) -> Any:
        """A table dumps as a tuple of records, whichever sequence holds them."""
        return handler(tuple(value))

    def with_as_of(self, period: date) -> ProgramData:
        """The same programme seen from another as-of period (the file is not changed)."""
        return self.model_copy(
            update={"settings": self.settings.model_copy(update={"as_of": period})}
        )

    def stage_weights(self) -> dict[str, float]:
        weights = {s: w for s, _n, _d, w in DEFAULT_STAGE_GATES}
        weights.update({g.stage: g.weight for g in self.stage_gates})
        return weights
