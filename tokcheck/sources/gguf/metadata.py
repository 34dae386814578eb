"""The tokenizer a GGUF file describes, as plain data: llama.cpp's `tokenizer.ggml.*` keys (token
list, token types, merges, special ids, add_bos/add_eos, pre-tokenizer name), the chat templates
and the token-embedding shape from the tensor index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.gguf.reader import GGUFContents, GGUFFormatError, read_gguf

# llama.cpp's token types (gguf.constants.TokenType; llama_token_type in llama-vocab.h).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
TOKEN_TYPE_NAMES = {NORMAL: "NORMAL", UNKNOWN: "UNKNOWN", CONTROL: "CONTROL", USER_DEFINED: "USER_DEFINED",
                    UNUSED: "UNUSED", BYTE: "BYTE"}
# The special ids llama.cpp reads (tokenizer.ggml.<key>), by the name gguf-new-metadata's
# --special-token takes.
SPECIAL_ID_KEYS = {
    "bos": "tokenizer.ggml.bos_token_id",
    "eos": "tokenizer.ggml.eos_token_id",
    "eot": "tokenizer.ggml.eot_token_id",
    "eom": "tokenizer.ggml.eom_token_id",
    "pad": "tokenizer.ggml.padding_token_id",
    "unk": "tokenizer.ggml.unknown_token_id",
    "sep": "tokenizer.ggml.seperator_token_id",  # sic: llama.cpp's spelling
    # BERT's [MASK]; its [CLS] is the bos (GGUFWriter has no cls key, so SpecialVocab's cls is not written)
    "mask": "tokenizer.ggml.mask_token_id",
}
TEMPLATE_KEY = "tokenizer.chat_template"
EMBEDDING_TENSOR = "token_embd.weight"


@dataclass
class GGUFTokenizer:
    """What llama.cpp will read from one GGUF (or, from expected.py, what its converter would
    write for a Hugging Face tokenizer)."""

    label: str
    model: str | None  # tokenizer.ggml.model: gpt2 (byte-level BPE), llama (SentencePiece), bert, t5 ...
    pre: str | None  # tokenizer.ggml.pre: the pre-tokenizer llama.cpp runs
    tokens: list[str]
    token_types: list[int] | None
    merges: list[str] | None
    scores: list[float] | None
    special_ids: dict[str, int | None]
    add_bos: bool | None
    add_eos: bool | None
    chat_templates: dict[str, str]  # "default" and named templates (tokenizer.chat_template.NAME)
    embedding_rows: int | None = None  # token_embd.weight's vocabulary dimension, when the file has it
    architecture: str | None = None
    metadata_sha256: str = ""  # of the file's header and key-value section (reader.GGUFContents)
    normalizer_lowercase: bool | None = None  # tokenizer.ggml.normalizer.*: what a BERT (WPM) vocabulary applies
    normalizer_strip_accents: bool | None = None
    notes: list[str] = field(default_factory=list)  # what expected.py could not model
    # what expected.py took from the compared GGUF for want of a config.json: findings say so
    assumed: list[str] = field(default_factory=list)

    def token(self, token_id: int | None) -> str | None:
        if token_id is None or not 0 <= token_id < len(self.tokens):
            return None
        return self.tokens[token_id]

    def type_of(self, token_id: int) -> int | None:
        if self.token_types is None or not 0 <= token_id < len(self.token_types):
            return None
        return self.token_types[token_id]


def from_contents(contents: GGUFContents, label: str) -> GGUFTokenizer:
    fields = contents.fields
    tokens = fields.get("tokenizer.ggml.tokens")
    if not isinstance(tokens, list):
        raise TokcheckUsageError(f"{label}: this GGUF holds no tokenizer (no tokenizer.ggml.tokens)")
    types = fields.get("tokenizer.ggml.token_type")
    merges = fields.get("tokenizer.ggml.merges")
    templates = {"default": str(fields[TEMPLATE_KEY])} if isinstance(fields.get(TEMPLATE_KEY), str) else {}
    for key, value in fields.items():
        if key.startswith(TEMPLATE_KEY + ".") and isinstance(value, str):
            templates[key[len(TEMPLATE_KEY) + 1 :]] = value
    shape = contents.tensor_shapes.get(EMBEDDING_TENSOR)
    return GGUFTokenizer(
        label=label,
        model=_text(fields.get("tokenizer.ggml.model")),
        pre=_text(fields.get("tokenizer.ggml.pre")),
        tokens=tokens,
        token_types=[int(t) for t in types.tolist()] if types is not None else None,
        merges=list(merges) if isinstance(merges, list) else None,
        scores=[float(x) for x in scores.tolist()] if (scores := fields.get("tokenizer.ggml.scores")) is not None else None,
        special_ids={name: _int(fields.get(key)) for name, key in SPECIAL_ID_KEYS.items()},
        add_bos=_bool(fields.get("tokenizer.ggml.add_bos_token")),
        add_eos=_bool(fields.get("tokenizer.ggml.add_eos_token")),
        chat_templates=templates,
        embedding_rows=int(shape[1]) if shape is not None and len(shape) >= 2 else None,
        architecture=_text(fields.get("general.architecture")),
        metadata_sha256=contents.metadata_sha256,
        normalizer_lowercase=_bool(fields.get("tokenizer.ggml.normalizer.lowercase")),
        normalizer_strip_accents=_bool(fields.get("tokenizer.ggml.normalizer.strip_accents")),
    )


def read_tokenizer(path: Path, label: str) -> GGUFTokenizer:
    """The tokenizer of a GGUF file; a malformed file is one usage-error line."""
    try:
        return from_contents(read_gguf(path), label)
    except GGUFFormatError as error:
        raise TokcheckUsageError(str(error)) from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return bool(value) if isinstance(value, (bool, int)) else None
