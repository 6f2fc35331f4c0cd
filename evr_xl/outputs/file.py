"""The output sheets written into a programme workbook file.

The part writer (`evr_xl.xlsx.writer`) with the programme's two rules: the sheets of the input
contract (`workbook.layout`) are never replaced, whatever a caller asks, and cells take their
look from the output sheets' palette (`outputs.styles`). Safety (fingerprint, lock, backup,
atomic replace) is the part writer's; see docs/refresh.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from evr_xl.outputs.styles import STYLES
from evr_xl.workbook.layout import LISTS_SHEET, START_HERE, TABLES_BY_SHEET
from evr_xl.xlsx.sheet import SheetSpec
from evr_xl.xlsx.writer import Fingerprint, Rendered, WriteReport, write_sheets
from evr_xl.xlsx.writer import render_workbook as _render

# Sheets of the input contract: never replaced, whatever a caller asks.
PROTECTED_SHEETS = frozenset(s.casefold() for s in (*TABLES_BY_SHEET, START_HERE, LISTS_SHEET))


def render_workbook(
    data: bytes, sheets: Sequence[SheetSpec], renames: Mapping[str, str] | None = None
) -> Rendered:
    """The workbook `data` with the output `sheets` written in: pure, in memory."""
    return _render(data, sheets, STYLES, PROTECTED_SHEETS, renames)


def write_output_sheets(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    *,
    out_path: str | os.PathLike[str] | None = None,
    expected_fingerprint: Fingerprint | None = None,
    backup: bool = True,
    renames: Mapping[str, str] | None = None,
    edit: Callable[[bytes], bytes] | None = None,
) -> WriteReport:
    """Write the output `sheets` into the programme workbook at `path` (or a copy at `out_path`).

    See `evr_xl.xlsx.writer.write_sheets` for what is refused and how the file is replaced;
    `renames` (old -> new) renames an output sheet in place first (History -> Snapshots);
    `edit` changes the file's bytes first, in the same replacement (the As-of cell, roll-forward).
    """
    return write_sheets(
        path,
        sheets,
        STYLES,
        PROTECTED_SHEETS,
        out_path=out_path,
        expected_fingerprint=expected_fingerprint,
        backup=backup,
        renames=renames,
        edit=edit,
    )
