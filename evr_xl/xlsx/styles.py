"""The styles.xml patch: the cell formats the output sheets need, added once and then reused.

A cell format is an `XfKey`: a named style of the caller's palette (for the output sheets,
`evr_xl.outputs.styles.STYLES`), a number format and the quote-prefix flag. `patch_styles` writes each font, fill, border, number format and cell
format in one canonical form, and before adding one looks for an element with exactly that text:
the first refresh appends a few dozen elements, later refreshes find them all and leave
styles.xml byte-identical. The user's own formats are never changed or renumbered; only
count attributes of the lists that grow are updated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import unescape
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from evr_xl.xlsx.parts import ATTRS, UnsupportedWorkbook
from evr_xl.xlsx.sheet import NamedStyle

# Excel's built-in number formats that outputs use: written by id, never declared.
BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "0.00E+00": 11,
    "@": 49,
}


class XfKey(NamedTuple):
    """What makes one cell format: a named style, a number format, the quote prefix."""

    style: str | None = None
    number_format: str | None = None
    quote_prefix: bool = False


DEFAULT_XF = XfKey()


@dataclass
class StylesPatch:
    """The patched styles.xml and the index of each requested format in it."""

    xml: bytes
    xf_index: dict[XfKey, int] = field(default_factory=dict)
    dxf_index: dict[str, int] = field(default_factory=dict)


class _Section:
    """One list in styles.xml (<fonts>, <cellXfs>, ...): its children and additions."""

    def __init__(self, text: str, prefix: str, name: str, child: str) -> None:
        self.prefix, self.name, self.child = prefix, name, child
        p = re.escape(prefix)
        self.match = _element(p, name).search(text)
        body = self.match.group(0) if self.match else ""
        start = body.find(">") + 1 if self.match else 0  # skip the list's own opening tag
        self.children = [m.group(0) for m in _element(p, child).finditer(body, start)]
        self.added: list[str] = []

    def index_of(self, element: str) -> int:
        """The index of `element` (canonical text), appending it if no child equals it."""
        element = self._prefixed(element)
        for i, existing in enumerate(self.children):
            if existing == element:
                return i
        self.children.append(element)
        self.added.append(element)
        return len(self.children) - 1

    def _prefixed(self, element: str) -> str:
        if not self.prefix:
            return element
        return re.sub(r"<(/?)(\w)", rf"<\1{self.prefix}\2", element)

    def render(self) -> str:
        p = self.prefix
        return f'<{p}{self.name} count="{len(self.children)}">{"".join(self.children)}</{p}{self.name}>'


def _element(prefix: str, name: str) -> re.Pattern[str]:
    """An element `name`, self-closing or with content (same-name elements do not nest here)."""
    tag = rf"<{prefix}{name}(?:\s{ATTRS})?"
    return re.compile(rf"{tag}/>|{tag}(?<!/)>.*?</{prefix}{name}>", re.DOTALL)


def patch_styles(
    xml: bytes,
    xf_keys: set[XfKey] | list[XfKey],
    dxf_styles: set[str] | list[str],
    palette: Mapping[str, NamedStyle],
) -> StylesPatch:
    """Add what `xf_keys` and `dxf_styles` need to styles.xml; return it with their indexes.

    Style names are looked up in `palette`.
    """
    text = xml.decode("utf-8")
    root = re.search(rf"<(\w+:)?styleSheet\b{ATTRS}>", text)
    if not root:
        raise UnsupportedWorkbook("styles.xml has no <styleSheet>")
    prefix = root.group(1) or ""
    fonts = _Section(text, prefix, "fonts", "font")
    fills = _Section(text, prefix, "fills", "fill")
    borders = _Section(text, prefix, "borders", "border")
    xfs = _Section(text, prefix, "cellXfs", "xf")
    numfmts = _Section(text, prefix, "numFmts", "numFmt")
    dxfs = _Section(text, prefix, "dxfs", "dxf")
    if not (fonts.match and fills.match and borders.match and xfs.match):
        raise UnsupportedWorkbook("styles.xml lacks fonts, fills, borders or cellXfs")
    base_font = _base_font_tail(fonts.children[0] if fonts.children else "")

    patch = StylesPatch(xml)
    for key in sorted(set(xf_keys), key=_sort_key):
        if key == DEFAULT_XF:
            patch.xf_index[key] = 0
            continue
        style = palette[key.style] if key.style else None
        font_id = fonts.index_of(_font_xml(style, base_font)) if style else 0
        fill_id = fills.index_of(_fill_xml(style.fill)) if style and style.fill else 0
        border_id = borders.index_of(_BORDER_BOTTOM) if style and style.border_bottom else 0
        fmt_id = _number_format_id(numfmts, key.number_format)
        patch.xf_index[key] = xfs.index_of(
            _xf_xml(fmt_id, font_id, fill_id, border_id, key.quote_prefix, style)
        )
    for name in sorted(set(dxf_styles)):
        patch.dxf_index[name] = dxfs.index_of(_dxf_xml(palette[name]))

    sections = [s for s in (numfmts, fonts, fills, borders, xfs, dxfs) if s.added]
    if not sections:
        return patch  # everything was there already: styles.xml stays byte-identical
    # From the end backwards, so earlier offsets stay valid; at one offset (a missing <numFmts>
    # goes where <fonts> starts) the existing list is replaced before the new one is inserted.
    for section in sorted(sections, key=lambda s: (-_position(s, text), s.match is None)):
        text = _replace_section(text, section)
    patch.xml = text.encode("utf-8")
    return patch


def _sort_key(key: XfKey) -> tuple[str, str, bool]:
    return (key.style or "", key.number_format or "", key.quote_prefix)


def _position(section: _Section, text: str) -> int:
    if section.match:
        return section.match.start()
    return _insert_point(section, text)


def _insert_point(section: _Section, text: str) -> int:
    """Where a missing <numFmts> or <dxfs> goes, keeping the schema's order of children."""
    p = re.escape(section.prefix)
    if section.name == "numFmts":
        return re.search(rf"<{p}styleSheet\b{ATTRS}>", text).end()
    after = re.search(rf"<{p}(tableStyles|colors|extLst)\b|</{p}styleSheet>", text)
    return after.start()


def _replace_section(text: str, section: _Section) -> str:
    if section.match:
        return text[: section.match.start()] + section.render() + text[section.match.end() :]
    at = _insert_point(section, text)
    return text[:at] + section.render() + text[at:]


def _number_format_id(numfmts: _Section, code: str | None) -> int:
    if code is None:
        return 0
    if code in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[code]
    ids = []
    for child in numfmts.children:
        id_match = re.search(r"numFmtId\s*=\s*[\"'](\d+)[\"']", child)
        code_match = re.search(r"formatCode\s*=\s*(\"[^\"]*\"|'[^']*')", child)
        if id_match and code_match:
            if unescape(code_match.group(1)[1:-1]) == code:
                return int(id_match.group(1))
            ids.append(int(id_match.group(1)))
    new_id = max([163, *ids]) + 1
    numfmts.index_of(f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>')
    return new_id


def _base_font_tail(first_font: str) -> str:
    """The workbook's default font family (name, family, charset, scheme) as canonical XML."""
    parts = []
    for tag in ("name", "family", "charset", "scheme"):
        m = re.search(rf"<(?:\w+:)?{tag}\s+val\s*=\s*(\"[^\"]*\"|'[^']*')", first_font)
        if m:
            parts.append(f"<{tag} val={quoteattr(unescape(m.group(1)[1:-1]))}/>")
    return "".join(parts) or '<name val="Calibri"/><family val="2"/><scheme val="minor"/>'


def _argb(rgb: str) -> str:
    return "FF" + rgb.upper().lstrip("#")


def _font_xml(style: NamedStyle, tail: str) -> str:
    parts = ["<b/>" if style.bold else "", "<i/>" if style.italic else ""]
    parts.append("<u/>" if style.underline else "")
    parts.append(f'<sz val="{style.size:g}"/>')
    parts.append(
        f'<color rgb="{_argb(style.font_colour)}"/>' if style.font_colour else '<color theme="1"/>'
    )
    return "<font>" + "".join(parts) + tail + "</font>"


def _fill_xml(rgb: str) -> str:
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb="{_argb(rgb)}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
    )


_BORDER_BOTTOM = (
    '<border><left/><right/><top/><bottom style="thin"><color indexed="64"/></bottom>'
    "<diagonal/></border>"
)


def _xf_xml(
    fmt_id: int, font_id: int, fill_id: int, border_id: int, quote: bool, style: NamedStyle | None
) -> str:
    attrs = (
        f'numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
    )
    if quote:
        attrs += ' quotePrefix="1"'
    for flag, on in (
        ("applyNumberFormat", fmt_id),
        ("applyFont", font_id),
        ("applyFill", fill_id),
        ("applyBorder", border_id),
    ):
        if on:
            attrs += f' {flag}="1"'
    alignment = _alignment_xml(style) if style else ""
    if alignment:
        return f'<xf {attrs} applyAlignment="1">{alignment}</xf>'
    return f"<xf {attrs}/>"


def _alignment_xml(style: NamedStyle) -> str:
    attrs = ""
    if style.horizontal:
        attrs += f' horizontal="{style.horizontal}"'
    if style.vertical:
        attrs += f' vertical="{style.vertical}"'
    if style.wrap:
        attrs += ' wrapText="1"'
    return f"<alignment{attrs}/>" if attrs else ""


def _dxf_xml(style: NamedStyle) -> str:
    font = f'<font><color rgb="{_argb(style.font_colour)}"/></font>' if style.font_colour else ""
    fill = (
        f'<fill><patternFill><bgColor rgb="{_argb(style.fill)}"/></patternFill></fill>'
        if style.fill
        else ""
    )
    return f"<dxf>{font}{fill}</dxf>"
