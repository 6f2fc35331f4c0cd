"""The output side's fast paths write exactly what the general, cell-by-cell paths write.

xlsx.sheet.Table holds a table by column and the writer converts it a column at a time
(cellxml._Preparing._column), with finite floats and ints written inline and each distinct text
converted once; escape_text, looks_like_formula, cellxml._text_xml and sheetxml._attribute skip
their regular expressions for common text; xlsx.parts.Package deflates new parts in worker threads.
All are speed-ups only (the refresh of a large programme): these tests pin that the bytes written
are those of the plain cells, and the text helpers agree with their straightforward forms.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evr_xl.findings import Finding, Severity, counts
from evr_xl.model import CellRef
from evr_xl.outputs import sheets
from evr_xl.outputs.dashboard import TOP_AT_RISK, TOP_COLUMNS, _top_at_risk
from evr_xl.outputs.file import render_workbook
from evr_xl.outputs.sheets import Col, clean, clean_column, frame_columns, table_cells
from evr_xl.xlsx import cellxml, sheetxml
from evr_xl.xlsx.parts import Package
from evr_xl.xlsx.sheet import (
    EXCEL_MAX_LINK,
    EXCEL_MAX_TEXT,
    Cells,
    CellSpec,
    SheetSpec,
    Table,
    escape_text,
    looks_like_formula,
)

ODD = [
    None, "", " ", "plain", "=1+1", "+x", "-2", "@SUM(A1)", "  =x", "\t=x", "\n@x", "\r\n=1",
    "a & b < c > d \"e\" 'f'", "_x0041_", "_X0041_ _x00zz_ _x004a_", "ctl\x00\x01\x0b\x1f\ufffe end",
    "\ud800lone", "x" * (EXCEL_MAX_TEXT + 5), " lead", "trail ", "in\nline", "in\rline",
    "\u00a0nbsp", "😀 ünï", 0, -7, 10**20, 0.0, -0.0, 1.5, 1e-300, 1e300, 0.1 + 0.2,
    math.nan, math.inf, -math.inf, True, False, dt.date(2026, 3, 1),
    dt.datetime(2026, 3, 1, 13, 5), dt.datetime(2026, 3, 1, 13, 5, 7, 123, tzinfo=dt.timezone.utc),
    np.float64(2.5), np.float64("nan"), np.int64(7), np.bool_(True), Decimal("1.25"), pd.NaT,
    pd.Timestamp("2026-01-02 03:04"), (1, 2),
]  # fmt: skip
FORMATS = (None, "0%", "#,##0;[Red]-#,##0", "yyyy-mm", "@")
LINKS = {0: "'Value Drivers'!A5", 3: "#'Findings'!B7", 4: "", 5: "'a&b <c>'!A1", 99: "'X'!A1"}


def _odd_table(top: int = 4) -> Table:
    columns = [ODD[i:] + ODD[:i] for i in range(len(FORMATS))]  # every value under every format
    return Table(top, tuple(f"H{c}" for c in range(len(FORMATS))), tuple(columns), FORMATS, LINKS)


def _written(blank: bytes, cells, **kw) -> dict[str, bytes]:
    spec = SheetSpec("Findings", cells, row_heights={2: 20, 6: 12.5}, **kw)
    data = render_workbook(blank, [spec]).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


def test_a_table_is_written_as_its_cells(blank: bytes) -> None:
    table = _odd_table()
    before = [CellSpec(1, 1, "title", style="title"), CellSpec(6, 2, "overwritten by the table")]
    after = [
        CellSpec(5, 1, "over the table's first cell", style="note"),
        CellSpec(7, 3, None),  # an unstyled blank later: the table's cell goes
        CellSpec(8, 9, 3.5, "0%", hyperlink="'Driver Metrics'!A1"),
    ]
    fast = _written(blank, Cells(before, table, after))
    general = _written(blank, tuple([*before, *table, *after]))
    assert fast == general


def test_a_table_cells_in_order_and_the_link_style() -> None:
    table = Table(4, ("A", "B"), (["x", None], [1.5, 2]), (None, "0%"), {1: "'S'!A1"})
    assert list(table) == [
        CellSpec(4, 1, "A", style="header"),
        CellSpec(4, 2, "B", style="header"),
        CellSpec(5, 1, "x"),
        CellSpec(5, 2, 1.5, "0%"),
        CellSpec(6, 1, None, style="link", hyperlink="'S'!A1"),
        CellSpec(6, 2, 2, "0%"),
    ]
    assert len(table) == 6 and table[3] == CellSpec(5, 2, 1.5, "0%") and table[-1] == table[5]
    cells = Cells([CellSpec(1, 1, "t")], table)
    assert len(cells) == 7 and cells[0] == CellSpec(1, 1, "t") and cells[-1] == table[5]
    assert cells == (CellSpec(1, 1, "t"), *table)
    with pytest.raises(IndexError):
        table[6]


def test_a_table_is_checked_like_its_cells() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        Table(4, ("A", "B"), ([1], [1, 2]), (None, None))
    with pytest.raises(ValueError, match="one header"):
        Table(4, ("A",), ([1], [2]), (None, None))
    with pytest.raises(ValueError, match="hyperlink longer"):
        Table(4, ("A",), ([1],), (None,), {0: "x" * (EXCEL_MAX_LINK + 1)})
    with pytest.raises(ValueError, match="does not fit"):
        Table(1_048_576, ("A",), ([1],), (None,))


VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1", " -x", "a&b", "_x0041_", "", "  "]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 3, 1)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.lists(st.lists(VALUE, min_size=n, max_size=n), min_size=1, max_size=4)
    ),
    st.dictionaries(st.integers(min_value=-1, max_value=5), st.text(max_size=8), max_size=3),
)
def test_any_table_is_written_as_its_cells(blank: bytes, columns, links) -> None:
    table = Table(3, tuple(f"C{i}" for i in range(len(columns))), tuple(columns),
                  FORMATS[: len(columns)], links)  # fmt: skip
    assert _written(blank, Cells(table)) == _written(blank, tuple(table))


def _reference_table_cells(columns, rows, currency, links):
    """table_cells as it was, row by row: the cells a table must hold."""
    from evr_xl.units import excel_money_format

    fmt = {"money": excel_money_format(currency), "pct": "0%", "int": "0"}
    cells = [CellSpec(4, c + 1, col.header, style="header") for c, col in enumerate(columns)]
    for i, row in enumerate(rows):
        for c, col in enumerate(columns):
            link = links.get(i) if c == 0 else None
            cells.append(
                CellSpec(
                    4 + 1 + i,
                    c + 1,
                    clean(row.get(col.key)),
                    fmt.get(col.kind),
                    "link" if link else None,
                    link,
                )  # fmt: skip
            )
    return cells


def test_table_cells_hold_what_rows_of_cells_held() -> None:
    frame = pd.DataFrame(
        {
            "id": ["VD-1", "=1+1", None, "a\x01b"],
            "money": [1.5, math.nan, math.inf, -0.0],
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "flag": [True, False, True, False],
            "when": pd.to_datetime(["2026-01-01", None, "2026-03-01", "2026-04-01"]),
            "items": [("a", "b"), [], "x" * (EXCEL_MAX_TEXT + 1), np.int64(5)],
        }
    )
    columns = (
        Col("ID", "id", "link"), Col("Money", "money", "money"), Col("Count", "count", "int"),
        Col("Flag", "flag"), Col("When", "when"), Col("Items", "items"), Col("Missing", "nope", "pct"),
    )  # fmt: skip
    links = {0: "'Value Drivers'!A5", 2: "'Value Drivers'!A7"}
    table, last = table_cells(columns, frame_columns(frame), "EUR", links=links)
    assert last == 8
    want = _reference_table_cells(columns, frame.to_dict("records"), "EUR", links)
    assert len(list(table)) == len(want)
    for got, expected in zip(table, want, strict=True):
        assert (got.row, got.col, got.number_format, got.style, got.hyperlink) == (
            expected.row, expected.col, expected.number_format, expected.style, expected.hyperlink,
        )  # fmt: skip
        assert _same(got.value, expected.value), (got, expected)


def _same(a: object, b: object) -> bool:
    if a is pd.NaT or b is pd.NaT:
        return a is b
    return type(a) is type(b) and a == b


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def test_escape_text_removes_exactly_what_xml_cannot_hold() -> None:
    for cp in range(0x110000):
        ch = chr(cp)
        if _ILLEGAL_XML.match(ch):
            assert not ch.isprintable()  # so the printable test lets nothing illegal through
            assert escape_text(f"a{ch}b") == "ab"
    for text in ODD:
        if isinstance(text, str):
            expected = _ILLEGAL_XML.sub("", text)
            if len(expected) > EXCEL_MAX_TEXT:
                expected = expected[: EXCEL_MAX_TEXT - 1] + "…"
            assert escape_text(text) == expected


_FORMULA_START = re.compile(r"[\s]*[=+\-@]")


def test_looks_like_formula_is_the_pattern() -> None:
    firsts = [chr(cp) for cp in range(0x110000) if chr(cp).isspace() or cp < 0x250]
    for first in ["", *firsts]:
        for rest in ("", "=", "x", " =1", "\t@", "-"):
            text = first + rest
            assert looks_like_formula(text) == bool(_FORMULA_START.match(text)), repr(text)


def _reference_text_xml(text: str) -> str:
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    escaped = escape(text).replace("\r", "&#13;")
    if text != text.strip() or "\n" in text:
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


@given(st.text(alphabet=st.sampled_from("ax_0F4&<>\"' \t\r\n\u00a0é"), max_size=12))
def test_text_xml_and_attributes_are_the_escapes(text: str) -> None:
    assert cellxml._text_xml(text) == _reference_text_xml(text)
    assert sheetxml._attribute(text) == quoteattr(text)


def test_text_helpers_on_odd_text() -> None:
    for text in (v for v in ODD if isinstance(v, str)):
        assert cellxml._text_xml(text) == _reference_text_xml(text)
        assert sheetxml._attribute(text) == quoteattr(text)


def _column_as_cells(values: list, fmt: str | None) -> None:
    """_column's (formats, tails) are what _entry gives each value, cell by cell."""
    fast = cellxml._Preparing(date1904=False)
    general = cellxml._Preparing(date1904=False)
    column = fast._column("C", values, fmt)
    formats, tails = column.formats, column.all_tails()
    if type(formats) is int:
        formats = [formats] * len(values)
    for value, number, tail in zip(values, formats, tails, strict=True):
        want = general._entry(3, value, fmt, None)
        if want is None:
            assert tail is None, value
        else:
            assert (fast.keys[number], tail) == (general.keys[want[1]], want[2]), value


def test_a_column_is_converted_as_its_cells() -> None:
    texts = [v for v in ODD if v is None or isinstance(v, str)]
    numbers = [v for v in ODD if v is None or type(v) in (int, float)]
    for fmt in FORMATS:
        for values in (ODD, texts, numbers, [1, 2, 10**30], [1.5, 2], ["a", "b", "a"], [None]):
            _column_as_cells(values, fmt)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=6),
            st.sampled_from(["=1", " a", "a ", "_x0041_", "a&b", "<x>", "_x", "a_b"]),
        ),
        max_size=8,
    ),
    st.lists(st.one_of(st.none(), st.floats(), st.integers()), max_size=8),
    st.sampled_from(FORMATS),
)
def test_any_text_or_number_column_is_converted_as_its_cells(texts, numbers, fmt) -> None:
    _column_as_cells(texts, fmt)
    _column_as_cells(numbers, fmt)


@given(st.lists(st.text(max_size=6), min_size=1, max_size=6))
def test_hyperlinks_are_the_escaped_locations(locations) -> None:
    links = [(i + 5, i % 3 + 1, "#" + location) for i, location in enumerate(locations)]
    want = "".join(
        f'<hyperlink ref="{cellxml.col_letters(col)}{row}" '
        f"location={quoteattr(escape_text(link.lstrip('#')))}/>"
        for row, col, link in links
    )
    assert sheetxml._hyperlinks(links) == want


def test_new_parts_are_deflated_in_workers_and_the_last_write_wins(blank: bytes) -> None:
    pkg = Package(blank)
    big = b"<x>" + b"".join(b"<c>%d</c>" % i for i in range(200_000)) + b"</x>"
    pkg.write("xl/new.xml", b"first")
    pkg.write("xl/new.xml", big)
    pkg.write("xl/worksheets/sheet1.xml", big[:1000])
    data = pkg.to_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None  # every CRC checks
        assert z.read("xl/new.xml") == big and z.read("xl/worksheets/sheet1.xml") == big[:1000]
    assert Package(data).to_bytes() == data  # nothing written: every member copied as it was


def test_tables_sharing_rows_blank_rows_and_linked_blanks_are_written_as_their_cells(
    blank: bytes,
) -> None:
    first = Table(4, ("A", "B"), ([1.5, None, math.nan], ["x", None, "=y"]), ("0%", None),
                  {0: "'S'!A1", 2: "'S'!A3"})  # fmt: skip
    over = Table(5, ("C",), ([None, "z", None, "w"],), (None,), {0: "'T'!B2", 1: "'T'!B3"})
    empty = Table(
        11, ("D", "E"), ([None, "a", None], ["", None, None]), (None, None), {2: "'U'!A1"}
    )
    numbers = Table(16, ("F",), ([math.inf, 2, None, 10**400],), (None,), {0: "'V'!A1", 2: "x"})
    cells = Cells(first, over, empty, [CellSpec(12, 2, "late")], numbers)
    assert _written(blank, cells) == _written(blank, tuple(cells))
    prepared = cellxml.prepare_cells(SheetSpec("Findings", cells))
    assert [t.first_row for t in prepared.tables] == [17]  # the others share rows or have none


def test_a_long_table_in_one_piece_is_its_rows(blank: bytes) -> None:
    n = 3000
    columns = ([f"ID-{i}" for i in range(n)], [i * 0.37 for i in range(n)], [None] * n)
    table = Table(4, ("ID", "Value", "Empty"), columns, (None, "0%", "0%"), {5: "'S'!A6"})
    assert _written(blank, Cells(table)) == _written(blank, tuple(table))


# ---- the output sheets' own fast paths (evr_xl.outputs) ----


@given(
    st.lists(
        st.one_of(
            st.none(), st.floats(), st.integers(min_value=-(10**400), max_value=10**400),
            st.booleans(), st.text(max_size=5), st.sampled_from(["", "a\x01b", "x" * 32768]),
            st.sampled_from([np.float64("nan"), np.int64(3), ("a", "b"), dt.date(2026, 1, 1)]),
        ),
        max_size=8,
    )
)  # fmt: skip
def test_clean_column_is_clean_of_each_value(values) -> None:
    for column in (
        values,
        [v for v in values if v is None or type(v) in (float, int, bool)],
        [v for v in values if v is None or type(v) is str],
        [v for v in values if v is None or type(v) in (str, float)],
    ):
        got, want = clean_column(column), list(map(clean, column))
        assert len(got) == len(want) and all(map(_same_value, got, want)), (column, got)


def _same_value(a: object, b: object) -> bool:
    return type(a) is type(b) and (a == b or a != a and b != b)


def test_cell_addresses_are_those_of_cellref() -> None:
    for sheet in ("Workplan", "Value Drivers", "It's", "'q'", ""):
        for row, col in ((0, 0), (0, 3), (7, 0), (12, 3), (1_048_576, 16_384)):
            cell = CellRef(sheet=sheet, row=row, col=col)
            finding = Finding(code="X", severity=Severity.INFO, message="m", cell=cell)
            link = cell.at(1).excel_ref if row and not col else cell.excel_ref
            assert sheets._addresses(cell) == (finding.where, link)
            assert sheets._excel_ref(cell) == cell.excel_ref
    assert sheets._addresses(None) == ("", None)


def test_severity_counts_are_counts() -> None:
    found = [Finding(code="X", severity=s, message="m") for s in (*Severity, Severity.ERROR)]
    assert {s.value: sheets.severity_counts(found)[s.value] for s in Severity} == counts(found)
    assert sheets.severity_counts([])["Warning"] == 0


def test_top_at_risk_is_as_it_was(tmp_path) -> None:
    from evr_xl.demo import write_demo
    from evr_xl.engine import compute
    from evr_xl.workbook.files import read_program

    data, _ = read_program(write_demo(tmp_path).path)
    results = compute(data)
    for drivers in (
        results.drivers,
        results.drivers.iloc[::-1].set_index(results.drivers.index[::-1] * 0),  # a dull index
        results.drivers.assign(value_at_risk=[1.0, 0.0] * (len(results.drivers) // 2)
                               + [1.0] * (len(results.drivers) % 2)),  # ties
        results.drivers.assign(value_at_risk=0.0),
    ):  # fmt: skip
        top = drivers[drivers["value_at_risk"] > 0].sort_values("value_at_risk", ascending=False)
        want = frame_columns(top.head(TOP_AT_RISK))
        got = _top_at_risk(drivers)
        assert got == {c.key: want[c.key] for c in TOP_COLUMNS if c.key in want}
