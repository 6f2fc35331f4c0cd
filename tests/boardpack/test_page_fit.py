"""Each page of the pack prints on one sheet of paper, legibly, whatever its content.

The layout is decided in render from the page description: a page whose one-sheet print would
be too small has its longest table cut, the rest of the rows on an appendix sheet after the
pages; charts keep all their data. Pages may gain or lose tables: these tests build their own.
"""

from __future__ import annotations

import dataclasses

from openpyxl import load_workbook

from evr_xl.boardpack import build_boardpack, render
from evr_xl.boardpack.model import Chart, Column, Page, Series, Table, Text
from evr_xl.boardpack.render import (
    MIN_SCALE,
    PRINT_H_PT,
    _measure,
    _print_scale,
    appendix_name,
    fit_page,
)


def _long_page(n: int, chart: bool = False) -> Page:
    cols = (Column("Item", width=20), Column("Value", "#,##0", 12))
    table = Table("items", cols, tuple((f"item {i}", i) for i in range(n)), title="Items")
    blocks: tuple = (Text("A page with a long list.", "callout"), table)
    if chart:
        blocks = (Chart("line", "Values", "items", 0, (Series(1),), "v", "#,##0"), *blocks)
    return Page("Long list", "Long list", blocks, width_cols=2)


def test_a_short_page_is_not_cut(demo_results) -> None:
    pack = build_boardpack(demo_results)
    page = _long_page(10)
    assert fit_page(page, pack) == (page, None)


def test_a_long_table_moves_its_other_rows_to_an_appendix(demo_results, tmp_path) -> None:
    pack = build_boardpack(demo_results)
    page = _long_page(300)
    cut, appendix = fit_page(page, pack)
    assert appendix is not None and appendix.sheet == "Long list (appendix)"
    kept = next(b for b in cut.blocks if isinstance(b, Table)).rows
    moved = next(b for b in appendix.blocks if isinstance(b, Table)).rows
    assert kept + moved == page.blocks[1].rows  # every row once, in order
    assert any(isinstance(b, Text) and "Long list (appendix)" in b.text for b in cut.blocks)
    width_scale, scale = _print_scale(_measure(cut, pack))
    assert scale >= max(MIN_SCALE, 0.85 * width_scale) - 1e-9

    pack = dataclasses.replace(pack, pages=(*pack.pages, page))
    wb = load_workbook(render(pack, tmp_path / "pack.xlsx"))
    assert wb.sheetnames[-1] == "Long list (appendix)"
    ws = wb["Long list (appendix)"]
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)  # many pages down
    header = int(ws.print_title_rows.split(":")[1].lstrip("$"))
    assert ws.cell(header, 1).value == "Item"  # the header row repeats on each page
    assert wb["Long list"].page_setup.fitToHeight == 1


def test_a_plotted_table_is_cut_but_its_chart_keeps_every_row(demo_results) -> None:
    pack = build_boardpack(demo_results)
    cut, appendix = fit_page(_long_page(120, chart=True), pack)
    assert appendix is not None
    chart = next(b for b in cut.blocks if isinstance(b, Chart))
    data = next(b for b in cut.blocks if isinstance(b, Table) and b.key == chart.table)
    assert data.helper and len(data.rows) == 120  # hidden columns, all of them


def test_every_demo_page_fits_one_sheet_legibly(demo_results) -> None:
    pack = build_boardpack(demo_results)
    for page in pack.pages:
        cut, _ = fit_page(page, pack)
        writer = _measure(cut, pack)
        width_scale, scale = _print_scale(writer)
        assert writer.height_pt * scale <= PRINT_H_PT + 0.5
        assert scale >= MIN_SCALE, (page.sheet, scale)  # 10-pt text at 5.5 pt or more


def test_appendix_names_fit_excel() -> None:
    assert len(appendix_name("x" * 31)) == 31 and appendix_name("Decisions") == (
        "Decisions (appendix)"
    )
