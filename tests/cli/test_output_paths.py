"""Output paths (issue 18 item 8): a path that cannot be written gets one line and exit 2 before
any computation; no CLI path ends in a traceback. And the refresh summary (item 10)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evr_xl.cli import main
from evr_xl.refresh import refresh, summary_lines

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder)]) == 0
    return folder / "evr_demo_program.xlsx"


@pytest.fixture
def book(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(demo_file, tmp_path / "book.xlsx")
    return Path("book.xlsx")


def refuse_before_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any computation fails the test: the path must be refused first."""

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("computed before refusing the output path")

    monkeypatch.setattr("evr_xl.refresh.analyse", boom)
    monkeypatch.setattr("evr_xl.refresh._analyse", boom)


CASES = [
    (
        ["refresh", "book.xlsx", "-o", "copy.xls"],
        "copy.xls: the refreshed copy must be a .xlsx file, like book.xlsx (a refresh keeps the "
        "workbook's format). Nothing was done.",
    ),
    (
        ["refresh", "book.xlsx", "-o", "missing_folder/x.xlsx"],
        "missing_folder/x.xlsx: the folder missing_folder does not exist; create it first or "
        "choose another folder. Nothing was done.",
    ),
    (
        ["refresh", "book.xlsx", "-o", "sub"],
        "sub: is a folder; give the refreshed copy a file name. Nothing was done.",
    ),
    (
        ["boardpack", "book.xlsx", "-o", "pack.pdf"],
        "pack.pdf: -o names the board pack workbook (.xlsx); for a PDF too, add --pdf: 'evr "
        "boardpack book.xlsx -o pack.xlsx --pdf' writes pack.xlsx and pack.pdf. Nothing was done.",
    ),
    (
        ["boardpack", "book.xlsx", "-o", "./book.xlsx"],
        "./book.xlsx: that is the programme workbook itself; the board pack is a separate file: "
        "choose another name. Nothing was done.",
    ),
    (
        ["boardpack", "book.xlsx", "-o", "pack.xlsm"],
        "pack.xlsm: the board pack must be a .xlsx file. Nothing was done.",
    ),
    (
        ["boardpack", "book.xlsx", "-o", "missing_folder/pack.xlsx"],
        "missing_folder/pack.xlsx: the folder missing_folder does not exist; create it first or "
        "choose another folder. Nothing was done.",
    ),
    (
        ["boardpack", "book.xlsx", "-o", "sub"],
        "sub: is a folder; give the board pack a file name. Nothing was done.",
    ),
    (
        ["portfolio", "book.xlsx", "--csv", "missing_folder/p.csv"],
        "missing_folder/p.csv: the folder missing_folder does not exist; create it first or "
        "choose another folder. Nothing was done.",
    ),
    (
        ["addin", "build", "-o", "addin.xlsm"],
        "addin.xlsm: the add-in must be a .xlam file. Nothing was done.",
    ),
]


@pytest.mark.parametrize(("argv", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_unwritable_output_is_refused_first(
    book: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path("sub").mkdir()
    before = book.read_bytes()
    refuse_before_computing(monkeypatch)
    monkeypatch.setattr("evr_xl.portfolio.portfolio", lambda *a, **k: pytest.fail("computed"))
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: {message}\n")
    assert book.read_bytes() == before
    assert sorted(p.name for p in Path(".").iterdir()) == ["book.xlsx", "sub"]


def test_read_only_folder(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path("locked")
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable, nothing to test")
        assert main(["refresh", str(book), "-o", "locked/copy.xlsx"]) == 2
        assert capsys.readouterr().err == (
            "error: locked/copy.xlsx: cannot write there: the folder locked is read-only. "
            "Nothing was done.\n"
        )
    finally:
        folder.chmod(0o755)


def test_no_traceback_when_writing_fails_anyway(
    book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError the checks could not foresee (disk full, a folder removed meanwhile)."""

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device", "book.xlsx")

    monkeypatch.setattr("evr_xl.refresh.write_output_sheets", full)
    assert main(["refresh", str(book), "-q"]) == 2
    assert capsys.readouterr().err == "error: [Errno 28] No space left on device: 'book.xlsx'\n"


def test_no_traceback_from_the_real_entry_point(book: Path) -> None:
    for argv in (
        ["refresh", "book.xlsx", "-o", "copy.xls"],
        ["boardpack", "book.xlsx", "-o", "pack.pdf"],
        ["roll-forward", "book.xlsx", "--to", "2030-01"],
        ["refresh", "book.xlsx", "--as-of", "2028-03"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "evr_xl.cli", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout, from another folder
        )
        assert r.returncode == 2 and "Traceback" not in r.stdout + r.stderr
        said = [x for x in r.stderr.splitlines() if not x.startswith("  .. ")]  # not progress
        assert len(said) == 1 and said[0].startswith("error: ") and r.stdout == ""


def test_summary_prints_only_what_moved(book: Path) -> None:
    now = dt.datetime(2026, 7, 3, tzinfo=dt.timezone.utc)
    refresh(book, now=now)
    again = summary_lines(refresh(book, now=now))  # the same as-of: the snapshot is replaced
    assert any("the snapshot for 2026-06 was replaced" in line for line in again)
    assert "    no movement in forecast exit run-rate, value at risk or realized." in again
    moved = summary_lines(refresh(book, as_of="2026-07", now=now))
    tail = moved[moved.index(next(x for x in moved if "new snapshot for 2026-07" in x)) + 1 :]
    assert tail and all(": +" in line or ": -" in line for line in tail)
    for lines in (again, moved):
        assert not [x for x in lines if x.rstrip().endswith(("$0", "+$0", "-$0"))]


def test_read_only_target_as_the_check_sees_it(
    book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same refusals whoever runs the tests (root may write anywhere): os.access says no."""
    Path("copy.xlsx").write_bytes(book.read_bytes())
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != Path("copy.xlsx"))
    assert main(["refresh", str(book), "-o", "copy.xlsx"]) == 2
    assert capsys.readouterr().err == (
        "error: copy.xlsx: cannot write there: the file copy.xlsx is read-only. Nothing was done.\n"
    )
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != Path("."))
    assert main(["boardpack", str(book), "-o", "pack.xlsx"]) == 2
    assert capsys.readouterr().err == (
        "error: pack.xlsx: cannot write there: the folder . is read-only. Nothing was done.\n"
    )
