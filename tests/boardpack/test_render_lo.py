"""LibreOffice renders the pack: one PDF page per sheet, headline figures on the right pages.

Also produces one PNG per page (set EVR_BOARDPACK_PNG_DIR to keep them for looking at).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from evr_xl import lo
from evr_xl.boardpack import SHEETS
from evr_xl.boardpack.export import render_pngs, to_pdf
from evr_xl.boardpack.style import money_text

pytestmark = pytest.mark.skipif(
    lo.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils",
)


def _page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


@pytest.fixture(scope="module")
def pdf(demo_pack, tmp_path_factory) -> Path:
    return to_pdf(demo_pack.path, tmp_path_factory.mktemp("pdf"))


def test_one_page_per_sheet(pdf) -> None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{len(SHEETS)}$", info, re.M), info


def test_headline_figures_are_on_the_right_pages(pdf, demo_results, demo_pack) -> None:
    p = demo_results.program
    m = lambda x: money_text(x, p.currency)  # noqa: E731
    cover = _page_text(pdf, 1)
    assert " ".join(demo_pack.headline.split()[:4]) in " ".join(cover.split())
    assert p.rag in cover and m(p.value_promise) in cover
    bridge = _page_text(pdf, 2)
    assert "Value bridge" in bridge
    for value in (p.value_promise, p.sum_targets, p.forecast_exit_run_rate):
        assert m(value) in bridge
    assert "Commercial" in _page_text(pdf, 3)
    var = _page_text(pdf, 4)
    assert m(p.value_at_risk) in var and demo_results.slipping_items.iloc[0]["item_id"] in var
    assert p.last_period in _page_text(pdf, 5)
    assert "Errors to fix" in _page_text(pdf, 6)
    since = _page_text(pdf, 7)  # the demo carries earlier snapshots: it compares with 2026-05
    assert "as of 2026-05" in since and "Target changes" in since and "computed" in since.lower()
    red = demo_results.drivers[demo_results.drivers["rag"] == "Red"]
    decisions = _page_text(pdf, 8)
    assert all(d in decisions for d in red["driver_id"])
    assert "###" not in "".join(_page_text(pdf, i) for i in range(1, 9))


def test_a_png_per_page(demo_pack, tmp_path) -> None:
    outdir = Path(os.environ.get("EVR_BOARDPACK_PNG_DIR") or tmp_path)
    pngs = render_pngs(demo_pack.path, outdir)
    assert len(pngs) == len(SHEETS)
    assert all(p.stat().st_size > 5_000 for p in pngs)
