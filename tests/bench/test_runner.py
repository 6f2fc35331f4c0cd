"""The benchmark runner: rounds interleave the steps, ratios are taken round by round."""

from __future__ import annotations

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
