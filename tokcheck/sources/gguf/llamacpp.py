"""llama.cpp's own tables, kept as data with the commit they were read from (data/llamacpp.json,
written by scripts/llamacpp_tables.py): convert_hf_to_gguf.py's chktxt and chkhsh -> pre-tokenizer
table, and the token texts llama-vocab.cpp treats as end of generation; and the rules built on
them: the chkhsh of a tokenizer, and the end-of-generation set llama.cpp derives from a GGUF."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from tokcheck.sources.gguf.metadata import GGUFTokenizer

DATA = Path(__file__).with_name("data") / "llamacpp.json"


@cache
def tables() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def source_note() -> str:
    return str(tables()["source"])


def chkhsh(encode: Callable[[str], Sequence[int]]) -> str:
    """convert_hf_to_gguf.py's fingerprint: sha256 of str(tokenizer.encode(chktxt)) (special tokens
    added, as AutoTokenizer.encode adds them)."""
    return hashlib.sha256(str(list(encode(tables()["chktxt"]))).encode()).hexdigest()


def pre_for_hash(digest: str) -> str | None:
    """The tokenizer.ggml.pre the converter writes for a chkhsh; None: it aborts ("BPE
    pre-tokenizer was not recognized")."""
    found = tables()["chkhsh"].get(digest)
    return str(found) if found is not None else None


def end_of_generation_ids(gguf: GGUFTokenizer) -> set[int]:
    """The ids llama.cpp stops at for this GGUF: the explicit eos, eot and eom ids, and every
    token whose text llama-vocab.cpp lists as end of generation."""
    texts = set(tables()["eog_texts"])
    found = {token_id for token_id, token in enumerate(gguf.tokens) if token in texts}
    for name in ("eos", "eot", "eom"):
        explicit = gguf.special_ids[name]
        if explicit is not None:
            found.add(explicit)
    return found
