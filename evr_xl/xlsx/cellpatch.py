"""Change the value of one existing cell of a worksheet, byte-safe: nothing else in the file moves.

Used for the one input cell EVR may write (the Program sheet's As-of period, `evr roll-forward`).
The cell is found by its reference in the sheet's XML and only that `<c>` element is rewritten,
in the kind it already holds: a number (a date serial, in the workbook's date system) stays a
number with the same style index (so a date cell stays a date with its format); text stays text
(an inline string; a shared-string cell becomes an inline string so `sharedStrings.xml` stays
byte-identical, which Excel turns back into a shared string when it next saves); an ISO date
cell (`t="d"`) stays one. Every other byte of the sheet part, and every other zip member, is
unchanged (`parts.Package` copies them through raw).

Refused with `CellNotWritable` (message names the cell): a formula, a boolean or error cell, an
empty cell, or a cell the sheet's XML does not name by reference.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.sax.saxutils import escape

from evr_xl.xlsx.parts import (
    RT_WORKSHEET,
    Package,
    UnsupportedWorkbook,
    main_workbook_part,
    read_rels,
    read_sheets,
    uses_1904_dates,
)
from evr_xl.xlsx.sheet import column_letter

_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


class CellNotWritable(ValueError):
    """The cell cannot be given a new value safely (the message says why and names it)."""


# One `<c>` element (any namespace prefix): its tag, attributes, and "/>" or its content.
_TAG_ATTRS = r"""(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*"""  # ATTRS, but never eating the "/" of "/>"
_CELL = re.compile(
    rb"<((?:[A-Za-z_][\w.-]*:)?c)(\s" + _TAG_ATTRS.encode() + rb")(/>|>(.*?)</\1\s*>)",
    re.DOTALL,
)


def _attr(attrs: bytes, name: str) -> bytes | None:
    m = re.search(rb"(?<![\w:.-])" + name.encode() + rb"""\s*=\s*("([^"]*)"|'([^']*)')""", attrs)
    if m is None:
        return None
    return m.group(2) if m.group(2) is not None else m.group(3)


def _without_attr(attrs: bytes, name: str) -> bytes:
    return re.sub(
        rb"""\s+(?<![\w:.-])""" + name.encode() + rb"""\s*=\s*("[^"]*"|'[^']*')""", b"", attrs
    )


def date_serial(day: dt.date, date1904: bool) -> int:
    """The cell value of a date in the workbook's date system (1900 or 1904)."""
    if date1904:
        return (day - _EPOCH_1904).days
    return (day - _EPOCH_1900).days


def set_cell(
    sheet_xml: bytes, row: int, col: int, *, day: dt.date, text: str, date1904: bool
) -> bytes:
    """The sheet's XML with cell (row, col) holding `day` (number or date cell) or `text` (text
    cell), in the kind the cell already holds. Raises CellNotWritable."""
    ref = f"{column_letter(col)}{row}"
    for m in _CELL.finditer(sheet_xml):
        attrs = m.group(2)
        if (_attr(attrs, "r") or b"").upper() != ref.encode():
            continue
        tag, inner = m.group(1), m.group(4) or b""
        prefix = tag[:-1]  # b"" or b"x:"
        kind = (_attr(attrs, "t") or b"n").decode()
        if re.search(rb"<(?:[\w.-]+:)?f[\s>/]", inner):
            raise CellNotWritable(f"{ref} holds a formula; change it in Excel instead")
        if m.group(3) == b"/>" or not re.search(rb"<(?:[\w.-]+:)?(?:v|is)[\s>/]", inner):
            raise CellNotWritable(f"{ref} is empty")
        if kind == "n":
            body = b"<%sv>%d</%sv>" % (prefix, date_serial(day, date1904), prefix)
            new_attrs = attrs
        elif kind == "d":
            body = b"<%sv>%s</%sv>" % (prefix, day.isoformat().encode(), prefix)
            new_attrs = attrs
        elif kind in ("s", "inlineStr", "str"):
            value = escape(text).encode()
            body = b"<%sis><%st>%s</%st></%sis>" % (prefix, prefix, value, prefix, prefix)
            new_attrs = _without_attr(attrs, "t") + b' t="inlineStr"'
        else:
            raise CellNotWritable(f"{ref} holds a {'boolean' if kind == 'b' else 'error'} value")
        element = b"<%s%s>%s</%s>" % (tag, new_attrs, body, tag)
        return sheet_xml[: m.start()] + element + sheet_xml[m.end() :]
    raise CellNotWritable(f"{ref} was not found in the sheet's XML")


def sheet_part(pkg: Package, sheet: str) -> str:
    """The zip member holding worksheet `sheet` (matched case-insensitively, as Excel does)."""
    wb_part = main_workbook_part(pkg)
    entry = next(
        (e for e in read_sheets(pkg.read(wb_part)) if e.name.casefold() == sheet.casefold()), None
    )
    rels = {r.id: r for r in read_rels(pkg, wb_part)}
    rel = rels.get(entry.rel_id) if entry is not None else None
    if rel is None or rel.type != RT_WORKSHEET or rel.external or rel.target not in pkg:
        raise UnsupportedWorkbook(f"the worksheet {sheet!r} was not found in the file")
    return rel.target


def set_date_or_text_cell(
    data: bytes, sheet: str, row: int, col: int, *, day: dt.date, text: str
) -> bytes:
    """The workbook `data` with one cell of `sheet` given a new value (see `set_cell`): pure,
    in memory; every zip member but that sheet's part is copied through raw."""
    pkg = Package(data)
    part = sheet_part(pkg, sheet)
    date1904 = uses_1904_dates(pkg.read(main_workbook_part(pkg)))
    old = pkg.read(part)
    try:
        new = set_cell(old, row, col, day=day, text=text, date1904=date1904)
    except CellNotWritable as exc:
        raise CellNotWritable(f"{sheet}!{exc}") from None
    if new == old:
        return data
    pkg.write(part, new)
    return pkg.to_bytes()
