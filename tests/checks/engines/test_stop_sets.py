"""Each engine's stop set (drift class 41), from the zoo's real Qwen2 files: its tokenizer's eos
is <|im_end|> (151645) and its generation_config.json stops at [151645, 151643]. With that list
shrunk to <|endoftext|> (151643), transformers and MLX-LM (the configs only) run past the turn
end, vLLM and SGLang (the tokenizer's eos too) and llama.cpp (turn ends by name) still stop."""

from __future__ import annotations

import copy

import pytest

from tokcheck.checks.engines.stop_sets import STOP_RULES, engine_effect, engines_stopping_at
from tokcheck.sources.model_configs import ModelConfigs
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

IM_END, END_OF_TEXT = 151645, 151643


@pytest.fixture(scope="module")
def qwen2() -> TokenizerSnapshot:
    return take_snapshot(resolve("zoo:qwen2"))


def _configs(snapshot: TokenizerSnapshot, eos: object, *, with_generation_config: bool = True) -> ModelConfigs:
    generation = copy.deepcopy(snapshot.generation_config)
    assert generation is not None and generation["eos_token_id"] == [IM_END, END_OF_TEXT]
    generation["eos_token_id"] = eos
    config = {"eos_token_id": END_OF_TEXT}  # Qwen2-Instruct's config.json
    return ModelConfigs("tuned", config, generation if with_generation_config else None)


def test_every_engine_stops_at_the_turn_end_of_the_real_files(qwen2: TokenizerSnapshot) -> None:
    stopping, running = engines_stopping_at(IM_END, qwen2, _configs(qwen2, [IM_END, END_OF_TEXT]))
    assert running == [] and stopping == list(STOP_RULES)
    assert engine_effect(IM_END, qwen2, _configs(qwen2, [IM_END, END_OF_TEXT])) == ""


def test_a_shrunk_generation_config_splits_the_engines(qwen2: TokenizerSnapshot) -> None:
    stopping, running = engines_stopping_at(IM_END, qwen2, _configs(qwen2, END_OF_TEXT))
    assert running == ["transformers generate()", "MLX-LM"]
    assert stopping == ["vLLM", "SGLang", "llama.cpp (a GGUF converted from it)"]


def test_without_generation_config_the_engines_read_config_json(qwen2: TokenizerSnapshot) -> None:
    # config.json says <|endoftext|>: transformers and MLX-LM take it as the whole stop set
    _, running = engines_stopping_at(IM_END, qwen2, _configs(qwen2, None, with_generation_config=False))
    assert running == ["transformers generate()", "MLX-LM"]


def test_mlx_falls_back_to_the_tokenizers_eos_without_configs(qwen2: TokenizerSnapshot) -> None:
    stopping, running = engines_stopping_at(IM_END, qwen2, ModelConfigs("tokenizer only", None, None))
    assert running == ["transformers generate()"]
    assert "MLX-LM" in stopping
