"""Printing the workbook's output sheets: header rows on every page, wide tables legible.

Driver Metrics (27 columns) used to print on one A4 width at ~4-pt text; Findings and History
repeated no header on their later pages. Checked as Excel would read the file (openpyxl reads
the print titles, scale and column breaks back) and, on the rendering side, through LibreOffice
in tests/boardpack/test_render_lo.py's manner where it matters.
"""

from __future__ import annotations

import re
import warnings
import zipfile

import pytest
from openpyxl import load_workbook

from evr_xl.demo import write_demo
from evr_xl.refresh import refresh
from evr_xl.xlsx.names import PRINT_TITLES, set_local_names
from evr_xl.xlsx.sheet import (
    Cells,
    CellSpec,
    PrintSettings,
    SheetSpec,
    Table,
    column_groups,
    column_pixels,
    printable_pixels,
)
from evr_xl.xlsx.sheetxml import print_titles


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    path = write_demo(tmp_path_factory.mktemp("print")).path
    refresh(path)
    refresh(path)  # a second refresh replaces the print titles, never adds a second set
    return path


@pytest.fixture(scope="module")
def wb(refreshed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(refreshed)


@pytest.mark.parametrize("sheet", ["Driver Metrics", "Workstream Metrics", "Findings", "Snapshots"])
def test_output_tables_repeat_their_header_row_on_every_printed_page(wb, sheet) -> None:
    ws = wb[sheet]
    assert ws.print_title_rows == "$4:$4"
    assert ws.cell(4, 1).value in ("Driver ID", "Workstream", "Where", "As-of")
    assert ws.page_setup.orientation == "landscape"


def test_print_titles_are_one_defined_name_per_sheet(refreshed) -> None:
    with zipfile.ZipFile(refreshed) as z:
        xml = z.read("xl/workbook.xml").decode()
    ids = re.findall(r'name="_xlnm.Print_Titles" localSheetId="(\d+)"', xml)
    assert len(ids) == len(set(ids))  # after two refreshes: no duplicate (Excel would repair)
    assert "'Value Drivers'!$4:$4" in xml  # the template's own print titles are kept


def test_driver_metrics_prints_legibly_in_column_groups(wb) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb["Driver Metrics"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # no longer shrunk to one page width
    assert ws.page_setup.scale >= 60  # was ~37% (4-pt text)
    assert ws.print_title_cols == "$A:$B"  # driver ID and name on every page across
    breaks = [b.id for b in ws.col_breaks.brk]
    assert 1 <= len(breaks) <= 2  # two or three groups of columns, not one page width
    # each group, with the repeated ID and name, fits the printable width at that scale
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)]
    px = [column_pixels(w) for w in widths]
    page = printable_pixels(PrintSettings()) / (ws.page_setup.scale / 100)
    edges = [0, *breaks, len(px)]
    for n, (start, end) in enumerate(zip(edges, edges[1:], strict=False)):
        repeated = sum(px[:2]) if n else 0
        assert repeated + sum(px[start:end]) <= page, (start, end)


def test_column_groups_are_balanced_and_only_when_needed() -> None:
    def spec(widths: list[float]) -> SheetSpec:
        ps = PrintSettings(title_cols=(1, 1), column_groups=True)
        return SheetSpec("S", col_widths=dict(enumerate(widths, start=1)), print_settings=ps)

    narrow = column_groups(spec([10.0] * 10), 10)
    assert narrow.breaks == () and narrow.scale == 100  # fits: no break, full size
    wide = column_groups(spec([14.0] * 40), 40)
    assert len(wide.breaks) >= 2 and wide.scale >= 60


def test_print_titles_follow_the_table_header_unless_told() -> None:
    table = Table(7, ("A", "B"), ((1,), (2,)), (None, None))
    cells = Cells([CellSpec(1, 1, "title")], table)
    assert print_titles(SheetSpec("It's", cells)) == "'It''s'!$7:$7"
    explicit = PrintSettings(title_rows=(1, 2), title_cols=(1, 1))
    assert print_titles(SheetSpec("S", cells, print_settings=explicit)) == "'S'!$A:$A,'S'!$1:$2"
    assert print_titles(SheetSpec("S", [CellSpec(1, 1, "x")])) is None  # no table: none
    assert print_titles(SheetSpec("S", cells, print_settings=None)) is None


def test_set_local_names_replaces_only_the_sheets_written() -> None:
    xml = (
        b'<workbook xmlns="m"><sheets><sheet name="a"/></sheets><definedNames>'
        b'<definedName name="keep">x!$A$1</definedName>'
        b'<definedName name="_xlnm.Print_Titles" localSheetId="0">old!$1:$1</definedName>'
        b'<definedName name="_xlnm.Print_Titles" localSheetId="3">user!$2:$2</definedName>'
        b"</definedNames></workbook>"
    )
    out = set_local_names(xml, PRINT_TITLES, {0: "'a'!$4:$4", 5: None}).decode()
    assert "old!" not in out and "'a'!$4:$4" in out and "user!$2:$2" in out and "keep" in out
    bare = b'<x:workbook xmlns:x="m"><x:sheets><x:sheet name="a"/></x:sheets></x:workbook>'
    added = set_local_names(bare, PRINT_TITLES, {0: "'a'!$4:$4"}).decode()
    assert added.index("</x:sheets><x:definedNames><x:definedName") > 0
    assert set_local_names(bare, PRINT_TITLES, {0: None}) == bare
