"""A Property: a behaviour base and tuned must share, as a Hypothesis strategy of inputs for a pair
and a batch check that returns, per input, None or the counterexample it is."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from tokcheck.checks.behaviour.comparison import Comparison
    from tokcheck.checks.behaviour.counterexamples import Counterexample
    from tokcheck.checks.behaviour.pair_inputs import PairInputs


class NotCompared(enum.Enum):
    """What a check returns for an input it could not compare (base itself raised on it): counted
    apart from agreement, so a property that compared nothing fails instead of passing."""

    NOT_COMPARED = "not compared"


NOT_COMPARED = NotCompared.NOT_COMPARED
CheckResult = Union["Counterexample", None, NotCompared]


@dataclass(frozen=True)
class Property:
    """`strategy(inputs)` generates inputs for the pair; `check(comparison, inputs)` returns, per
    input, None (agrees), the counterexample it is, or NOT_COMPARED."""

    name: str
    title: str
    strategy: Callable[[PairInputs], SearchStrategy[Any]]
    check: Callable[[Comparison, list[Any]], Sequence[CheckResult]]
