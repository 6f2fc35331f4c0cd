"""Fuzzing: random cells of a small programme mutated (types, blanks, huge values, junk text);
`evr check`, `evr refresh --output` and the board pack must never raise and never change the
input. Exit codes 0/1/2 are all fine. Bounded for CI (max_examples below)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evr_xl.cli import main
from evr_xl.workbook.grids import WorkbookError
from evr_xl.workbook.template import write_workbook
from tests.corpus.make_corpus import clean_rows

SHEETS = ("Workstreams", "Value Drivers", "Workplan", "Actuals", "Costs", "Risks")


def small_programme() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    settings_, rows = clean_rows()
    drivers = rows["Value Drivers"][:8]
    keep = {d["driver_id"] for d in drivers}
    rows["Value Drivers"] = drivers
    rows["Workplan"] = [w for w in rows["Workplan"] if set(w["enables"]) & keep][:30]
    rows["Actuals"] = [a for a in rows["Actuals"] if a["driver_id"] in keep][:40]
    rows["Costs"] = rows["Costs"][:10]
    rows["Risks"] = rows["Risks"][:4]
    return settings_, rows


BASE_SETTINGS, BASE_ROWS = small_programme()

junk = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["#N/A", "#REF!", "=1+1", "@x", "(1,2)", "1e308", "-0", "NaN", "inf", "—",
                     "2026-13-45", "31/02/2026", "Q5-2026", "VD-001", "yes", " ", "\t"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.just("x" * 40_000),
)  # fmt: skip
setting_keys = st.sampled_from(sorted(BASE_SETTINGS))


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, int, str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from(SHEETS + ("Program",)))
        if sheet == "Program":
            out.append((sheet, 0, draw(setting_keys), draw(junk)))
            continue
        rows = BASE_ROWS[sheet]
        i = draw(st.integers(0, len(rows) - 1))
        out.append((sheet, i, draw(st.sampled_from(sorted(rows[i]))), draw(junk)))
    return out


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=mutations())
def test_mutated_workbooks_never_crash(
    changes: list[tuple[str, int, str, Any]], tmp_path: Path
) -> None:
    settings_ = dict(BASE_SETTINGS)
    rows = {s: [dict(r) for r in rs] for s, rs in BASE_ROWS.items()}
    for sheet, i, key, value in changes:
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if sheet == "Program":
            settings_[key] = value
        else:
            rows[sheet][i][key] = value
    path = tmp_path / "fuzzed.xlsx"
    write_workbook(path, rows=rows, settings=settings_)
    before = _sha(path)
    assert main(["check", str(path)]) in (0, 1, 2)
    out = tmp_path / "out.xlsx"
    out.unlink(missing_ok=True)
    assert main(["refresh", "-q", str(path), "--output", str(out)]) in (0, 1, 2)
    try:
        from evr_xl.boardpack import make_boardpack
    except ImportError:  # pragma: no cover - while boardpack/ is being written
        make_boardpack = None
    if make_boardpack is not None:
        try:
            make_boardpack(path, tmp_path / "pack.xlsx")
        except WorkbookError:
            pass  # the documented refusal (settings unreadable); anything else fails the test
    assert _sha(path) == before
