"""Sheet-local defined names in the workbook part: the print titles of the sheets written.

Excel keeps the rows and columns repeated on every printed page as the defined name
`_xlnm.Print_Titles` with the sheet's position (`localSheetId`, 0-based in <sheets>). A refresh
replaces the name of each sheet it writes and leaves every other defined name as it was. The
workbook part is edited as text, as `parts` does, so nothing else in it changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from evr_xl.xlsx.parts import UnsupportedWorkbook

PRINT_TITLES = "_xlnm.Print_Titles"
_ATTRS = r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
_DEFINED = re.compile(
    rf"<((?:\w+:)?)definedName\b({_ATTRS})(?:/>|>.*?</(?:\w+:)?definedName\s*>)", re.DOTALL
)


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf"(?<![\w:.-]){re.escape(name)}\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attrs)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def set_local_names(workbook_xml: bytes, name: str, values: Mapping[int, str | None]) -> bytes:
    """`workbook_xml` with the defined name `name` of each sheet position in `values` set to
    its formula, or removed (None); other names untouched."""
    text = workbook_xml.decode("utf-8")

    def keep(m: re.Match[str]) -> str:
        attrs = m.group(2)
        local = _attr(attrs, "localSheetId")
        if _attr(attrs, "name") == name and local is not None and local.isdigit():
            if int(local) in values:
                return ""
        return m.group(0)

    text = _DEFINED.sub(keep, text)
    new = "".join(
        f'<definedName name={quoteattr(name)} localSheetId="{i}">{escape(formula)}</definedName>'
        for i, formula in sorted(values.items())
        if formula
    )
    text = re.sub(r"<((?:\w+:)?)definedNames\s*/>", r"<\1definedNames></\1definedNames>", text)
    close = list(re.finditer(r"</((?:\w+:)?)definedNames\s*>", text))
    if close:
        m = close[-1]
        text = text[: m.start()] + _prefixed(new, m.group(1)) + text[m.start() :]
    elif new:  # no <definedNames> yet: after <sheets> (and any externalReferences)
        anchors = list(re.finditer(r"</((?:\w+:)?)(?:sheets|externalReferences)\s*>", text))
        if not anchors:
            raise UnsupportedWorkbook("no </sheets> in the workbook part")
        m = anchors[-1]
        p = m.group(1)
        block = f"<{p}definedNames>{_prefixed(new, p)}</{p}definedNames>"
        text = text[: m.end()] + block + text[m.end() :]
    text = re.sub(r"<((?:\w+:)?)definedNames\s*>\s*</\1definedNames\s*>", "", text)
    return text.encode("utf-8")


def _prefixed(elements: str, prefix: str) -> str:
    return (
        elements.replace("<definedName ", f"<{prefix}definedName ").replace(
            "</definedName>", f"</{prefix}definedName>"
        )
        if prefix
        else elements
    )
