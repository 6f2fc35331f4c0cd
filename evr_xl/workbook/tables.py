"""Long tables: one row per record (Stage Gates, Workstreams, Value Drivers, Workplan, Actuals,
Costs, Risks) and the Program settings' cells.

The header row is found by its text (layout.py is the contract), so users may reorder or add
columns and leave blank rows; each cell is parsed by its column's kind (cells.py); every cell that
cannot be accepted becomes a finding naming the cell. The table is read column by column
(TableRead) and its records are made when first asked for (TableRecords).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from operator import gt, is_not, itemgetter, not_
from typing import Any

from pydantic import ValidationError

from evr_xl.findings import Finding, finding
from evr_xl.model import CellRef
from evr_xl.model.cellref import cell_at
from evr_xl.model.table import TableRecords
from evr_xl.workbook import cells as parse
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import Grid

HEADER_SCAN_ROWS = 30
CURRENCY_CODES_LOWER = frozenset(c.lower() for c in parse.CURRENCY_CODES)
MAX_TEXT = 32767


def parse_cell(
    column: L.Column | L.Setting, value: Any, ctx: parse.ReadContext = parse.PLAIN
) -> parse.Parsed:
    """Parse one cell according to its column kind, in the programme's context (currency,
    number format, period type)."""
    if parse.is_error_value(value):
        return None, parse.error_problem(value)
    kind = column.kind
    if kind is L.Kind.TEXT:
        text, _ = parse.parse_text(value)
        if text and len(text) > MAX_TEXT:
            return text[
                :MAX_TEXT
            ], f"the text is {len(text):,} characters long (Excel keeps {MAX_TEXT:,})"
        return text, None
    if kind is L.Kind.ID:
        return parse.parse_id(value)
    if kind is L.Kind.IDS:
        return parse.parse_ids(value)
    if kind is L.Kind.CHOICE:
        if isinstance(column, L.Setting) and column.key == "fiscal_year_start":
            return parse.parse_integer(value)
        return parse.parse_choice(value, column.choices)
    if kind in (L.Kind.MONEY, L.Kind.NUMBER):
        return parse.parse_number(value, ctx)
    if kind is L.Kind.PERCENT:
        return parse.parse_percent(value, ctx, bounded=column.key != "discount_rate")
    if kind is L.Kind.INTEGER:
        return parse.parse_integer(value)
    if kind is L.Kind.DATE:
        return parse.parse_date(value)
    if kind is L.Kind.PERIOD:
        return parse.parse_period_cell(value, ctx)
    if kind is L.Kind.YESNO:
        return parse.parse_yesno(value)
    raise AssertionError(f"unhandled column kind {kind}")  # a programming error


_PROBLEM_CODE = {
    L.Kind.MONEY: "RD002",
    L.Kind.NUMBER: "RD002",
    L.Kind.INTEGER: "RD002",
    L.Kind.DATE: "RD003",
    L.Kind.PERIOD: "RD004",
    L.Kind.CHOICE: "RD005",
    L.Kind.YESNO: "RD006",
    L.Kind.PERCENT: "RD007",
    L.Kind.TEXT: "RD016",
}


def problem_finding(column: L.Column | L.Setting, cell: CellRef, problem: str) -> Finding:
    is_error = problem.startswith(("the cell holds the error", "the formula in the cell has no"))
    own = getattr(problem, "code", None)  # cells.Problem: ambiguous, another currency, range
    code = "RD011" if is_error else own or _PROBLEM_CODE.get(column.kind, "RD002")
    label = column.header if isinstance(column, L.Column) else column.label
    fix = None
    if column.kind is L.Kind.CHOICE and column.choices:
        fix = "Pick a value from the cell's dropdown."
    return finding(code, f"{label}: {problem}", cell, fix)


_NOTE = re.compile(r"\s*[(\[].*?[)\]]\s*")  # "(USD)", "[k]"
_SCALE = re.compile(r"[\s(\[,]('?000s?|k|m|mn|mm|bn|thousands?|millions?)[\s)\]]*$")
_UNIT = re.compile(r"\s+(in\s+)?([a-z]{3}|[$€£¥₹₩%]|k|m|'000|000s?)$")


def header_base(text: object) -> str:
    """A header without the unit or note finance people add to it: 'Target (USD)', 'Target,
    USD', 'Target [k]', 'Target in EUR', 'Target USD' -> 'target'. Tried only when the header
    as typed is not one of the table's."""
    raw = str(text or "").lower()
    if _SCALE.search(raw):
        return ""  # 'Target (USD k)': amounts in thousands would be read 1,000x too small
    s = _NOTE.sub(" ", raw).split(",")[0].strip()
    for _ in range(2):
        m = _UNIT.search(s)
        if m and (
            m.group(2) in CURRENCY_CODES_LOWER or not m.group(2).isalpha() or len(m.group(2)) < 3
        ):
            s = s[: m.start()].strip()
    return L.normalise_header(s)


@dataclass
class HeaderMap:
    row: int  # 1-based header row
    columns: dict[str, int]  # column key -> 1-based column
    extra: dict[int, Any]  # other header cells: column -> header value


def find_header(grid: Grid, table: L.Table) -> tuple[HeaderMap | None, list[Finding]]:
    """Locate the header row by the most matching headers in the first rows; map columns."""
    wanted: dict[str, str] = {}
    for c in table.columns:
        for h in (c.header, *c.aliases):
            wanted[L.normalise_header(h)] = c.key
    best_row, best_hits = 0, 0
    for r in range(1, min(grid.n_rows, HEADER_SCAN_ROWS) + 1):
        row = grid.rows[r - 1]
        hits = len({wanted[n] for v in row if (n := L.normalise_header(v)) in wanted})
        if hits > best_hits:
            best_row, best_hits = r, hits
    required = table.required
    if best_hits == 0 or best_hits < min(2, len(table.columns)) and not table.wide_periods:
        headers = ", ".join(c.header for c in required)
        return None, [
            finding(
                "RD010",
                f"no header row with the columns {headers} in the first {HEADER_SCAN_ROWS} rows",
                CellRef(sheet=grid.sheet),
            )
        ]
    findings: list[Finding] = []
    columns: dict[str, int] = {}
    extra: dict[int, Any] = {}
    for ci, v in enumerate(grid.rows[best_row - 1], start=1):
        key = wanted.get(L.normalise_header(v)) or wanted.get(header_base(v))
        if key is None:
            if v is not None:
                extra[ci] = v
            continue
        if key in columns:
            findings.append(
                finding(
                    "RD009",
                    f"the header '{v}' appears twice (also in column "
                    f"{CellRef(sheet=grid.sheet, row=best_row, col=columns[key]).coordinate}); "
                    "the first one is used",
                    CellRef(sheet=grid.sheet, row=best_row, col=ci),
                )
            )
            continue
        columns[key] = ci
    for c in required:
        if c.key not in columns:
            findings.append(
                finding(
                    "RD008",
                    f"required column '{c.header}' not found in the header row {best_row}",
                    CellRef(sheet=grid.sheet, row=best_row, col=1),
                )
            )
    return HeaderMap(best_row, columns, extra), findings


@dataclass
class TableRead:
    """A table as read, column by column (the reader works per column: faster on large tables).

    ``values[field][i]`` is the parsed value of the table's i-th row under the header (None for a
    blank or bad cell); ``rows`` the indices of the rows that count (not blank), in reading order;
    ``missing`` the headers of required values that are blank or bad, by row index. One
    ``columns`` dict (field -> column) is shared by every record of the table (Record.columns).
    """

    sheet: str
    first: int  # the sheet row of index 0
    size: int  # rows under the header (the length of each values list)
    columns: dict[str, int]
    values: dict[str, list[Any]]
    rows: list[int]
    missing: dict[int, list[str]]

    def fill(self, key: str, default: Any) -> None:
        """A default for a field left blank (or without a column)."""
        column = self.values.get(key)
        if column is None:
            self.values[key] = [default] * self.size
        elif None in column:
            self.values[key] = [default if v is None else v for v in column]


def read_table(
    grid: Grid,
    table: L.Table,
    kind: type | None = None,
    ctx: parse.ReadContext = parse.PLAIN,
) -> tuple[TableRead | None, list[Finding]]:
    """The table's rows, parsed column by column (see TableRead); findings for bad cells.

    A blank required cell is a finding here only when the record cannot exist without it (the
    model requires it); accountability fields (owner, KPI, ...) are left to the checks, which
    report them with their own codes, so the driver still counts.
    """
    needed = {k for k, f in kind.model_fields.items() if f.is_required()} if kind else None
    header, findings = find_header(grid, table)
    if header is None:
        return None, findings
    absent = {c.key for c in table.required if c.key not in header.columns}
    if absent and (needed is None or absent & needed):
        return None, findings  # a column no record can do without: RD008 says which
    plan = [(table.column(k), ci) for k, ci in header.columns.items()]
    sheet, first = grid.sheet, header.row + 1  # `first`: the sheet row of raw[0]
    raw = grid.rows[header.row :]
    width = max(ci for _c, ci in plan)
    if raw and min(map(len, raw)) < width:
        raw = [r if len(r) >= width else [*r, *[None] * (width - len(r))] for r in raw]
    # the grid's columns, in one C pass (zip stops at the shortest row: all reach `width`)
    by_column = list(zip(*raw, strict=False))
    cells_of = [list(by_column[ci - 1]) if by_column else [] for _c, ci in plan]
    keep = _counted(cells_of, len(raw))

    # The fast parser over each whole column, the full parser for the cells it hands back (SLOW);
    # problems and blank required cells noted by (row, column), then sorted into reading order.
    noted: list[tuple[int, int, Finding]] = []
    missing: dict[int, list[str]] = {}
    values_of: dict[str, list[Any]] = {}
    slow = parse.SLOW
    for j, ((col, ci), cells) in enumerate(zip(plan, cells_of, strict=True)):
        values = parse.fast_column(col.kind.name, col.choices, cells)
        problems: set[int] = set()
        for i in _positions(values, slow):
            value, problem = parse_cell(col, cells[i], ctx)
            if problem:
                problems.add(i)
                if keep[i]:
                    cell = cell_ref(sheet, first + i, ci)
                    noted.append((i, j, problem_finding(col, cell, problem)))
            values[i] = value  # None, or a text cut to Excel's limit
        if col.kind is L.Kind.IDS and () in values:
            values = [None if v == () else v for v in values]
        if col.required and (needed is None or col.key in needed):
            for i in _positions(values, None):
                if not keep[i]:
                    continue
                if i not in problems:
                    text = (
                        f"{col.header} is required but the cell is blank (or holds an error "
                        "such as #N/A)"
                    )
                    noted.append((i, j, finding("RD001", text, cell_ref(sheet, first + i, ci))))
                missing.setdefault(i, []).append(col.header)
        values_of[col.key] = values
    noted.sort(key=itemgetter(0, 1))  # the order of reading: row by row, left to right
    findings.extend(f for _i, _j, f in noted)
    rows = list(compress(range(len(raw)), keep))
    read = TableRead(sheet, first, len(raw), dict(header.columns), values_of, rows, missing)
    return read, findings


def _positions(values: list[Any], wanted: Any) -> Iterator[int]:
    """The indices holding `wanted` (found by list.index, in C)."""
    i = -1
    while True:
        try:
            i = values.index(wanted, i + 1)
        except ValueError:
            return
        yield i


def _counted(columns: list[list[Any]], n: int) -> list[bool]:
    """Which rows count: any mapped cell neither empty nor spaces only (blank rows are allowed).

    The first column (the ID, in the template's order) is marked in C loops; only the rows it
    leaves blank (usually a few) are looked up in the other columns.
    """
    if not columns:
        return [False] * n
    fullest = columns[0]
    filled = map(is_not, fullest, repeat(None))
    spaces = _blank_texts(fullest)
    keep = list(map(gt, filled, map(spaces.__contains__, fullest))) if spaces else list(filled)
    unkept = list(compress(range(n), map(not_, keep)))
    for cells in columns[1:]:
        if not unkept:
            break
        for i in unkept:
            v = cells[i]
            if v is not None and (not isinstance(v, str) or v.strip()):
                keep[i] = True
        unkept = [i for i in unkept if not keep[i]]
    return keep


_TEXT = frozenset({str})


def _blank_texts(cells: list[Any]) -> set[str]:
    """The distinct texts in `cells` that are empty or spaces only (``not v.strip()``)."""
    try:
        distinct = set(cells)
        distinct.discard(None)
        values = list(distinct)
    except TypeError:  # an unhashable value (grids hold plain values; kept safe all the same)
        values = [v for v in cells if v is not None]
    if set(map(type, values)) <= _TEXT:
        texts = values
    else:
        texts = [v for v in values if v.__class__ is str]
    blank = set(compress(texts, map(str.isspace, texts)))  # C loop; "".isspace() is False
    if "" in texts:
        blank.add("")
    return blank


# CellRef(sheet=sheet, row=row, col=col) without validation: the reader's types are right.
cell_ref = cell_at


@dataclass(frozen=True)
class _RecordSpec:
    names: tuple[str, ...]  # every field, in declaration order (as pydantic fills __dict__)
    defaults: dict[str, Any]  # field -> its (immutable) default; None for required fields
    factories: dict[str, Any]  # field -> its default factory
    required: frozenset[str]


_SPECS: dict[type, _RecordSpec] = {}


def _spec(kind: type) -> _RecordSpec:
    spec = _SPECS.get(kind)
    if spec is None:
        fields = kind.model_fields
        spec = _RecordSpec(
            names=tuple(fields),
            defaults={
                k: None if f.is_required() or f.default_factory else f.default
                for k, f in fields.items()
            },
            factories={k: f.default_factory for k, f in fields.items() if f.default_factory},
            required=frozenset(k for k, f in fields.items() if f.is_required()),
        )
        _SPECS[kind] = spec
    return spec


def build_records(kind: type, read: TableRead, findings: list[Finding]) -> TableRecords:
    """The records of a table, in reading order; a row missing required values is left out.

    The usual row's record is made without validation, when first asked for (TableRecords):
    every column kind's parser returns the type of its field and the records have no validators,
    so the record equals ``kind(**values)`` (tests/bench/test_reader_fast_path.py). Its
    ``model_fields_set`` is the fields the table has a column for (blank or not), with ref and
    columns. A row lacking a value the model requires but the table does not (no column, or a
    default that cannot apply) goes through pydantic now, and becomes an RD013 finding.
    """
    spec = _spec(kind)
    ok = [i for i in read.rows if i not in read.missing] if read.missing else read.rows
    odd: set[int] = set()
    for key in spec.required:
        column = read.values.get(key)
        if column is None:
            odd.update(ok)
        else:
            odd.update(_positions(column, None))
    validated: dict[int, Any] = {}
    for i in sorted(odd.intersection(ok)):
        record = _validated(kind, read, i, findings)
        if record is not None:
            validated[i] = record
    rows = [i for i in ok if i not in odd or i in validated] if odd else ok
    values: dict[str, list[Any]] = {}
    constants: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    # the usual table: its rows one after the other (blank rows only at the end, if any)
    run = slice(rows[0], rows[-1] + 1) if rows and rows[-1] - rows[0] + 1 == len(rows) else None
    for key in spec.names:
        column = read.values.get(key)
        make, default = spec.factories.get(key), spec.defaults[key]
        if key in ("ref", "columns"):
            continue
        if column is not None:
            taken = column[run] if run is not None else list(map(column.__getitem__, rows))
            if None in taken and (make is not None or default is not None):
                taken = [(make() if make else default) if v is None else v for v in taken]
            values[key] = taken
        elif make is not None:
            factories[key] = make
        else:
            constants[key] = default
    return TableRecords(
        kind,
        spec.names,
        values,
        constants,
        factories,
        read.sheet,
        [read.first + i for i in rows],
        read.columns,
        {"ref", "columns", *(k for k in read.values if k in spec.defaults)},
        {p: validated[i] for p, i in enumerate(rows) if i in validated},
    )


def _validated(kind: type, read: TableRead, i: int, findings: list[Finding]) -> Any | None:
    """A record through pydantic, for an odd row; None (with an RD013 finding) if it fails."""
    ref = cell_ref(read.sheet, read.first + i, 1)
    fields = {
        k: column[i]
        for k, column in read.values.items()
        if column[i] is not None and k in _spec(kind).defaults
    }
    try:
        return kind(ref=ref, columns=read.columns, **fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err.get("loc") else ""
        ci = read.columns.get(key)
        cell = ref if ci is None else cell_ref(ref.sheet, ref.row, ci)
        findings.append(
            finding(
                "RD013",
                f"row {ref.row} not read: {key} {err['msg']}",
                cell,
                "Correct the value; the row is left out until then.",
            )
        )
        return None
