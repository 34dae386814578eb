"""gc_paused: the collector is off inside, back as it was after, whatever happens inside."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tokcheck.gc_pause import gc_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_inside_and_on_after() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_turn_it_on_only_when_the_outer_one_ends() -> None:
    gc.enable()
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_an_error_inside_still_turns_it_back_on() -> None:
    gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_as_a_decorator_it_pauses_each_call() -> None:
    gc.enable()

    @gc_paused()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False and inside() is False
    assert gc.isenabled()
