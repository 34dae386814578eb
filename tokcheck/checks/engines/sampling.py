"""Sampling defaults (drift class 37): the generation_config.json keys engines apply to every
request by default, base against tuned. A key base sets that tuned lost or changed is a warning
naming each engine that now samples differently and with what; one only tuned sets is the
fine-tune's recommendation. A model directory (it has a config.json) without
generation_config.json lost all of base's at once; a tokenizer-only directory has none to lose."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.engines.engine import Engine
from tokcheck.checks.engines.llamacpp import LLAMACPP
from tokcheck.checks.engines.mlx import MLX
from tokcheck.checks.engines.sglang import SGLANG
from tokcheck.checks.engines.transformers import TRANSFORMERS
from tokcheck.checks.engines.vllm import VLLM
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.model_configs import ModelConfigs

ENGINES: tuple[Engine, ...] = (TRANSFORMERS, VLLM, SGLANG, LLAMACPP, MLX)
SAMPLING_KEYS: tuple[str, ...] = tuple(dict.fromkeys(key for engine in ENGINES for key in engine.sampling_defaults))
FILE = "generation_config.json"


def sampling_settings(config: dict[str, Any] | None) -> dict[str, Any]:
    """The sampling keys a generation_config.json sets (null counts as unset, as engines read it)."""
    return {key: config[key] for key in SAMPLING_KEYS if config and config.get(key) is not None}


def _shown(value: Any) -> str:
    return "unset" if value is None else compact(value)


def engine_effects(key: str, base: dict[str, Any] | None, tuned: dict[str, Any] | None) -> list[str]:
    """How each engine that applies `key` samples differently, e.g. "vLLM: temperature 0.6 -> 1.0"."""
    effects = []
    for engine in ENGINES:
        if key not in engine.sampling_defaults:
            continue
        before, after = engine.effective(base, key), engine.effective(tuned, key)
        samples = engine.samples(base) or engine.samples(tuned)
        if before != after and (key == "do_sample" or samples):
            effects.append(f"{engine.name}: {key} {_shown(before)} -> {_shown(after)}")
    return effects


def _engines(effects: list[str]) -> dict[str, list[str]]:
    """A finding's evidence: the engines whose requests now sample differently (the engines table)."""
    return {"engines": [engine.name for engine in ENGINES if any(e.startswith(engine.name + ":") for e in effects)]}


def check_sampling_defaults(base: ModelConfigs, tuned: ModelConfigs, check: str) -> list[Finding]:
    """Base's sampling defaults against tuned's, under `check` (the check of the configs' place)."""
    before = sampling_settings(base.generation_config)
    if not before:
        return []  # a default only tuned sets is the fine-tune's recommendation, not a loss
    if tuned.generation_config is None:
        return _file_missing(base, tuned, before, check) if tuned.config is not None else []
    findings = []
    for key, value in before.items():
        after = tuned.generation_config.get(key)
        if after == value:
            continue
        effects = engine_effects(key, base.generation_config, tuned.generation_config)
        if not effects:
            continue  # the engine defaults happen to equal base's value: no request samples differently
        lost = "lost" if after is None else f"changed to {compact(after)}"
        findings.append(Finding(
            check, "sampling.default-lost" if after is None else "sampling.default-changed", Severity.WARNING,
            f"{FILE} {key} is {compact(value)} in base ({base.label}) but {lost} in tuned ({tuned.label}), so "
            f"requests that do not set it sample differently: {'; '.join(effects)}",
            where=f"{tuned.label}: {FILE}: {key}", base=value, tuned=after,
            fix=f"restore {key} = {compact(value)} from base's {FILE}, unless the fine-tune recommends the new value",
            evidence=_engines(effects),
        ))
    return findings


def _file_missing(base: ModelConfigs, tuned: ModelConfigs, before: dict[str, Any], check: str) -> list[Finding]:
    effects = [effect for key in before for effect in engine_effects(key, base.generation_config, None)]
    if not effects:
        return []
    return [Finding(
        check, "sampling.file-missing", Severity.WARNING,
        f"tuned ({tuned.label}) has a config.json but no {FILE}, so base's sampling defaults "
        f"{compact(before, limit=400)} ({base.label}) are gone: {'; '.join(effects)}",
        where=f"{tuned.label}: {FILE}", base=before,
        fix=f"copy base's {FILE} into the checkpoint (a model built with from_config and saved, or a merge, writes none)",
        evidence=_engines(effects),
    )]
