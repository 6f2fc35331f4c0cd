"""LibreOffice as a stand-in for Excel: file conversion, recalculation and rendering.

Used by the fidelity tests (recalculate a workbook, render it to PDF and PNG) and by the
`--pdf` option of the board pack. Each process gets its own private LibreOffice profile, so
parallel runs and a user's open LibreOffice never share (and lock) one; with `recalc=True` the
profile makes LibreOffice recalculate every formula on load instead of keeping cached values.
`soffice` exits 0 even when it failed, so every conversion checks that its output exists.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/local/bin/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
_SINGLE_PAGE_PDF = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
_lock = threading.Lock()  # one conversion at a time per profile (LibreOffice locks it)
_profiles: dict[bool, Path] = {}


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, timed out or produced no output."""


def find_soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((c for c in _CANDIDATES if Path(c).is_file()), None)


def _profile(recalc: bool) -> Path:
    """This process's private profile directory (created once, removed at exit)."""
    if recalc not in _profiles:
        root = Path(tempfile.mkdtemp(prefix=f"evr-lo-{'recalc' if recalc else 'plain'}-"))
        if recalc:
            (root / "user").mkdir()
            (root / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, "utf-8")
        atexit.register(shutil.rmtree, root, True)
        _profiles[recalc] = root
    return _profiles[recalc]


def convert(
    path: str | Path,
    fmt: str,
    outdir: str | Path,
    *,
    recalc: bool = False,
    single_page_sheets: bool = False,
    timeout: float = 120,
) -> Path:
    """Convert `path` with LibreOffice to `fmt` ("xlsx", "pdf", "ods", ...) in `outdir`.

    Returns the converted file. `recalc` recalculates all formulas on load (read the values
    back with openpyxl `data_only=True`); `single_page_sheets` renders each sheet as one PDF
    page. Raises LibreOfficeError when soffice is missing, times out or writes nothing.
    """
    src = Path(path).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"{src}: no such file to convert")
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed or not on the PATH")
    ext = fmt.split(":", 1)[0]
    out_dir = Path(outdir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{src.stem}.{ext}"
    if target == src:
        raise ValueError(f"{src}: converting would overwrite the source; choose another outdir")
    if single_page_sheets and ext == "pdf":
        fmt = _SINGLE_PAGE_PDF
    target.unlink(missing_ok=True)

    with _lock:
        profile = _profile(recalc)
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(src),
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so a timeout can end soffice.bin too
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise LibreOfficeError(
                f"LibreOffice did not convert {src.name} to {ext} within {timeout:g} s"
            ) from None
    if not target.is_file() or target.stat().st_size == 0:
        detail = (stderr or stdout or "").strip()[-500:]
        raise LibreOfficeError(
            f"LibreOffice could not convert {src} to {ext} (exit code {proc.returncode})"
            + (f": {detail}" if detail else "")
        )
    return target


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


def to_pngs(pdf: str | Path, outdir: str | Path, dpi: int = 70) -> list[Path]:
    """Render every page of a PDF to PNG with pdftoppm (poppler-utils); pages in order."""
    pdf = Path(pdf).resolve()
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise LibreOfficeError("pdftoppm (poppler-utils) is not installed")
    out_dir = Path(outdir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    result = subprocess.run(
        [exe, "-png", "-r", str(dpi), str(pdf), str(out_dir / pdf.stem)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    pages = sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if result.returncode != 0 or not pages:
        raise LibreOfficeError(f"pdftoppm could not render {pdf}: {result.stderr.strip()[-300:]}")
    return pages
