"""What llama.cpp's converter (convert_hf_to_gguf.py, --vocab-only) writes for a Hugging Face
tokenizer, rebuilt in Python so that a HF side can be compared with a GGUF key by key:

- the token list of get_vocab_base (byte-level BPE and WordPiece) or _create_vocab_sentencepiece
  (a tokenizer.model): holes become [PAD{i}] (UNUSED), the list is padded to config.json
  vocab_size, special added tokens (and ones that look special: <|...|>) are CONTROL, other added
  tokens USER_DEFINED with SentencePiece's ▁ made a space; WordPiece in BertModel's phantom-space
  form (▁word, piece for ##piece), with no merges;
- merges, special ids, add_bos/add_eos and the chat templates exactly as gguf-py's SpecialVocab
  reads them (it is the same code: the `gguf` package is gguf-py; gguf_special_vocab.py runs it
  without parsing tokenizer.json again);
- tokenizer.ggml.pre from the chkhsh table (llamacpp.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tokcheck.checks.static.gguf_special_vocab import special_vocab
from tokcheck.sources.gguf.llamacpp import chkhsh, pre_for_hash
from tokcheck.sources.gguf.metadata import (
    BYTE,
    CONTROL,
    NORMAL,
    SPECIAL_ID_KEYS,
    UNKNOWN,
    UNUSED,
    USER_DEFINED,
    GGUFTokenizer,
)
from tokcheck.sources.gguf.wordpiece import phantom
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.spec import TokenizerSource

SPM_ARCHITECTURES = ("LlamaForCausalLM", "MistralForCausalLM", "MixtralForCausalLM")
PRE_NOT_RECOGNIZED = "(conversion aborts: BPE pre-tokenizer was not recognized)"


def looks_special(token: str) -> bool:
    """convert_hf_to_gguf.py's does_token_look_special."""
    return (token in ("<pad>", "<mask>", "<2mass>", "[@BOS@]")
            or (token.startswith("<|") and token.endswith("|>"))
            or (token.startswith("<｜") and token.endswith("｜>"))
            or (token.startswith("<unused") and token.endswith(">")))


def _config(snapshot: TokenizerSnapshot) -> dict[str, Any]:
    return snapshot.model_config or {}


def vocab_size(snapshot: TokenizerSnapshot) -> int | None:
    """config.json's vocab_size (or its text_config's): the length the converter pads the token list
    to; None without one."""
    size = _config(snapshot).get("vocab_size")
    if not isinstance(size, int):
        size = (_config(snapshot).get("text_config") or {}).get("vocab_size")
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def full_length(snapshot: TokenizerSnapshot) -> int:
    """The tokenizer's length with its added tokens: max id + 1."""
    return max(len(snapshot.vocab), max(snapshot.id_to_token, default=-1) + 1)


def uses_sentencepiece(source: TokenizerSource, snapshot: TokenizerSnapshot, declared: str | None = None) -> bool:
    """Whether the converter reads tokenizer.model (model 'llama'): for a Llama-family architecture.
    Without a config.json naming one, both choices are a faithful conversion for some architecture
    when tokenizer.json is there too, so the GGUF's own choice (`declared`) is taken."""
    if source.file("tokenizer.model") is None:
        return False
    architectures = _config(snapshot).get("architectures")
    if isinstance(architectures, list) and architectures:
        return any(a in SPM_ARCHITECTURES for a in architectures)
    return declared == "llama" or source.file("tokenizer.json") is None


def _bpe_tokens(snapshot: TokenizerSnapshot, size: int) -> tuple[list[str], list[int]]:
    reverse = snapshot.id_to_token
    tokens, types = [], []
    for index in range(size):
        token = reverse.get(index)
        added = snapshot.added_tokens.get(index)
        if token is None:
            tokens.append(f"[PAD{index}]")
            types.append(UNUSED)
        elif added is not None:
            if added.special or looks_special(token):
                types.append(CONTROL)
            else:
                token = token.replace("\u2581", " ")
                types.append(USER_DEFINED)
            tokens.append(token)
        else:
            tokens.append(token)
            types.append(NORMAL)
    return tokens, types


def _sentencepiece_tokens(source: TokenizerSource, snapshot: TokenizerSnapshot, size: int) -> tuple[list[str], list[int]]:
    from sentencepiece import SentencePieceProcessor

    model = source.file("tokenizer.model")
    assert model is not None
    processor = SentencePieceProcessor()
    processor.LoadFromFile(str(model))
    tokens = [f"[PAD{i}]" for i in range(size)]
    types = [UNUSED] * size
    for index in range(min(processor.vocab_size(), size)):
        tokens[index] = processor.IdToPiece(index)
        types[index] = (UNKNOWN if processor.IsUnknown(index) else CONTROL if processor.IsControl(index)
                        else UNUSED if processor.IsUnused(index) else BYTE if processor.IsByte(index) else NORMAL)
    for index, added in snapshot.config_added_tokens.items():
        if index >= size:
            continue
        token = added.content
        if added.special or looks_special(token):
            types[index] = CONTROL
        else:
            token = token.replace("\u2581", " ")
            types[index] = USER_DEFINED
        tokens[index] = token
    return tokens, types


def _templates(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"default": value}
    if isinstance(value, list):
        return {str(item["name"]): str(item["template"]) for item in value if isinstance(item, dict) and "name" in item}
    return {}


def expected_gguf(source: TokenizerSource, snapshot: TokenizerSnapshot,
                  encode: Callable[[str], Sequence[int]] | None, declared: GGUFTokenizer | None = None) -> GGUFTokenizer:
    """The tokenizer metadata convert_hf_to_gguf.py would write for this HF source. `encode` is
    the live tokenizer's encode (special tokens added), for the chkhsh; None skips the pre check.
    `declared` is the GGUF it is compared with: without a config.json (a tokenizer-only directory,
    the config added only to convert) what the converter read from the config is taken from it."""
    assumed = []
    size = vocab_size(snapshot)
    if size is None:
        # The converter pads to the config's vocab_size, at least the full length: a longer GGUF
        # was padded, and its padding rows are then judged as the [PAD{i}] the converter writes.
        size = full_length(snapshot)
        if declared is not None and len(declared.tokens) > size:
            size = len(declared.tokens)
        assumed.append(f"no config.json beside {snapshot.label}: vocab_size taken as {size}")
    spm = uses_sentencepiece(source, snapshot, declared.model if declared is not None else None)
    if source.file("tokenizer.model") is not None and not _config(snapshot).get("architectures"):
        assumed.append(f"no architecture in a config.json: the tokenizer model taken as {'llama' if spm else 'gpt2'}")
    if spm:
        tokens, types = _sentencepiece_tokens(source, snapshot, size)
        model, pre = "llama", "default"
    else:
        tokens, types = _bpe_tokens(snapshot, size)
        model = "bert" if snapshot.model_type == "WordPiece" else "gpt2"
        if model == "bert":
            tokens = [phantom(token, kind) for token, kind in zip(tokens, types)]
        pre = None
        if encode is not None:
            pre = pre_for_hash(chkhsh(encode)) or PRE_NOT_RECOGNIZED
    # BertModel's set_vocab reads no merges (SpecialVocab's load_merges stays off): a WordPiece GGUF has none.
    special = special_vocab(source, snapshot, len(tokens), merges=model == "gpt2")
    ids = dict(special.special_token_ids)
    if snapshot.model_config is None and declared is not None:
        # SpecialVocab reads config.json's {role}_token_id for a role the tokenizer files leave unset.
        for name in SPECIAL_ID_KEYS:
            if ids.get(name) is None and (value := declared.special_ids.get(name)) is not None and 0 <= value < size:
                ids[name] = value
                assumed.append(f"{name}_token_id taken from the GGUF, as a config.json's")
    notes = []
    if max(snapshot.id_to_token, default=-1) >= size:
        notes.append(f"ids up to {max(snapshot.id_to_token)} but config.json vocab_size {size}: "
                     "convert_hf_to_gguf.py aborts (assert max(tokenizer.vocab.values()) < vocab_size)")
    return GGUFTokenizer(
        label=snapshot.label,
        model=model,
        pre=pre,
        tokens=tokens,
        token_types=types,
        merges=list(special.merges) if model == "gpt2" else None,
        scores=None,
        special_ids={name: ids.get(name) for name in SPECIAL_ID_KEYS},
        add_bos=special.add_special_token.get("bos"),
        add_eos=special.add_special_token.get("eos"),
        chat_templates=_templates(special.chat_template),
        embedding_rows=size,
        notes=notes,
        assumed=assumed,
    )
