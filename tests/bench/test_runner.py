"""The benchmark runner: rounds interleave the steps, ratios are taken round by round."""

from __future__ import annotations

import datetime as dt
import math
import time

import pytest

from benchmarks import run as R


def test_rounds_run_every_step_once_per_round_after_a_warm_up() -> None:
    calls: list[str] = []
    steps = {name: (lambda name=name: calls.append(name)) for name in ("floor", "ours")}
    runs = R.time_rounds(steps, repeat=3)
    assert calls == ["floor", "ours"] * 4  # one warm-up round, then three interleaved rounds
    assert {k: len(v) for k, v in runs.items()} == {"floor": 3, "ours": 3}


def test_ratios_are_medians_of_the_ratios_within_each_round() -> None:
    floor = R.Timing("floor", runs=[1.0, 2.0, 4.0])
    assert R._round_ratio([3.0, 6.0, 12.0], floor, over=False) == pytest.approx(3.0)
    # a slow spell in round 3 moved both: the ratio stays 3 (median of per-step times would not)
    assert R._round_ratio([3.0, 6.0, 100.0], floor, over=False) == pytest.approx(3.0)
    assert R._round_ratio([0.5, 1.0, 2.0], floor, over=True) == pytest.approx(2.0)
    assert R._round_ratio([1.0], floor, over=False) is None  # runs do not pair up
    assert R._round_ratio([1.0, 1.0, 1.0], None, over=False) is None


def test_a_prepared_steps_input_is_made_anew_before_each_run_outside_the_time() -> None:
    made: list[int] = []
    got: list[int] = []

    def prepare() -> int:
        time.sleep(0.2)  # preparation this slow must not show in the step's time
        made.append(len(made))
        return made[-1]

    runs = R.time_rounds({"step": R.Prepared(prepare, got.append)}, repeat=2)
    assert got == [0, 1, 2] and made == [0, 1, 2]  # warm-up + two rounds, each on a new input
    assert max(runs["step"]) < 0.2  # the run itself is one list.append


def test_com_copy_is_equal_content_in_new_objects() -> None:
    table = (
        ("Driver ID", "Period", "Realized value"),
        ("VD-001", dt.date(2026, 1, 1), -0.0),
        ("VD-002", dt.datetime(2026, 2, 1, 9), None),
        (True, "", 2.5),
    )
    copy = R.com_copy(table)
    assert copy == table
    assert [type(v) for r in copy for v in r] == [type(v) for r in table for v in r]
    assert math.copysign(1.0, copy[1][2]) == -1.0  # -0.0 stays -0.0
    for old, new in zip((v for r in table for v in r), (v for r in copy for v in r), strict=True):
        assert new is not old or old in (None, True, "")  # singletons stay; the rest is new
    assert copy is not table and copy[0] is not table[0]
