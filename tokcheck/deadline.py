"""A wall-clock limit on a block of code (SIGALRM), which nests: the chat-template renderer puts one
around each render, and the fuzzer puts its own around a whole pipeline run that renders templates."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def wall_limit(seconds: float, expired: Callable[[], BaseException]) -> Iterator[None]:
    """Raise `expired()` inside the block once it has run `seconds`. Outside the main thread (signals
    reach only that one) there is no limit. Inside an outer limit that is sooner, the outer one stays
    in charge; inside a later one, the outer alarm is given back what it had left on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    if remaining and remaining < seconds:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise expired()

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:
            signal.setitimer(
                signal.ITIMER_REAL, max(remaining - (time.monotonic() - started), 0.001), interval
            )
