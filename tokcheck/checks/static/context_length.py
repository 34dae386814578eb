"""The context-length check (drift class 47): model_max_length against max_position_embeddings,
rope_scaling and sentence-transformers' max_seq_length, read the way each engine reads them
(tokcheck.checks.engines.context_length), base against tuned. A shorter effective context in
tuned is a warning that names every engine it caps. A tokenizer-only directory (no config.json on
a side) has nothing here to compare: the tokenizer_config check compares model_max_length itself."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.engines.context_length import (
    LLAMACPP_KEYS,
    SGLANG_KEYS,
    VLLM_KEYS,
    LengthFiles,
    engine_lengths,
)
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "context_length"
CONFIG_LENGTH_KEYS = tuple(dict.fromkeys((*VLLM_KEYS, *SGLANG_KEYS, *LLAMACPP_KEYS, "original_max_position_embeddings")))


def _text_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """The language model's keys (multimodal configs keep them under text_config), over the top level."""
    if config is None:
        return None
    nested = config.get("text_config")
    return {**config, **(nested if isinstance(nested, dict) else {})}


def length_files(snapshot: TokenizerSnapshot) -> LengthFiles:
    st = snapshot.sentence_transformers
    bert = st.get("sentence_bert_config.json", {} if "modules.json" in st else None)
    return LengthFiles(_text_config(snapshot.model_config), snapshot.tokenizer_config, bert)


def _inputs(snapshot: TokenizerSnapshot) -> dict[str, Any]:
    """The values the rules read, for the finding's base and tuned."""
    config = _text_config(snapshot.model_config) or {}
    found = {f"config.json {key}": config[key] for key in (*CONFIG_LENGTH_KEYS, "rope_scaling", "rope_parameters")
             if key in config}
    if "model_max_length" in snapshot.tokenizer_config:
        found["tokenizer_config.json model_max_length"] = snapshot.tokenizer_config["model_max_length"]
    bert = snapshot.sentence_transformers.get("sentence_bert_config.json") or {}
    if "max_seq_length" in bert:
        found["sentence_bert_config.json max_seq_length"] = bert["max_seq_length"]
    return found


def _shown(value: float | None) -> str:
    return "no limit" if value is None else f"{int(value):,}"


def check_context_length(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.bare or tuned.bare:
        return []
    before, after = engine_lengths(length_files(base)), engine_lengths(length_files(tuned))
    has_config = base.model_config is not None and tuned.model_config is not None
    shorter, longer = [], []
    for engine, (name, was) in before.items():
        now = after[engine][1]
        if engine != "sentence-transformers" and not has_config:
            continue  # a tokenizer-only directory: nothing to compare here
        if was == now or (was is None and now is None):
            continue
        line = f"{engine} {name} {_shown(was)} -> {_shown(now)}"
        if now is not None and (was is None or now < was):
            shorter.append(line)
        elif was is not None:
            longer.append(line)
    changed = {key for key in set(_inputs(base)) | set(_inputs(tuned)) if _inputs(base).get(key) != _inputs(tuned).get(key)}
    where = ", ".join(sorted(changed)) or "context length"
    findings = []
    if shorter:
        findings.append(Finding(
            CHECK, "context-length.shortened", Severity.WARNING,
            f"tuned accepts shorter inputs than base ({where} changed): " + "; ".join(shorter),
            where=where, base=_inputs(base), tuned=_inputs(tuned),
            fix="restore base's " + (where if changed else "length keys") + " unless the fine-tune was trained "
            "only on shorter inputs (engines cap or truncate every request at these lengths)",
        ))
    if longer:
        findings.append(Finding(
            CHECK, "context-length.lengthened", Severity.INFO,
            f"tuned accepts longer inputs than base ({where} changed): " + "; ".join(longer)
            + f"; base's values {compact(_inputs(base))}",
            where=where, base=_inputs(base), tuned=_inputs(tuned),
        ))
    return findings
