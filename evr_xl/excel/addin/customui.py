"""The add-in's `customUI/customUI.xml` (Office 2007 ribbon schema), rendered from `ribbon.py`."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from evr_xl.excel.ribbon import BUTTONS, GROUPS, ON_ACTION, TAB_ID, TAB_LABEL

NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"


def customui_xml() -> bytes:
    """The ribbon XML: one tab, its groups, one large button per action (UTF-8, CRLF-free)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<customUI xmlns="{NAMESPACE}">',
        "  <ribbon>",
        "    <tabs>",
        f"      <tab id={quoteattr(TAB_ID)} label={quoteattr(TAB_LABEL)}>",
    ]
    for group_id, group_label in GROUPS:
        lines.append(f"        <group id={quoteattr(group_id)} label={quoteattr(group_label)}>")
        for b in (b for b in BUTTONS if b.group == group_id):
            lines.append(
                f"          <button id={quoteattr(b.action)} label={quoteattr(b.label)}"
                f' size="large" imageMso={quoteattr(b.image_mso)}'
                f" onAction={quoteattr(ON_ACTION)}"
                f" screentip={quoteattr(b.screentip)} supertip={quoteattr(b.supertip)} />"
            )
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines).encode("utf-8")
