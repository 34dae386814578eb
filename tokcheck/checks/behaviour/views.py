"""Views: the ways both tokenizers are run. ``transformers`` runs the live tokenizers, as users of
the installed transformers get them; ``tokenizer.json`` runs the pipelines the two files define,
as the tokenizers library, vLLM, TGI and transformers 4 read them. The second is added only where
it can show something the first hides: the pipelines differ, and transformers rebuilds one. The
model-specific class views (tokcheck.checks.behaviour.class_views) follow the same rule."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tokcheck.checks.behaviour.batch_codecs import BatchCodec, Codec, FileCodec
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side
from tokcheck.sources.canonical import COMPONENTS, components
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.tokens import flag_values

FILE_VIEW_NOTE = "in the tokenizer.json pipeline that tokenizers, vLLM and TGI run; transformers rebuilds part of it here"
# Static checks whose findings mean the two pipelines differ.
PIPELINE_CHECKS = ("vocabulary", "added_token_flags", "normalizer", "pre_tokenizer", "model", "post_processor", "decoder")
_MODEL_FLAGS = ("byte_fallback", "ignore_merges", "unk_token", "fuse_unk", "dropout")


@dataclass(frozen=True)
class View:
    """One way of running both tokenizers: a Codec for each side (BatchCodec, FileCodec, the llama.cpp
    view's LlamaCppCodec, or a base one wrapped in SharedCodec), the note
    said with every counterexample found in it, and how a reproduction line loads each side.
    `chat`: codecs for text a chat template rendered, where they differ from `base` and `tuned`
    (the llama.cpp view); `encode_keywords` go into its reproduction lines' encode; a view with a
    `sweep_limit` checks an even spread of at most that many of a sweep shard's inputs."""

    name: str
    base: Codec
    tuned: Codec
    loaders: tuple[Loader, Loader]
    note: str = ""
    chat: tuple[Codec, Codec] | None = None
    encode_keywords: str = ""
    sweep_limit: int | None = None

    @property
    def raw(self) -> bool:
        return self.name == "tokenizer.json"

    def encode_statement(self, add_special_tokens: bool) -> str:
        return f"k.encode(x, add_special_tokens={add_special_tokens}{self.encode_keywords})" + (".ids" if self.raw else "")


def transformers_view(base: LiveTokenizer, tuned: LiveTokenizer, loaders: tuple[Loader, Loader], probes: Sequence[str]) -> View:
    """The live tokenizers, through batch codecs checked against them on `probes`."""
    return View("transformers", BatchCodec(base, probes), BatchCodec(tuned, probes), loaders)


def file_view(paths: tuple[str, str]) -> View:
    """The two tokenizer.json files, read by the tokenizers library."""
    loaders = (Loader(paths[0], raw=True), Loader(paths[1], raw=True))
    return View("tokenizer.json", FileCodec(paths[0]), FileCodec(paths[1]), loaders, FILE_VIEW_NOTE)


def side_loader(side: Side) -> Loader:
    return Loader(str(side.source.path), bare_file=side.source.bare_file is not None)


def file_view_paths(base: Side, tuned: Side, static: Mapping[str, list[Finding]]) -> tuple[str, str] | None:
    """The two tokenizer.json paths, when their pipelines differ (static findings) and the
    transformers tokenizer of either side does not run its file's pipeline as written: then
    behaviour seen through transformers can hide what the files do elsewhere."""
    paths = [side.source.file("tokenizer.json") for side in (base, tuned)]
    if paths[0] is None or paths[1] is None:
        return None
    if not any(f.severity is not Severity.INFO for name in PIPELINE_CHECKS for f in static.get(name, [])):
        return None
    if not any(live_differs_from_file(side.tokenizer, side.snapshot) for side in (base, tuned)):
        return None
    return str(paths[0]), str(paths[1])


def live_differs_from_file(tokenizer: LiveTokenizer, snapshot: TokenizerSnapshot) -> bool:
    """Whether the live backend's normalizer, pre-tokenizer, post-processor, decoder, model flags
    or added tokens differ from those its tokenizer.json declares (both in canonical form)."""
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
    live_added = {i: (t.content, *flag_values(t)) for i, t in backend.get_added_tokens_decoder().items()}
    declared_added = {i: (t.content, *flag_values(t)) for i, t in snapshot.added_tokens.items()}
    return live_added != declared_added
