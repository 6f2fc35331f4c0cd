"""EVR-XL worksheet functions: one short shim per function over evr_xl.excel.udf_core.

Classic xlwings UDFs (the BSD part: ``xw.func``, ``xw.arg``, ``xw.ret``), category "EVR-XL".
Excel shows each docstring as the function's description (first 255 characters) and each
``doc=`` as the argument's help. Table arguments are whole tables with their header row, e.g.
``tblValueDrivers[#All]``; they arrive "raw" (as COM passes them) so that a repeat call is a
cache lookup — see udf_core. Names use underscores: the VBA wrappers xlwings generates are
named after the Python function, and VBA names cannot contain dots. docs/excel.md lists every
function with an example formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import xlwings as xw

from evr_xl.excel import udf_core as core

CATEGORY = "EVR-XL"
TABLE_DOCS = {
    "program": "The Program table with its header row: tblProgram[#All]",
    "drivers": "The Value Drivers table with its header row: tblValueDrivers[#All]",
    "workplan": "The Workplan table with its header row: tblWorkplan[#All]",
    "actuals": "The Actuals table with its header row: tblActuals[#All]",
    "risks": "Optional. The Risks table: tblRisks[#All] (without it, value at risk has no risk exposure)",
    "value_plan": "Optional. The Value Plan table: tblValuePlan[#All] (for Custom ramps)",
    "stage_gates": "Optional. The Stage Gates table: tblStageGates[#All] (default weights without it)",
    "workstreams": "Optional. The Workstreams table: tblWorkstreams[#All]",
    "costs": "Optional. The Costs table: tblCosts[#All]",
    "forecast": "Optional. The Forecast table: tblForecast[#All] (owners' committed forecasts)",
}
AS_OF_DOC = (
    "Optional. The as-of period (a date or text such as 2026-03); blank = the Program setting"
)
DRIVER_DOC = 'The driver ID, e.g. "VD-001" or a cell holding it'
PERIOD_DOC = "A period (a date or text such as 2026-03); blank = to date (up to the as-of period)"

F = TypeVar("F", bound=Callable[..., Any])


def described(func: F) -> F:
    """Declare `func`'s arguments to xlwings: tables and IDs arrive raw, each with its help text.

    Apply it under ``@xw.func(category=CATEGORY)``: xlwings resets the category whenever another
    of its decorators is applied later, so ``xw.func`` must be the outermost.
    """
    names = func.__code__.co_varnames[: func.__code__.co_argcount]
    for name in names:
        if name in TABLE_DOCS:
            func = xw.arg(name, "raw", doc=TABLE_DOCS[name])(func)
        elif name == "as_of":
            func = xw.arg(name, "raw", doc=AS_OF_DOC)(func)
        elif name == "driver_id":
            func = xw.arg(name, "raw", doc=DRIVER_DOC)(func)
        elif name == "period":
            func = xw.arg(name, "raw", doc=PERIOD_DOC)(func)
    return func


def _tables(*values: Any) -> tuple[Any, ...]:
    return core.table_args(*values)


# --- Tables that spill ------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.ret("raw")
@described
def EVR_DRIVER_METRICS(
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Spills the driver metrics table (one row per value driver, with a header row): plan and realized to date, realization %, run-rate, slippage, forecast exit run-rate, value at risk, confidence-weighted forecast and value RAG."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_metrics(tables, as_of)


@xw.func(category=CATEGORY)
@xw.ret("raw")
@described
def EVR_FINDINGS(
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    workstreams=None,
    costs=None,
    forecast=None,
):
    """Spills every finding (cells the reader could not accept, traceability checks), errors first: severity, code, cell, message and suggested fix. Pass all tables for a complete check."""
    tables = _tables(
        program,
        drivers,
        workplan,
        actuals,
        risks,
        value_plan,
        stage_gates,
        workstreams,
        costs,
        forecast,
    )
    return core.findings_table(tables)


# --- One driver -------------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@described
def EVR_PLAN(
    driver_id,
    period,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Planned value of one driver in a period (signed: a dis-benefit is negative); with the period left blank, the plan to date up to the as-of period."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_in_period(driver_id, period, "plan", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_REALIZED(
    driver_id,
    period,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Realized value of one driver in a period (empty after the as-of period); with the period left blank, the realized value to date."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_in_period(driver_id, period, "actual", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_REALIZATION_PCT(
    driver_id,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Realization % of one driver: realized to date / plan to date (empty while nothing is planned to date). Format the cell as %."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_value(driver_id, "realization_pct", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_EXIT_RUN_RATE(
    driver_id,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Forecast exit run-rate of one driver: the annual run-rate expected at the end of the horizon, after slippage, with today's performance carried forward (or the owner's committed forecast)."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_value(driver_id, "forecast_exit_run_rate", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_VALUE_AT_RISK(
    driver_id,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Value at risk of one driver after the as-of period: plan lost to slipping enabling work, plus under-performance carried forward, plus its share of open risks (probability x impact, capped at its remaining forecast)."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_value(driver_id, "value_at_risk", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_RAG(
    driver_id,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Value RAG of one driver: Green, Amber or Red, from three tests (run-rate now vs plan, forecast exit run-rate vs target, forecast vs plan in the horizon) against the Program's RAG thresholds."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_value(driver_id, "rag", tables, as_of)


@xw.func(category=CATEGORY)
@xw.arg("metric", doc='A header of EVR_DRIVER_METRICS, e.g. "Plan to date" or "Value at risk"')
@described
def EVR_DRIVER(
    driver_id,
    metric,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Any metric of one driver, named by a header of EVR_DRIVER_METRICS, e.g. "Plan to date", "Slip (periods)" or "Confidence-weighted forecast"."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.driver_value(driver_id, metric, tables, as_of)


# --- The programme ----------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@described
def EVR_PROGRAM_VAR(
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Value at risk of the programme: slippage plus under-performance plus open-risk exposure, summed over all drivers."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.program_value("value_at_risk", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_GAP_TO_PROMISE(
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Gap to promise: the value promise minus the sum of the drivers' forecast exit run-rates (positive = short of the promise)."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.program_value("gap_to_promise", tables, as_of)


@xw.func(category=CATEGORY)
@described
def EVR_CONFIDENCE_FORECAST(
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    forecast=None,
):
    """Confidence-weighted forecast of the programme: realized to date plus each driver's remaining forecast times its stage's confidence weight, summed."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, None, forecast
    )
    return core.program_value("confidence_weighted_forecast", tables, as_of)


@xw.func(category=CATEGORY)
@xw.arg("metric", doc='A programme figure, e.g. "realized_to_date", "value_at_risk" or "net_value"')
@described
def EVR_PROGRAM(
    metric,
    program,
    drivers,
    workplan,
    actuals,
    risks=None,
    value_plan=None,
    stage_gates=None,
    as_of=None,
    costs=None,
    forecast=None,
):
    """Any programme figure by name, e.g. "realized_to_date", "net_value", "reconciliation_gap", "rag" or "as_of" (list in docs/excel.md). Pass tblCosts[#All] for cost and net value."""
    tables = _tables(
        program, drivers, workplan, actuals, risks, value_plan, stage_gates, None, costs, forecast
    )
    return core.program_value(metric, tables, as_of)
