"""The pack as printed: LibreOffice prints the .xlsx with its own print settings, and `--pdf`
gives the same pages: each page of the pack on one A4 landscape sheet, appendices after them,
headers, footers and "Page n of N"; headline figures on the right pages.

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
from evr_xl.boardpack import SHEETS, make_boardpack
from evr_xl.boardpack.export import render_pngs
from evr_xl.units import money

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
def printed(demo_pack, tmp_path_factory) -> Path:
    """The .xlsx itself printed to PDF by LibreOffice, as a user printing the workbook would."""
    return lo.convert(demo_pack.path, "pdf", tmp_path_factory.mktemp("printed"))


@pytest.fixture(scope="module")
def pdf(demo_path, tmp_path_factory) -> Path:
    """What `evr boardpack --pdf` writes."""
    out = tmp_path_factory.mktemp("pdf") / "pack.xlsx"
    report = make_boardpack(demo_path, out, pdf=True)
    assert report.pdf_path is not None, report.pdf_message
    return report.pdf_path


def _pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size in points."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    n = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    sizes = [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)]
    assert len(sizes) == n
    return sizes


def _printed_sheets(xlsx: Path) -> list[str]:
    from openpyxl import load_workbook

    return load_workbook(xlsx, read_only=True).sheetnames


def test_the_xlsx_prints_each_page_on_one_a4_landscape_sheet(printed, demo_pack) -> None:
    sheets = _printed_sheets(demo_pack.path)
    assert sheets[: len(SHEETS)] == list(SHEETS) and len(sheets) > len(SHEETS)  # + appendix
    sizes = _pages(printed)
    assert len(sizes) == len(sheets)  # one sheet of paper per page and per appendix
    for w, h in sizes:
        assert w == pytest.approx(842, abs=1) and h == pytest.approx(595, abs=1)
    for n, sheet in enumerate(sheets, start=1):  # each sheet on its own page, in order
        text = _page_text(printed, n)
        assert sheet in text and f"Page {n} of {len(sheets)}" in text, (n, sheet)


def test_pdf_gives_the_same_pages_with_header_and_footer(pdf, printed, demo_pack) -> None:
    sizes = _pages(pdf)
    assert sizes == _pages(printed)
    n = len(sizes)
    for page in range(1, n + 1):
        text = _page_text(pdf, page)
        assert "Project Atlas" in text and f"As of {demo_pack.as_of}" in text
        assert f"Page {page} of {n}" in text
        assert "EVR-XL steering committee board pack" in text
    assert "Page 1 of" in _page_text(pdf, 1) and "Cover" in _page_text(pdf, 1)


def test_headline_figures_are_on_the_right_pages(pdf, demo_results, demo_pack) -> None:
    p = demo_results.program
    m = lambda x: money(x, p.currency)  # noqa: E731
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
    assert len(pngs) == len(_printed_sheets(demo_pack.path))
    assert all(p.stat().st_size > 5_000 for p in pngs)
