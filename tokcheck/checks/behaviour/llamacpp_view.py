"""The llama.cpp view: where a side is a GGUF and llama-cpp-python is installed, that side run by
real llama.cpp (vocab_only) the way llama-server runs it, beside the approximate view. Text is
user text: llama.cpp does not parse special-token strings in it, so a Hugging Face side is run
with split_special_tokens; a rendered chat is parsed on both sides (the view's `chat` codecs).
What differs here is what llama.cpp itself does: between two GGUFs an error; against a Hugging
Face tokenizer a warning (AGAINST_HF), since llama.cpp differs from HF on its own for some
vocabularies (Qwen2's NFC, SentencePiece's spaces: measured in docs/gguf.md).
llama.cpp tokenizes one text per call, so sweeps check an even spread of at most SWEEP_LIMIT of
each shard's inputs here."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from tokcheck.checks.behaviour.batch_codecs import BatchCodec, Codec, IdArrays
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.checks.behaviour.views import View, side_loader
from tokcheck.findings import Finding, Severity
from tokcheck.session import Side
from tokcheck.sources.gguf import llamacpp_runtime

NAME = "llama.cpp"
SWEEP_LIMIT = 4_000  # inputs per sweep shard run through llama.cpp (measured: docs/gguf.md)
SPLIT_STATEMENT = ", split_special_tokens=True"
AGAINST_HF = ("a warning: llama.cpp against a Hugging Face tokenizer, where llama.cpp's own differences from it show "
              "for a faithful conversion too; compare with a faithful GGUF of the base for an error")


class LlamaCppCodec:
    """A batch codec over real llama.cpp: `rendered` parses special tokens (a rendered chat),
    else they stay text (user text)."""

    def __init__(self, runtime: llamacpp_runtime.LlamaCppTokenizer, *, rendered: bool = False) -> None:
        self.runtime = runtime
        self.rendered = rendered
        self.size = runtime.size

    @cached_property
    def special_ids(self) -> set[int]:
        return self.runtime.special_ids()

    def describe(self) -> str:
        return f"llama.cpp (llama-cpp-python {llamacpp_runtime.version()}), special tokens {'parsed' if self.rendered else 'not parsed'}"

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        return [self.runtime.tokenize(text, add_special=add_special_tokens, parse_special=self.rendered) for text in texts]

    def encode_arrays(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays:
        return IdArrays.from_lists(self.encode(texts, add_special_tokens=add_special_tokens))

    def decode(self, id_lists: Sequence[Sequence[int]], *, skip_special_tokens: bool = False) -> list[str]:
        return [self.runtime.detokenize(ids, special=not skip_special_tokens) for ids in id_lists]

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        return [self.runtime.token_text(i) for i in ids]


def note() -> str:
    return (f"in llama.cpp (llama-cpp-python {llamacpp_runtime.version()}, vocab_only), as llama-server tokenizes: "
            "special-token strings in user text stay text, in a rendered chat they are parsed")


def llamacpp_views(sides: Sequence[Side], probes: Sequence[str], transformers: View) -> list[View]:
    """The llama.cpp view, when a side is a GGUF and llama.cpp can be run here; else none.
    `transformers` is the transformers view, whose codecs encode a rendered chat on a HF side."""
    if all(side.source.gguf_file is None for side in sides) or llamacpp_runtime.unavailable() is not None:
        return []
    text: list[Codec] = []
    chat: list[Codec] = []
    loaders: list[Loader] = []
    for side, rendered_codec in zip(sides, (transformers.base, transformers.tuned)):
        if side.source.gguf_file is not None:
            runtime = llamacpp_runtime.LlamaCppTokenizer(side.source.gguf_file)
            text.append(LlamaCppCodec(runtime))
            chat.append(LlamaCppCodec(runtime, rendered=True))
            loaders.append(Loader(str(side.source.gguf_file), llamacpp=True))
        else:
            text.append(BatchCodec(side.tokenizer, probes, split_special_tokens=True))
            chat.append(rendered_codec)
            loaders.append(side_loader(side))
    return [View(NAME, text[0], text[1], (loaders[0], loaders[1]), note(), chat=(chat[0], chat[1]),
                 encode_keywords=SPLIT_STATEMENT, sweep_limit=SWEEP_LIMIT)]


def availability_findings(sides: Sequence[Side]) -> list[Finding]:
    """One INFO line when a side is a GGUF: whether its behaviour also runs in real llama.cpp."""
    ggufs = [side for side in sides if side.source.gguf_file is not None]
    if not ggufs:
        return []
    reason = llamacpp_runtime.unavailable()
    if reason is None:
        return [Finding("loading", "loading.llamacpp", Severity.INFO,
                        f"the behaviour checks also run {' and '.join(side.name for side in ggufs)} in real "
                        f"llama.cpp (llama-cpp-python {llamacpp_runtime.version()}, vocab_only); its findings are "
                        f"{'errors' if len(ggufs) == len(sides) else 'warnings against the HF side'}")]
    return [Finding("loading", "loading.llamacpp-missing", Severity.INFO,
                    f"no llama.cpp view: {reason}; the GGUF's behaviour is checked only in the approximate view",
                    fix=llamacpp_runtime.INSTALL_HINT)]
