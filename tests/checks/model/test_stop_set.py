"""The model directories' stop set and special ids, on the real Llama 3 and Qwen2 zoo configs:
a stop id base has and tuned lost is named as the token generation no longer stops at; bos/pad
changes name both tokens; each side's configs are held to its own tokenizer unless base has the
same mismatch; and a model directory is read wherever it lives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tokcheck import zoo
from tokcheck.checks.model.inspection import ModelPair, generation_configs
from tokcheck.checks.model.stop_set import check_stop_set
from tokcheck.checks.model.weights import open_model
from tokcheck.sources.model_configs import ModelConfigs, read_model_configs, snapshot_configs
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import in_model_dir


def snapshot(name: str) -> TokenizerSnapshot:
    return take_snapshot(resolve(f"zoo:{name}"))


def changed(configs: ModelConfigs, **values: Any) -> ModelConfigs:
    return ModelConfigs("tuned model ./out", configs.config, {**(configs.generation_config or {}), **values})


def test_a_stop_id_removed_is_named_as_the_token_generation_runs_past() -> None:
    llama3 = snapshot("llama3")
    base = snapshot_configs(llama3, "base tokenizer zoo:llama3")
    findings = check_stop_set((llama3, base), (llama3, changed(base, eos_token_id=128001)), (128009, 128009))
    codes = {f.code: f for f in findings}
    removed = codes["model-config.stop-id-removed"]
    assert removed.message.startswith("generation will not stop at '<|eot_id|>' (id 128009)")
    assert "tuned model ./out: generation_config.json" in removed.message
    # tuned's own tokenizer ends turns and sequences with <|eot_id|>: both said too
    assert {"model-config.eos-not-a-stop", "model-config.end-of-turn-not-a-stop"} <= set(codes)


def test_the_same_configs_pass() -> None:
    llama3 = snapshot("llama3")
    base = snapshot_configs(llama3, "base")
    assert check_stop_set((llama3, base), (llama3, changed(base)), (128009, 128009)) == []


def test_bos_and_pad_changes_name_both_tokens() -> None:
    qwen2 = snapshot("qwen2")
    base = snapshot_configs(qwen2, "base")
    findings = check_stop_set((qwen2, base), (qwen2, changed(base, pad_token_id=151645, bos_token_id=151644)))
    messages = {f.code: f.message for f in findings}
    assert "151643 ('<|endoftext|>') in base" in messages["model-config.pad-token-id-changed"]
    assert "151645 ('<|im_end|>') in tuned" in messages["model-config.pad-token-id-changed"]
    assert "model-config.bos-token-id-changed" in messages


def test_a_mismatch_base_has_too_is_not_drift() -> None:
    llama3 = snapshot("llama3")
    # base's own stop set lacks its eos too: the same in tuned is how the model was made
    base = ModelConfigs("base", llama3.model_config, {**(llama3.generation_config or {}), "eos_token_id": 128001})
    assert check_stop_set((llama3, base), (llama3, changed(base)), (None, None)) == []


def test_a_model_directory_apart_from_the_tokenizer_is_read(tmp_path: Path) -> None:
    tuned = tmp_path / "tuned"
    shutil.copytree(zoo.path_for("llama3"), tuned)
    in_model_dir(lambda g: g.__setitem__("eos_token_id", 128001))(tuned)
    assert not (tuned / "generation_config.json").exists()
    models = ModelPair(tuned=open_model(str(tuned / "model")))
    base_configs, tuned_configs = generation_configs(models, snapshot("llama3"), "zoo:llama3")
    assert base_configs is not None and base_configs.label == "base tokenizer zoo:llama3"
    assert tuned_configs.stop_ids() is not None and tuned_configs.stop_ids().ids == (128001,)  # type: ignore[union-attr]
    assert read_model_configs(tuned, "tokenizer dir").present is False
    saved = json.loads((tuned / "model" / "generation_config.json").read_text(encoding="utf-8"))
    assert saved["eos_token_id"] == 128001


def test_an_adapters_configs_are_its_base_models(tmp_path: Path) -> None:
    # A LoRA adapter on a Llama 3 base (pretrained) model, saved as LLaMA-Factory does: the chat
    # tokenizer beside it ends with <|eot_id|>; the base model, named by base_model_name_or_path
    # as a local directory, ends with <|end_of_text|> and stops at 128001 only. generate() reads
    # the base model's generation_config.json, not the copy beside the adapter.
    from tests.checks.model.builders import adapter
    from tokcheck.checks.model.inspection import ModelInspection

    base_dir = tmp_path / "base"
    shutil.copytree(zoo.path_for("llama3"), base_dir)
    config_path = base_dir / "tokenizer_config.json"
    config_path.write_text(json.dumps({**json.loads(config_path.read_text(encoding="utf-8")),
                                       "eos_token": "<|end_of_text|>"}), encoding="utf-8")
    in_model_dir(lambda g: g.__setitem__("eos_token_id", 128001))(base_dir)
    tuned_dir = adapter(tmp_path / "adapter", Path(zoo.path_for("llama3")), base_dir / "model", None, modules=[])
    assert json.loads((tuned_dir / "generation_config.json").read_text(encoding="utf-8"))["eos_token_id"] == [128001, 128009]
    models = ModelPair(tuned=open_model(str(tuned_dir)))
    assert models.tuned.is_adapter and models.adapter_base is not None

    base, tuned = take_snapshot(resolve(str(base_dir))), take_snapshot(resolve(str(tuned_dir)))
    base_configs, tuned_configs = generation_configs(models, base, str(base_dir))
    label = f"base model of the adapter {base_dir / 'model'}"
    assert base_configs is not None and base_configs.label == tuned_configs.label == label
    assert tuned_configs.stop_ids() is not None and tuned_configs.stop_ids().ids == (128001,)  # type: ignore[union-attr]
    [finding] = ModelInspection(models, tuned, base).stop_set
    assert finding.code == "model-config.eos-not-a-stop"
    assert "'<|eot_id|>' (id 128009)" in finding.message and label in finding.message
    assert models.config_jsons()[1] == (f"adapter's base model {base_dir / 'model'}", models.adapter_base.config)
