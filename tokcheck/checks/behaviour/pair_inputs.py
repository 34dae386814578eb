"""What the behaviour checks feed one pair, made once per comparison: the vocabulary pieces and
text strategies built from both tokenizers, what each chat template renders, the special tokens a
sampled sweep keeps, and each sweep's inputs (its shards share them)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from hypothesis.strategies import SearchStrategy

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.reach import Reach, reach
from tokcheck.checks.behaviour.views import View
from tokcheck.gc_pause import gc_paused
from tokcheck.inputs.text import tokenizer_fragments, tokenizer_text
from tokcheck.inputs.transcripts import TemplateCapabilities, template_capabilities
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.tokens import flag_values

_PIECES = 32_768  # vocabulary pieces generated text is made of


class PairInputs:
    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._text_strategies: dict[int, SearchStrategy[str]] = {}
        self._sweep_inputs: dict[str, Sequence[Any]] = {}
        self._reach: dict[str, Reach | None] = {}

    @cached_property
    @gc_paused()  # one list per id
    def pieces(self) -> list[str]:
        """Decoded ordinary (not added) tokens of base and tuned: a fixed sample of at most _PIECES
        of them (sorting 250,000 pieces for every run costs more than a Hypothesis run of a few
        hundred examples gains from them; the vocabulary sweep covers every token)."""
        c = self.comparison
        added = set(c.specials)
        tuned = c.tuned_codec.decode([[i] for i in range(c.tuned_codec.size)])
        pieces = sorted(text for text in {*c.base_vocab_texts, *tuned} if text not in added)
        return pieces if len(pieces) <= _PIECES else random.Random(0).sample(pieces, _PIECES)

    @cached_property
    def fragments(self) -> SearchStrategy[str]:
        return tokenizer_fragments(*self.comparison.tokenizers, pieces=self.pieces)

    def text_strategy(self, max_fragments: int) -> SearchStrategy[str]:
        """`tokenizer_text` over both tokenizers (built once per size: the vocabulary is large)."""
        if max_fragments not in self._text_strategies:
            self._text_strategies[max_fragments] = tokenizer_text(max_fragments=max_fragments, fragments=self.fragments)
        return self._text_strategies[max_fragments]

    @cached_property
    def capabilities(self) -> tuple[TemplateCapabilities, TemplateCapabilities]:
        """What the base and tuned chat templates render (transcripts follow base's)."""
        return template_capabilities(self.comparison.base), template_capabilities(self.comparison.tuned)

    @cached_property
    def representative_tokens(self) -> list[str]:
        """A few tokens of each group that base and tuned treat alike (same id and flags on both
        sides, live and as their files declare them: transformers 4 takes flags from
        tokenizer_config.json, tokenizers from tokenizer.json), and every token alone in its
        group: a flag changed on one token of 256 puts it in a group of its own. For sampled sweeps."""
        c = self.comparison

        def live(tokenizer: LiveTokenizer) -> dict[str, tuple[Any, ...]]:
            decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
            return {str(t.content): (i, *flag_values(t)) for i, t in decoder.items()}

        def declared(added: dict[int, Any]) -> dict[str, tuple[Any, ...]]:
            return {t.content: (i, *flag_values(t)) for i, t in added.items()}

        sources = [live(c.base), live(c.tuned)]
        for snapshot in c.snapshots or ():
            sources += [declared(snapshot.added_tokens), declared(snapshot.config_added_tokens)]
        groups: dict[Any, list[str]] = {}
        for token in c.specials:
            found = [source.get(token) for source in sources]
            ids = {flags[0] for flags in found if flags is not None}
            key = tuple(None if flags is None else flags[1:] for flags in found) if len(ids) == 1 else ("alone", token)
            groups.setdefault(key, []).append(token)
        return sorted(token for members in groups.values() for token in members[:2])

    def sweep_inputs(self, name: str, make: Callable[[PairInputs], Sequence[Any]]) -> Sequence[Any]:
        """The inputs of sweep `name` (made by `make`), made once per pair: its shards share them."""
        if name not in self._sweep_inputs:
            self._sweep_inputs[name] = make(self)
        return self._sweep_inputs[name]

    def reach(self, view: View) -> Reach | None:
        """Which inputs can encode differently in `view` (None: any), worked out once per view."""
        if view.name not in self._reach:
            self._reach[view.name] = reach(view.base, view.tuned)
        return self._reach[view.name]
