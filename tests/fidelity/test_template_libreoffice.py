"""The template through LibreOffice: it loads, converts to xlsx and renders to PDF and PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from evr_xl import lo
from evr_xl.workbook import layout
from evr_xl.workbook.template import build_template

needs_soffice = pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("lo") / "template.xlsx")


@pytest.mark.libreoffice
@needs_soffice
def test_template_converts_to_xlsx_with_its_sheets_and_headers(template, tmp_path):
    out = lo.convert(template, "xlsx", tmp_path / "out", recalc=True)
    assert out == tmp_path / "out" / "template.xlsx"
    wb = openpyxl.load_workbook(out)
    for table in layout.INPUT_TABLES:
        ws = wb[table.sheet]
        assert [ws.cell(4, i + 1).value for i in range(len(table.columns))] == [
            c.header for c in table.columns
        ]
    assert wb["Program"]["B6"].value == "PMI"
    assert wb["Stage Gates"]["D10"].value == 1


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_template_renders_to_pdf_and_pngs(template, tmp_path):
    pdf = lo.convert(template, "pdf", tmp_path, single_page_sheets=True)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pngs = lo.to_pngs(pdf, tmp_path / "png", dpi=40)
    # One page per sheet: Start Here, the inputs, and (LibreOffice 25.2 renders hidden sheets in
    # this mode) the hidden Lists sheet.
    assert len(pngs) == 2 + len(layout.INPUT_TABLES)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_printed_template_shows_every_input_sheet_but_not_the_hidden_lists(template, tmp_path):
    pdf = lo.convert(template, "pdf", tmp_path)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "EVR-XL programme workbook" in text
    for table in layout.INPUT_TABLES:
        assert table.columns[0].header in text
    assert "lstCategory" not in text


@pytest.mark.libreoffice
@needs_soffice
def test_a_file_libreoffice_cannot_load_raises_a_clear_error(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(lo.LibreOfficeError, match="broken.xlsx"):
        lo.convert(bad, "pdf", tmp_path / "out")


def test_missing_soffice_and_missing_file_are_clear(monkeypatch, tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.xlsx"):
        lo.convert(tmp_path / "nothing.xlsx", "pdf", tmp_path)
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"x")
    monkeypatch.setattr(lo, "find_soffice", lambda: None)
    with pytest.raises(lo.LibreOfficeError, match="not installed"):
        lo.convert(src, "pdf", tmp_path)


def test_converting_onto_the_source_is_refused(monkeypatch, tmp_path):
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"x")
    monkeypatch.setattr(lo, "find_soffice", lambda: "/bin/true")
    with pytest.raises(ValueError, match="overwrite"):
        lo.convert(src, "xlsx", tmp_path)


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_sees_the_dropdowns_stored_without_equals(template, tmp_path):
    """Lists are stored as Excel writes them (`lstStage`, no `=`); LibreOffice still reads them."""
    import re
    import zipfile

    ods = lo.convert(template, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml").decode("utf-8")
    lists = set(re.findall(r"cell-content-is-in-list\((\w+)\)", content))
    assert {"lstStage", "lstYesNo", "lstProgramType", "idsValueDrivers", "idsWorkstreams"} <= lists
