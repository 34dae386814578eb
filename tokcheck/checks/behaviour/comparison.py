"""The Comparison of one pair: the base and tuned live tokenizers, their snapshots, and the views
they are run in (batch codecs over the transformers tokenizers, and over the tokenizer.json files
where those show something else), with the few facts about the pair every check needs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.batch_codecs import Codec
from tokcheck.checks.behaviour.class_views import ModelConfig
from tokcheck.checks.behaviour.llamacpp_view import NAME as LLAMACPP_VIEW
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.checks.behaviour.view_pipeline import ViewInputs, views_for
from tokcheck.checks.behaviour.views import View, file_view_paths, side_loader
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.gc_pause import gc_paused
from tokcheck.inputs.generators import CUSTOM_TEXTS
from tokcheck.inputs.text import special_strings
from tokcheck.inputs.transcripts import renders_chat
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side
from tokcheck.sources.snapshot import TokenizerSnapshot


class Comparison:
    """A base and a tuned live tokenizer and the views both are run in; build one with
    `from_session`, or directly from two tokenizers (a transformers view only).

    The views come from tokcheck.checks.behaviour.view_pipeline (`views_for`, its steps in order):
    `views[0]` is always the transformers view; with `file_paths` (the two tokenizer.json files) a
    tokenizer.json view follows; with `sides`, the model-specific class views that show a
    difference between base and tuned the others do not (tokcheck.checks.behaviour.class_views),
    and, where a side is a GGUF, real llama.cpp (tokcheck.checks.behaviour.llamacpp_view). With
    `snapshots`, stop ids come from the model configs, and the sweeps make inputs from the merges
    and vocabulary the two do not share. With `base_memo` (a run over many checkpoints against one
    base, or the disk cache of base encodings), the base codecs' large batches are shared with
    every other pair of the run."""

    def __init__(
        self,
        base: LiveTokenizer,
        tuned: LiveTokenizer,
        *,
        loaders: tuple[Loader, Loader],
        file_paths: tuple[str, str] | None = None,
        snapshots: tuple[TokenizerSnapshot, TokenizerSnapshot] | None = None,
        sides: tuple[Side, Side] | None = None,
        model_configs: Sequence[ModelConfig] = (),
        base_memo: BaseMemo | None = None,
    ) -> None:
        self.base, self.tuned = base, tuned
        self.snapshots = snapshots
        self.specials = list(special_strings(base, tuned))
        self.probes = [*CUSTOM_TEXTS, *self.specials, *(f"a {s}b{s}\n" for s in self.specials)]
        self.views = views_for(ViewInputs(base, tuned, loaders, self.probes, file_paths, sides, model_configs, base_memo))

    @classmethod
    def from_session(
        cls, session: CheckedSession, model_configs: Sequence[ModelConfig] = (), base_memo: BaseMemo | None = None
    ) -> Comparison:
        base, tuned = session.pair()
        return cls(
            base.tokenizer,
            tuned.tokenizer,
            loaders=(side_loader(base), side_loader(tuned)),
            file_paths=file_view_paths(base, tuned, session.static),
            snapshots=(base.snapshot, tuned.snapshot),
            sides=(base, tuned),
            model_configs=model_configs,
            base_memo=base_memo,
        )

    @property
    def tokenizers(self) -> tuple[LiveTokenizer, LiveTokenizer]:
        return (self.base, self.tuned)

    @property
    def transformers(self) -> View:
        return self.views[0]

    @property
    def base_codec(self) -> Codec:
        return self.views[0].base

    @property
    def tuned_codec(self) -> Codec:
        return self.views[0].tuned

    @property
    def checked_views(self) -> list[View]:
        """The views in the order the checks try them, one finding per input from the first that
        fails on it: real llama.cpp first, so that what llama.cpp itself does is what is reported
        where the approximate view fails on the same input."""
        return sorted(self.views, key=lambda view: view.name != LLAMACPP_VIEW)

    def chat_views(self) -> list[tuple[View, Codec, Codec]]:
        """Each view that encodes a rendered chat, with its base and tuned codecs for it, in
        checked order: the transformers view's own codecs, other views' `chat` codecs."""
        return [(view, *(view.chat or (view.base, view.tuned))) for view in self.checked_views
                if view is self.views[0] or view.chat is not None]

    def token_strings(self) -> list[str]:
        """Literal strings of every special and added token of base and tuned, sorted."""
        return self.specials

    @cached_property
    def stop_ids(self) -> tuple[frozenset[int], frozenset[int]]:
        """The ids generation stops at, base and tuned (see TokenizerSnapshot.stop_ids)."""
        found = []
        for index, tokenizer in enumerate(self.tokenizers):
            eos = getattr(tokenizer, "eos_token_id", None)
            eos = eos if isinstance(eos, int) else None
            if self.snapshots is not None:
                found.append(self.snapshots[index].stop_ids(eos))
            else:
                found.append(frozenset() if eos is None else frozenset({eos}))
        return found[0], found[1]

    @cached_property
    def base_renders_chat(self) -> bool:
        """Whether base has a chat template that renders a conversation."""
        return renders_chat(self.base)

    @cached_property
    @gc_paused()  # one list per id
    def base_vocab_texts(self) -> Sequence[str]:
        """The decoded text of every base id, in id order."""
        return self.base_codec.decode([[i] for i in range(self.base_codec.size)])
