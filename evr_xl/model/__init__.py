"""Domain records: what a programme workbook holds, each record with the cell it came from."""

from evr_xl.model.cellref import CellRef
from evr_xl.model.periods import Period, PeriodType
from evr_xl.model.records import (
    Actual,
    Cost,
    ForecastRow,
    ProgramData,
    ProgramSettings,
    Risk,
    StageGate,
    ValueDriver,
    ValuePlanRow,
    WorkItem,
    Workstream,
)

__all__ = [
    "Actual",
    "CellRef",
    "Cost",
    "Period",
    "PeriodType",
    "ProgramData",
    "ProgramSettings",
    "Risk",
    "StageGate",
    "ValueDriver",
    "ForecastRow",
    "ValuePlanRow",
    "WorkItem",
    "Workstream",
]
