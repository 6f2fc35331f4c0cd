"""The benchmark: every stage of a refresh, side by side with a floor and a reference.

``python -m benchmarks.run --sizes small,medium,large --repeat 5 --json out.json``

For each size (benchmarks/generate.py; files cached in benchmarks/.cache/) it times, in this one
process, one after the other on the same file:

- floor: unzip the worksheet parts and the shared strings, and parse them with expat with no
  handlers — what any reader of these cells must at least do;
- reference: openpyxl ``load_workbook`` (normal mode) and ``save`` to a temporary file — what a
  refresh through openpyxl would cost;
- ours: ``load_grids`` (calamine, the sheets a refresh reads), ``read_grids`` (grids -> records
  and findings), ``compute``, ``run_checks``, ``refresh`` end to end into an output copy (read,
  compute, checks, write the output sheets), ``make_boardpack`` and the spilling worksheet
  function ``driver_metrics`` (cold: cache cleared; cached: the same arguments again; repeat:
  equal arguments in new objects, made before the clock starts, as COM makes them for each call).

Time: median and min-max wall seconds over ``--repeat`` rounds (one warm-up run of each step
first, not counted); each round runs every step once, interleaved, and the ratios (x floor,
reference / ours) are the medians of the ratios within each round, so a slow spell of a shared
machine does not land on one step only. Memory: each step runs once more in a fresh subprocess (``--measure-memory STEP``) that
prepares the step's inputs, notes ``ru_maxrss``, runs the step and notes it again; the table shows
the process's peak RSS and the step's increment over its prepared inputs. A subprocess (not
tracemalloc) because calamine, pandas and numpy allocate outside Python's allocator, and
tracemalloc slows allocation-heavy code several-fold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from benchmarks.generate import DEFAULT_SEED, generate

STEPS = (
    "floor",
    "reference",
    "load_grids",
    "read_grids",
    "compute",
    "run_checks",
    "refresh",
    "boardpack",
    "udf_cold",
    "udf_cached",
    "udf_repeat",
)
Step = Callable[[], Any]


@dataclass(frozen=True)
class Prepared:
    """A step whose input is made anew before each timed run, outside the time: run(prepare())."""

    prepare: Callable[[], Any]
    run: Callable[[Any], Any]

    def __call__(self) -> Any:
        return self.run(self.prepare())


def prepared(step: Step) -> Prepared:
    """Any step as a Prepared one (a plain step prepares nothing)."""
    return step if isinstance(step, Prepared) else Prepared(lambda: None, lambda _: step())


def timed(step: Step) -> float:
    """Seconds one run of the step takes (a Prepared step's preparation not counted)."""
    p = prepared(step)
    arg = p.prepare()
    t = time.perf_counter()
    p.run(arg)
    return time.perf_counter() - t


@dataclass
class Timing:
    step: str
    runs: list[float] = field(default_factory=list)
    note: str = ""
    peak_rss_mb: float | None = None
    step_rss_mb: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None


# --- the steps ---------------------------------------------------------------------------------


def floor(path: Path) -> int:
    """Unzip the sheet XML and shared strings and parse them with no handlers."""
    n = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
                data = z.read(name)
                expat.ParserCreate().Parse(data, True)
                n += len(data)
    return n


def reference(path: Path, tmp: Path) -> None:
    """openpyxl load (normal mode) + save: what a refresh through openpyxl would at least cost."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl announces what it drops
        wb = openpyxl.load_workbook(path)
        wb.save(tmp / "reference.xlsx")


def com_copy(value: Any) -> Any:
    """Equal content in new objects — tuples, texts, numbers, dates — as COM passes a worksheet
    function its arguments anew on every call (so no text arrives with its hash cached)."""
    if isinstance(value, tuple):
        return tuple(com_copy(v) for v in value)
    if isinstance(value, str):
        return (value + "x")[:-1]
    if isinstance(value, float):
        return value * 1.0
    if isinstance(value, dt.date):
        return value.replace()
    return value  # None and booleans are singletons in COM's hands too


def udf_tables(grids: dict[str, Any]) -> tuple[Any, ...]:
    """The table arguments a worksheet function gets (header row first, as COM passes them)."""
    from evr_xl.excel.udf_core import TABLE_ORDER, table_args

    by_name = {n.lower(): g for n, g in grids.items()}
    values = []
    for t in TABLE_ORDER:
        g = by_name.get(t.sheet.lower())
        rows = g.rows[t.header_row - 1 :] if g else []
        values.append(tuple(tuple(r) for r in rows) if rows else None)
    return table_args(*values)


def make_steps(path: Path, tmp: Path, only: str | None = None) -> dict[str, tuple[Step, str]]:
    """Each step as a no-argument callable (inputs prepared here), with a note."""
    from evr_xl.checks import run_checks
    from evr_xl.engine import compute
    from evr_xl.outputs.history import SHEET as SNAPSHOTS
    from evr_xl.refresh import refresh
    from evr_xl.workbook import layout
    from evr_xl.workbook.files import load_grids
    from evr_xl.workbook.reader import read_grids

    sheets = [t.sheet for t in layout.INPUT_TABLES] + [SNAPSHOTS]
    need_grids = only is None or only in (
        "read_grids",
        "compute",
        "run_checks",
        "udf_cold",
        "udf_cached",
        "udf_repeat",
    )
    grids = load_grids(path, sheets) if need_grids else {}
    data = (
        read_grids(grids, path.name)[0]
        if only is None or only in ("compute", "run_checks")
        else None
    )
    results = compute(data) if data is not None and only in (None, "run_checks") else None
    counter = iter(range(10**6))

    steps: dict[str, tuple[Step, str]] = {
        "floor": (lambda: floor(path), "unzip + no-op expat parse of sheet XML + shared strings"),
        "reference": (lambda: reference(path, tmp), "openpyxl load_workbook + save"),
        "load_grids": (lambda: load_grids(path, sheets), "calamine, input sheets + Snapshots"),
        "read_grids": (lambda: read_grids(grids, path.name), "grids -> records + findings"),
        "compute": (lambda: compute(data), "engine"),
        "run_checks": (
            lambda: run_checks(data, results),
            "traceability checks (engine results given)",
        ),
        "refresh": (
            lambda: refresh(path, output=tmp / f"refresh_{next(counter)}.xlsx"),
            "read + compute + checks + write 5 output sheets to a copy",
        ),
    }
    try:
        from evr_xl.boardpack import make_boardpack

        steps["boardpack"] = (
            lambda: make_boardpack(path, out_path=tmp / f"pack_{next(counter)}.xlsx"),
            "make_boardpack (xlsx, no PDF)",
        )
    except ImportError as exc:
        steps["boardpack"] = (None, f"skipped: {exc}")  # type: ignore[assignment]
    try:
        from evr_xl.excel import udf_core

        need_udf = only is None or only.startswith("udf")
        tables = udf_tables(grids) if need_udf else ()

        def cold() -> Any:
            udf_core.clear_cache()
            return udf_core.driver_metrics(tables)

        def cached() -> Any:
            return udf_core.driver_metrics(tables)

        steps["udf_cold"] = (cold, "udf_core.driver_metrics, cache cleared")
        steps["udf_cached"] = (cached, "udf_core.driver_metrics, same arguments again")
        steps["udf_repeat"] = (
            Prepared(lambda: com_copy(tables), udf_core.driver_metrics),
            "udf_core.driver_metrics, equal arguments in new objects (as COM passes them)",
        )
        if need_udf:
            first = cold()
            if isinstance(first, str):
                steps["udf_cold"] = (cold, f"returned an error text: {first[:80]}")
    except ImportError as exc:
        for name in ("udf_cold", "udf_cached", "udf_repeat"):
            steps[name] = (None, f"skipped: {exc}")  # type: ignore[assignment]
    return steps


# --- timing and memory -------------------------------------------------------------------------


def time_rounds(steps: dict[str, Step], repeat: int) -> dict[str, list[float]]:
    """Seconds per step per round: every step once per round, `repeat` rounds, after a warm-up.

    Interleaved (floor, reference, ours, floor, ...) rather than one step's runs in a row, so a
    slow spell of a shared machine falls on all steps of a round alike; ratios are then taken
    round by round (see run_size).
    """
    for step in steps.values():
        step()  # warm-up: imports, first-call caches
    runs: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            runs[name].append(timed(step))
    return runs


def _maxrss_mb() -> float:
    """This process's peak RSS in MB.

    Linux: VmHWM from /proc (ru_maxrss would carry the parent's peak over fork + exec).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def measure_memory(size: str, seed: int, step_name: str) -> dict[str, float]:
    """Run one step once in this (fresh) process; peak RSS and the step's increment, MB."""
    path = generate(size, seed)
    with tempfile.TemporaryDirectory() as tmp:
        steps = make_steps(path, Path(tmp), only=step_name)
        step = prepared(steps[step_name][0])
        if step_name in ("udf_cached", "udf_repeat"):
            steps["udf_cold"][0]()
        arg = step.prepare()
        before = _maxrss_mb()
        step.run(arg)
        after = _maxrss_mb()
    return {"peak_rss_mb": after, "step_rss_mb": max(0.0, after - before)}


def memory_in_subprocess(size: str, seed: int, step_name: str) -> dict[str, float] | None:
    cmd = [sys.executable, "-m", "benchmarks.run", "--measure-memory", step_name,
           "--sizes", size, "--seed", str(seed)]  # fmt: skip
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=600)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_size(size: str, seed: int, repeat: int, memory: bool, steps_wanted: list[str]) -> dict:
    path = generate(size, seed)
    result: dict[str, Any] = {"size": size, "file": path.name, "bytes": path.stat().st_size}
    from evr_xl.workbook.files import read_program

    data, findings = read_program(path)
    if data is not None:
        result["counts"] = {
            "drivers": len(data.drivers),
            "workplan": len(data.workplan),
            "actuals": len(data.actuals),
            "risks": len(data.risks),
            "reader_findings": len(findings),
        }
    with zipfile.ZipFile(path) as z:
        result["sheet_xml_bytes"] = sum(
            i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/sheet")
        )
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        steps = make_steps(path, Path(tmp))
        runnable = {n: steps[n][0] for n in steps_wanted if steps[n][0] is not None}
        runs = time_rounds(runnable, repeat)
        for name in steps_wanted:
            t = Timing(name, runs=runs.get(name, []), note=steps[name][1])
            if name in runs and memory:
                mem = memory_in_subprocess(size, seed, name)
                if mem:
                    t.peak_rss_mb, t.step_rss_mb = mem["peak_rss_mb"], mem["step_rss_mb"]
            timings.append(t)
            print(f"  {size:6s} {name:11s} {_fmt(t.median)}", file=sys.stderr, flush=True)
    by = {t.step: t for t in timings}
    result["steps"] = []
    for t in timings:
        row = asdict(t)
        row["median"] = t.median
        row["min"] = min(t.runs) if t.runs else None
        row["max"] = max(t.runs) if t.runs else None
        row["x_floor"] = _round_ratio(t.runs, by.get("floor"), over=False)
        row["ref_over_ours"] = _round_ratio(t.runs, by.get("reference"), over=True)
        result["steps"].append(row)
    return result


def _round_ratio(runs: list[float], base: Timing | None, *, over: bool) -> float | None:
    """The median, over rounds, of this step's time / the base's (or base / this, `over`)."""
    if not runs or base is None or len(base.runs) != len(runs):
        return None
    pairs = zip(runs, base.runs, strict=True)
    return statistics.median(b / r if over else r / b for r, b in pairs)


# --- output --------------------------------------------------------------------------------------


def _fmt(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s * 1000:.2f} ms" if s < 0.1 else f"{s:.3f} s"


def table(result: dict) -> str:
    lines = [
        f"{result['size']}: {result['file']} ({result['bytes']:,} bytes, "
        f"{result['sheet_xml_bytes']:,} bytes of sheet XML) {result.get('counts', '')}",
        f"{'step':11s} {'median':>11s} {'min-max':>23s} {'x floor':>8s} {'ref/ours':>8s} "
        f"{'peak MB':>8s} {'step MB':>8s}  note",
    ]
    for r in result["steps"]:
        rng = f"{_fmt(r['min'])} - {_fmt(r['max'])}" if r["runs"] else "-"
        xf = f"{r['x_floor']:.1f}" if r["x_floor"] else "-"
        rr = f"{r['ref_over_ours']:.1f}" if r["ref_over_ours"] else "-"
        pk = f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "-"
        sm = f"{r['step_rss_mb']:.0f}" if r["step_rss_mb"] is not None else "-"
        lines.append(
            f"{r['step']:11s} {_fmt(r['median']):>11s} {rng:>23s} {xf:>8s} {rr:>8s} "
            f"{pk:>8s} {sm:>8s}  {r['note']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--no-memory", action="store_true", help="skip the per-step subprocesses")
    ap.add_argument("--measure-memory", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = args.sizes.split(",")
    if args.measure_memory:
        print(json.dumps(measure_memory(sizes[0], args.seed, args.measure_memory)))
        return
    steps = [s for s in args.steps.split(",") if s]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        ap.error(f"unknown step(s) {', '.join(unknown)}; the steps are: {', '.join(STEPS)}")
    results = []
    for size in sizes:
        results.append(run_size(size, args.seed, args.repeat, not args.no_memory, steps))
        print(table(results[-1]) + "\n", flush=True)
    if args.json:
        meta = {
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "seed": args.seed,
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))


if __name__ == "__main__":
    main()
