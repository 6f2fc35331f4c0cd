"""Every broken workbook in the corpus gets a clear message, the right exit code, no traceback,
and is never changed (tests/corpus/make_corpus.py builds them; docs/reliability.md lists them)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from evr_xl.cli import main
from evr_xl.workbook.files import load_grids
from tests.corpus.make_corpus import CASES, Case, build_all


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_all(tmp_path_factory.mktemp("corpus"), CASES)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_gives_a_clear_message(
    case: Case, corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = corpus[case.name]
    before = _sha(path)
    code = main(["check", str(path)])  # an exception here fails the test: no traceback allowed
    out = "".join(capsys.readouterr())
    assert code == case.exit_code, out[-2000:]
    for fragment in case.expect:
        assert fragment.replace("{file}", case.filename) in out, (fragment, out[-2000:])
    for fragment in case.absent:
        assert fragment not in out
    assert _sha(path) == before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.refresh_exit is not None],
    ids=[c.name for c in CASES if c.refresh_exit is not None],
)  # fmt: skip
def test_refresh_to_a_copy_leaves_the_input_alone(
    case: Case, corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = corpus[case.name]
    before = _sha(path)
    out_path = tmp_path / f"refreshed_{case.filename}"
    code = main(["refresh", "-q", str(path), "--output", str(out_path)])
    out = "".join(capsys.readouterr())
    assert code == case.refresh_exit, out[-2000:]
    assert _sha(path) == before
    if code == 0 or "Sheets written" in out:  # exit 1 with errors: written, and said so
        grids = load_grids(out_path, ["Dashboard", "Snapshots"])
        assert {"Dashboard", "Snapshots"} <= set(grids)
        assert code == 0 or "not (fully) counted in these figures" in out
    else:
        assert not out_path.exists()


def test_no_traceback_from_the_real_entry_point(corpus: dict[str, Path]) -> None:
    """A sample through `python -m evr_xl.cli`, as a user runs it: stderr has no traceback."""
    for name in ("not_a_zip", "missing_required_sheet", "formula_uncached", "value_promise_junk"):
        r = subprocess.run(
            [sys.executable, "-m", "evr_xl.cli", "check", str(corpus[name])],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert "Traceback" not in r.stderr + r.stdout
        assert r.returncode in (1, 2)
        assert corpus[name].name in r.stdout + r.stderr
