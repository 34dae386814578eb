"""A tuned tokenizer directory without generation_config.json / config.json, its configs saved in a
model directory apart from it (zoo:llama3, as in_model_dir saves it): the static INFO does not say
the special ids go uncompared; it names the model stop-set test, which does compare the model
directory's (Llama 3's eos_token_id [128001, 128009] -> 128001)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tokcheck import zoo
from tokcheck.checks.model.inspection import ModelInspection, ModelPair
from tokcheck.checks.model.weights import open_model
from tokcheck.checks.static.model_config import check_model_config
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import in_model_dir


def test_missing_configs_point_at_the_model_stop_set_test_which_compares_them(tmp_path: Path) -> None:
    tuned_dir = tmp_path / "tuned"
    shutil.copytree(zoo.path_for("llama3"), tuned_dir)
    in_model_dir(lambda g: g.__setitem__("eos_token_id", 128001))(tuned_dir)
    base, tuned = take_snapshot(resolve("zoo:llama3")), take_snapshot(resolve(str(tuned_dir)))

    missing = [f for f in check_model_config(base, tuned) if f.code == "model-config.file-missing"]
    assert {f.where for f in missing} == {"config.json", "generation_config.json"}
    for finding in missing:
        assert "are not compared" not in finding.message
        assert f"tuned's tokenizer directory has no {finding.where}" in finding.message
        assert "model stop-set test" in finding.message and "--tuned-model" in finding.message

    # The promise holds: with the model directory given, the stop set in it is compared with base's.
    models = ModelPair(tuned=open_model(str(tuned_dir / "model")))
    removed = [f for f in ModelInspection(models, tuned, base).stop_set if f.code == "model-config.stop-id-removed"]
    assert [f.message.split(":")[0] for f in removed] == ["generation will not stop at '<|eot_id|>' (id 128009)"]
