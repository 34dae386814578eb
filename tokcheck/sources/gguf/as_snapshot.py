"""A GGUF's tokenizer in the fields of a TokenizerSnapshot, so that everything that reads a
snapshot (the behaviour checks' chat and special-token inputs) reads a GGUF too. The static checks
compare GGUF metadata itself (tokcheck.checks.static.gguf)."""

from __future__ import annotations

from typing import Any

from tokcheck.sources.gguf.metadata import CONTROL, USER_DEFINED, GGUFTokenizer
from tokcheck.sources.tokens import AddedToken

ORIGIN = "GGUF metadata (tokenizer.ggml.*)"


def snapshot_fields(gguf: GGUFTokenizer, file_name: str) -> dict[str, Any]:
    """Keyword arguments for TokenizerSnapshot (all but `gguf` and `templates`' entry type)."""
    types = gguf.token_types or []
    added = {
        index: AddedToken(id=index, content=token, special=types[index] == CONTROL, normalized=False)
        for index, token in enumerate(gguf.tokens)
        if index < len(types) and types[index] in (CONTROL, USER_DEFINED)
    }
    vocab = {token: index for index, token in enumerate(gguf.tokens) if index not in added}
    roles = {f"{name}_token": gguf.token(gguf.special_ids[name]) for name in ("bos", "eos", "unk", "pad", "sep")}
    config = {key: value for key, value in (("add_bos_token", gguf.add_bos), ("add_eos_token", gguf.add_eos))
              if value is not None}
    return {
        "label": gguf.label,
        "bare": False,
        "files": (file_name,),
        "tokenizer_json_origin": ORIGIN,
        "model_type": f"gguf:{gguf.model}",
        "vocab": vocab,
        "merges": [tuple(merge.split(" ", 1)) for merge in gguf.merges] if gguf.merges is not None else None,
        "merges_format": None,
        "unigram_scores": None,
        "model_params": {},
        "components": {},
        "added_tokens": added,
        "config_added_tokens": {},
        "has_tokenizer_config": True,
        "tokenizer_config": config,
        "special_tokens_map": {},
        "special_roles": {**{role: None for role in ("cls_token", "mask_token")}, **roles},
        "extra_special_tokens": (),
        "named_extra_special_tokens": {},
        "model_config": None,
        "generation_config": None,
    }
