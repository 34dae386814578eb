"""The approximate view of a GGUF: a `tokenizers.Tokenizer` built from the file's metadata with
transformers' GGUF converter (transformers.integrations.gguf; a BERT vocabulary, which it lacks,
with tokcheck's own WordPiece: wordpiece.py), given the tokens and merges tokcheck
read itself, and wrapped as a transformers tokenizer with the file's special tokens, add_bos/add_eos
(as llama.cpp applies them) and chat template. It is not llama.cpp: the converter approximates
llama.cpp's pre-tokenizers; docs/gguf.md lists the measured gaps."""

from __future__ import annotations

from typing import Any

from tokcheck.environment import import_transformers
from tokcheck.errors import TokcheckUsageError
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.gguf.metadata import GGUFTokenizer
from tokcheck.sources.gguf.wordpiece import wordpiece_backend

APPROXIMATE_NOTE = ("approximate: transformers' GGUF converter (for BERT, tokcheck's WordPiece), not llama.cpp; "
                    "see tokcheck's docs/gguf.md for its measured gaps")
# llama.cpp adds BOS to a SentencePiece ("llama") vocabulary whose file does not say otherwise
# (llama-vocab.cpp: add_bos defaults to true for LLAMA_VOCAB_TYPE_SPM), and for these BPE pre-tokenizers.
_ADD_BOS_BY_DEFAULT_MODELS = ("llama",)
_ADD_BOS_BY_DEFAULT_PRE = ("llama-bpe", "llama3", "llama-v3", "smaug-bpe", "falcon3", "tekken")
# Pre-tokenizers for which llama-vocab.cpp sets ignore_merges (a whole word in the vocabulary is
# taken as one token before any merge); transformers' converter leaves it off.
IGNORE_MERGES_PRE = ("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                     "jina-v5-nano", "tekken")


def effective_add_bos(gguf: GGUFTokenizer) -> bool:
    if gguf.add_bos is not None:
        return gguf.add_bos
    return gguf.model in _ADD_BOS_BY_DEFAULT_MODELS or gguf.pre in _ADD_BOS_BY_DEFAULT_PRE


def tokenizer_dict(gguf: GGUFTokenizer) -> dict[str, Any]:
    """The input transformers' converter takes (its get_gguf_tokenizer's `tokenizer_dict`)."""
    found: dict[str, Any] = {"tokenizer_type": gguf.model, "tokens": gguf.tokens}
    if gguf.pre is not None:
        found["pre_tokenizer_type"] = gguf.pre
    if gguf.token_types is not None:
        found["token_type"] = gguf.token_types
    if gguf.merges is not None:
        found["merges"] = gguf.merges
    if gguf.scores is not None:
        found["scores"] = gguf.scores
    for name in ("bos", "eos", "pad"):
        if gguf.special_ids[name] is not None:
            found[f"{name}_token_id"] = gguf.special_ids[name]
    if gguf.special_ids["unk"] is not None:
        found["unk_token_id"] = gguf.special_ids["unk"]
    return found


def _only_the_files_tokens(backend: Any, gguf: GGUFTokenizer) -> Any:
    """The converter's tokenizer classes add their default specials (GPT-2's <|endoftext|>) as new
    ids past the file's vocabulary; llama.cpp knows only the file's tokens, so drop those."""
    import json

    from tokenizers import Tokenizer

    data = json.loads(backend.to_str())
    kept = [entry for entry in data.get("added_tokens") or []
            if entry["id"] < len(gguf.tokens) and gguf.tokens[entry["id"]] == entry["content"]]
    if len(kept) == len(data.get("added_tokens") or []):
        return backend
    data["added_tokens"] = kept
    return Tokenizer.from_str(json.dumps(data))


def unavailable() -> str | None:
    """Why the approximate view cannot be built with the installed transformers, or None."""
    import importlib.util

    try:
        found = importlib.util.find_spec("transformers.integrations.gguf.gguf_tokenizer_mapping")
    except ModuleNotFoundError:
        found = None
    if found is None:
        return "the approximate GGUF view needs transformers 5's GGUF tokenizer converter (transformers>=5.24)"
    return None


def _converted(gguf: GGUFTokenizer, transformers: Any) -> Any:
    """The file's tokenizer through transformers' GGUF converter."""
    reason = unavailable()
    if reason is not None:
        raise TokcheckUsageError(f"{gguf.label}: {reason}; transformers {transformers.__version__} is installed")
    from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer

    try:
        backend, _ = convert_gguf_tokenizer(gguf.architecture or "", tokenizer_dict(gguf))
    except Exception as error:  # the converter knows a fixed set of vocabularies: one line naming it
        raise TokcheckUsageError(
            f"{gguf.label}: transformers {transformers.__version__} cannot build a tokenizer from this GGUF "
            f"(tokenizer.ggml.model {gguf.model!r}): {' '.join(str(error).split())[:200]}"
        ) from None
    return _only_the_files_tokens(backend, gguf)


def load_approximate(gguf: GGUFTokenizer) -> LiveTokenizer:
    """A transformers tokenizer that runs this GGUF's tokenizer approximately."""
    transformers = import_transformers()
    from tokenizers import processors

    # transformers' converter has no BERT: tokcheck's own WordPiece (wordpiece.py) for that one.
    backend = wordpiece_backend(gguf) if gguf.model == "bert" else _converted(gguf, transformers)
    if gguf.pre in IGNORE_MERGES_PRE and hasattr(backend.model, "ignore_merges"):
        backend.model.ignore_merges = True
    bos_id, eos_id = gguf.special_ids["bos"], gguf.special_ids["eos"]
    add_bos, add_eos = effective_add_bos(gguf), bool(gguf.add_eos)
    if gguf.model == "bert":  # llama.cpp's WPM adds bos ([CLS]) and sep ([SEP]) whatever the flags say
        eos_id, add_bos, add_eos = gguf.special_ids["sep"], True, True
    bos, eos = gguf.token(bos_id), gguf.token(eos_id)
    add_bos, add_eos = add_bos and bos is not None, add_eos and eos is not None
    single = " ".join([*(["$bos"] if add_bos else []), "$A", *(["$eos"] if add_eos else [])])
    pair = " ".join([*(["$bos"] if add_bos else []), "$A", *(["$eos"] if add_eos else []),
                     *(["$bos"] if add_bos else []), "$B", *(["$eos"] if add_eos else [])])
    specials = [(token, token_id) for token, token_id, on in ((bos, bos_id, add_bos), (eos, eos_id, add_eos)) if on]
    backend.post_processor = processors.TemplateProcessing(
        single=single.replace("$bos", str(bos)).replace("$eos", str(eos)),
        pair=pair.replace("$bos", str(bos)).replace("$eos", str(eos)),
        special_tokens=specials,
    )
    roles = {f"{name}_token": gguf.token(gguf.special_ids[name]) for name in ("bos", "eos", "unk", "pad", "sep")}
    kwargs: dict[str, Any] = {key: value for key, value in roles.items() if value is not None}
    if "default" in gguf.chat_templates:
        kwargs["chat_template"] = gguf.chat_templates["default"]
    return transformers.PreTrainedTokenizerFast(tokenizer_object=backend, **kwargs)
