"""tokcheck.deadline: the SIGALRM wall limit that template renders and the fuzzer share, nested."""

from __future__ import annotations

import signal
import time

import pytest

from tokcheck.deadline import wall_limit


class Expired(BaseException):
    pass


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_the_block_is_stopped_at_its_limit_and_the_alarm_is_cleared() -> None:
    with pytest.raises(Expired), wall_limit(0.2, Expired):
        spin(5)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_sooner_outer_limit_stays_in_charge_of_a_later_inner_one() -> None:
    started = time.monotonic()
    with pytest.raises(Expired), wall_limit(0.3, Expired), wall_limit(30, RuntimeError):
        spin(5)
    assert time.monotonic() - started < 5


def test_an_outer_limit_gets_back_what_it_had_left_after_a_sooner_inner_one() -> None:
    with pytest.raises(Expired), wall_limit(0.6, Expired):
        with wall_limit(0.1, lambda: RuntimeError("inner")):
            spin(0.05)  # the inner block ends in time
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 0.6
        spin(5)
