"""The worksheet functions through xlwings' real UDF machinery (registration, VBA, call_udf).

Each call goes through `xlwings.udfs.call_udf` with Excel-shaped values built from the demo
workbook's tables, and must give what the engine computes from the file itself.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from excel_shapes import ALL_TABLES, METRIC_TABLES, ordered, scaled, table_args

from evr_xl.checks import run_checks
from evr_xl.demo import write_demo
from evr_xl.engine import compute
from evr_xl.excel import udf_core
from evr_xl.workbook.files import read_program

MODULE = "udfs.evr_functions"
MISSING = -2147352572  # what VBA passes for an omitted optional argument
FUNCTIONS = (
    "EVR_DRIVER_METRICS",
    "EVR_FINDINGS",
    "EVR_PLAN",
    "EVR_REALIZED",
    "EVR_REALIZATION_PCT",
    "EVR_EXIT_RUN_RATE",
    "EVR_VALUE_AT_RISK",
    "EVR_RAG",
    "EVR_DRIVER",
    "EVR_PROGRAM_VAR",
    "EVR_GAP_TO_PROMISE",
    "EVR_CONFIDENCE_FORECAST",
    "EVR_PROGRAM",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo")).path


@pytest.fixture(scope="module")
def tables(demo: Path) -> dict[str, Any]:
    return table_args(demo)


@pytest.fixture(scope="module")
def expected(demo: Path) -> Any:
    data, _ = read_program(demo)
    assert data is not None
    return compute(data)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    udf_core.clear_cache()


def call(xl: Any, name: str, *args: Any) -> Any:
    """Call through xlwings; a scalar comes back as xlwings hands it to Excel: a 1x1 array."""
    xlwings_udfs, _module = xl
    got = xlwings_udfs.call_udf(MODULE, name, args, None, None)
    if isinstance(got, list):
        assert len(got) == 1 and len(got[0]) == 1, got
        return got[0][0]
    return got


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return got == ""
    if isinstance(want, int | float) and not isinstance(want, bool):
        return isinstance(got, float) and math.isclose(
            got, float(want), rel_tol=1e-12, abs_tol=1e-6
        )
    return got == want


# --- (a) registration and VBA -----------------------------------------------------------------


def test_every_function_registers_with_category_and_help(xl: Any) -> None:
    _udfs, module = xl
    registered = sorted(n for n in dir(module) if hasattr(getattr(module, n), "__xlfunc__"))
    assert registered == sorted(FUNCTIONS)
    for name in FUNCTIONS:
        info = getattr(module, name).__xlfunc__
        assert info["category"] == "EVR-XL"
        doc = info["ret"]["doc"]
        assert doc and len(doc) <= 255, name  # Excel's description box takes 255 characters
        for arg in info["args"]:
            assert not arg["doc"].startswith("Positional argument"), (name, arg["name"])
            assert len(arg["doc"]) <= 255


def test_table_arguments_arrive_raw_and_spilling_results_leave_raw(xl: Any) -> None:
    _udfs, module = xl
    info = module.EVR_DRIVER_METRICS.__xlfunc__
    assert all(a["options"].get("convert") == "raw" for a in info["args"])
    assert info["ret"]["options"].get("convert") == "raw"
    assert [a["name"] for a in info["args"] if "optional" in a] == [
        "risks",
        "value_plan",
        "stage_gates",
        "as_of",
        "forecast",
    ]


def test_generated_vba_declares_every_function(xl: Any) -> None:
    xlwings_udfs, module = xl
    out = io.StringIO()
    xlwings_udfs.generate_vba_wrapper(MODULE, module, out, mock.MagicMock(Name="evr.xlam"))
    vba = out.getvalue()
    for name in FUNCTIONS:
        assert f"Function {name}(" in vba
        assert f'XLPy.CallUDF("{MODULE}", "{name}"' in vba
    assert (
        "Function EVR_DRIVER_METRICS(program, drivers, workplan, actuals, Optional risks, "
        "Optional value_plan, Optional stage_gates, Optional as_of, Optional forecast)" in vba
    )
    assert "ActiveWorkbook" in vba  # an add-in calls with the active workbook


# --- (b) values through call_udf ----------------------------------------------------------------


def test_driver_metrics_equal_the_engine_on_the_demo(xl: Any, tables: Any, expected: Any) -> None:
    got = call(
        xl, "EVR_DRIVER_METRICS", *ordered(tables, *METRIC_TABLES), MISSING, tables["tblForecast"]
    )
    header, rows = got[0], got[1:]
    assert header == tuple(h for _k, h in udf_core.DRIVER_COLUMNS)
    frame = expected.drivers
    assert [r[0] for r in rows] == list(frame.index)
    for (key, _h), col in zip(udf_core.DRIVER_COLUMNS, zip(*rows, strict=True), strict=True):
        for got_value, want in zip(col, frame[key].tolist(), strict=True):
            assert same(got_value, want), (key, got_value, want)


def test_committed_forecasts_count_only_when_the_forecast_table_is_passed(
    xl: Any, tables: Any, expected: Any
) -> None:
    args = ordered(tables, *METRIC_TABLES)
    committed = "VD-026"  # the demo's committed recovery
    want = expected.drivers.at[committed, "forecast_exit_run_rate"]
    with_it = call(xl, "EVR_EXIT_RUN_RATE", committed, *args, MISSING, tables["tblForecast"])
    assert same(with_it, want)
    without = call(xl, "EVR_EXIT_RUN_RATE", committed, *args, MISSING)
    assert without < want  # computed from today's 55% run-rate, below the owner's commitment


def test_driver_scalars_equal_the_engine(xl: Any, tables: Any, expected: Any) -> None:
    args = ordered(tables, *METRIC_TABLES)
    d = expected.drivers
    for driver in ("VD-001", "VD-008", "VD-020", "VD-007"):
        row = d.loc[driver]
        assert same(call(xl, "EVR_REALIZATION_PCT", driver, *args, MISSING), row.realization_pct)
        assert same(
            call(xl, "EVR_EXIT_RUN_RATE", driver, *args, MISSING), row.forecast_exit_run_rate
        )
        assert same(call(xl, "EVR_VALUE_AT_RISK", driver, *args, MISSING), row.value_at_risk)
        assert call(xl, "EVR_RAG", driver, *args, MISSING) == row.rag
        assert same(
            call(xl, "EVR_DRIVER", driver, "Plan to date", *args, MISSING), row.plan_to_date
        )
        assert same(call(xl, "EVR_PLAN", driver, None, *args, MISSING), row.plan_to_date)
        assert same(call(xl, "EVR_REALIZED", driver, None, *args, MISSING), row.realized_to_date)
    # a driver ID in other case, a period as a date cell, as text, and as DATE() typed inline
    march = expected.horizon.ordinal(dt.date(2026, 3, 1))
    want_plan = expected.plan.at["VD-001", march]
    for period in (dt.datetime(2026, 3, 17), "2026-03", 46082.0):
        assert same(call(xl, "EVR_PLAN", "vd-001", period, *args, MISSING), want_plan)
    assert same(
        call(xl, "EVR_REALIZED", "VD-001", "2026-03", *args, MISSING),
        expected.actual.at["VD-001", march],
    )
    assert call(xl, "EVR_REALIZED", "VD-001", "2027-03", *args, MISSING) == ""  # after as-of


def test_programme_figures_equal_the_engine(
    xl: Any, tables: Any, expected: Any, demo: Path
) -> None:
    args = ordered(tables, *METRIC_TABLES)
    forecast = tables["tblForecast"]
    p = expected.program
    assert same(call(xl, "EVR_PROGRAM_VAR", *args, MISSING, forecast), p.value_at_risk)
    assert same(call(xl, "EVR_GAP_TO_PROMISE", *args, MISSING, forecast), p.gap_to_promise)
    assert same(
        call(xl, "EVR_CONFIDENCE_FORECAST", *args, MISSING, forecast),
        p.confidence_weighted_forecast,
    )
    net = call(xl, "EVR_PROGRAM", "net value", *args, MISSING, tables["tblCosts"])
    assert same(net, p.net_value)
    perf = call(xl, "EVR_PROGRAM", "performance_var", *args, MISSING, MISSING, forecast)
    assert same(perf, p.performance_var)
    assert call(xl, "EVR_PROGRAM", "rag", *args, MISSING, MISSING) == p.rag


def test_optional_tables_may_be_omitted(xl: Any, tables: Any) -> None:
    core = ordered(tables, "tblProgram", "tblValueDrivers", "tblWorkplan", "tblActuals")
    got = call(xl, "EVR_DRIVER_METRICS", *core, MISSING, MISSING, MISSING, MISSING)
    assert len(got) == 41 and got[0][0] == "Driver ID"
    risk = udf_core.DRIVER_COLUMNS.index(("risk_exposure", "Risk exposure"))
    assert all(r[risk] == 0.0 for r in got[1:])  # no risks passed, no risk exposure


def test_as_of_argument_moves_the_as_of_period(xl: Any, tables: Any, demo: Path) -> None:
    data, _ = read_program(demo)
    assert data is not None
    moved = data.model_copy(
        update={"settings": data.settings.model_copy(update={"as_of": dt.date(2026, 3, 1)})}
    )
    want = compute(moved).drivers
    got = call(xl, "EVR_DRIVER_METRICS", *ordered(tables, *METRIC_TABLES), dt.datetime(2026, 3, 1))
    col = udf_core.DRIVER_COLUMNS.index(("plan_to_date", "Plan to date"))
    assert [r[col] for r in got[1:]] == pytest.approx(want["plan_to_date"].tolist())


def test_findings_equal_reader_and_checks(xl: Any, tables: Any, demo: Path) -> None:
    data, read_findings = read_program(demo)
    assert data is not None
    want = {(f.code, f.where, f.message) for f in read_findings + run_checks(data)}
    got = call(xl, "EVR_FINDINGS", *ordered(tables, *ALL_TABLES))
    assert got[0] == udf_core.FINDING_HEADERS
    assert {(r[1], r[2], r[3]) for r in got[1:]} == want
    severities = [r[0] for r in got[1:]]
    assert severities == sorted(severities, key=["Error", "Warning", "Info"].index)


# --- problems show as short text, never a traceback --------------------------------------------


def test_problems_are_short_error_texts(xl: Any, tables: Any) -> None:
    args = ordered(tables, *METRIC_TABLES)
    got = call(xl, "EVR_RAG", "VD-999", *args, MISSING)
    assert got.startswith("#EVR! driver VD-999 not found in tblValueDrivers")
    got = call(xl, "EVR_PLAN", "VD-001", "2031-01", *args, MISSING)
    assert got == "#EVR! period 2031-01 is outside the horizon 2025-01..2027-12"
    got = call(xl, "EVR_DRIVER", "VD-001", "colour", *args, MISSING)
    assert got.startswith("#EVR! unknown metric 'colour'; use one of: Driver ID, Name")
    assert call(xl, "EVR_PROGRAM_VAR", *args, "soon").startswith(
        "#EVR! as_of: 'soon' is not a period"
    )
    got = call(xl, "EVR_DRIVER_METRICS", None, *args[1:], MISSING)
    assert got.startswith("#EVR! tblProgram[#All] is required")
    for text in (got,):
        assert len(text) <= 255 and "Traceback" not in text


def test_unusable_program_names_the_cell(xl: Any, tables: Any) -> None:
    program = tuple(
        (r[0], "lots", *r[2:]) if r[0] == "Value promise" else r for r in tables["tblProgram"]
    )
    row = 4 + [r[0] for r in program].index("Value promise")
    args = (program, *ordered(tables, *METRIC_TABLES[1:]))
    got = call(xl, "EVR_DRIVER_METRICS", *args, MISSING)
    assert got.startswith(f"#EVR! Program!B{row}: Value promise:"), got


def test_error_cells_become_findings(xl: Any, tables: Any) -> None:
    drivers = list(tables["tblValueDrivers"])
    header = drivers[0]
    target = header.index("Target")
    drivers[3] = tuple(-2146826246 if i == target else v for i, v in enumerate(drivers[3]))
    args = (tables["tblProgram"], tuple(drivers), *ordered(tables, *ALL_TABLES[2:]))
    got = call(xl, "EVR_FINDINGS", *args)
    cell = f"Value Drivers!{chr(65 + target)}7"
    assert any(r[2] == cell and "#N/A" in r[3] and r[1] == "RD011" for r in got[1:]), cell


def test_internal_errors_do_not_leak_a_traceback(xl: Any, tables: Any) -> None:
    with mock.patch.object(udf_core, "compute", side_effect=ZeroDivisionError("boom")):
        got = call(xl, "EVR_RAG", "VD-001", *ordered(tables, *METRIC_TABLES), MISSING)
    assert got == "#EVR! internal error in driver_value: ZeroDivisionError: boom"


# --- the cache: keyed on content, fast when nothing changed -------------------------------------


def test_repeat_calls_read_and_compute_once(xl: Any, tables: Any) -> None:
    args = (*ordered(tables, *METRIC_TABLES), MISSING)
    with mock.patch.object(udf_core, "compute", wraps=udf_core.compute) as spy:
        first = call(xl, "EVR_DRIVER_METRICS", *args)
        copy = tuple(tuple(tuple(r) for r in t) if isinstance(t, tuple) else t for t in args)
        again = call(xl, "EVR_DRIVER_METRICS", *copy)  # equal content, new objects (as COM)
        call(xl, "EVR_RAG", "VD-001", *copy)
        call(xl, "EVR_PROGRAM_VAR", *copy)
    assert again is first
    assert spy.call_count == 1


def test_changed_content_is_recomputed(xl: Any, tables: Any) -> None:
    args = ordered(tables, *METRIC_TABLES)
    before = call(xl, "EVR_REALIZED", "VD-001", None, *args, MISSING)
    actuals = tables["tblActuals"]
    row = next(i for i, r in enumerate(actuals) if r[0] == "VD-001")
    changed = list(actuals)
    changed[row] = (actuals[row][0], actuals[row][1], actuals[row][2] + 1000.0, *actuals[row][3:])
    args2 = (*args[:3], tuple(changed), *args[4:])
    assert call(xl, "EVR_REALIZED", "VD-001", None, *args2, MISSING) == before + 1000.0


# Python hashes these pairs alike (-1 is reserved, so hash(-1.0) == hash(-2.0); equal numbers of
# different types hash alike), so the hash of the arguments cannot tell such an edit. The
# direction from a number to TRUE/FALSE is not caught (docs/excel.md, "The cache").
TWIN_EDITS = [(-1.0, -2.0), (-2.0, -1.0), (True, 1.0), (False, 0.0)]


@pytest.mark.parametrize(("old", "new"), TWIN_EDITS, ids=lambda v: repr(v))
def test_edit_between_values_python_hashes_alike_is_recomputed(
    xl: Any, tables: Any, old: Any, new: Any
) -> None:
    def with_realized(value: Any) -> tuple[Any, ...]:
        actuals = tables["tblActuals"]
        row = next(i for i, r in enumerate(actuals) if r[0] == "VD-001")
        edited = list(actuals)
        edited[row] = (*actuals[row][:2], value, *actuals[row][3:])
        args = ordered(tables, *METRIC_TABLES)
        return (*args[:3], tuple(edited), *args[4:], MISSING)

    assert hash(with_realized(old)) == hash(with_realized(new))  # the case this test is about
    for name, extra in (("EVR_DRIVER_METRICS", ()), ("EVR_REALIZED", ("VD-001", None))):
        udf_core.clear_cache()
        call(xl, name, *extra, *with_realized(old))
        after_edit = call(xl, name, *extra, *with_realized(new))
        udf_core.clear_cache()
        assert after_edit == call(xl, name, *extra, *with_realized(new)), name
    udf_core.clear_cache()
    before = call(xl, "EVR_FINDINGS", *with_realized(old)[:-1])
    after_edit = call(xl, "EVR_FINDINGS", *with_realized(new)[:-1])
    udf_core.clear_cache()
    assert after_edit == call(xl, "EVR_FINDINGS", *with_realized(new)[:-1])
    assert before != after_edit or old in (-1.0, -2.0)


def test_noted_cells_hold_only_with_the_same_kind_and_value() -> None:
    table = (("Flag", "Amount"), (True, -1.0), (2.0, None))
    twins = udf_core.Twins.of(0, [(1, 0, True), (1, 1, -1.0)])
    assert twins.hold((table,), None)
    assert twins.hold(([["Flag", "Amount"], [True, -1.0], [2.0, None]],), None)  # lists too
    assert not twins.hold(((table[0], (1.0, -1.0), table[2]),), None)
    assert not twins.hold(((table[0], (True, -2.0), table[2]),), None)
    assert not twins.hold(((table[0],),), None)  # a shorter table: not the same arguments
    assert not twins.hold((), None)
    as_of = udf_core.Twins.of(udf_core.AS_OF, [(0, 0, True)])
    assert as_of.hold((), True) and not as_of.hold((), 1.0)


def reads_during(xl: Any, args: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times the tables are read (grids -> records) for a second, identical call.

    Speed is measured by the benchmark (benchmarks/run.py), not here: this pins the mechanism
    that makes a repeated call cheap — the second call is a cache lookup, not a re-read.
    """
    xlwings_udfs, _module = xl
    xlwings_udfs.call_udf(MODULE, "EVR_DRIVER_METRICS", args, None, None)  # fill the cache
    reads = []
    real = udf_core._read
    monkeypatch.setattr(udf_core, "_read", lambda *a: reads.append(1) or real(*a))
    again = xlwings_udfs.call_udf(MODULE, "EVR_DRIVER_METRICS", args, None, None)
    assert again[0][0] == "Driver ID"
    return len(reads)


def test_repeated_spilling_call_is_a_cache_lookup(
    xl: Any, tables: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert reads_during(xl, (*ordered(tables, *METRIC_TABLES), MISSING), monkeypatch) == 0


def test_spilling_call_on_1000_drivers(
    xl: Any, tables: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = scaled(tables, 25)
    args = (*ordered(big, *METRIC_TABLES), MISSING)
    assert len(call_rows := xl[0].call_udf(MODULE, "EVR_DRIVER_METRICS", args, None, None)) == 1001
    assert call_rows[0][0] == "Driver ID"
    assert reads_during(xl, args, monkeypatch) == 0
