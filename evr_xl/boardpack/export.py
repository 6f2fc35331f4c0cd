"""The pack as PDF (LibreOffice, one page per sheet) and as one PNG per page (poppler)."""

from __future__ import annotations

from pathlib import Path

from evr_xl import lo

INSTALL_HINT = (
    "LibreOffice is needed for --pdf and was not found. Install it (Debian/Ubuntu: "
    "'sudo apt-get install libreoffice-calc'; macOS: 'brew install --cask libreoffice'; "
    "Windows: https://www.libreoffice.org/download/) and put 'soffice' on the PATH, or open the "
    "board pack in Excel and use File > Export > PDF."
)


def pdf_available() -> bool:
    return lo.find_soffice() is not None


def to_pdf(xlsx: str | Path, outdir: str | Path | None = None) -> Path:
    """Convert the pack to PDF beside it (or in `outdir`): one page per sheet.

    Raises evr_xl.lo.LibreOfficeError when LibreOffice is missing or fails.
    """
    xlsx = Path(xlsx)
    return lo.convert(xlsx, "pdf", outdir or xlsx.parent, single_page_sheets=True)


def to_pngs(pdf: str | Path, outdir: str | Path, dpi: int = 70) -> list[Path]:
    """One PNG per page of the PDF, in page order (needs pdftoppm from poppler-utils)."""
    return lo.to_pngs(pdf, outdir, dpi=dpi)


def render_pngs(xlsx: str | Path, outdir: str | Path, dpi: int = 70) -> list[Path]:
    """The pack rendered by LibreOffice, one PNG per sheet, for looking at every page."""
    pdf = to_pdf(xlsx, outdir)
    return to_pngs(pdf, outdir, dpi)
