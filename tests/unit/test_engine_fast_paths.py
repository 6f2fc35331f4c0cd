"""The engine's and the checks' quick paths give exactly what the plain per-record rules give.

frames.fields reads record fields from each record's __dict__; frames.keys trims and casefolds
a list of IDs without a Python call per ID when all are text, and falls back to frames.key one
by one otherwise; Horizon.ordinals_of and Horizon.label work once per distinct date or ordinal;
frames.build derives WorkItem and ValueDriver properties for all rows at once; the checks find
duplicate IDs, unknown references and each driver's last enabler with numpy. These are speed-ups
only: each is pinned here to its plain definition on odd inputs (mixed case and spaces,
duplicates, missing values, unknown references).
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
from hypothesis import given
from programs import day, program
from test_engine_properties import RELAXED, programs

from evr_xl.checks import connections, references
from evr_xl.checks.common import last_enablers
from evr_xl.engine import Horizon, compute
from evr_xl.engine.frames import build, fields, floats, key, keys
from evr_xl.model import ProgramData, ProgramSettings, WorkItem
from evr_xl.model.periods import PeriodType, label, ordinal

IDS = [
    "VD-1", " VD-1 ", "vd-1", "\tVd-1\n", "", " ", "\xa0VD-2\xa0", "Straße", "STRASSE", "İx",
    "VD-1, VD-2", "ǅ", "x" * 300,
]  # fmt: skip


def _same_floats(a: np.ndarray, b: list[float]) -> bool:
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(a.tolist(), b, strict=True)
    )


def test_keys_is_key_of_each_value_on_both_paths() -> None:
    assert keys(IDS) == [key(v) for v in IDS]  # all text: the quick path
    mixed = [*IDS, None, 0, 12.5, *IDS]  # not all text: key() one by one
    assert keys(mixed) == [key(v) for v in mixed]
    assert keys(v for v in IDS) == keys(IDS) and keys([]) == []


def test_ordinals_and_labels_are_the_plain_ones() -> None:
    dates = [date(2026, 1, 31), None, datetime(2026, 3, 5, 12), date(2026, 3, 1), None]
    dates += [date(2024 + i % 4, 1 + i % 12, 1 + i % 28) for i in range(60)]
    for ptype in PeriodType:
        h = Horizon(first=0, last=0, as_of=0, period_type=ptype)
        want = [math.nan if d is None else float(ordinal(d, ptype)) for d in dates]
        assert _same_floats(h.ordinals_of(dates), want)
        assert _same_floats(h.ordinals_of(iter(dates)), want)
        assert h.ordinals_of([]).shape == (0,)
        for n in range(24_000, 24_400, 7):
            assert h.label(n) == label(n, ptype)  # the cache keeps month and quarter apart


def test_fields_are_the_attributes_however_the_record_was_made() -> None:
    data = program(
        workplan_table="""
            item_id | planned_finish | forecast_finish | pct_complete | enables
            WP-1    | 2026-02-15     | -               | 0.5          | VD-1, vd-2
            WP-2    | 2026-03-15     | 2026-04-15      | -            | -
        """
    )
    made = [
        *data.workplan,
        data.workplan[0].model_copy(update={"status": "Complete"}),
        WorkItem.model_construct(
            item_id="WP-3", workstream_id="WS-1", item="x", planned_finish=day("2026-01-01")
        ),
    ]
    names = ("item_id", "status", "forecast_finish", "pct_complete", "enables", "ref", "item_type")
    assert fields(made, *names) == [[getattr(w, n) for w in made] for n in names]
    assert fields([], "item_id", "status") == [[], []]


def test_floats_is_numpy_float_with_none_as_nan() -> None:
    values = [None, 1.5, -0.0, math.inf, -math.inf, math.nan, 0.0, None, 1e308]
    assert _same_floats(floats(values), [math.nan if v is None else v for v in values])
    assert floats([]).dtype == float


def _plain_last_enablers(data: ProgramData, finish: np.ndarray) -> list[tuple[int, int, float]]:
    """The rule as first written with pandas: sort by driver and finish, keep each driver's last."""
    f = build(data)
    links = f.links[~f.links["cancelled"]]
    frame = links.assign(finish=finish[links["item"].to_numpy(np.int64)])
    latest = frame.sort_values(["driver", "finish"], kind="stable").groupby("driver").tail(1)
    return list(zip(latest["driver"], latest["item"], latest["finish"], strict=True))


@RELAXED
@given(programs())
def test_frames_follow_the_record_rules(data: ProgramData) -> None:
    f = build(data)
    wp = data.workplan
    items = f.items
    assert items["complete"].tolist() == [w.is_complete for w in wp]
    assert items["cancelled"].tolist() == [w.is_cancelled for w in wp]
    assert items["milestone"].tolist() == [w.item_type == "Milestone" for w in wp]
    assert items["key"].tolist() == [key(w.item_id) for w in wp]

    first = {}
    for d in data.drivers:
        first.setdefault(key(d.driver_id), d)
    assert f.drivers["key"].tolist() == list(first)
    assert f.drivers["recurring"].tolist() == [d.is_recurring for d in first.values()]
    assert f.drivers["sign"].tolist() == [float(d.sign) for d in first.values()]

    entries = [(i, e) for i, w in enumerate(wp) for e in w.enables]
    assert list(zip(f.enables["item"], f.enables["text"], strict=True)) == entries
    assert f.enables["named"].tolist() == [bool(key(e)) for _i, e in entries]
    assert f.enables["driver"].tolist() == [f.driver_index.get(key(e), -1) for _i, e in entries]
    links = [
        (i, f.driver_index[k])
        for i, w in enumerate(wp)
        for k in dict.fromkeys(key(e) for e in w.enables)
        if k in f.driver_index
    ]
    assert list(zip(f.links["item"], f.links["driver"], strict=True)) == links
    assert f.actuals["driver"].tolist() == [
        f.driver_index.get(key(a.driver_id), -1) for a in data.actuals
    ]

    for finish in (
        items["late_ord"].to_numpy(np.int64),
        np.where(items["complete"], items["late_ord"].to_numpy(float), np.inf),
    ):
        drv, item, fin = last_enablers(f, finish)
        want = _plain_last_enablers(data, finish)
        assert list(zip(drv.tolist(), item.tolist(), fin.tolist(), strict=True)) == want


@RELAXED
@given(programs())
def test_reference_checks_follow_the_record_rules(data: ProgramData) -> None:
    res = compute(data)
    known = {key(d.driver_id) for d in data.drivers}

    # TR001 on the workplan: every later row of a non-blank ID key
    seen: set[str] = set()
    twice = []
    for w in data.workplan:
        k = key(w.item_id)
        if k and k in seen:
            twice.append(w.item_id)
        seen.add(k)
    found = [f.message for f in references.duplicate_ids(data, res) if "workplan" in f.message]
    assert [m.split(" ")[3] for m in found] == twice

    # TR002 from the workplan: each named, unknown driver, in order
    unknown = [(w.item_id, d) for w in data.workplan for d in w.enables if key(d) not in known]
    unknown = [(i, d) for i, d in unknown if key(d)]
    found = [f.message for f in references.unknown_drivers(data, res) if "workplan" in f.message]
    assert found == [
        f"driver {d} does not exist (workplan item {i} enables it)" for i, d in unknown
    ]

    # TR003 and TR004
    ws = {key(w.workstream_id) for w in data.workstreams}
    rows = [*data.drivers, *data.workplan, *data.costs]
    found = references.unknown_workstreams(data, res)
    assert [f.message.split(" ")[1] for f in found] == [
        r.workstream_id for r in rows if key(r.workstream_id) not in ws
    ]
    loose = [
        w.item_id for w in data.workplan if not w.is_cancelled and not any(map(key, w.enables))
    ]
    found = connections.unconnected_work(data, res)
    assert [f.message.split(" ")[2] for f in found] == loose


def test_odd_ids_are_matched_trimmed_and_case_insensitively() -> None:
    data = program(
        drivers_table="""
            driver_id | workstream_id | target | ramp_start | full_run_rate_by
            VD-1      | WS-1          | 100    | 2026-01    | 2026-03
            vd-1      | ws-1          | 200    | 2026-01    | 2026-03
            VD-2      | WS-9          | 300    | 2026-01    | 2026-03
        """,
        workplan_table="""
            item_id | planned_finish | enables
            WP-1    | 2026-02-15     | vd-1, VD-1, VD-7
            wp-1    | 2026-02-15     | -
            WP-2    | 2026-02-15     | vd-2
        """,
        actuals_table="""
            driver_id | period  | realized
            vd-2      | 2026-02 | 10
            VD-7      | 2026-02 | 10
        """,
        workstreams_table="""
            workstream_id | name
            WS-1          | One
        """,
    )
    f = build(data)
    assert f.driver_index == {"vd-1": 0, "vd-2": 1}
    assert f.links[["item", "driver"]].values.tolist() == [[0, 0], [2, 1]]
    assert f.actuals["driver"].tolist() == [1, -1]
    messages = [f.message for f in references.duplicate_ids(data, compute(data))]
    assert messages == [
        "driver ID vd-1 is used twice; the first row (Value Drivers!A5) is the one counted",
        "workplan item ID wp-1 is used twice; the first row (Workplan!A5) is the one counted",
    ]
    assert [f.message for f in references.unknown_workstreams(data)] == [
        "workstream WS-9 does not exist (driver VD-2 names it)"
    ]


def test_an_empty_programme_builds_empty_frames() -> None:
    s = ProgramSettings(
        first_period=date(2026, 1, 1), last_period=date(2026, 6, 1), as_of=date(2026, 3, 1)
    )
    f = build(ProgramData(settings=s))
    assert [len(t) for t in (f.drivers, f.items, f.enables, f.links, f.actuals)] == [0] * 5
    assert f.drivers["driver_id"].dtype == object
