"""The sheet scan's fast path gives exactly what the general scan gives, or stands aside.

sheetscan._extent_fast reads the extent of a sheet written in the usual form in a few passes in
C; sheetscan._extent_exact is the general per-cell scan. A speed-up only (docs/performance.md):
these tests pin that the extent and the cell named in a refusal are unchanged, and that any odd
form (prefixes, positional cells, other spacing, bad references) goes to the general scan.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evr_xl.xlsx import sheetscan as S

HEAD = b'<?xml version="1.0"?><worksheet xmlns="x"><dimension ref="A1:C3"/><sheetData>'
TAIL = b'</sheetData><dataValidations><dataValidation sqref="A5"><formula1>"a,b"</formula1>'
TAIL += b"</dataValidation></dataValidations></worksheet>"


def sheet(body: bytes) -> bytes:
    return HEAD + body + TAIL


PLAIN = sheet(
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row>'
    b'<row r="3" spans="1:3"><c r="B3" s="1"><f>A1*2</f><v>4</v></c></row>'
)
ODD = {
    "far cell first": sheet(
        b'<row r="2"><c r="XFD1048576"><v>1</v></c><c r="A2"><v>1</v></c></row>'
        b'<row r="1048576"><c r="B1048576"><v>1</v></c></row>'
    ),
    "row tag beyond the cells": sheet(b'<row r="9"><c r="A1"><v>1</v></c></row><row r="70"/>'),
    "leading zeros": sheet(b'<row r="1"><c r="A0007"><v>1</v></c><c r="B7"><v>1</v></c></row>'),
    "wide": sheet(b'<row r="2"><c r="A2"/><c r="AK2"/><c r="B9"/><c r="AK3"/></row>'),
    "empty": sheet(b""),
    "rows only": sheet(b'<row r="5"/><row r="12" ht="3"/>'),
}
GENERAL = {  # forms the fast path must hand to the general scan
    "prefixed": sheet(b'<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>'),
    "positional cells": sheet(b'<row r="1"><c><v>1</v></c><c t="s"><v>0</v></c></row>'),
    "r not first": sheet(b'<row r="1"><c s="1" r="XFD1"><v>1</v></c></row>'),
    "tab": sheet(b'<row r="1"><c\tr="XFD1"><v>1</v></c></row>'),
    "lower-case ref": sheet(b'<row r="1"><c r="xfd1"><v>1</v></c><c r="B2"/></row>'),
    "row r not first": sheet(b'<row spans="1:2" r="400000"><c r="A1"/></row>'),
    "self-closing cell": sheet(b'<row r="1"><c/><c r="B1"/></row>'),
    "eight-digit row": sheet(b'<row r="1"><c r="A12345678"/><c r="B1"/></row>'),
}


def test_fast_path_agrees_on_ordinary_and_odd_sheets() -> None:
    for name, xml in {"plain": PLAIN, **ODD}.items():
        fast = S._extent_fast(xml)
        assert fast is not None, name
        assert fast == S._extent_exact(xml), name
    assert S._extent_fast(ODD["far cell first"]) == (1_048_576, 16_384, "XFD1048576")


def test_odd_forms_go_to_the_general_scan() -> None:
    for name, xml in GENERAL.items():
        assert S._extent_fast(xml) is None, name
        assert S._extent(xml) == S._extent_exact(xml), name
    assert S._extent(GENERAL["prefixed"])[1] == 16_384
    assert S._extent(GENERAL["r not first"])[1] == 16_384


def test_formula_precheck_matches_the_general_expression() -> None:
    for xml in (PLAIN, *ODD.values(), *GENERAL.values(), sheet(b"<x:f>1</x:f>")):
        assert S._has_formula(xml) == bool(S._FORMULA.search(xml))


_col = st.sampled_from(["A", "B", "Z", "AA", "AK", "ZZ", "XFD", "a", "AAAA"])
_row = st.sampled_from(["1", "2", "07", "12", "999", "1048576", "12345678", "x"])
_cell = st.one_of(
    st.builds(lambda c, r: f'<c r="{c}{r}"><v>1</v></c>', _col, _row),
    st.builds(lambda c, r: f'<c s="2" r="{c}{r}"/>', _col, _row),
    st.sampled_from(["<c><v>1</v></c>", "<c/>", '<c t="s"><v>0</v></c>', '<x:c r="B2"/>']),
)
_row_tag = st.builds(
    lambda r, cells, form: form.format(r=r, cells="".join(cells)),
    _row,
    st.lists(_cell, max_size=4),
    st.sampled_from(['<row r="{r}">{cells}</row>', '<row ht="2" r="{r}">{cells}</row>']),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_row_tag, max_size=6))
def test_fast_path_never_disagrees(rows: list[str]) -> None:
    xml = sheet("".join(rows).encode())
    fast = S._extent_fast(xml)
    assert fast is None or fast == S._extent_exact(xml)
    assert S._extent(xml) == S._extent_exact(xml)


def test_narrow_bound_is_within_the_limit() -> None:
    assert S.NARROW_CELLS <= S.MAX_SHEET_CELLS


def test_narrow_bound_holds_only_when_proved() -> None:
    assert S._surely_within(PLAIN)
    assert S._surely_within(ODD["empty"]) and S._surely_within(ODD["rows only"])
    assert S._surely_within(ODD["leading zeros"])  # "A0007": row 7, four digits
    for name in ("far cell first", "wide"):
        assert not S._surely_within(ODD[name]), name
    for name, xml in GENERAL.items():
        assert not S._surely_within(xml), name
    far_row = sheet(b'<row r="1"><c r="A1"/></row><row r="100000"><c r="A100000"/></row>')
    assert not S._surely_within(far_row)
    far_tag = sheet(b'<row r="1"><c r="A1"/></row><row r="123456"/>')
    assert not S._surely_within(far_tag)
    assert S._surely_within(sheet(b'<row r="99999"><c r="Z99999" t="e"><v>#N/A</v></c></row>'))


@settings(max_examples=300, deadline=None)
@given(st.lists(_row_tag, max_size=6))
def test_narrow_bound_never_lies(rows: list[str]) -> None:
    xml = sheet("".join(rows).encode())
    if S._surely_within(xml):
        max_row, max_col, _far = S._extent_exact(xml)
        assert max_row <= 99_999 and max_col <= 26
