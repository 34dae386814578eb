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
