"""Sampling defaults (drift class 37) on the zoo's real generation_config.json files (Llama 3:
do_sample, temperature 0.6, top_p 0.9; Qwen2: also top_k 20 and repetition_penalty 1.05): a key
lost or changed is a warning naming each engine that samples differently and its two values, a
lost file is one warning, and a re-save, a tokenizer-only directory or a key tuned adds is quiet."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tokcheck.checks.engines.sampling import check_sampling_defaults, engine_effects
from tokcheck.checks.model.inspection import ModelInspection, ModelPair
from tokcheck.checks.model.weights import open_model
from tokcheck.checks.static.model_config import check_model_config
from tokcheck.findings import Severity
from tokcheck.sources.model_configs import ModelConfigs
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo import path_for
from tokcheck.zoo.mutations import edit, in_model_dir, without


def _configs(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    directory = path_for(name)
    return tuple(json.loads((directory / file).read_text(encoding="utf-8"))  # type: ignore[return-value]
                 for file in ("config.json", "generation_config.json"))


@pytest.fixture(scope="module")
def llama3() -> tuple[dict[str, Any], dict[str, Any]]:
    return _configs("llama3")


@pytest.fixture(scope="module")
def qwen2() -> tuple[dict[str, Any], dict[str, Any]]:
    return _configs("qwen2")


def _pair(configs: tuple[dict[str, Any], dict[str, Any]], edit: Any = None, *, file: bool = True,
          config: bool = True) -> tuple[ModelConfigs, ModelConfigs]:
    model, generation = configs
    tuned = copy.deepcopy(generation)
    if edit is not None:
        edit(tuned)
    base = ModelConfigs("base model", model, generation)
    return base, ModelConfigs("tuned model", model if config else None, tuned if file else None)


def test_the_zoo_keeps_real_sampling_defaults(llama3: Any, qwen2: Any) -> None:
    assert {k: llama3[1][k] for k in ("do_sample", "temperature", "top_p")} == {"do_sample": True, "temperature": 0.6, "top_p": 0.9}
    assert {k: qwen2[1][k] for k in ("top_k", "repetition_penalty")} == {"top_k": 20, "repetition_penalty": 1.05}


def test_a_lost_temperature_names_every_engine_and_both_values(llama3: Any) -> None:
    [finding] = check_sampling_defaults(*_pair(llama3, lambda g: g.pop("temperature")), "model_sampling")
    assert (finding.code, finding.severity, finding.base, finding.tuned) == ("sampling.default-lost", Severity.WARNING, 0.6, None)
    for effect in ("transformers generate(): temperature 0.6 -> 1.0", "vLLM: temperature 0.6 -> 1.0",
                   "SGLang: temperature 0.6 -> 1.0", "llama.cpp (a GGUF converted from it): temperature 0.6 -> 0.8"):
        assert effect in finding.message
    assert "MLX" not in finding.message  # MLX-LM reads no sampling default from the file
    assert finding.where == "tuned model: generation_config.json: temperature"


def test_a_changed_value_is_reported_with_both_values(qwen2: Any) -> None:
    [finding] = check_sampling_defaults(*_pair(qwen2, lambda g: g.__setitem__("repetition_penalty", 1.0)), "c")
    assert finding.code == "sampling.default-changed" and "changed to 1.0" in finding.message
    assert "vLLM: repetition_penalty 1.05 -> 1.0" in finding.message


def test_top_k_lost_changes_the_engines_without_a_top_k_default_only(qwen2: Any) -> None:
    effects = engine_effects("top_k", qwen2[1], {k: v for k, v in qwen2[1].items() if k != "top_k"})
    assert effects == ["transformers generate(): top_k 20 -> 50", "vLLM: top_k 20 -> unset", "SGLang: top_k 20 -> unset",
                       "llama.cpp (a GGUF converted from it): top_k 20 -> 40"]


def test_generate_decodes_greedily_without_do_sample_so_only_the_servers_change(llama3: Any) -> None:
    greedy = {**llama3[1], "do_sample": False}
    effects = engine_effects("temperature", greedy, {k: v for k, v in greedy.items() if k != "temperature"})
    assert not any(effect.startswith("transformers") for effect in effects) and any(e.startswith("vLLM") for e in effects)
    [finding] = check_sampling_defaults(*_pair(llama3, lambda g: g.pop("do_sample")), "c")
    assert finding.message.endswith("transformers generate(): do_sample true -> false")  # the servers never read it


def test_a_model_directory_without_the_file_lost_every_default_at_once(qwen2: Any) -> None:
    [finding] = check_sampling_defaults(*_pair(qwen2, file=False), "c")
    assert finding.code == "sampling.file-missing" and finding.severity is Severity.WARNING
    assert '"temperature": 0.7' in finding.message and "SGLang: top_k 20 -> unset" in finding.message


def test_quiet_on_a_resave_a_tokenizer_only_directory_and_a_default_tuned_adds(llama3: Any) -> None:
    assert check_sampling_defaults(*_pair(llama3, lambda g: g.update(transformers_version="5.0.0", top_k=None)), "c") == []
    assert check_sampling_defaults(*_pair(llama3, file=False, config=False), "c") == []  # no config.json: not a model
    assert check_sampling_defaults(*_pair(llama3, lambda g: g.__setitem__("min_p", 0.05)), "c") == []
    base_without = ModelConfigs("base", llama3[0], None)
    assert check_sampling_defaults(base_without, ModelConfigs("tuned", llama3[0], llama3[1]), "c") == []


def test_a_value_equal_to_every_engines_default_is_no_loss(llama3: Any) -> None:
    with_one = {**llama3[1], "repetition_penalty": 1.0}
    base = ModelConfigs("base", llama3[0], with_one)
    tuned = ModelConfigs("tuned", llama3[0], {k: v for k, v in with_one.items() if k != "repetition_penalty"})
    assert check_sampling_defaults(base, tuned, "c") == []


def _snapshots(tmp_path: Path, mutate: Any) -> tuple[Any, Any]:
    tuned_dir = tmp_path / "tuned"
    shutil.copytree(path_for("llama3"), tuned_dir)
    mutate(tuned_dir)
    return take_snapshot(resolve("zoo:llama3")), take_snapshot(resolve(str(tuned_dir)))


def test_the_static_check_compares_the_tokenizer_directorys_file(tmp_path: Path) -> None:
    base, tuned = _snapshots(tmp_path, edit("generation_config.json", without("top_p")))
    [finding] = [f for f in check_model_config(base, tuned) if f.code.startswith("sampling.")]
    assert finding.check == "model_config" and "vLLM: top_p 0.9 -> 1.0" in finding.message


def test_the_model_check_compares_a_separate_model_directory_once(tmp_path: Path) -> None:
    base, tuned = _snapshots(tmp_path, in_model_dir(without("temperature")))
    assert not [f for f in check_model_config(base, tuned) if f.code.startswith("sampling.")]  # tokenizer-only here
    inspection = ModelInspection(ModelPair(tuned=open_model(str(tmp_path / "tuned" / "model"))), tuned, base)
    [finding] = inspection.sampling
    assert (finding.check, finding.code) == ("model_sampling", "sampling.default-lost")
    # configs the tokenizer directory holds too were compared by the static check already
    for name in ("config.json", "generation_config.json"):
        shutil.copyfile(tmp_path / "tuned" / "model" / name, tmp_path / "tuned" / name)
    with_configs = take_snapshot(resolve(str(tmp_path / "tuned")))
    assert [f.code for f in check_model_config(base, with_configs) if f.code.startswith("sampling.")] == ["sampling.default-lost"]
    assert ModelInspection(inspection.models, with_configs, base).sampling == []


def test_a_generation_config_resaved_by_transformers_keeps_every_default(tmp_path: Path, qwen2: Any) -> None:
    from transformers import GenerationConfig

    GenerationConfig.from_pretrained(str(path_for("qwen2"))).save_pretrained(str(tmp_path))
    resaved = json.loads((tmp_path / "generation_config.json").read_text(encoding="utf-8"))
    assert check_sampling_defaults(ModelConfigs("base", qwen2[0], qwen2[1]), ModelConfigs("tuned", qwen2[0], resaved), "c") == []
