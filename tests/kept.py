"""What a test process keeps to its end (transformers' modules, the zoo bases its tests share) taken
out of the cyclic collector's full passes. Those passes never free any of it, yet walked all of it
every time: with a few bases loaded they cost a quarter of the self-test's time (measured)."""

from __future__ import annotations

import gc


def keep_for_the_process() -> None:
    """Collect what is garbage now, then freeze every object left (gc.freeze): later full passes
    skip them. Call it after loading something the process holds until it exits."""
    gc.collect()
    gc.freeze()
