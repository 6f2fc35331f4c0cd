"""A quick pass over the raw XML of a workbook before python-calamine reads it.

calamine allocates a sheet's whole rectangle up front (rows x columns of the farthest cell), so
one stray value at XFD1048576 would ask for hundreds of gigabytes and abort the process; it also
reads error cells (#N/A, #REF!) and formulas saved without a result as blank. This module finds
both from the XML with byte-level regular expressions (no entity expansion, no DTD), so a
hostile or damaged sheet is refused with a message naming the cell instead of crashing, and
errors are reported on the cell instead of silently read as blank.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

# The most cells one sheet may span (rows x columns up to its farthest cell): 100,000 rows x 50
# columns. A real programme sheet is far smaller; a bigger one is almost always a stray value.
MAX_SHEET_CELLS = 5_000_000
# How far into each XML part a DOCTYPE is looked for (it can only appear before the root).
PROLOG_BYTES = 65_536

_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_CELL_REF = re.compile(rb"<" + _PREFIX + rb"c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_REF = re.compile(rb"<" + _PREFIX + rb"row\s[^>]*?\br=\"([0-9]{1,7})\"")
_CELL_NO_REF = re.compile(rb"<" + _PREFIX + rb"c(?:\s(?![^>]*\br=)[^>]*)?/?>")
_CELL = re.compile(rb"<" + _PREFIX + rb"c\s([^>]*?)(?:/>|>(.*?)</" + _PREFIX + rb"c>)", re.DOTALL)
_ATTR_R = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ATTR_T = re.compile(rb"\bt=\"([a-zA-Z]+)\"")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?>(.*?)</" + _PREFIX + rb"v>", re.DOTALL)
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# The fast path (_extent_fast): unprefixed tags in the one form writers use. _PREFIXED finds any
# prefixed c, row or f element (then the general expressions above are used); the _OTHER ones
# any c or row tag not followed by a space (<c>, <c/>, a tab, a new line).
_PREFIXED = re.compile(rb":(?:c|row|f)[\s/>]")
_CELL_OTHER = re.compile(rb"<c[\t\n\r\f\v/>]")
_ROW_OTHER = re.compile(rb"<row[\t\n\r\f\v/>]")
_CELL_PLAIN_ROW = re.compile(rb"<c r=\"[A-Z]{1,3}([0-9]{1,7})\"")
_CELL_PLAIN_COL = re.compile(rb"<c r=\"([A-Z]{1,3})[0-9]{1,7}\"")
_ROW_PLAIN = re.compile(rb"<row r=\"([0-9]{1,7})\"")
_FORMULA_PLAIN = re.compile(rb"<f[\s/>]")
# The bound (_surely_within): a cell tag that is not `<c r="` + one letter + at most five digits,
# and a row tag that is not `<row r="` + at most five digits. None of either in an unprefixed
# sheet means every cell lies within A1:Z99999.
_CELL_NOT_NARROW = re.compile(rb'<c(?! r="[A-Z][0-9]{1,5}")[\s/>]')
_ROW_NOT_SHORT = re.compile(rb'<row(?! r="[0-9]{1,5}")[\s/>]')
NARROW_CELLS = 26 * 99_999  # A1:Z99999

# What a formula cell saved without its result becomes in a grid (calamine reads it as blank);
# the reader reports it on the cell (evr_xl.workbook.cells).
UNCALCULATED = "#UNCALCULATED"

RT_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class SheetRefused(Exception):
    """The sheet cannot be read safely; the message says which cell and what to do."""


@dataclass
class SheetScan:
    """What the raw XML says that calamine does not: the extent, errors and uncached formulas."""

    max_row: int = 0  # the extent: 0 when the sheet was proved narrow (_surely_within)
    max_col: int = 0
    farthest: str = ""  # the coordinate that sets the extent
    special: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> marker


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def has_dtd(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when an XML part declares a DOCTYPE or entities (never in a real workbook)."""
    with z.open(info) as fh:
        head = fh.read(PROLOG_BYTES)
    return bool(_DTD.search(head))


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part inside the zip, from xl/workbook.xml and its relationships."""
    try:
        book = SafeET.fromstring(z.read("xl/workbook.xml"))
        rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SafeET.ParseError, DefusedXmlException):
        return {}
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    parts: dict[str, str] = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") and el.get("name") is not None:
            target = targets.get(el.get(f"{{{RT_OFFICE}}}id"), "")
            if target:
                path = target.lstrip("/") if target.startswith("/") else join("xl", target)
                parts[el.get("name") or ""] = normpath(path)
    return parts


def _surely_within(xml: bytes, prefixed: bool | None = None) -> bool:
    """True when the sheet's cells provably lie within A1:Z99999 (fewer than MAX_SHEET_CELLS).

    Three searches in C, no list of matches: no prefixed element, and every cell and row tag in
    the narrow form (see _CELL_NOT_NARROW). It proves the bound only; False says nothing, and
    the exact extent is then computed (_extent). The sheets of a programme are usually narrow,
    so the usual refresh skips the extent (tests/bench/test_sheetscan_fast.py). `prefixed`:
    whether _PREFIXED matches, when the caller knows (one search fewer).
    """
    if prefixed is None:
        prefixed = bool(_PREFIXED.search(xml))
    return not (prefixed or _CELL_NOT_NARROW.search(xml) or _ROW_NOT_SHORT.search(xml))


def _extent(xml: bytes) -> tuple[int, int, str]:
    """(max row, max column, the coordinate that sets the extent) of a sheet's cells and rows."""
    fast = _extent_fast(xml)
    return fast if fast is not None else _extent_exact(xml)


def _extent_fast(xml: bytes) -> tuple[int, int, str] | None:
    """_extent for the form every writer uses (``<c r="B7"``, ``<row r="7"``), or None.

    The same result as _extent_exact, in a few passes in C instead of a Python step per cell:
    it applies only when no element is prefixed, every cell tag starts ``<c r="`` with a valid
    reference and every row tag ``<row r="`` with a valid number (checked by counting); anything
    else (positional cells, odd spacing, prefixes) goes to _extent_exact.
    tests/bench/test_sheetscan_fast.py compares both on ordinary and odd sheets.
    """
    if _PREFIXED.search(xml) or _CELL_OTHER.search(xml) or _ROW_OTHER.search(xml):
        return None
    cell_rows = _CELL_PLAIN_ROW.findall(xml)  # the same cells as cell_cols, in the same order
    cell_cols = _CELL_PLAIN_COL.findall(xml)
    row_numbers = _ROW_PLAIN.findall(xml)
    # each match starts at its own "<c ": equal counts mean every cell tag is a plain one
    n_cells = len(cell_rows)
    if xml.count(b"<c ") != n_cells or xml.count(b"<row ") != len(row_numbers):
        return None
    max_row, max_col, far_row, far_col = 0, 0, "", ""
    if n_cells:
        distinct = set(cell_rows)
        max_row = max(map(int, distinct))
        first = min(cell_rows.index(d) for d in distinct if int(d) == max_row)
        far_row = f"{cell_cols[first].decode()}{max_row}"
        widest = max(set(cell_cols), key=column_number)
        max_col = column_number(widest)
        far_col = f"{widest.decode()}{int(cell_rows[cell_cols.index(widest)])}"
    if row_numbers:
        top = max(map(int, set(row_numbers)))
        if top > max_row:
            max_row, far_row = top, f"row {top}"
    farthest = far_row if max_row / 1_048_576 >= max_col / 16_384 else far_col
    return max_row, max_col, farthest or far_row or far_col


def _extent_exact(xml: bytes) -> tuple[int, int, str]:
    """_extent for any sheet XML: every cell and row tag, prefixed or not, positional cells."""
    max_row, max_col, far_row, far_col = 0, 0, "", ""
    for m in _CELL_REF.finditer(xml):
        row, col = int(m.group(2)), column_number(m.group(1))
        if row > max_row:
            max_row, far_row = row, f"{m.group(1).decode()}{row}"
        if col > max_col:
            max_col, far_col = col, f"{m.group(1).decode()}{row}"
    for m in _ROW_REF.finditer(xml):
        row = int(m.group(1))
        if row > max_row:
            max_row, far_row = row, f"row {row}"
    if _CELL_NO_REF.search(xml):  # cells placed by position: count the widest row
        for row_xml in re.split(rb"<" + _PREFIX + rb"row[\s>]", xml)[1:]:
            width = len(_CELL_NO_REF.findall(row_xml)) + len(_CELL_REF.findall(row_xml))
            if width > max_col:
                max_col, far_col = width, f"column {column_letters(width)}"
    farthest = far_row if max_row / 1_048_576 >= max_col / 16_384 else far_col
    return max_row, max_col, farthest or far_row or far_col


def _has_formula(xml: bytes, prefixed: bool | None = None) -> bool:
    """_FORMULA.search, with the unprefixed expression (a literal start: fast) when it is enough."""
    if _PREFIXED.search(xml) if prefixed is None else prefixed:
        return bool(_FORMULA.search(xml))
    return bool(_FORMULA_PLAIN.search(xml))


def _special_cells(xml: bytes, prefixed: bool | None = None) -> dict[tuple[int, int], str]:
    """Error cells (t="e") and formulas saved without a result, by (row, col)."""
    out: dict[tuple[int, int], str] = {}
    if b't="e"' not in xml and not _has_formula(xml, prefixed):
        return out
    for m in _CELL.finditer(xml):
        attrs, body = m.group(1), m.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue  # positional cells: rare, and left to calamine
        key = (int(ref.group(2)), column_number(ref.group(1)))
        t = _ATTR_T.search(attrs)
        kind = t.group(1) if t else b"n"
        value = _VALUE.search(body)
        text = value.group(1).strip() if value else b""
        if kind == b"e":
            out[key] = text.decode("utf-8", "replace") or "#N/A"
        elif _FORMULA.search(body) and not text and kind != b"str":
            out[key] = UNCALCULATED
    return out


def scan_sheet(z: zipfile.ZipFile, part: str, sheet: str, source: str) -> SheetScan:
    """Scan one sheet part; raise SheetRefused if it is hostile or too big to read."""
    try:
        xml = z.read(part)
    except KeyError:
        return SheetScan()
    if _DTD.search(xml[:PROLOG_BYTES]):
        raise SheetRefused(
            f"{source}: sheet '{sheet}' declares XML entities (a DOCTYPE), which Excel never "
            "writes; refused as possibly hostile. Open the file in Excel and save it as a new .xlsx."
        )
    prefixed = bool(_PREFIXED.search(xml))
    if _surely_within(xml, prefixed):
        return SheetScan(special=_special_cells(xml, prefixed))
    max_row, max_col, farthest = _extent(xml)
    if max_row * max_col > MAX_SHEET_CELLS:
        where = f"{sheet}!{farthest}" if " " not in farthest else f"{sheet} ({farthest})"
        raise SheetRefused(
            f"{source}: sheet '{sheet}' spans {max_row:,} rows x {max_col:,} columns because of "
            f"a cell at {where}; that is more than the {MAX_SHEET_CELLS:,} cells EVR reads. "
            "Delete the stray cells far from the table (Ctrl+End shows the last used cell), "
            "save, and try again."
        )
    return SheetScan(max_row, max_col, farthest, _special_cells(xml, prefixed))
