"""Live tokenizers from sources: transformers' AutoTokenizer from local files only, or, when the
installed transformers cannot load a directory as saved, the fallback loader over its
tokenizer.json; and chat rendering that looks the same on transformers 4 and 5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tokcheck.environment import import_transformers
from tokcheck.errors import TokcheckUsageError
from tokcheck.gc_pause import gc_paused
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.fallback import load_from_tokenizer_json
from tokcheck.sources.gguf.approximate import APPROXIMATE_NOTE, load_approximate
from tokcheck.sources.gguf.metadata import read_tokenizer
from tokcheck.sources.spec import TokenizerSource
from tokcheck.sources.template_budget import check_size, render_budget


@dataclass(frozen=True)
class LoadedTokenizer:
    """A live tokenizer, and why it had to come from the fallback loader (None: loaded as saved)."""

    tokenizer: LiveTokenizer
    fallback_reason: str | None = None
    approximate: str | None = None  # how it differs from the real thing (a GGUF's approximate view)


def load_tokenizer(source: TokenizerSource, *, trust_remote_code: bool = False) -> LiveTokenizer:
    """A live transformers tokenizer for a source, loaded from local files only."""
    return load(source, trust_remote_code=trust_remote_code).tokenizer


@gc_paused()
def load(source: TokenizerSource, *, trust_remote_code: bool = False) -> LoadedTokenizer:
    """The tokenizer as AutoTokenizer loads it; when that fails and the source has a tokenizer.json
    (e.g. a transformers 5 save under 4.x), the fallback loader's, with the reason."""
    if source.gguf_file is not None:  # llama.cpp's tokenizer, approximated (see gguf/approximate.py)
        return LoadedTokenizer(load_approximate(read_tokenizer(source.gguf_file, source.spec)),
                               approximate=APPROXIMATE_NOTE)
    transformers = import_transformers()
    try:
        if source.bare_file is not None:
            return LoadedTokenizer(transformers.PreTrainedTokenizerFast(tokenizer_file=str(source.bare_file)))
        return LoadedTokenizer(transformers.AutoTokenizer.from_pretrained(
            str(source.directory), local_files_only=True, trust_remote_code=trust_remote_code
        ))
    except Exception as error:  # any load failure: the fallback, or one usage-error line
        message = " ".join(str(error).split())[:300] or type(error).__name__
        if source.file("tokenizer.json") is not None:
            try:
                return LoadedTokenizer(load_from_tokenizer_json(source, transformers), message)
            except Exception as fallback_error:  # said in the usage error, not swallowed
                fallback = " ".join(str(fallback_error).split())[:200] or type(fallback_error).__name__
                message = f"{message}; its tokenizer.json does not load either: {fallback}"
        raise TokcheckUsageError(
            f"{source.spec}: transformers {transformers.__version__} cannot load this tokenizer: {message}"
        ) from error


def render_chat(tokenizer: LiveTokenizer, messages: list[dict[str, Any]], *, tokenize: bool, **kwargs: Any) -> Any:
    """apply_chat_template with the same return shape on transformers 4 and 5 (text, or a list of ids),
    in transformers' sandbox and under tokcheck's render budget (a template that runs past it raises
    TemplateBudgetExceeded)."""
    # chat_template= may be a template's text or the name of one of the tokenizer's: the pair is the key
    with render_budget([getattr(tokenizer, "chat_template", None), kwargs.get("chat_template")]):
        rendered = check_size(tokenizer.apply_chat_template(messages, tokenize=tokenize, **kwargs))
    if tokenize and hasattr(rendered, "keys"):  # transformers 5 returns a BatchEncoding
        rendered = rendered["input_ids"]
    return list(rendered) if tokenize else rendered
