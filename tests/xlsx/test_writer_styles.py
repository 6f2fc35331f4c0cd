"""The styles.xml patch: appended once, found again, other formats untouched."""

from __future__ import annotations

from evr_xl.outputs.styles import STYLES
from evr_xl.xlsx.styles import XfKey, patch_styles

MINIMAL = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:fonts count="1"><x:font><x:sz val="10"/><x:name val="Arial"/></x:font></x:fonts>'
    b'<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill>'
    b'<x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>'
    b'<x:borders count="1"><x:border><x:left/><x:right/><x:top/><x:bottom/><x:diagonal/>'
    b"</x:border></x:borders>"
    b'<x:cellStyleXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    b"</x:cellStyleXfs>"
    b'<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b"</x:cellXfs>"
    b'<x:cellStyles count="1"><x:cellStyle name="Normal" xfId="0" builtinId="0"/></x:cellStyles>'
    b"</x:styleSheet>"
)

KEYS = {
    XfKey(),
    XfKey("header"),
    XfKey("header", "#,##0;[Red]-#,##0"),
    XfKey(None, "[>=1000]#,##0;0", True),
    XfKey("rag_red", "0%"),
}


def test_prefixed_styles_without_numfmts_or_dxfs() -> None:
    patch = patch_styles(MINIMAL, KEYS, {"rag_red", "rag_green"}, STYLES)
    text = patch.xml.decode()
    assert patch.xf_index[XfKey()] == 0
    assert sorted(patch.xf_index.values()) == [0, 1, 2, 3, 4]
    assert text.index("<x:numFmts") < text.index("<x:fonts")  # schema order kept
    assert text.index("</x:cellStyles>") < text.index("<x:dxfs")
    assert 'formatCode="[&gt;=1000]#,##0;0"' in text
    assert "<x:xf " in text and "<xf " not in text  # the document's prefix is used
    assert '<x:fonts count="' in text and '<x:cellXfs count="5">' in text
    # The user's own elements are untouched and keep their indexes.
    assert '<x:font><x:sz val="10"/><x:name val="Arial"/></x:font>' in text
    assert patch.dxf_index == {"rag_green": 0, "rag_red": 1}
    assert '<x:name val="Arial"/>' in text.split("</x:font>")[1]  # the workbook's font family


def test_second_patch_finds_everything() -> None:
    first = patch_styles(MINIMAL, KEYS, {"rag_red"}, STYLES)
    second = patch_styles(first.xml, KEYS, {"rag_red"}, STYLES)
    assert second.xml == first.xml
    assert second.xf_index == first.xf_index and second.dxf_index == first.dxf_index
    third = patch_styles(first.xml, {XfKey("title")}, set(), STYLES)
    assert third.xml.startswith(first.xml[: first.xml.index(b"<x:fonts")])
    assert third.xf_index[XfKey("title")] == 5  # appended after the earlier ones


def test_nothing_needed_changes_nothing() -> None:
    assert patch_styles(MINIMAL, {XfKey()}, set(), STYLES).xml == MINIMAL
