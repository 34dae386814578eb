"""Each engine's context length as its source derives it (tokcheck.checks.engines.context_length
cites them), on the zoo's real configs, and the static check that compares base with tuned. The
expected lengths are worked out by hand from the engines' rules, not taken from the code."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tokcheck import zoo
from tokcheck.checks.engines.context_length import LengthFiles, engine_lengths
from tokcheck.checks.static.context_length import check_context_length, length_files
from tokcheck.sources.files import read_object
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

# Qwen2.5's model card: "add the following to config.json to enable YaRN" for 128K inputs.
QWEN_YARN = {"factor": 4.0, "original_max_position_embeddings": 32768, "type": "yarn"}


@pytest.fixture(scope="module")
def minilm() -> TokenizerSnapshot:
    return take_snapshot(resolve("zoo:minilm"))


def _files(name: str, config: dict[str, Any] | None = None) -> LengthFiles:
    """A zoo base's real config.json and tokenizer_config.json (edited by `config`), as the rules read them."""
    directory = zoo.path_for(name)
    bert = directory / "sentence_bert_config.json"
    return LengthFiles({**read_object(directory / "config.json"), **(config or {})},
                       read_object(directory / "tokenizer_config.json"), read_object(bert) if bert.is_file() else None)


def _with(snapshot: TokenizerSnapshot, *, config: dict[str, Any] | None = None,
          tokenizer: dict[str, Any] | None = None, remove_config: bool = False) -> TokenizerSnapshot:
    model_config = None if remove_config else {**(snapshot.model_config or {}), **(config or {})}
    return dataclasses.replace(snapshot, model_config=model_config,
                               tokenizer_config={**snapshot.tokenizer_config, **(tokenizer or {})})


def _lengths(files: LengthFiles) -> dict[str, float | None]:
    return {engine: length for engine, (_, length) in engine_lengths(files).items()}


def test_llama31_rope_llama3_is_not_scaled_again() -> None:
    # max_position_embeddings 131072 is already the scaled length; vLLM and SGLang skip rope_type llama3.
    assert _lengths(_files("llama3.1")) == {
        "vLLM": 131072, "SGLang": 131072, "llama.cpp": 131072, "transformers": 131072, "sentence-transformers": None}


def test_yarn_scales_vllm_from_the_original_length_and_leaves_sglang_and_llamacpp() -> None:
    lengths = _lengths(_files("qwen2", {"rope_scaling": QWEN_YARN}))
    # vLLM: yarn restarts from original_max_position_embeddings 32768, times 4; SGLang: a rope_scaling
    # with original_max_position_embeddings is not scaled; llama.cpp: max_position_embeddings.
    assert (lengths["vLLM"], lengths["SGLang"], lengths["llama.cpp"]) == (131072, 32768, 32768)


def test_linear_scaling_and_the_no_limit_sentinel() -> None:
    # Llama 3 (8192 positions, model_max_length int(1e30)) with linear factor 2: both servers scale it.
    lengths = _lengths(_files("llama3", {"rope_scaling": {"type": "linear", "factor": 2.0}}))
    assert (lengths["vLLM"], lengths["SGLang"], lengths["llama.cpp"], lengths["transformers"]) == (16384, 16384, 8192, None)


def test_minilm_sentence_bert_max_seq_length_replaces_the_positions(minilm: TokenizerSnapshot) -> None:
    assert _lengths(length_files(minilm)) == _lengths(_files("minilm"))  # the snapshot carries what the rules read
    lengths = _lengths(_files("minilm"))
    assert (lengths["vLLM"], lengths["sentence-transformers"], lengths["transformers"]) == (256, 256, 512)


def test_a_lower_model_max_length_warns_naming_the_engines_it_caps(minilm: TokenizerSnapshot) -> None:
    base = dataclasses.replace(minilm, sentence_transformers={})  # MiniLM as a plain BERT checkpoint
    findings = check_context_length(base, _with(base, tokenizer={"model_max_length": 128}))
    assert [(f.code, f.severity.value) for f in findings] == [("context-length.shortened", "warning")]
    message = findings[0].message
    assert "vLLM max_model_len 512 -> 128" in message and "transformers truncation=True cuts at model_max_length 512 -> 128" in message
    assert "SGLang" not in message and "llama.cpp" not in message  # neither reads tokenizer_config.json
    assert findings[0].where == "tokenizer_config.json model_max_length"


def test_sentence_bert_max_seq_length_overrides_model_max_length_in_vllm(minilm: TokenizerSnapshot) -> None:
    # The same edit on the sentence-transformers checkpoint: vLLM keeps max_seq_length 256.
    findings = check_context_length(minilm, _with(minilm, tokenizer={"model_max_length": 128}))
    assert len(findings) == 1 and "vLLM" not in findings[0].message and "transformers truncation" in findings[0].message


def test_tokenizer_only_directories_and_resaves_are_quiet(minilm: TokenizerSnapshot) -> None:
    base = dataclasses.replace(minilm, sentence_transformers={})
    tokenizer_only = _with(base, remove_config=True)
    assert check_context_length(tokenizer_only, _with(tokenizer_only, tokenizer={"model_max_length": 128})) == []
    assert check_context_length(base, base) == []
    assert check_context_length(base, _with(base, remove_config=True)) == []


def test_rope_scaling_added_is_info(minilm: TokenizerSnapshot) -> None:
    base = dataclasses.replace(minilm, sentence_transformers={})
    findings = check_context_length(base, _with(base, config={"rope_scaling": {"type": "linear", "factor": 2.0}}))
    assert [(f.code, f.severity.value) for f in findings] == [("context-length.lengthened", "info")]
    assert "vLLM max_model_len 512 -> 1,024" in findings[0].message
