"""The logic behind the worksheet functions (udfs/evr_functions.py), free of xlwings.

A worksheet function hands its table arguments here. They become grids and go through the same
reader as a file (`read_grids`), then the engine (`compute`) and, for findings, the checks. What
comes back is Excel-ready: numbers, text, or "" for an empty cell; a problem is a short text such
as ``#EVR! Program!B7: Value promise is required`` — never an exception.

Cache (ARCHITECTURE.md: UDFs are pure functions of their arguments): results are kept in small
module-level LRU maps keyed on the CONTENT of the arguments — Python's 64-bit hash of the value
tuples Excel passes — so a sheet full of calls on the same tables reads and computes once. There
is no other state: change a cell and the content, hence the key, changes. The few values Python
hashes like another value (-1 and -2; TRUE and 1; see udf_args.hash_twin) are noted with their
cells when an entry is made, and a repeat call finds the entry only if those cells still hold
exactly the same values.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from evr_xl.engine import Results, compute
from evr_xl.engine.frames import key as id_key
from evr_xl.excel.udf_args import cells_at, grid_for, hash_twin, period_arg, text_arg
from evr_xl.findings import Finding, Severity, finding, sort_findings
from evr_xl.model import ProgramData
from evr_xl.model.periods import label_of, ordinal
from evr_xl.outputs.sheets import DRIVER_COLUMNS as SHEET_COLUMNS
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import WorkbookError
from evr_xl.workbook.reader import read_grids

log = logging.getLogger(__name__)

ERROR_PREFIX = "#EVR! "
MAX_ERROR_TEXT = 255
Cell = str | float | bool

# The table arguments, in the order every worksheet function takes them.
TABLE_ORDER: tuple[L.Table, ...] = (
    L.PROGRAM,
    L.VALUE_DRIVERS,
    L.WORKPLAN,
    L.ACTUALS,
    L.RISKS,
    L.VALUE_PLAN,
    L.STAGE_GATES,
    L.WORKSTREAMS,
    L.COSTS,
    L.FORECAST,
)
REQUIRED_ARGS = 4  # program, drivers, workplan, actuals

# The driver metrics table a worksheet function spills: the columns of the Driver Metrics sheet
# (one list, so the spilled table and the refreshed sheet cannot drift): (Results column, header).
DRIVER_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.key, c.header) for c in SHEET_COLUMNS)
FINDING_HEADERS = ("Severity", "Code", "Cell", "Message", "Fix")

EVALUATIONS = 16  # programmes (table contents x as-of) kept
OUTPUTS = 64  # spilled tables kept

AS_OF = -1  # the argument index of the as-of argument in Twins


@dataclass(frozen=True)
class Twins:
    """The cells of one argument that hold hash twins (udf_args.hash_twin), with their values."""

    index: int  # of the argument in the tables, or AS_OF
    rows: tuple[int, ...]
    columns: tuple[int, ...]
    values: tuple[Any, ...]
    kinds: tuple[type, ...]

    @classmethod
    def of(cls, index: int, cells: list[tuple[int, int, Any]]) -> Twins:
        rows, columns, values = zip(*cells, strict=True)
        return cls(index, rows, columns, values, tuple(map(type, values)))

    def hold(self, tables: tuple[Any, ...], as_of: Any) -> bool:
        """Whether these arguments hold exactly (same kind, same value) the values noted."""
        try:
            arg = as_of if self.index == AS_OF else tables[self.index]
            now = cells_at(arg, self.rows, self.columns)
        except (IndexError, TypeError):
            return False
        return list(map(type, now)) == list(self.kinds) and now == list(self.values)


class UdfError(Exception):
    """A problem to show in the cell instead of a value (the message, without the prefix)."""


@dataclass
class Evaluation:
    """One programme read from table arguments, computed lazily, cached on their content."""

    data: ProgramData | None
    findings: list[Finding]  # the reader's
    passed: tuple[bool, ...]  # which table arguments were given
    twins: tuple[Twins, ...] = ()  # the cells whose values the cache key cannot tell apart
    _results: Results | None = None
    _checked: list[Finding] | None = None
    _driver_keys: dict[str, str] = field(default_factory=dict)

    @property
    def results(self) -> Results:
        if self.data is None:
            raise UdfError(settings_problem(self.findings))
        if self._results is None:
            self._results = compute(self.data)
            self._driver_keys = {id_key(d): d for d in self._results.drivers.index}
        return self._results

    def driver(self, driver_id: Any) -> str:
        """The driver's ID as stored in the results, found case-insensitively."""
        wanted = text_arg(driver_id)
        if not wanted:
            raise UdfError('give a driver ID, e.g. "VD-001"')
        results = self.results
        found = self._driver_keys.get(id_key(wanted))
        if found is None:
            raise UdfError(
                f"driver {wanted} not found in {L.VALUE_DRIVERS.name} "
                f"({len(results.drivers)} drivers read)"
            )
        return found

    @property
    def all_findings(self) -> list[Finding]:
        if self._checked is None:
            checked: list[Finding] = []
            if self.data is not None:
                from evr_xl.checks import run_checks  # noqa: PLC0415 (heavy; only for findings)

                checked = run_checks(self.data, self.results)
            self._checked = sort_findings(self.findings + checked)
        return self._checked


class LRU(OrderedDict[Any, tuple[Any, tuple[Twins, ...]]]):
    """A small least-recently-used map of values made from worksheet-function arguments."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(
        self,
        key: Any,
        args: tuple[tuple[Any, ...], Any],
        make: Callable[[], tuple[Any, tuple[Twins, ...]]],
    ) -> Any:
        """The value kept under `key` if its twin cells hold in `args` (tables, as_of); else
        make() it — (value, twins) — and keep it."""
        entry = self.get(key)
        if entry is not None and all(t.hold(*args) for t in entry[1]):
            self.move_to_end(key)
            return entry[0]
        value, twins = make()
        self[key] = (value, twins)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)
        return value


_evaluations = LRU(EVALUATIONS)
_outputs = LRU(OUTPUTS)


def clear_cache() -> None:
    """Forget every cached programme and output (tests; a 'recalculate from scratch')."""
    _evaluations.clear()
    _outputs.clear()


def content_key(tables: tuple[Any, ...], as_of: Any = None) -> int:
    """The cache key of the arguments' content: a 64-bit hash of the value tuples.

    Excel (through COM) passes tuples of tuples, which Python hashes in C without a copy; only
    arguments holding lists (from other callers) are converted first.
    """
    try:
        return hash((tables, as_of))
    except TypeError:
        return hash((_hashable(tables), _hashable(as_of)))


def _hashable(value: Any) -> Any:
    """COM passes tuples (hashable as they are); lists from elsewhere become tuples."""
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, tuple) and any(isinstance(v, list) for v in value):
        return tuple(_hashable(v) for v in value)
    return value


def evaluate(tables: tuple[Any, ...], as_of: Any = None) -> Evaluation:
    """The programme in these table arguments (cached on their content)."""

    def make() -> tuple[Evaluation, tuple[Twins, ...]]:
        ev = _read(tables, as_of)
        return ev, ev.twins

    return _evaluations.get_or(content_key(tables, as_of), (tables, as_of), make)


def _cached_output(
    name: str, tables: tuple[Any, ...], as_of: Any, make: Callable[[Evaluation], Any]
) -> Any:
    """An output made from the evaluation of these arguments, cached with the evaluation's twins."""

    def made() -> tuple[Any, tuple[Twins, ...]]:
        ev = evaluate(tables, as_of)
        return make(ev), ev.twins

    return _outputs.get_or((name, content_key(tables, as_of)), (tables, as_of), made)


def _read(tables: tuple[Any, ...], as_of: Any) -> Evaluation:
    tables = tuple(tables) + (None,) * (len(TABLE_ORDER) - len(tables))
    for table, value in zip(TABLE_ORDER[:REQUIRED_ARGS], tables, strict=False):
        if value is None:
            raise UdfError(f"{table.name}[#All] is required (the {table.sheet} table)")
    period, problem = period_arg(as_of)
    if problem:
        raise UdfError(f"as_of: {problem}")
    grids = {}
    twins = [Twins.of(AS_OF, [(0, 0, as_of)])] if hash_twin(as_of) else []
    for index, (t, v) in enumerate(zip(TABLE_ORDER, tables, strict=True)):
        if v is not None:
            cells: list[tuple[int, int, Any]] = []
            grids[t.sheet] = grid_for(t, v, cells)
            if cells:
                twins.append(Twins.of(index, cells))
    data, findings = read_grids(grids, source="worksheet function")
    findings = [_not_passed(f) if f.code == "RD014" else f for f in findings]
    if data is not None and period is not None:
        data = data.with_as_of(period)
    return Evaluation(data, findings, tuple(t is not None for t in tables), tuple(twins))


def _not_passed(f: Finding) -> Finding:
    """RD014 reworded for a function: the table was not passed, rather than a sheet missing."""
    sheet = f.cell.sheet if f.cell else ""
    name = L.TABLES_BY_SHEET[sheet].name if sheet in L.TABLES_BY_SHEET else sheet
    return finding("RD014", f"{name} not passed to the function; treated as empty", f.cell)


def settings_problem(findings: list[Finding]) -> str:
    """Why the Program table could not be used: the first error on it."""
    for f in findings:
        if f.cell and f.cell.sheet == L.PROGRAM.sheet and f.severity is Severity.ERROR:
            return f.render()
    for f in findings:
        if f.cell and f.cell.sheet == L.PROGRAM.sheet:
            return f.render()
    return f"the settings in {L.PROGRAM.name} could not be read"


# --- Excel-ready values --------------------------------------------------------------------------


def excel_value(value: Any) -> Cell:
    """A result value as Excel shows it: float, text, bool, or "" for empty (None, NaN)."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def error_text(message: str) -> str:
    """The short text shown in a cell instead of a value."""
    text = " ".join(str(message).split())
    return (ERROR_PREFIX + text)[:MAX_ERROR_TEXT]


F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Turn any exception into a short #EVR! text: a cell never shows a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UdfError as exc:
            return error_text(str(exc))
        except WorkbookError as exc:
            return error_text(str(exc))
        except Exception as exc:  # a programming error: logged for us, short for the user
            log.exception("worksheet function %s failed", func.__name__)
            return error_text(f"internal error in {func.__name__}: {type(exc).__name__}: {exc}")

    return wrapper  # type: ignore[return-value]


# --- What the worksheet functions return ------------------------------------------------------


@guarded
def driver_metrics(tables: tuple[Any, ...], as_of: Any = None) -> tuple[tuple[Cell, ...], ...]:
    """The driver metrics table with its header row (cached: a repeat call is a lookup)."""
    return _cached_output("driver_metrics", tables, as_of, _driver_table)


def _driver_table(ev: Evaluation) -> tuple[tuple[Cell, ...], ...]:
    frame = ev.results.drivers
    header = tuple(h for _k, h in DRIVER_COLUMNS)
    columns = [excel_column(frame[k].tolist()) for k, _h in DRIVER_COLUMNS]
    return (header, *zip(*columns, strict=True))


def excel_column(values: list[Any]) -> list[Cell]:
    """`excel_value` of each value: a column of finite floats, or of texts, is as it is."""
    kinds = set(map(type, values))
    if kinds <= _TEXTS or (kinds <= _FLOATS and math.isfinite(sum(values))):
        return values
    return list(map(excel_value, values))


_TEXTS = frozenset({str, bool})
_FLOATS = frozenset({float})


@guarded
def findings_table(tables: tuple[Any, ...]) -> tuple[tuple[Cell, ...], ...]:
    """Every finding (reader and checks), errors first, with a header row."""

    def make(ev: Evaluation) -> tuple[tuple[Cell, ...], ...]:
        rows = tuple((f.severity.value, f.code, f.where, f.message, f.fix) for f in ev.all_findings)
        return (FINDING_HEADERS, *rows) if rows else (FINDING_HEADERS, ("", "", "", "none", ""))

    return _cached_output("findings", tables, None, make)


def _column(name: Any) -> str:
    """A driver metric named by its column key or its header (case-insensitive)."""
    wanted = text_arg(name).casefold()
    for k, h in DRIVER_COLUMNS:
        if wanted in (k, h.casefold()):
            return k
    names = ", ".join(h for _k, h in DRIVER_COLUMNS)
    raise UdfError(f"unknown metric '{text_arg(name)}'; use one of: {names}")


@guarded
def driver_value(driver_id: Any, metric: Any, tables: tuple[Any, ...], as_of: Any = None) -> Cell:
    """One metric of one driver, e.g. ('VD-001', 'value_at_risk')."""
    column = _column(metric)
    ev = evaluate(tables, as_of)
    return excel_value(ev.results.drivers.at[ev.driver(driver_id), column])


@guarded
def driver_in_period(
    driver_id: Any, period: Any, what: str, tables: tuple[Any, ...], as_of: Any = None
) -> Cell:
    """Plan or realized value of a driver in one period; to date (up to as-of) when blank.

    `what` is "plan" or "actual". Realized value of a period after the as-of period is empty:
    nothing is realized yet as of that date.
    """
    ev = evaluate(tables, as_of)
    driver = ev.driver(driver_id)
    results = ev.results
    wanted, problem = period_arg(period)
    if problem:
        raise UdfError(f"period: {problem}")
    if wanted is None:
        column = "plan_to_date" if what == "plan" else "realized_to_date"
        return excel_value(results.drivers.at[driver, column])
    h = results.horizon
    n = ordinal(wanted, h.period_type)
    if not h.first <= n <= h.last:
        raise UdfError(
            f"period {label_of(wanted, h.period_type)} is outside the horizon "
            f"{h.label(h.first)}..{h.label(h.last)}"
        )
    frame = results.plan if what == "plan" else results.actual
    if n not in frame.columns:
        return ""
    return excel_value(frame.at[driver, n])


PROGRAM_FIGURES = tuple(
    k
    for k in (
        "value_promise",
        "sum_targets",
        "reconciliation_gap",
        "plan_to_date",
        "realized_to_date",
        "realized_validated",
        "realized_unvalidated",
        "realization_pct",
        "run_rate_achieved",
        "planned_run_rate",
        "plan_in_horizon",
        "forecast_in_horizon",
        "planned_exit_run_rate",
        "forecast_exit_run_rate",
        "gap_to_promise",
        "slippage_var",
        "performance_var",
        "risk_exposure",
        "value_at_risk",
        "confidence_weighted_forecast",
        "cost_budget",
        "cost_budget_to_date",
        "cost_actual_to_date",
        "cost_variance_to_date",
        "net_value",
        "npv",
        "rag_now",
        "rag_exit",
        "rag_horizon",
        "rag",
        "as_of",
        "currency",
        "n_drivers",
        "n_items",
        "n_slipping_milestones",
    )
)


@guarded
def program_value(metric: Any, tables: tuple[Any, ...], as_of: Any = None) -> Cell:
    """One programme figure, e.g. 'value_at_risk' or 'gap_to_promise'."""
    name = text_arg(metric).casefold().replace(" ", "_").replace("-", "_")
    if name not in PROGRAM_FIGURES:
        raise UdfError(
            f"unknown programme figure '{text_arg(metric)}'; use one of: "
            + ", ".join(PROGRAM_FIGURES)
        )
    return excel_value(getattr(evaluate(tables, as_of).results.program, name))


def table_args(*values: Any) -> tuple[Any, ...]:
    """The table arguments as one tuple in TABLE_ORDER, trailing omitted ones dropped."""
    out = list(values)
    while out and out[-1] is None:
        out.pop()
    return tuple(out)
