"""Hostile files are refused quickly, in bounded memory, without reading what they point at.

Each runs in a subprocess (a native crash or an out-of-memory abort must fail the test, not the
test run); the child reports its own peak RSS through `resource`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from tests.corpus.make_corpus import CASES, HOSTILE, Case, build_all

BIG = ("cell_at_last_row", "cell_at_last_row_and_column", "cell_at_last_row_unread_sheet")
RUN = [*HOSTILE, *(c for c in CASES if c.name in BIG)]
MAX_SECONDS = 8.0  # generous for CI; locally each is well under 2 s
MAX_RSS_MB = 400  # a plain `evr check` of the demo peaks near 90 MB

# The child's own peak: VmHWM of its memory map. Not ru_maxrss, which on Linux carries the peak
# of the process that forked it (here pytest, which may have held a large workbook) over exec.
CHILD = (
    "import resource, sys\n"
    "from evr_xl.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "try:\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "    peak = int(hwm[0].split()[1]) if hwm else peak\n"
    "except OSError:\n"
    "    pass\n"
    "print('PEAK_RSS_KB', peak, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("hostile"), tuple(RUN))


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], float, int]:
    start = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=120
    )
    seconds = time.perf_counter() - start
    peak = [int(line.split()[1]) for line in r.stderr.splitlines() if line.startswith("PEAK_RSS")]
    return r, seconds, (peak[0] // 1024 if peak else -1)


@pytest.mark.parametrize("case", RUN, ids=[c.name for c in RUN])
def test_refused_quickly_in_bounded_memory(
    case: Case, files: dict[str, Path], tmp_path: Path
) -> None:
    path = files[case.name]
    before = path.read_bytes()
    for argv, expected in (
        (["check", str(path)], case.exit_code),
        (["refresh", "-q", str(path), "--output", str(tmp_path / "out.xlsx")], case.refresh_exit),
    ):
        r, seconds, peak_mb = _run(*argv)
        out = r.stdout + r.stderr
        assert r.returncode == expected, out[-2000:]
        assert "Traceback" not in out and peak_mb > 0, out[-2000:]  # the child finished normally
        assert seconds < MAX_SECONDS, seconds
        assert peak_mb < MAX_RSS_MB, peak_mb
        if argv[0] == "check":
            for fragment in case.expect:
                assert fragment.replace("{file}", case.filename) in out, out[-2000:]
        assert "root:" not in out  # the external entity was never resolved
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["xxe_in_sheet", "billion_laughs_in_sheet"])
def test_openpyxl_with_defusedxml_refuses_entities_too(files: dict[str, Path], name: str) -> None:
    """openpyxl (board pack, tests) must not expand or fetch entities either: it refuses."""
    with pytest.raises(ValueError, match="invalid XML|Forbidden|could not read"):
        openpyxl.load_workbook(files[name])
