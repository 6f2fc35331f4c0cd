"""Board pack behaviour: safe text, print setup, contents links, History, PDF fallback."""

from __future__ import annotations

import dataclasses
import zipfile

import pytest
from openpyxl import load_workbook

from evr_xl.boardpack import SHEETS, build_boardpack, make_boardpack, render
from evr_xl.boardpack.export import INSTALL_HINT
from evr_xl.boardpack.history import NO_SNAPSHOT, previous_snapshot
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


def test_every_page_prints_landscape_one_page_wide_with_header_and_footer(demo_pack) -> None:
    wb = load_workbook(demo_pack.path)
    assert wb.sheetnames == list(SHEETS)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$2"
        assert ws.sheet_view.showGridLines is False
        assert "Project Atlas" in ws.oddHeader.left.text
        assert ws.oddHeader.right.text == f"As of {demo_pack.as_of}"
        assert ws.oddFooter.right.text == "Page &P of &N"


def test_cover_links_to_every_page(demo_pack) -> None:
    ws = load_workbook(demo_pack.path)["Cover"]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink]
    assert links == [f"'{s}'!A1" for s in SHEETS[1:]]


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


def test_no_history_shows_how_to_start_one(demo_pack) -> None:
    ws = load_workbook(demo_pack.path)["Since last SteerCo"]
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
