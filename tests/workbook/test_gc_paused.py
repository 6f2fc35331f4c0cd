"""reader.gc_paused: no collections inside, the collector restored after, nothing leaked."""

from __future__ import annotations

import gc
import weakref

from evr_xl.workbook.reader import gc_paused


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_pause_restores_the_collector_and_nests() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one paused
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # disabled before: left disabled
    finally:
        gc.enable()


def test_cycles_built_inside_are_still_collected() -> None:
    with gc_paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle: only the collector can free it
        probe = weakref.ref(a)
        del a, b
        assert probe() is not None
    assert gc.get_freeze_count() == 0  # promoted to the oldest generation, not frozen
    gc.collect()
    assert probe() is None
