"""The portfolio view: many programme workbooks side by side, for a VMO that runs dozens.

Each workbook goes through the same analyse() as check, refresh and the board pack. A workbook
that cannot be used is listed with its reason, never stops the others. Totals are given per
currency: money in different currencies is never added up.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evr_xl.findings import Severity
from evr_xl.units import money, pct
from evr_xl.workbook.grids import WorkbookError
from evr_xl.xlsx.sheet import escape_csv_cell

FIGURES = (
    "value_promise",
    "realized_to_date",
    "forecast_exit_run_rate",
    "gap_to_promise",
    "value_at_risk",
    "confidence_weighted_forecast",
)


@dataclass(frozen=True)
class ProgrammeLine:
    path: Path
    name: str = ""
    currency: str = ""
    as_of: str = ""
    rag: str = ""
    realization_pct: float | None = None
    figures: dict[str, float] | None = None
    errors: int = 0
    problem: str | None = None  # why the workbook could not be used


def portfolio(
    paths: Sequence[Path], progress: Callable[[str], None] = lambda _: None
) -> list[ProgrammeLine]:
    from evr_xl.refresh import analyse

    lines = []
    for i, path in enumerate(paths, start=1):
        progress(f"[{i}/{len(paths)}] {path.name}")
        try:
            a = analyse(path)
        except WorkbookError as exc:
            lines.append(ProgrammeLine(path, problem=str(exc)))
            continue
        errors = sum(1 for f in a.findings if f.severity is Severity.ERROR)
        if a.results is None or a.unreadable:
            lines.append(
                ProgrammeLine(
                    path, errors=errors, problem="settings or register unreadable: run evr check"
                )
            )
            continue
        p = a.results.program
        lines.append(
            ProgrammeLine(
                path,
                p.name,
                p.currency,
                p.as_of,
                p.rag,
                p.realization_pct,
                {k: float(getattr(p, k)) for k in FIGURES},
                errors,
            )
        )
    return lines


def totals(lines: Sequence[ProgrammeLine]) -> dict[str, dict[str, float]]:
    """Sum of each figure per currency."""
    out: dict[str, dict[str, float]] = {}
    for line in lines:
        if line.figures:
            acc = out.setdefault(line.currency, dict.fromkeys(FIGURES, 0.0))
            for k in FIGURES:
                acc[k] += line.figures[k]
    return out


def portfolio_lines(lines: Sequence[ProgrammeLine]) -> list[str]:
    head = (
        f"{'Programme':<34} {'As-of':<8} {'Promise':>9} {'Realized':>9} {'Real.%':>6} "
        f"{'Exit RR':>9} {'Gap':>9} {'At risk':>9} {'RAG':<6} {'Errors':>6}"
    )
    out = [head, "-" * len(head)]
    for ln in lines:
        if ln.figures is None:
            out.append(f"{ln.path.name[:34]:<34} not read: {ln.problem}")
            continue
        f, c = ln.figures, ln.currency
        out.append(
            f"{ln.name[:34]:<34} {ln.as_of:<8} {money(f['value_promise'], c):>9} "
            f"{money(f['realized_to_date'], c):>9} {pct(ln.realization_pct):>6} "
            f"{money(f['forecast_exit_run_rate'], c):>9} {money(f['gap_to_promise'], c):>9} "
            f"{money(f['value_at_risk'], c):>9} {ln.rag:<6} {ln.errors:>6}"
        )
    for cur, t in totals(lines).items():
        out.append(
            f"{'Total (' + cur + ')':<34} {'':<8} {money(t['value_promise'], cur):>9} "
            f"{money(t['realized_to_date'], cur):>9} {'':>6} {money(t['forecast_exit_run_rate'], cur):>9} "
            f"{money(t['gap_to_promise'], cur):>9} {money(t['value_at_risk'], cur):>9}"
        )
    return out


def write_portfolio_csv(lines: Sequence[ProgrammeLine], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "file",
                "programme",
                "currency",
                "as_of",
                "rag",
                "realization_pct",
                *FIGURES,
                "errors",
                "problem",
            ]
        )
        for ln in lines:
            figs = [ln.figures[k] if ln.figures else None for k in FIGURES]
            w.writerow(
                [
                    escape_csv_cell(v)
                    for v in (
                        ln.path.name,
                        ln.name,
                        ln.currency,
                        ln.as_of,
                        ln.rag,
                        ln.realization_pct,
                        *figs,
                        ln.errors,
                        ln.problem,
                    )
                ]
            )
    return path
