"""`evr`: the command line. Thin: parse, call one library function, print, set the exit code.

Exit codes: 0 fine; 1 the workbook has errors (findings of severity Error); 2 the workbook could
not be used at all (message names the file and what to do), or bad command-line use.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from evr_xl import __version__
from evr_xl.findings import Finding, Severity, counts, sort_findings
from evr_xl.workbook.grids import WorkbookError

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
TEMPLATE = (
    Path(__file__).resolve().parent.parent / "workbook_templates" / "evr_program_template.xlsx"
)


def _print(text: str = "") -> None:
    print(text, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from evr_xl.demo import write_demo

    s = write_demo(args.folder)
    _print(f"Wrote the demo programme to {s.path}")
    _print(
        f"  {s.workstreams} workstreams, {s.drivers} value drivers, {s.workplan_items} workplan items,"
    )
    _print(
        f"  {s.actuals} actuals rows, {s.risks} risks - a $100M post-merger integration, as of 2026-06."
    )
    _print(
        "It has the imperfections of a real programme (slipping milestones, orphan work, a driver"
    )
    _print("without an owner, unvalidated actuals).")
    if s.snapshots:
        _print(
            f"Its Snapshots sheet holds earlier snapshots ({', '.join(s.snapshots)}), computed from "
            "its own data as of those periods (not records taken then), so the board pack shows what "
            "moved."
        )
    _print("Next:")
    _print(f"  evr check {s.path}        # traceability findings, by sheet and cell")
    _print(f"  evr metrics {s.path}      # the value numbers")
    _print(f"  evr refresh {s.path}      # write Dashboard, Driver Metrics, ... into the workbook")
    _print(f"  evr boardpack {s.path}    # the steering-committee pack")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        target = target.with_suffix(".xlsx")
    if target.exists() and not args.force:
        _print(f"{target} already exists; not overwritten. Use --force to replace it.")
        return EXIT_UNUSABLE
    target.parent.mkdir(parents=True, exist_ok=True)
    if TEMPLATE.exists():
        shutil.copyfile(TEMPLATE, target)
    else:  # an installed package without the repo's template folder
        from evr_xl.workbook.template import build_template

        build_template(target)
    _print(
        f"Wrote a blank programme workbook to {target}. Open it and start with the 'Start Here' sheet."
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from evr_xl.outputs.text import findings_lines
    from evr_xl.refresh import analyse

    path = Path(args.path)
    a = analyse(path)
    data, findings = a.data, a.findings
    c = counts(findings)
    if args.json:
        _print(
            json.dumps(
                {
                    "file": str(path),
                    "counts": c,
                    "findings": [
                        {
                            "code": f.code,
                            "severity": f.severity.value,
                            "cell": f.where,
                            "message": f.message,
                            "fix": f.fix,
                        }
                        for f in sort_findings(findings)
                    ],
                },
                indent=2,
            )
        )
    else:
        _print(
            f"{path.name}: {c['Error']} error(s), {c['Warning']} warning(s), {c['Info']} note(s)"
        )
        for line in findings_lines(findings, show_all=args.all):
            _print(line)
        if data is None:
            _print(
                "The Program settings could not be read, so no metrics can be computed: fix the errors "
                "on the Program sheet first."
            )
    return EXIT_FINDINGS if c[Severity.ERROR.value] or data is None else EXIT_OK


def cmd_metrics(args: argparse.Namespace) -> int:
    from evr_xl.outputs.text import metrics_json, summary_lines, write_csvs
    from evr_xl.refresh import analyse

    a = analyse(Path(args.path), as_of=args.as_of)
    if a.results is None:
        _print(
            f"{a.path.name}: no metrics — the Program settings could not be read. Run 'evr check {a.path}'."
        )
        return EXIT_FINDINGS
    if args.json:
        _print(metrics_json(a.results))
    else:
        for line in summary_lines(a.results):
            _print(line)
    if args.csv:
        paths = write_csvs(a.results, args.csv)
        print(
            "Wrote " + ", ".join(str(p) for p in paths),
            file=sys.stderr if args.json else sys.stdout,
        )
    return _errors_exit(a.findings, a.path, sys.stderr if args.json else sys.stdout)


def _errors_exit(findings: Sequence[Finding], path: Path, stream: TextIO) -> int:
    """Figures from a workbook with errors say so, and the exit code is 1 (README)."""
    from evr_xl.outputs.text import errors_line

    line = errors_line(findings, path)
    if line is None:
        return EXIT_OK
    print(line, file=stream)
    return EXIT_FINDINGS


def _progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def cmd_refresh(args: argparse.Namespace) -> int:
    if problem := _check_refresh_output(args):
        return _refuse(problem)
    from evr_xl.refresh import refresh, summary_lines
    from evr_xl.xlsx.writer import UnsupportedWorkbook, WorkbookChanged, WorkbookLocked

    try:
        report = refresh(
            Path(args.path),
            as_of=args.as_of,
            output=args.output,
            progress=_print_nothing if args.quiet else _progress,
        )
    except (WorkbookChanged, WorkbookLocked) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except UnsupportedWorkbook as exc:
        print(
            f"error: {args.path}: the output sheets cannot be written into this file ({exc}). "
            "Nothing was written. Open it in Excel, save it as a new .xlsx, and try again.",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    for line in summary_lines(report):
        _print(line)
    if report.written is None:
        return EXIT_FINDINGS
    return _errors_exit(report.analysis.findings, Path(args.path), sys.stdout)


def cmd_boardpack(args: argparse.Namespace) -> int:
    if problem := _check_boardpack_output(args):
        return _refuse(problem)
    from evr_xl.boardpack import make_boardpack

    report = make_boardpack(Path(args.path), out_path=args.output, pdf=args.pdf, progress=_progress)
    for line in report.messages:
        _print(line)
    return _errors_exit(report.findings, Path(args.path), sys.stdout)


def cmd_portfolio(args: argparse.Namespace) -> int:
    if problem := _output_problem(args.csv, suffixes=None, what="the CSV table"):
        return _refuse(problem)
    from evr_xl.portfolio import portfolio, portfolio_lines, write_portfolio_csv

    paths: list[Path] = []
    for p in map(Path, args.paths):
        paths += (
            sorted(
                x
                for x in p.glob("*.xls[xm]")
                if not x.name.startswith(("~$", ".")) and ".bak." not in x.name
            )
            if p.is_dir()
            else [p]
        )
    if not paths:
        _print("No workbooks found: give .xlsx files or folders holding them.")
        return EXIT_UNUSABLE
    lines = portfolio(paths, progress=_progress)
    for line in portfolio_lines(lines):
        _print(line)
    if args.csv:
        _print(f"Wrote {write_portfolio_csv(lines, Path(args.csv))}")
    return EXIT_FINDINGS if any(ln.figures is None for ln in lines) else EXIT_OK


def cmd_addin_build(args: argparse.Namespace) -> int:
    if problem := _output_problem(args.output, suffixes=(".xlam",), what="the add-in"):
        return _refuse(problem)
    from evr_xl.excel.addin.build import DEFAULT_OUT, AddinBuildError, build_addin

    try:
        out = build_addin(args.output or DEFAULT_OUT)
    except AddinBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    _print(f"Wrote the Excel add-in to {out}. Install it with: python setup_addin.py install")
    return EXIT_OK


def _print_nothing(_: str) -> None:
    pass


def _output_problem(
    output: str | Path | None,
    *,
    suffixes: tuple[str, ...] | None,
    what: str,
    source: Path | None = None,
    separate: bool = False,
    why: str = "",
) -> str | None:
    """Why an output path cannot be written (one line, for before any computation), or None.

    `suffixes`: the extensions allowed (None: any); `source`: the input file; `separate`: the
    output is another file than the input (the board pack), so the input itself is refused;
    `why`: said after a refused extension.
    """
    if output is None:
        return None
    out = Path(output)
    if out.is_dir() or str(output).endswith(("/", os.sep)):
        return f"{output}: is a folder; give {what} a file name. Nothing was done."
    if separate and source is not None and out.exists() and source.exists():
        if out.resolve() == source.resolve():
            return (
                f"{output}: that is the programme workbook itself; {what} is a separate file: "
                "choose another name. Nothing was done."
            )
    if suffixes is not None and out.suffix.lower() not in suffixes:
        allowed = " or ".join(suffixes)
        return f"{output}: {what} must be a {allowed} file{why}. Nothing was done."
    folder = out.parent
    if not folder.is_dir():
        return (
            f"{output}: the folder {folder} does not exist; create it first or choose another "
            "folder. Nothing was done."
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        where = (
            f"the file {out} is read-only" if out.exists() else f"the folder {folder} is read-only"
        )
        return f"{output}: cannot write there: {where}. Nothing was done."
    return None


def _refuse(problem: str) -> int:
    print(f"error: {problem}", file=sys.stderr)
    return EXIT_UNUSABLE


def _check_refresh_output(args: argparse.Namespace) -> str | None:
    """`evr refresh -o`: the refreshed copy keeps the workbook's own extension."""
    source = Path(args.path)
    suffix = source.suffix.lower() if source.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    return _output_problem(
        args.output,
        suffixes=(suffix,),
        what="the refreshed copy",
        source=source,
        why=f", like {source.name} (a refresh keeps the workbook's format)",
    )


def _check_boardpack_output(args: argparse.Namespace) -> str | None:
    """`evr boardpack -o`: an .xlsx other than the programme workbook; a .pdf is refused with
    the command that makes one."""
    out = args.output
    if out is not None and Path(out).suffix.lower() == ".pdf":
        xlsx = Path(out).with_suffix(".xlsx")
        return (
            f"{out}: -o names the board pack workbook (.xlsx); for a PDF too, add --pdf: "
            f"'evr boardpack {args.path} -o {xlsx} --pdf' writes {xlsx.name} and "
            f"{xlsx.with_suffix('.pdf').name}. Nothing was done."
        )
    return _output_problem(
        out, suffixes=(".xlsx",), what="the board pack", source=Path(args.path), separate=True
    )


def cmd_roll_forward(args: argparse.Namespace) -> int:
    from evr_xl.refresh import roll_forward, summary_lines
    from evr_xl.xlsx.writer import UnsupportedWorkbook, WorkbookChanged, WorkbookLocked

    try:
        rolled = roll_forward(
            Path(args.path), to=args.to, progress=_print_nothing if args.quiet else _progress
        )
    except (WorkbookChanged, WorkbookLocked) as exc:
        return _refuse(str(exc))
    except UnsupportedWorkbook as exc:
        return _refuse(
            f"{args.path}: this file cannot be written safely ({exc}). Nothing was changed. Open "
            "it in Excel, save it as a new .xlsx, and try again."
        )
    t, report = rolled.target, rolled.refreshed
    if report.written is None:
        _print(f"{Path(args.path).name}: not rolled forward; nothing was changed.")
    else:
        _print(f"As-of period {t.current} -> {t.label} ({t.cell.a1}), the only input cell changed.")
    for line in summary_lines(report):
        _print(line)
    return EXIT_OK if report.written is not None else EXIT_FINDINGS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evr", description="EVR-XL: govern the value a programme delivers."
    )
    p.add_argument("--version", action="version", version=f"evr {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser(
        "demo", help="write the demo programme workbook ($100M PMI) and say what to do next"
    )
    s.add_argument("folder", nargs="?", default=".", help="folder to write into (default: here)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("new", help="copy the blank programme template to PATH")
    s.add_argument("path")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(func=cmd_new)

    s = sub.add_parser(
        "check", help="print all findings, grouped by sheet; exit 1 when there are errors"
    )
    s.add_argument("path")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument(
        "--all",
        action="store_true",
        help="list every finding (by default, runs of more "
        "than 5 of one kind on one sheet show the first 3 and a count)",
    )
    s.set_defaults(func=cmd_check)

    s = sub.add_parser(
        "metrics", help="print the programme summary; write the driver and workstream tables"
    )
    s.add_argument("path")
    s.add_argument("--json", action="store_true", help="programme, drivers and workstreams as JSON")
    s.add_argument(
        "--csv", metavar="DIR", help="also write drivers.csv, workstreams.csv, program.csv into DIR"
    )
    s.add_argument(
        "--as-of", help="compute as of another period, e.g. 2026-05 (the file is not changed)"
    )
    s.set_defaults(func=cmd_metrics)

    s = sub.add_parser(
        "refresh", help="write Dashboard, Driver Metrics, Workstream Metrics, Findings, Snapshots"
    )
    s.add_argument("path")
    s.add_argument(
        "--as-of",
        help="refresh as of this period instead of the Program sheet's (e.g. 2026-07), inside the "
        "horizon; adds (or replaces) the snapshot for it and leaves Program!As-of as it is "
        "(to move the programme on, use roll-forward)",
    )
    s.add_argument("--output", "-o", help="write the refreshed copy here and leave PATH unchanged")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    s.set_defaults(func=cmd_refresh)

    s = sub.add_parser(
        "roll-forward",
        help="move Program!As-of to the next period (or --to PERIOD) and refresh; nothing else "
        "changes",
    )
    s.add_argument("path")
    s.add_argument(
        "--to", metavar="PERIOD", help="the new as-of period, inside the horizon (e.g. 2026-09)"
    )
    s.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    s.set_defaults(func=cmd_roll_forward)

    s = sub.add_parser(
        "boardpack", help="write the steering-committee board pack (a separate workbook)"
    )
    s.add_argument("path")
    s.add_argument(
        "--output",
        "-o",
        help="where to write it, an .xlsx (default: NAME_boardpack_<as-of>.xlsx beside PATH)",
    )
    s.add_argument(
        "--pdf",
        action="store_true",
        help="also write a PDF beside it (OUT.pdf), A4 landscape, printed with the workbook's own "
        "print settings (needs LibreOffice)",
    )
    s.set_defaults(func=cmd_boardpack)

    s = sub.add_parser(
        "portfolio", help="many programme workbooks side by side, with totals per currency"
    )
    s.add_argument("paths", nargs="+", metavar="PATH", help="workbooks, or folders of workbooks")
    s.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    s.set_defaults(func=cmd_portfolio)

    s = sub.add_parser("addin", help="the Excel add-in (.xlam): build it from the VBA sources")
    addin = s.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    b = addin.add_parser(
        "build", help="build workbook_templates/evr_addin.xlam from xlwings' BSD template"
    )
    b.add_argument(
        "--output",
        "-o",
        help="where to write the .xlam (default: workbook_templates/evr_addin.xlam)",
    )
    b.set_defaults(func=cmd_addin_build)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except WorkbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:  # a file the command could not read or write: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `evr check book.xlsx | head`: the reader went away; not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stops the flush at exit failing
        except OSError:
            pass
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
