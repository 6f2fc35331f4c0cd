"""The ribbon's actions on the live workbook: Check, Refresh, Board Pack, Roll Forward.

Each action is a plain function of an xlwings Book that returns an `ActionResult` (the text of
the message box); `run_action(name)` is the one entry point the add-in's VBA calls, one line per
button::

    RunPython "from evr_xl.excel.actions import run_action; run_action('check')"

The live book is read through `book_grids` and then takes the CLI's own path (`refresh.analyse`,
`refresh.output_sheets`), so the ribbon and `evr refresh` cannot drift. Only output sheets are
written, into the open book; saving stays with the user. Roll Forward is the one action that
changes an input cell (the as-of period), and only after the user confirms.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evr_xl.excel.grids import book_grids
from evr_xl.excel.render import rename_sheet, render
from evr_xl.findings import Finding, Severity, counts
from evr_xl.workbook import layout as L
from evr_xl.workbook.grids import WorkbookError

log = logging.getLogger(__name__)
TITLE = "EVR-XL"
MAX_LISTED = 3  # error findings quoted in a message box

Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class ActionResult:
    """What an action did, as the message box shows it."""

    message: str
    ok: bool = True
    title: str = TITLE


def _analyse(book: Any) -> Any:
    from evr_xl.refresh import analyse

    return analyse(Path(book.fullname), grids=book_grids(book))


def _as_of(analysis: Any) -> str:
    if analysis.results is not None:
        return str(analysis.results.program.as_of)
    return ""


def _findings_text(findings: list[Finding]) -> str:
    c = counts(findings)
    text = f"{c['Error']} error(s), {c['Warning']} warning(s), {c['Info']} note(s)."
    errors = [f.render() for f in findings if f.severity is Severity.ERROR][:MAX_LISTED]
    if errors:
        text += "\n\n" + "\n".join(errors)
        more = c["Error"] - len(errors)
        if more > 0:
            text += f"\n… and {more} more on the Findings sheet."
    return text


def check(book: Any) -> ActionResult:
    """Check the workbook: the Findings sheet is rewritten; the message counts what was found."""
    from evr_xl.outputs.sheets import findings_sheet

    analysis = _analyse(book)
    render(book, findings_sheet(analysis.findings, book.name, _as_of(analysis)))
    c = counts(analysis.findings)
    return ActionResult(
        "Check done. " + _findings_text(analysis.findings) + "\n\nSee the Findings sheet.",
        ok=c["Error"] == 0,
    )


def refresh(book: Any, now: dt.datetime | None = None) -> ActionResult:
    """Recompute and rewrite the output sheets (Dashboard, metrics, Findings, Snapshots)."""
    from evr_xl.outputs.history import SHEET as SNAPSHOTS
    from evr_xl.outputs.sheets import findings_sheet
    from evr_xl.refresh import output_sheets
    from evr_xl.units import money, pct

    analysis = _analyse(book)
    if analysis.results is None:
        render(book, findings_sheet(analysis.findings, book.name, ""))
        return ActionResult(
            "Nothing computed: the Program settings cannot be used.\n\n"
            + _findings_text(analysis.findings),
            ok=False,
        )
    sheets, _snapshot = output_sheets(analysis, now or dt.datetime.now(dt.timezone.utc))
    if analysis.legacy_history:  # EVR's History sheet (before 2026-12) becomes Snapshots
        rename_sheet(book, analysis.legacy_history, SNAPSHOTS)
    for spec in sheets:
        render(book, spec)
    p = analysis.results.program
    m = lambda v: money(v, p.currency)  # noqa: E731
    lines = [
        f"Refreshed {', '.join(s.name for s in sheets)} — as of {p.as_of}.",
        f"Realized to date {m(p.realized_to_date)} of {m(p.plan_to_date)} planned "
        f"({pct(p.realization_pct)}); value RAG {p.rag}.",
        f"Value at risk {m(p.value_at_risk)}; gap to promise {m(p.gap_to_promise)}.",
        "",
        _findings_text(analysis.findings),
    ]
    return ActionResult("\n".join(lines))


def board_pack(book: Any) -> ActionResult:
    """Write the board pack beside the (saved) workbook."""
    path = Path(book.fullname)
    if not path.is_file():
        return ActionResult("Save the workbook first: the board pack is written beside it.", False)
    if not _saved(book):
        return ActionResult(
            "Save the workbook first: the board pack is built from the saved file, and this "
            "workbook has unsaved changes.",
            ok=False,
        )
    try:
        from evr_xl.boardpack import make_boardpack
    except ImportError:  # pragma: no cover - only in a partial installation
        return ActionResult(
            "The board pack is not available in this installation (evr_xl.boardpack is "
            "missing). TODO: install the full EVR-XL package.",
            ok=False,
        )
    report = make_boardpack(path)
    return ActionResult("\n".join(report.messages))


def _saved(book: Any) -> bool:
    try:
        return bool(book.api.Saved)
    except AttributeError:  # an engine without the COM object model: trust the file
        return True


def roll_forward(book: Any, confirm: Confirm) -> ActionResult:
    """Advance the as-of period on the Program sheet by one period, after the user confirms."""
    from evr_xl.excel.udf_core import settings_problem
    from evr_xl.workbook.settings import read_settings

    grids = book_grids(book, [L.PROGRAM.sheet])
    grid = next(iter(grids.values()), None)
    if grid is None:
        raise WorkbookError(f"{book.name}: the Program sheet is missing.")
    settings, findings = read_settings(grid)
    if settings is None or "as_of" not in settings.cells:
        return ActionResult("Roll forward not possible: " + settings_problem(findings), False)
    from evr_xl.refresh import roll_target

    try:  # the same rule as `evr roll-forward`: the next period, inside the horizon
        target = roll_target(settings)
    except ValueError as exc:
        return ActionResult(str(exc)[0].upper() + str(exc)[1:], ok=False)
    old_label, new_label, new = target.current, target.label, target.period
    prompt = (
        f"Roll the as-of period forward from {old_label} to {new_label}?\n\n"
        f"Actuals for {new_label} are then expected for every active driver. "
        "Press Refresh afterwards to update the outputs."
    )
    if not confirm(prompt):
        return ActionResult("Roll forward cancelled; nothing changed.")
    cell = target.cell
    raw = grid.value(cell.row, cell.col)
    value: Any = "'" + new_label if isinstance(raw, str) else dt.datetime(new.year, new.month, 1)
    book.sheets[grid.sheet].range((cell.row, cell.col)).value = value
    return ActionResult(f"As-of period is now {new_label} ({cell.a1}). Press Refresh.")


def show_help(book: Any) -> ActionResult:
    """What each button does, and the versions in use (the Help button)."""
    import platform

    import xlwings

    from evr_xl import __version__
    from evr_xl.excel.ribbon import BUTTONS

    lines = [f"{b.label}: {b.supertip}" for b in BUTTONS if b.action != "help"]
    lines += [
        "",
        f"EVR-XL {__version__}, xlwings {xlwings.__version__}, Python {platform.python_version()}.",
        "Worksheet functions: category EVR-XL in Insert Function (docs/excel.md).",
    ]
    return ActionResult("\n".join(lines))


# One entry per ribbon action (evr_xl.excel.ribbon.ACTIONS; a test keeps the two lists equal).
ACTIONS: dict[str, Callable[..., ActionResult]] = {
    "check": check,
    "refresh": refresh,
    "boardpack": board_pack,
    "rollforward": roll_forward,
    "help": show_help,
}


def action_key(name: str) -> str:
    """'Board Pack', 'board_pack', 'evrBoardPack' (a ribbon control id) -> 'boardpack'."""
    key = re.sub(r"[^a-z]", "", name.lower())
    for prefix in ("evr", "btn"):
        if key.startswith(prefix) and key[len(prefix) :] in ACTIONS:
            return key[len(prefix) :]
    return key


def run_action(action: str, book: Any = None) -> ActionResult:
    """Run a ribbon action on the calling workbook and show its message box."""
    import xlwings as xw

    key = action_key(action)
    book = book if book is not None else xw.Book.caller()
    app = book.app

    def confirm(prompt: str) -> bool:
        return app.alert(prompt, TITLE, buttons="ok_cancel") == "ok"

    if key not in ACTIONS:
        result = ActionResult(f"Unknown action '{action}'; use one of {', '.join(ACTIONS)}.", False)
    else:
        updating = app.screen_updating
        app.screen_updating = False
        try:
            func = ACTIONS[key]
            result = func(book, confirm) if key == "rollforward" else func(book)
        except WorkbookError as exc:
            result = ActionResult(str(exc), ok=False)
        except Exception as exc:  # the user sees a short message, the log keeps the traceback
            log.exception("EVR-XL action %s failed", key)
            result = ActionResult(f"{key} failed: {type(exc).__name__}: {exc}", ok=False)
        finally:
            app.screen_updating = updating
    app.alert(result.message, result.title, mode=None if result.ok else "critical")
    return result
