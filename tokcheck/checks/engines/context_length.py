"""Effective context length (drift class 47): how long an input each engine accepts, derived from
a checkpoint's files the way each engine derives it, base against tuned. A shorter context in tuned
is a warning naming every engine it caps; a longer one is info (rope scaling added on purpose).

Each engine's rule, as its source states it:

- vLLM (vllm/config/model.py `_get_and_verify_max_len`, vllm-project/vllm@0052a5b8, read for
  this check): the smallest of config.json's max_position_embeddings, n_positions, max_seq_len,
  seq_length, model_max_length, max_target_positions, max_sequence_length, max_seq_length, seq_len
  (config.json model_max_length wins outright, for Command-R); then the min with
  tokenizer_config.json model_max_length; no key at all gives 2048; then times rope_scaling's
  factor unless its rope_type is su, longrope or llama3 (yarn restarts from its
  original_max_position_embeddings; gemma3 is not scaled); a sentence_bert_config.json
  max_seq_length replaces it all. A longrope model defaults to config.json's
  original_max_position_embeddings. That is max_model_len when --max-model-len is not given.
- SGLang (python/sglang/srt/utils/hf_transformers_utils.py `get_context_length`,
  sgl-project/sglang@2aa2e2d0): the first of max_sequence_length, seq_length, max_seq_len,
  model_max_length, max_position_embeddings in config.json (its text config), times rope_scaling's
  factor unless it has original_max_position_embeddings or rope_type llama3. tokenizer_config.json
  is not read.
- llama.cpp: convert_hf_to_gguf.py writes `context_length` (n_ctx_train, what --ctx-size 0 uses)
  from the first of max_position_embeddings, n_ctx, n_positions, max_length in config.json
  (TextModel.set_gguf_parameters, ggml-org/llama.cpp).
- transformers: `truncation=True` without max_length cuts at the tokenizer's model_max_length
  (tokenizer_config.json; absent or int(1e30): no limit).
- sentence-transformers: the Transformer module truncates at sentence_bert_config.json
  max_seq_length, else at min(max_position_embeddings, model_max_length)
  (sentence_transformers/models/Transformer.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_LIMIT = 10**20  # transformers' "no limit" model_max_length is int(1e30)
VLLM_KEYS = ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "model_max_length",
             "max_target_positions", "max_sequence_length", "max_seq_length", "seq_len")
VLLM_UNSCALED = ("su", "longrope", "llama3")
SGLANG_KEYS = ("max_sequence_length", "seq_length", "max_seq_len", "model_max_length", "max_position_embeddings")
LLAMACPP_KEYS = ("max_position_embeddings", "n_ctx", "n_positions", "max_length")


@dataclass(frozen=True)
class LengthFiles:
    """What the rules read of one side: config.json's text config (None: no config.json),
    tokenizer_config.json, and sentence_bert_config.json (None: not a sentence-transformers model)."""

    config: dict[str, Any] | None
    tokenizer_config: dict[str, Any]
    sentence_bert_config: dict[str, Any] | None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def _rope(config: dict[str, Any]) -> dict[str, Any] | None:
    """rope_scaling (transformers 4) or rope_parameters (5), with the old "type" read as rope_type
    (transformers patches it so when it loads a config)."""
    rope = config.get("rope_scaling") or config.get("rope_parameters")
    if not isinstance(rope, dict):
        return None
    return {**rope, "rope_type": rope.get("rope_type", rope.get("type", "default"))}


def tokenizer_limit(files: LengthFiles) -> float | None:
    limit = _number(files.tokenizer_config.get("model_max_length"))
    return None if limit is None or limit >= NO_LIMIT else limit


def vllm_max_model_len(files: LengthFiles) -> float | None:
    config = files.config
    if config is None:
        return None
    derived = float("inf")
    for key in VLLM_KEYS:
        value = _number(config.get(key))
        if value is not None:
            derived = min(derived, value)
    if _number(config.get("model_max_length")) is not None:
        derived = float(config["model_max_length"])
    if files.tokenizer_config:
        tokenizer = _number(files.tokenizer_config.get("model_max_length"))
        derived = min(derived, tokenizer if tokenizer is not None else derived)
    if derived == float("inf"):
        derived = 2048.0
    rope = _rope(config)
    if rope is not None and "gemma3" not in str(config.get("model_type", "")):
        factor = 1.0
        if rope["rope_type"] not in VLLM_UNSCALED:
            factor = _number(rope.get("factor")) or 1.0
            if rope["rope_type"] == "yarn" and _number(rope.get("original_max_position_embeddings")):
                derived = float(rope["original_max_position_embeddings"])
        derived *= factor
    if files.sentence_bert_config and _number(files.sentence_bert_config.get("max_seq_length")):
        derived = float(files.sentence_bert_config["max_seq_length"])
    if rope is not None and rope["rope_type"] == "longrope":
        return _number(config.get("original_max_position_embeddings")) or derived
    return derived


def sglang_context_length(files: LengthFiles) -> float | None:
    config = files.config
    if config is None:
        return None
    rope = _rope(config)
    factor = 1.0
    if rope is not None:
        factor = _number(rope.get("factor")) or 1.0
        if "original_max_position_embeddings" in rope or rope["rope_type"] == "llama3":
            factor = 1.0
    for key in SGLANG_KEYS:
        value = _number(config.get(key))
        if value is not None:
            return float(int(value * factor))
    return 2048.0


def llamacpp_n_ctx_train(files: LengthFiles) -> float | None:
    for key in LLAMACPP_KEYS:
        value = _number((files.config or {}).get(key))
        if value is not None:
            return value
    return None


def sentence_transformers_max_seq_length(files: LengthFiles) -> float | None:
    if files.sentence_bert_config is None:
        return None
    saved = _number(files.sentence_bert_config.get("max_seq_length"))
    if saved is not None:
        return saved
    limits = [v for v in (_number((files.config or {}).get("max_position_embeddings")), tokenizer_limit(files)) if v]
    return min(limits, default=None)


# (engine, what its length is called, the rule); a rule's None: the engine has no limit from these files.
RULES = (
    ("vLLM", "max_model_len", vllm_max_model_len),
    ("SGLang", "context_length", sglang_context_length),
    ("llama.cpp", "n_ctx_train of a GGUF converted from it", llamacpp_n_ctx_train),
    ("transformers", "truncation=True cuts at model_max_length", lambda files: tokenizer_limit(files)),
    ("sentence-transformers", "max_seq_length", sentence_transformers_max_seq_length),
)


def engine_lengths(files: LengthFiles) -> dict[str, tuple[str, float | None]]:
    """Each engine's effective context length for one side."""
    return {engine: (name, rule(files)) for engine, name, rule in RULES}
