"""A Property: a behaviour base and tuned must share, as a Hypothesis strategy of inputs for a pair
and a batch check that returns, per input, None or the counterexample it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from tokcheck.checks.behaviour.comparison import Comparison
    from tokcheck.checks.behaviour.counterexamples import Counterexample
    from tokcheck.checks.behaviour.pair_inputs import PairInputs


@dataclass(frozen=True)
class Property:
    """`strategy(inputs)` generates inputs for the pair; `check(comparison, inputs)` returns, per
    input, None or the counterexample it is."""

    name: str
    title: str
    strategy: Callable[[PairInputs], SearchStrategy[Any]]
    check: Callable[[Comparison, list[Any]], list[Counterexample | None]]
