"""The record every engine module fills: its name and what it takes from a checkpoint, each rule
with the engine source it was read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Engine:
    """One serving engine. `sampling_defaults`: the generation_config.json keys it applies as the
    default of every request, each with the engine's own default when the key is absent (None:
    no limit or no such sampler). `greedy_unless_do_sample`: it samples only when do_sample is true
    (transformers' generate()), so the other keys then change nothing. `rule`: how and since when
    it applies them, `source`: where that is written."""

    name: str
    source: str
    rule: str
    sampling_defaults: dict[str, Any] = field(default_factory=dict)
    greedy_unless_do_sample: bool = False

    def effective(self, config: dict[str, Any] | None, key: str) -> Any:
        """The value of `key` this engine samples with, given a generation_config.json (None: absent)."""
        value = (config or {}).get(key)
        return self.sampling_defaults[key] if value is None else value

    def samples(self, config: dict[str, Any] | None) -> bool:
        """Whether requests sample at all (rather than decode greedily) by default."""
        return not self.greedy_unless_do_sample or self.effective(config, "do_sample") is True
