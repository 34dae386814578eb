"""The stop set each engine builds from a checkpoint (drift class 41): the same files, read by
different rules, so one engine can stop at a turn end that another runs past.

- transformers generate(): generation_config.json's eos_token_id, else config.json's
  (GenerationConfig.from_model_config); the tokenizer's eos is not added
  (transformers/generation/utils.py _prepare_special_tokens, 4.57 and 5.x).
- vLLM 0.34.0: the tokenizer's eos_token_id, plus the generation config's eos_token_id (read from
  generation_config.json, else made from config.json) as extra stop ids
  (vllm/sampling_params.py SamplingParams.update_from_generation_config;
  vllm/transformers_utils/config.py try_get_generation_config).
- SGLang 0.5.23: config.json's eos_token_id together with generation_config.json's
  (sglang/srt/configs/model_config.py ModelConfig._get_hf_eos_token_id), plus the tokenizer's eos
  and the added tokens <|eom_id|>, <|content_model_end_sampling|> and <|ifm|im_end|>
  (Req._check_token_based_finish in sglang/srt/managers/schedule_batch.py;
  attach_additional_stop_token_ids in sglang/srt/utils/hf_transformers/common.py).
- MLX-LM 0.32.2: config.json's eos_token_id, replaced by generation_config.json's when it has one
  (mlx_lm/utils.py load_config); only without either, the tokenizer's eos
  (mlx_lm/tokenizer_utils.py TokenizerWrapper).
- llama.cpp, on a GGUF converted from the checkpoint: the tokenizer's eos (gguf-py SpecialVocab
  reads it from tokenizer_config.json), and every token whose text llama-vocab.cpp lists as end of
  generation (<|eot_id|>, <|im_end|>, <end_of_turn> ...: tokcheck/sources/gguf/data/llamacpp.json)."""

from __future__ import annotations

from collections.abc import Callable

from tokcheck.sources.gguf.llamacpp import tables
from tokcheck.sources.model_configs import ModelConfigs
from tokcheck.sources.snapshot import StopIds, TokenizerSnapshot, config_stop_ids

StopRule = Callable[[TokenizerSnapshot, ModelConfigs], frozenset[int]]


def _ids(found: StopIds | None) -> frozenset[int]:
    return frozenset(found.ids) if found is not None else frozenset()


def _eos(tokenizer: TokenizerSnapshot) -> frozenset[int]:
    eos = tokenizer.token_id(tokenizer.special_roles.get("eos_token"))
    return frozenset() if eos is None else frozenset({eos})


def transformers_stops(tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> frozenset[int]:
    return _ids(configs.stop_ids())


def vllm_stops(tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> frozenset[int]:
    return _eos(tokenizer) | _ids(configs.stop_ids())


SGLANG_ADDED_STOPS = ("<|eom_id|>", "<|content_model_end_sampling|>", "<|ifm|im_end|>")


def sglang_stops(tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> frozenset[int]:
    added = {token.content: token_id for token_id, token in tokenizer.added_tokens.items()}
    return (_eos(tokenizer) | _ids(config_stop_ids(None, configs.config))
            | _ids(config_stop_ids(configs.generation_config, None))
            | frozenset(added[text] for text in SGLANG_ADDED_STOPS if text in added))


def mlx_stops(tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> frozenset[int]:
    found = config_stop_ids(configs.generation_config, configs.config)
    return _ids(found) if found is not None else _eos(tokenizer)


def llamacpp_stops(tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> frozenset[int]:
    named = {token_id for text in tables()["eog_texts"] if (token_id := tokenizer.token_id(text)) is not None}
    return _eos(tokenizer) | frozenset(named)


STOP_RULES: dict[str, StopRule] = {
    "transformers generate()": transformers_stops,
    "vLLM": vllm_stops,
    "SGLang": sglang_stops,
    "MLX-LM": mlx_stops,
    "llama.cpp (a GGUF converted from it)": llamacpp_stops,
}


def engines_stopping_at(token_id: int, tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> tuple[list[str], list[str]]:
    """The engines that stop at `token_id` for this side, and those that run past it."""
    stopping = [name for name, rule in STOP_RULES.items() if token_id in rule(tokenizer, configs)]
    return stopping, [name for name in STOP_RULES if name not in stopping]


def running_past(token_ids: set[int] | list[int], tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> dict[str, list[str]]:
    """A finding's evidence: the engines that run past any of `token_ids` (the report's engines table)."""
    return {"engines": [name for name, rule in STOP_RULES.items() if set(token_ids) - rule(tokenizer, configs)]}


def engine_effect(token_id: int, tokenizer: TokenizerSnapshot, configs: ModelConfigs) -> str:
    """One clause for a finding: which engines run past `token_id`, and which still stop."""
    stopping, running = engines_stopping_at(token_id, tokenizer, configs)
    if not running:
        return ""
    return f" ({', '.join(running)} run past it" + (f"; {', '.join(stopping)} still stop" if stopping else "") + ")"
