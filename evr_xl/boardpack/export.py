"""The pack as PDF (LibreOffice) and as one PNG per page (poppler).

The PDF is the workbook printed with its own print settings: each page on one A4 landscape
sheet with its header, footer and "Page n of N", appendices after the pages.
"""

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
    """Print the pack to PDF beside it (or in `outdir`), as its print settings say: A4
    landscape, each page of the pack on one sheet of paper.

    Raises evr_xl.lo.LibreOfficeError when LibreOffice is missing or fails.
    """
    xlsx = Path(xlsx)
    return lo.convert(xlsx, "pdf", outdir or xlsx.parent)


def to_pngs(pdf: str | Path, outdir: str | Path, dpi: int = 70) -> list[Path]:
    """One PNG per page of the PDF, in page order (needs pdftoppm from poppler-utils)."""
    return lo.to_pngs(pdf, outdir, dpi=dpi)


def render_pngs(xlsx: str | Path, outdir: str | Path, dpi: int = 70) -> list[Path]:
    """The pack rendered by LibreOffice, one PNG per sheet, for looking at every page."""
    pdf = to_pdf(xlsx, outdir)
    return to_pngs(pdf, outdir, dpi)
