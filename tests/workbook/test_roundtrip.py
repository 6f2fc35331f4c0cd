"""Property: records written into the template and read back come back equal."""

from __future__ import annotations

import string
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evr_xl.model.vocab import (
    CATEGORIES,
    ITEM_STATUSES,
    ITEM_TYPES,
    RAMP_PROFILES,
    RECURRENCES,
    STAGES,
)
from evr_xl.workbook.files import read_program
from evr_xl.workbook.template import write_workbook

SETTINGS = {
    "name": "Round trip",
    "currency": "EUR",
    "value_promise": 5_000_000,
    "first_period": date(2026, 1, 1),
    "last_period": date(2027, 12, 1),
    "as_of": date(2026, 6, 1),
}

ids = st.integers(1, 999).map(lambda n: f"VD-{n:03d}")
text = st.text(
    alphabet=string.ascii_letters + string.digits + " .,&()'=+-@", min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s.strip() != "")
months = st.dates(date(2025, 1, 1), date(2028, 12, 31)).map(lambda d: date(d.year, d.month, 1))
money = st.integers(1, 10**9).map(float)

drivers = st.builds(
    dict,
    name=text,
    category=st.sampled_from(CATEGORIES),
    recurrence=st.sampled_from(RECURRENCES),
    owner=text,
    kpi=text,
    measurement=text,
    target=money,
    ramp_start=months,
    full_run_rate_by=months,
    ramp_profile=st.sampled_from(RAMP_PROFILES),
    stage=st.sampled_from(STAGES),
    finance_validated=st.booleans(),
    baseline=st.none() | st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
)
items = st.builds(
    dict,
    item=text,
    item_type=st.sampled_from(ITEM_TYPES),
    status=st.sampled_from(ITEM_STATUSES),
    planned_finish=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    forecast_finish=st.none() | st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    pct_complete=st.integers(0, 100).map(lambda n: n / 100),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(ids, drivers), min_size=1, max_size=6, unique_by=lambda t: t[0]),
    st.lists(items, max_size=6),
)
def test_records_round_trip(driver_rows: list[tuple[str, dict]], item_rows: list[dict]) -> None:
    dr = [{"driver_id": i, "workstream_id": "WS-A", **d} for i, d in driver_rows]
    wp = [
        {
            "item_id": f"WP-{k}",
            "workstream_id": "WS-A",
            "enables": (dr[k % len(dr)]["driver_id"],),
            **it,
        }
        for k, it in enumerate(item_rows)
    ]
    rows = {
        "Workstreams": [{"workstream_id": "WS-A", "name": "Alpha"}],
        "Value Drivers": dr,
        "Workplan": wp,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(Path(tmp) / "rt.xlsx", rows=rows, settings=SETTINGS)
        data, findings = read_program(path)
    assert [f for f in findings if f.severity.value == "Error"] == []
    assert data.settings.value_promise == 5_000_000 and data.settings.as_of == date(2026, 6, 1)
    got = {d.driver_id: d for d in data.drivers}
    assert list(got) == [d["driver_id"] for d in dr]
    for want in dr:
        rec = got[want["driver_id"]]
        for key, value in want.items():
            assert getattr(rec, key) == value, (key, getattr(rec, key), value)
    assert len(data.workplan) == len(wp)
    for rec, want in zip(data.workplan, wp, strict=True):
        for key, value in want.items():
            assert getattr(rec, key) == value, (key, getattr(rec, key), value)


def test_formula_like_text_round_trips_as_text(tmp_path: Path) -> None:
    dr = [
        {
            "driver_id": "VD-001",
            "workstream_id": "WS-A",
            "name": "=1+2",
            "category": "Other",
            "recurrence": "Recurring",
            "owner": "+cmd",
            "kpi": "@SUM(A1)",
            "measurement": "-2",
            "target": 5.0,
            "ramp_start": date(2026, 1, 1),
            "full_run_rate_by": date(2026, 5, 1),
        }
    ]
    data, _ = read_program(
        write_workbook(tmp_path / "f.xlsx", rows={"Value Drivers": dr}, settings=SETTINGS)
    )
    d = data.drivers[0]
    assert (d.name, d.owner, d.kpi, d.measurement) == ("=1+2", "+cmd", "@SUM(A1)", "-2")
