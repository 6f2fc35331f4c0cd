"""Board pack behaviour: safe text, print setup, contents links, snapshots, PDF fallback."""

from __future__ import annotations

import dataclasses
import zipfile

import pytest
from openpyxl import load_workbook

from evr_xl.boardpack import SHEETS, build_boardpack, make_boardpack, render
from evr_xl.boardpack.export import INSTALL_HINT
from evr_xl.boardpack.history import MAX_DRIVERS, NO_SNAPSHOT, previous_snapshot
from evr_xl.workbook.grids import WorkbookError


def test_user_text_that_looks_like_a_formula_stays_text(demo_results, tmp_path) -> None:
    evil = '=HYPERLINK("http://x","click")'
    drivers = demo_results.drivers.copy()
    red = drivers.index[drivers["rag"] == "Red"][0]
    drivers.loc[red, "name"] = evil
    drivers.loc[red, "owner"] = "+cmd|' /C calc'!A0"
    results = dataclasses.replace(demo_results, drivers=drivers)
    out = render(build_boardpack(results), tmp_path / "pack.xlsx")
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(n) for n in sheets), "no formula anywhere in the pack"
    ws = load_workbook(out)["Decisions"]
    cells = [
        c for row in ws.iter_rows() for c in row if c.value in (evil, drivers.loc[red, "owner"])
    ]
    assert len(cells) == 2
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_every_page_prints_on_one_landscape_sheet_with_header_and_footer(demo_pack) -> None:
    wb = load_workbook(demo_pack.path)
    assert wb.sheetnames[: len(SHEETS)] == list(SHEETS)
    appendices = wb.sheetnames[len(SHEETS) :]
    # the 36 periods do not fit beside the chart; nor do all the drivers that moved
    assert appendices == ["Trajectory (appendix)", "Since last SteerCo (appendix)"]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area.startswith("'") and "$A$1:" in ws.print_area
        if ws.title in SHEETS:
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
            assert ws.print_title_rows == "$1:$2"
        else:  # an appendix: one page wide, its title and table header on every page
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight in (0, 1)
            header = int(ws.print_title_rows.split(":")[1].lstrip("$"))
            assert ws.cell(header, 1).value in ("Period", "Driver")
            assert ws.print_title_rows.startswith("$1:")
        assert ws.sheet_view.showGridLines is False
        assert "Project Atlas" in ws.oddHeader.left.text
        assert ws.oddHeader.right.text == f"As of {demo_pack.as_of}"
        assert ws.oddFooter.right.text == "Page &P of &N"


def test_cover_links_to_every_page_and_appendix(demo_pack) -> None:
    wb = load_workbook(demo_pack.path)
    ws = wb["Cover"]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink]
    assert links == [f"'{s}'!A1" for s in [*SHEETS[1:], *wb.sheetnames[len(SHEETS) :]]]


def test_charts_keep_axes_and_use_no_excel_2016_types(demo_pack) -> None:
    from evr_xl.boardpack.dump import dump_pack

    dump = dump_pack(demo_pack.path)
    assert dump["chartex_parts"] == []
    waterfall = dump["charts"]["Value bridge"][0]["types"][0]
    assert (waterfall["type"], waterfall["grouping"]) == ("barChart", "stacked")
    assert waterfall["series"][0]["no_fill"] is True  # the invisible base
    for charts in dump["charts"].values():
        for chart in charts:
            assert chart["axes_deleted"] == ["0", "0"]
    assert dump["charts"]["Trajectory"][0]["types"][0]["type"] == "lineChart"
    assert dump["charts"]["Workstreams"][0]["types"][0]["grouping"] == "clustered"


def test_no_history_shows_how_to_start_one(demo_results, tmp_path) -> None:
    out = render(build_boardpack(demo_results, history=[]), tmp_path / "p.xlsx")
    ws = load_workbook(out)["Since last SteerCo"]
    assert NO_SNAPSHOT in [c.value for row in ws.iter_rows() for c in row]
    assert "evr refresh" in NO_SNAPSHOT


def test_previous_snapshot_is_the_latest_before_the_as_of() -> None:
    history = [
        {"as_of": "2026-04", "taken_at": "2026-04-30T10:00"},
        {"as_of": "2026-05", "taken_at": "2026-05-28T10:00"},
        {"as_of": "2026-05", "taken_at": "2026-05-29T10:00"},
        {"as_of": "2026-06", "taken_at": "2026-06-30T10:00"},  # this refresh itself
    ]
    assert previous_snapshot(history, "2026-06")["taken_at"] == "2026-05-29T10:00"
    assert previous_snapshot(history[3:], "2026-06") is None
    assert previous_snapshot(None, "2026-06") is None


def test_history_moves_are_now_minus_then(demo_results, tmp_path) -> None:
    d = demo_results.drivers
    first = d.index[0]
    snapshot = {
        "as_of": "2026-05",
        "taken_at": "2026-05-29T10:00",
        "program": {"forecast_in_horizon": demo_results.program.forecast_in_horizon - 1e6},
        "drivers": [{"driver_id": first, "forecast": d.loc[first, "forecast_in_horizon"] - 5e5,
                     "value_at_risk": 0.0}],
    }  # fmt: skip
    out = render(build_boardpack(demo_results, history=[snapshot]), tmp_path / "p.xlsx")
    ws = load_workbook(out)["Since last SteerCo"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["Forecast in horizon"][3] == pytest.approx(1e6)
    moved = next(v for k, v in rows.items() if str(k).startswith(f"{first} "))
    assert moved[4] == pytest.approx(5e5)


def test_pdf_without_libreoffice_still_writes_the_workbook(demo_path, tmp_path, monkeypatch):
    monkeypatch.setattr("evr_xl.lo.find_soffice", lambda: None)
    report = make_boardpack(demo_path, tmp_path / "pack.xlsx", pdf=True)
    assert report.path.is_file()
    assert report.pdf_path is None
    assert report.pdf_message == INSTALL_HINT
    assert any("apt-get install libreoffice-calc" in m for m in report.messages)


def test_unusable_workbook_raises_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookError, match="notes.xlsx"):
        make_boardpack(bad)


def test_default_output_sits_beside_the_input(demo_path, tmp_path) -> None:
    import shutil

    src = tmp_path / "atlas.xlsx"
    shutil.copyfile(demo_path, src)
    report = make_boardpack(src)
    assert report.path == tmp_path / f"atlas_boardpack_{report.as_of}.xlsx"
    assert report.path.is_file()


def test_decisions_list_the_red_drivers_with_most_at_risk_and_count_them_all(
    demo_results, monkeypatch
) -> None:
    from evr_xl.boardpack import pages
    from evr_xl.boardpack.model import Table, Text

    d = demo_results.drivers
    red = d[d["rag"] == "Red"].sort_values(
        ["value_at_risk", "driver_id"], ascending=[False, True], kind="stable"
    )
    assert len(red) > 3
    monkeypatch.setattr(pages, "MAX_RED", 3)
    page = pages.decisions_page(demo_results)
    summary, table = page.blocks
    assert isinstance(summary, Text) and isinstance(table, Table)
    assert [r[0] for r in table.rows] == list(red["driver_id"][:3])
    assert f"{len(red) - 3} more" in (table.title or "")
    assert summary.text.startswith(f"{len(red)} drivers rated Red")


def test_page_tables_stay_bounded_on_a_large_programme(demo_results) -> None:
    """Forty copies of every driver and slipping item, all Red: no page table grows with them
    (the scorecard lists workstreams, the trajectory periods, the checks the catalogue)."""
    import pandas as pd

    from evr_xl.boardpack import pages
    from evr_xl.boardpack.model import Table

    copies = 40

    def grow(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        parts = [frame.assign(**{key: frame[key].astype(str) + f"-{i}"}) for i in range(copies)]
        return pd.concat(parts, ignore_index=True)

    drivers = grow(demo_results.drivers, "driver_id").assign(rag="Red")
    items = grow(demo_results.slipping_items, "item_id")
    results = dataclasses.replace(demo_results, drivers=drivers, slipping_items=items)
    before = {"as_of": "2000-01", "program": {}, "drivers": {}}  # every driver new since
    pack = build_boardpack(results, history=[before])
    rows = {b.key: len(b.rows) for p in pack.pages for b in p.blocks if isinstance(b, Table)}
    assert rows["red_drivers"] == pages.MAX_RED
    assert rows["top_drivers"] <= pages.TOP_DRIVERS
    assert rows["slipping"] <= pages.MAX_ITEMS
    assert rows["driver_moves"] == MAX_DRIVERS
    assert rows["scorecard"] == len(demo_results.workstreams)
    assert rows["trajectory"] == len(demo_results.trajectory)
    assert max(rows.values()) <= max(pages.MAX_RED, len(demo_results.trajectory), pages.MAX_ERRORS)


def test_cells_carry_the_pack_styles(demo_pack) -> None:
    """Header band, body rows, RAG cells and KPI tiles keep their look (styles are shared)."""
    from evr_xl.boardpack import style as st

    wb = load_workbook(demo_pack.path)
    ws = wb["Workstreams"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "Workstream")
    assert header.fill.fgColor.rgb.endswith(st.NAVY) and header.font.b
    assert header.font.color.rgb.endswith("FFFFFF") and header.font.name == st.FONT
    body = ws.cell(row=header.row + 1, column=1)
    assert body.border.bottom.style == "thin" and body.font.sz == 10 and not body.font.b
    rags = [c for row in ws.iter_rows() for c in row if c.value in st.RAG_FILL and c is not header]
    assert rags
    for c in rags:
        assert c.fill.fgColor.rgb.endswith(st.RAG_FILL[c.value])
        assert c.font.color.rgb.endswith(st.RAG_FONT[c.value]) and c.font.b
        assert c.alignment.horizontal == "center"
    cover = wb["Cover"]
    rag_tile = next(c for row in cover.iter_rows() for c in row if c.value == "Value RAG")
    value = cover.cell(row=rag_tile.row + 1, column=rag_tile.column)
    assert value.fill.fgColor.rgb.endswith(st.RAG_FILL[value.value])
    assert rag_tile.fill.fgColor.rgb.endswith(st.TILE) and rag_tile.font.sz == 9


def _snapshot_of(results, as_of: str, **overrides) -> dict:
    """A snapshot mapping of `results` as a refresh records it, with per-driver overrides."""
    p = results.program
    figures = ("target", "realized_to_date", "forecast_in_horizon", "forecast_exit_run_rate",
               "value_at_risk", "confidence_weighted_forecast")  # fmt: skip
    drivers = {
        r.driver_id: {f: float(getattr(r, f)) for f in figures}
        for r in results.drivers.itertuples()
    }
    for ident, changes in overrides.items():
        drivers[ident.replace("_", "-")] |= changes
    program = {f: sum(d[f] for d in drivers.values()) for f in figures[1:]}
    program["target"] = p.sum_targets
    return {"as_of": as_of, "taken_at": "2026-05-29 10:00", "program": program, "drivers": drivers}


def test_a_cut_target_is_a_target_change_not_a_forecast_improvement(demo_results, tmp_path):
    """May: VD-020 had a target of 7.5M and 3.3M at risk; June: its target was cut to 5M, and its
    value at risk fell with it. Page 7 lists it under target changes (old, new, change) and keeps
    it out of the forecast movements; the programme's change is split accordingly."""
    d = demo_results.drivers.set_index("driver_id")
    cut = "VD-020"
    # The May snapshot: the same programme, except VD-020 had a 2.5M higher target and 1.2M more
    # at risk against it (what cutting a target does to value at risk).
    then_target = float(d.loc[cut, "target"]) + 2.5e6
    then_var = float(d.loc[cut, "value_at_risk"]) + 1.2e6
    snap = _snapshot_of(
        demo_results, "2026-05", VD_020={"target": then_target, "value_at_risk": then_var}
    )
    snap["program"]["target"] = demo_results.program.sum_targets + 2.5e6
    out = render(build_boardpack(demo_results, history=[snap]), tmp_path / "p.xlsx")
    ws = load_workbook(out)["Since last SteerCo"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] is not None]
    texts = [str(r[0]) for r in rows]
    t_title = next(i for i, t in enumerate(texts) if t.startswith("Target changes"))
    m_title = next(i for i, t in enumerate(texts) if t.startswith("Forecast movements by driver"))
    target_rows = [r for r in rows[t_title + 2 : m_title] if str(r[0]).startswith(cut)]
    assert len(target_rows) == 1
    _label, _owner, t_then, t_now, t_change, f_change, v_change = target_rows[0][:7]
    assert (t_then, t_now, t_change) == pytest.approx((then_target, then_target - 2.5e6, -2.5e6))
    assert v_change == pytest.approx(-1.2e6) and f_change == pytest.approx(0.0)
    movements = [str(r[0]) for r in rows[m_title + 2 :]]
    assert not any(t.startswith(cut) for t in movements), "a cut target is not a forecast move"
    programme = {r[0]: r for r in rows}
    var = programme["Value at risk (horizon)"]
    assert var[3] == pytest.approx(-1.2e6)  # the programme's value at risk fell ...
    assert var[4] == pytest.approx(-1.2e6)  # ... all of it from the target change,
    assert var[5] == pytest.approx(0.0, abs=1e-3)  # none from the forecast
    assert programme["Recurring targets (annual, net)"][3] == pytest.approx(-2.5e6)
    assert any("not a forecast improvement" in t for t in texts)


def test_old_snapshots_without_targets_still_compare(demo_results, tmp_path) -> None:
    """Snapshots of the History sheet (before 2026-12) have no target: no target change is
    inferred, the forecast movements are shown as before."""
    snap = _snapshot_of(demo_results, "2026-05")
    for figures in snap["drivers"].values():
        del figures["target"]
    del snap["program"]["target"]
    first = next(iter(snap["drivers"]))
    snap["drivers"][first]["forecast_in_horizon"] -= 5e5
    out = render(build_boardpack(demo_results, history=[snap]), tmp_path / "p.xlsx")
    ws = load_workbook(out)["Since last SteerCo"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    assert "Recurring targets (annual, net)" not in rows
    moved = next(v for k, v in rows.items() if str(k).startswith(f"{first} "))
    assert moved[4] == pytest.approx(5e5)
    assert "No target changed." in rows


def test_the_bridge_charts_sit_beside_their_tables_not_below(demo_pack) -> None:
    """A landscape page filled across, not a narrow column printed small."""
    ws = load_workbook(demo_pack.path)["Value bridge"]
    anchors = [c.anchor._from for c in ws._charts]
    assert len(anchors) == 2
    assert all(a.col >= 4 for a in anchors)  # right of the three-column bridge tables
    tops = sorted(a.row + 1 for a in anchors)  # 1-based rows
    titles = sorted(
        c.row for row in ws.iter_rows() for c in row
        if isinstance(c.value, str) and c.value.startswith(("Run-rate bridge:", "Horizon bridge:"))
    )  # fmt: skip
    assert tops == titles  # each chart starts on its table's title row
