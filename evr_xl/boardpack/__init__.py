"""The steering-committee board pack: a separate, printable workbook of eight pages.

`make_boardpack(path_in)` reads a programme workbook, computes its metrics and findings, builds
the pack's description (build.py: pure data, model.py) and writes it with openpyxl (render.py,
charts.py); with `pdf=True` it also exports a PDF through LibreOffice (export.py): A4 landscape,
printed with the workbook's own print settings. docs/boardpack.md describes every page.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evr_xl.boardpack.build import build_boardpack
from evr_xl.boardpack.model import BoardPack
from evr_xl.boardpack.render import render
from evr_xl.boardpack.sheets import SHEETS
from evr_xl.findings import Finding, Severity
from evr_xl.outputs.headline import headline
from evr_xl.workbook.grids import WorkbookError

__all__ = [
    "SHEETS",
    "BoardPack",
    "BoardPackReport",
    "build_boardpack",
    "default_out_path",
    "headline",
    "make_boardpack",
    "render",
]


@dataclass(frozen=True)
class BoardPackReport:
    """What make_boardpack did. `messages` are the lines a command line prints."""

    path: Path
    pdf_path: Path | None
    headline: str
    value_rag: str
    as_of: str
    pages: tuple[str, ...]
    findings: tuple[Finding, ...]
    seconds: float
    pdf_message: str | None = None  # why no PDF was written, with how to fix it
    messages: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


def default_out_path(path_in: str | Path, as_of: str) -> Path:
    """<input stem>_boardpack_<as-of>.xlsx beside the input."""
    p = Path(path_in)
    return p.with_name(f"{p.stem}_boardpack_{as_of}.xlsx")


def make_boardpack(
    path_in: str | Path,
    out_path: str | Path | None = None,
    pdf: bool = False,
    history: Sequence[Mapping[str, Any]] | None = None,
    generated_at: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> BoardPackReport:
    """Read the programme workbook `path_in`, write its board pack, optionally its PDF.

    `progress` is told each long step (the CLI prints it on stderr).

    Raises WorkbookError (message names the file and what to do) when the workbook cannot be
    used: not a workbook, or settings too broken to compute anything. Findings never stop the
    pack; they are on its Traceability page and in the report.
    """
    from dataclasses import asdict

    from evr_xl.checks import coverage as traceability_coverage
    from evr_xl.refresh import analyse

    start = time.perf_counter()
    # the one read -> compute -> check path (CLI, ribbon, refresh)
    analysis = analyse(Path(path_in), progress=progress)
    data, results, findings = analysis.data, analysis.results, analysis.findings
    if data is None or results is None or analysis.unreadable:
        errors = [
            f.render() for f in analysis.unreadable or findings if f.severity is Severity.ERROR
        ][:5]
        raise WorkbookError(
            f"{path_in}: cannot build a board pack; the workbook could not be read:\n  "
            + "\n  ".join(errors or ["no usable programme settings"])
            + f"\nRun 'evr check {path_in}' for every finding."
        )
    coverage = dict(traceability_coverage(data, results))
    if history is None:  # the workbook's own Snapshots sheet, written by each `evr refresh`
        history = [asdict(s) for s in analysis.history]
    progress("Building the eight pages")
    pack = build_boardpack(
        results, findings, data, history, source=Path(path_in).name,
        generated_at=generated_at, coverage=coverage,
    )  # fmt: skip
    out = Path(out_path) if out_path else default_out_path(path_in, results.program.as_of)
    render(pack, out)
    seconds = time.perf_counter() - start
    messages = [
        f"Wrote the board pack to {out} ({len(pack.pages)} pages, {seconds:.1f} s).",
        f"  {pack.headline}. Value RAG: {pack.value_rag}, as of {pack.as_of}.",
    ]
    pdf_path: Path | None = None
    pdf_message: str | None = None
    if pdf:
        from evr_xl import lo
        from evr_xl.boardpack.export import INSTALL_HINT, pdf_available, to_pdf

        if not pdf_available():
            pdf_message = INSTALL_HINT
            messages.append(f"No PDF written: {INSTALL_HINT}")
        else:
            try:
                progress("Exporting the PDF with LibreOffice")
                pdf_path = to_pdf(out)
                messages.append(
                    f"Wrote the PDF to {pdf_path} (A4 landscape, printed with the workbook's own "
                    "print settings)."
                )
            except lo.LibreOfficeError as exc:
                pdf_message = f"No PDF written: {exc}"
                messages.append(pdf_message)
    n_err = sum(1 for f in findings if f.severity is Severity.ERROR)
    if n_err:
        messages.append("  The errors are listed on the cover and the Traceability page.")
    return BoardPackReport(
        path=out,
        pdf_path=pdf_path,
        headline=pack.headline,
        value_rag=pack.value_rag,
        as_of=pack.as_of,
        pages=tuple(p.sheet for p in pack.pages),
        findings=tuple(findings),
        seconds=seconds,
        pdf_message=pdf_message,
        messages=tuple(messages),
    )
