"""Behavioural comparison of two live tokenizers: the `Comparison` of a base and a tuned tokenizer,
and the properties tokcheck checks on generated inputs, each a batch check that returns one
counterexample (or None) per input. Pure: no pytest; Hypothesis only for the strategies."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tokcheck.codecs import BatchCodec, FileCodec, View
from tokcheck.counterexamples import Counterexample, Loader, literal, reproduction
from tokcheck.generators import CUSTOM_TEXTS

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from tokcheck.session import TokcheckSession
    from tokcheck.strategies import TemplateCapabilities


def stop_ids(tokenizer: Any, generation_config: dict[str, Any] | None) -> frozenset[int]:
    """The ids generation stops on: generation_config's eos_token_id (int or list) when it has
    one, else the tokenizer's eos id."""
    value = (generation_config or {}).get("eos_token_id")
    if value is None:
        value = getattr(tokenizer, "eos_token_id", None)
    values = value if isinstance(value, (list, tuple)) else [value]
    return frozenset(int(v) for v in values if isinstance(v, int))


FILE_VIEW_NOTE = "in the tokenizer.json pipeline that tokenizers, vLLM and TGI run; transformers rebuilds part of it here"
_PIPELINE_CHECKS = ("vocabulary", "added_token_flags", "normalizer", "pre_tokenizer", "model", "post_processor", "decoder")
_MODEL_FLAGS = ("byte_fallback", "ignore_merges", "unk_token", "fuse_unk", "dropout")
_PIECES = 32_768


class Comparison:
    """A base and a tuned live tokenizer, with batch codecs for each, how to load each in a
    reproduction line, and their stop-token sets. Build one with `from_session` or directly.

    `views` lists the ways both are run: first the transformers tokenizers; then, when given
    `file_paths` (the two tokenizer.json files), the raw tokenizers pipelines those files define,
    for drift that the transformers class in use rebuilds away but other consumers see. With
    `snapshots`, sweeps also make inputs from the merges and vocabulary the two do not share."""

    def __init__(
        self,
        base: Any,
        tuned: Any,
        *,
        base_loader: Loader,
        tuned_loader: Loader,
        base_stop_ids: frozenset[int] | None = None,
        tuned_stop_ids: frozenset[int] | None = None,
        file_paths: tuple[str, str] | None = None,
        snapshots: tuple[Any, Any] | None = None,
    ) -> None:
        from tokcheck.strategies import special_strings

        self.base, self.tuned = base, tuned
        self.snapshots = snapshots  # TokenizerSnapshots of both, for inputs made from their files
        self.base_stop_ids = base_stop_ids if base_stop_ids is not None else stop_ids(base, None)
        self.tuned_stop_ids = tuned_stop_ids if tuned_stop_ids is not None else stop_ids(tuned, None)
        self.specials = list(special_strings(base, tuned))
        probes = [*CUSTOM_TEXTS, *self.specials, *(f"a {s}b{s}\n" for s in self.specials)]
        self._text_strategies: dict[int, SearchStrategy[str]] = {}
        self._sweep_inputs: dict[str, Sequence[Any]] = {}
        self.base_codec = BatchCodec(base, probes)
        self.tuned_codec = BatchCodec(tuned, probes)
        self.views = [View("transformers", self.base_codec, self.tuned_codec)]
        self._loaders = {"transformers": (base_loader, tuned_loader)}
        if file_paths is not None:
            self.views.append(View("tokenizer.json", FileCodec(file_paths[0]), FileCodec(file_paths[1]), FILE_VIEW_NOTE))
            self._loaders["tokenizer.json"] = (Loader(file_paths[0], raw=True), Loader(file_paths[1], raw=True))

    @classmethod
    def from_session(cls, session: TokcheckSession) -> Comparison:
        base, tuned = session.pair()

        def loader(side: Any) -> Loader:
            source = side.source
            return Loader(str(source.path), bare_file=source.bare_file is not None)

        return cls(
            base.tokenizer,
            tuned.tokenizer,
            base_loader=loader(base),
            tuned_loader=loader(tuned),
            base_stop_ids=stop_ids(base.tokenizer, base.snapshot.generation_config),
            tuned_stop_ids=stop_ids(tuned.tokenizer, tuned.snapshot.generation_config),
            file_paths=file_view_paths(session),
            snapshots=(base.snapshot, tuned.snapshot),
        )

    @property
    def tokenizers(self) -> tuple[Any, Any]:
        return (self.base, self.tuned)

    def token_strings(self) -> list[str]:
        """Literal strings of every special and added token of base and tuned, sorted."""
        return self.specials

    @cached_property
    def representative_tokens(self) -> list[str]:
        """A few tokens of each group that base and tuned treat alike (same id and flags on both
        sides, live and as their files declare them: transformers 4 takes flags from
        tokenizer_config.json, tokenizers from tokenizer.json), and every token alone in its
        group: a flag changed on one token of 256 puts it in a group of its own. For sampled sweeps."""
        def live(tokenizer: Any) -> dict[str, tuple[Any, ...]]:
            decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
            return {str(t.content): (i, t.special, t.lstrip, t.rstrip, t.normalized, t.single_word) for i, t in decoder.items()}

        def declared(added: dict[int, Any]) -> dict[str, tuple[Any, ...]]:
            return {t.content: (i, *t.flags().values()) for i, t in added.items()}

        sources = [live(self.base), live(self.tuned)]
        for snapshot in self.snapshots or ():
            sources += [declared(snapshot.added_tokens), declared(snapshot.config_added_tokens)]
        groups: dict[Any, list[str]] = {}
        for token in self.specials:
            found = [source.get(token) for source in sources]
            ids = {flags[0] for flags in found if flags is not None}
            key = tuple(None if flags is None else flags[1:] for flags in found) if len(ids) == 1 else ("alone", token)
            groups.setdefault(key, []).append(token)
        return sorted(token for members in groups.values() for token in members[:2])

    @cached_property
    def _vocab_texts(self) -> list[str]:
        return self.base_codec.decode([[i] for i in range(self.base_codec.size)])

    def base_vocab_texts(self) -> list[str]:
        return self._vocab_texts

    @cached_property
    def _pieces(self) -> list[str]:
        """Decoded ordinary (not added) tokens of base and tuned, the vocabulary pieces generated
        text is made of: a fixed sample of at most _PIECES of them (sorting 250,000 pieces for every
        run costs more than a Hypothesis run of a few hundred examples gains from them; the
        vocabulary sweep covers every token)."""
        added = set(self.specials)
        tuned = self.tuned_codec.decode([[i] for i in range(self.tuned_codec.size)])
        pieces = sorted(text for text in {*self._vocab_texts, *tuned} if text not in added)
        return pieces if len(pieces) <= _PIECES else random.Random(0).sample(pieces, _PIECES)

    def sweep_inputs(self, name: str) -> Sequence[Any]:
        """The inputs of sweep `name`, made once per comparison (its shards share them)."""
        if name not in self._sweep_inputs:
            from tokcheck.sweeps import SWEEPS

            self._sweep_inputs[name] = SWEEPS[name].inputs(self)
        return self._sweep_inputs[name]

    def text_strategy(self, max_fragments: int) -> SearchStrategy[str]:
        """`tokenizer_text` over both tokenizers (built once per size: the vocabulary is large)."""
        if max_fragments not in self._text_strategies:
            from tokcheck.strategies import tokenizer_text

            self._text_strategies[max_fragments] = tokenizer_text(max_fragments=max_fragments, fragments=self._fragments)
        return self._text_strategies[max_fragments]

    @cached_property
    def _fragments(self) -> SearchStrategy[str]:
        from tokcheck.strategies import tokenizer_fragments

        return tokenizer_fragments(self.base, self.tuned, pieces=self._pieces)

    @cached_property
    def capabilities(self) -> tuple[TemplateCapabilities, TemplateCapabilities]:
        from tokcheck.strategies import template_capabilities

        return template_capabilities(self.base), template_capabilities(self.tuned)

    # --- counterexamples ----------------------------------------------------------------------

    def repro(self, statement: str, *, setup: str = "", view: View | None = None) -> str:
        base, tuned = self._loaders[view.name if view else "transformers"]
        return reproduction(base, tuned, statement, setup=setup)

    def beyond_base(self, ids: Sequence[int]) -> list[str]:
        outside = sorted({i for i in ids if i >= self.base_codec.size})
        if not outside:
            return []
        return [f"tuned emits id {', '.join(map(str, outside))}, beyond base's ids 0-{self.base_codec.size - 1}: "
                "a model sized for base has no embedding row for it"]

    def ids_counterexample(
        self,
        text: str,
        base_ids: Sequence[int],
        tuned_ids: Sequence[int],
        found_by: str,
        *,
        view: View | None = None,
        token_id: int | None = None,
        add_special_tokens: bool = False,
        check: str | None = None,
    ) -> Counterexample:
        view = view or self.views[0]
        what = f"the decoded text of base id {token_id}" if token_id is not None else "a text"
        note = f" ({view.note})" if view.note else ""
        return Counterexample(
            check=check or ("sweep.vocab_ids" if token_id is not None else f"{found_by}.ids"),
            code=f"{found_by}.ids-differ",
            message=f"base and tuned encode {what} to different ids (add_special_tokens={add_special_tokens}){note}",
            text=text,
            base_ids=list(base_ids),
            tuned_ids=list(tuned_ids),
            lines=tuple(self.beyond_base(tuned_ids)),
            repro=self.repro(view.encode_statement(add_special_tokens), setup=f"x = {literal(text)}", view=view),
            fix="restore the base tokenizer files into the checkpoint, or find which pipeline part changed with -m static",
            tokenizers=(view.base, view.tuned) if view.raw else self.tokenizers,
        )

    def decode_counterexample(
        self, text: str, ids: Sequence[int], base_text: str, tuned_text: str, found_by: str, *, skip: bool = False,
        check: str | None = None, view: View | None = None,
    ) -> Counterexample:
        view = view or self.views[0]
        note = f" ({view.note})" if view.note else ""
        return Counterexample(
            check=check or f"{found_by}.decode",
            code=f"{found_by}.decode-differs",
            message=f"base and tuned decode the same ids to different text (skip_special_tokens={skip}){note}",
            text=text,
            base_value=base_text,
            tuned_value=tuned_text,
            lines=(f"ids: {list(ids)}",),
            repro=self.repro(f"k.decode(i, skip_special_tokens={skip})", setup=f"i = {list(ids)}", view=view),
            fix="compare the decoder and clean_up_tokenization_spaces of both (-m static)",
            tokenizers=None if view.raw else self.tokenizers,
        )

    def id_decode_counterexample(self, token_id: int, base_text: str, tuned_text: str, skip: bool, view: View | None = None) -> Counterexample:
        return self.decode_counterexample(base_text, [token_id], base_text, tuned_text, "sweep", skip=skip,
                                          check="sweep.vocab_ids", view=view)


def file_view_paths(session: TokcheckSession) -> tuple[str, str] | None:
    """The two tokenizer.json paths, when their pipelines differ (static findings) and the
    transformers tokenizer of either side does not run its file's pipeline as written: then
    behaviour seen through transformers can hide what the files do elsewhere."""
    from tokcheck.findings import Severity

    base, tuned = session.pair()
    paths = [side.source.file("tokenizer.json") for side in (base, tuned)]
    if paths[0] is None or paths[1] is None:
        return None
    if not any(f.severity is not Severity.INFO for name in _PIPELINE_CHECKS for f in session.static.get(name, [])):
        return None
    if not any(live_differs_from_file(side.tokenizer, side.snapshot) for side in (base, tuned)):
        return None
    return str(paths[0]), str(paths[1])


def live_differs_from_file(tokenizer: Any, snapshot: Any) -> bool:
    """Whether the live backend's normalizer, pre-tokenizer, post-processor, decoder, model flags
    or added tokens differ from those its tokenizer.json declares (both in canonical form)."""
    import json

    from tokcheck.canonical import COMPONENTS, components

    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return True
    live = {name: json.loads(part.__getstate__()) if (part := getattr(backend, name, None)) is not None else None
            for name in COMPONENTS}
    if components(live) != snapshot.components:
        return True
    if any(getattr(backend.model, flag, None) != snapshot.model_params.get(flag) for flag in _MODEL_FLAGS
           if flag in snapshot.model_params):
        return True
    live_added = {i: (t.content, t.special, t.lstrip, t.rstrip, t.normalized, t.single_word)
                  for i, t in backend.get_added_tokens_decoder().items()}
    declared_added = {i: (t.content, t.special, t.lstrip, t.rstrip, t.normalized, t.single_word)
                      for i, t in snapshot.added_tokens.items()}
    return live_added != declared_added


# --- properties -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """A behaviour base and tuned must share. `strategy(comparison)` generates inputs;
    `check(comparison, inputs)` returns, per input, None or the counterexample it is."""

    name: str
    title: str
    strategy: Callable[[Comparison], SearchStrategy[Any]]
    check: Callable[[Comparison, list[Any]], list[Counterexample | None]]


def _text_strategy(c: Comparison) -> SearchStrategy[str]:
    return c.text_strategy(8)


def check_ids(c: Comparison, texts: list[str], check: str = "behaviour.ids") -> list[Counterexample | None]:
    found: list[Counterexample | None] = [None] * len(texts)
    for view in c.views:
        for add_special_tokens in (True, False):
            base_ids = view.base.encode(texts, add_special_tokens=add_special_tokens)
            tuned_ids = view.tuned.encode(texts, add_special_tokens=add_special_tokens)
            for i, (b, t) in enumerate(zip(base_ids, tuned_ids)):
                if b != t and found[i] is None:
                    found[i] = c.ids_counterexample(texts[i], b, t, "behaviour", view=view,
                                                    add_special_tokens=add_special_tokens, check=check)
    return found


def check_round_trip(c: Comparison, texts: list[str]) -> list[Counterexample | None]:
    """Wherever base gives decode(encode(x)) == x, tuned must too."""
    found: list[Counterexample | None] = [None] * len(texts)
    for view in c.views:
        base_back = view.base.decode(view.base.encode(texts))
        tuned_ids = view.tuned.encode(texts)
        tuned_back = view.tuned.decode(tuned_ids)
        for i, (text, b, t, ids) in enumerate(zip(texts, base_back, tuned_back, tuned_ids)):
            if b == text and t != text and found[i] is None:
                note = f" ({view.note})" if view.note else ""
                found[i] = Counterexample(
                    check="behaviour.round_trip", code="behaviour.round-trip-lost",
                    message=f"base gives the text back from decode(encode(text)); tuned does not{note}",
                    text=text, base_value=b, tuned_value=t, lines=(f"tuned ids: {ids}",),
                    repro=c.repro(f"k.decode({view.encode_statement(False)})", setup=f"x = {literal(text)}", view=view),
                    fix="compare normalizer, pre-tokenizer, decoder and byte_fallback of both (-m static)",
                    tokenizers=None if view.raw else c.tokenizers,
                )
    return found


def _ids_strategy(c: Comparison) -> SearchStrategy[list[int]]:
    from tokcheck.strategies import token_id_sequences

    return token_id_sequences(c.base, c.tuned)


def check_decode(c: Comparison, id_lists: list[list[int]]) -> list[Counterexample | None]:
    found: list[Counterexample | None] = [None] * len(id_lists)
    for view in c.views:
        for skip in (True, False):
            base_texts = view.base.decode(id_lists, skip_special_tokens=skip)
            tuned_texts = view.tuned.decode(id_lists, skip_special_tokens=skip)
            for i, (b, t) in enumerate(zip(base_texts, tuned_texts)):
                if b != t and found[i] is None:
                    found[i] = c.decode_counterexample(b, id_lists[i], b, t, "behaviour", skip=skip, view=view)
    return found


def _splice_strategy(c: Comparison) -> SearchStrategy[str]:
    import hypothesis.strategies as st

    from tokcheck.strategies import edge_case_text, special_splices

    around = edge_case_text(max_fragments=2)
    return st.tuples(around, special_splices(tokens=c.specials), around).map("".join)


def check_spliced_specials(c: Comparison, texts: list[str]) -> list[Counterexample | None]:
    """Literal special-token strings inside user text: same ids raw, and inside a rendered user
    message when base has a chat template."""
    found = check_ids(c, texts, "behaviour.special_literals")
    if c.capabilities[0].renders:
        from tokcheck.properties_chat import check_user_text_in_chat

        for i, example in enumerate(check_user_text_in_chat(c, texts)):
            found[i] = found[i] or example
    return found


def _transcript_strategy(c: Comparison) -> SearchStrategy[Any]:
    from tokcheck.strategies import chat_transcripts

    return chat_transcripts(capabilities=c.capabilities[0], content=c.text_strategy(3))


def _lazy_chat(name: str) -> Callable[[Comparison, list[Any]], list[Counterexample | None]]:
    def run(c: Comparison, inputs: list[Any]) -> list[Counterexample | None]:
        from tokcheck import properties_chat

        check: Callable[[Comparison, list[Any]], list[Counterexample | None]] = getattr(properties_chat, name)
        return check(c, inputs)

    return run


def _batch_strategy(c: Comparison) -> SearchStrategy[Any]:
    import hypothesis.strategies as st

    return st.tuples(st.lists(c.text_strategy(4), min_size=1, max_size=4), st.integers(1, 12))


PROPERTIES: dict[str, Property] = {
    p.name: p
    for p in (
        Property("ids", "generated text encodes to the same ids, with and without special tokens", _text_strategy, check_ids),
        Property("round_trip", "where base round-trips a text, tuned does too", _text_strategy, check_round_trip),
        Property("decode", "ids decode to the same text, with and without skip_special_tokens", _ids_strategy, check_decode),
        Property("special_literals", "literal special-token strings in user text are treated the same",
                 _splice_strategy, check_spliced_specials),
        Property("chat_render", "chat transcripts render to the same text and ids", _transcript_strategy,
                 _lazy_chat("check_render")),
        Property("chat_bos", "encoding the rendered chat text gives the same ids as base (one BOS)",
                 _transcript_strategy, _lazy_chat("check_encoded_render")),
        Property("stop_token", "the token that closes an assistant turn is a stop token", _transcript_strategy,
                 _lazy_chat("check_stop_token")),
        Property("batch", "batch and single encoding agree", _batch_strategy, _lazy_chat("check_batch")),
        Property("padding", "padding and truncation sides behave the same", _batch_strategy, _lazy_chat("check_padding")),
    )
}

