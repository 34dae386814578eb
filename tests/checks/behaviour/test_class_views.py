"""Class views: the model-specific classes a pair's files name are built on both sides only where
they can differ from AutoTokenizer, and kept as views only where their built pipelines show a
base/tuned difference the views already checked do not; findings in them name the class and the key.
Measured on the real Mistral v0.3 zoo tokenizer (tokenizer_class LlamaTokenizer, which transformers
5's AutoTokenizer loads as TokenizersBackend, and 4.x as LlamaTokenizerFast)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.checks.behaviour.conftest import quick_settings, session_for
from tests.llamacpp_marks import needs_converter
from tokcheck import zoo
from tokcheck.checks.behaviour.class_views import class_choices, differences
from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.environment import transformers_major
from tokcheck.sources.gguf import llamacpp_runtime

# The view a `legacy` change shows in, by transformers major (measured): 5.x's LlamaTokenizer
# rebuilds its Metaspace pre-tokenizer from legacy; 4.x's fast class reads tokenizer.json as saved,
# its sentencepiece class reads legacy.
LEGACY_VIEW = {5: "LlamaTokenizer", 4: "LlamaTokenizer from tokenizer.model (sentencepiece)"}


def with_config(tmp_path: Path, base: str, **values: Any) -> Path:
    dest = tmp_path / "tuned"
    shutil.copytree(zoo.path_for(base), dest)
    path = dest / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(values)
    path.write_text(json.dumps(config), encoding="utf-8")
    return dest


def test_a_llama3_pair_adds_no_view() -> None:
    session = session_for(zoo.path_for("llama3"), zoo.path_for("llama3-eom"))
    choices = [choice.name for choice in class_choices(session.pair())]
    # transformers 5: TokenizersBackend, and model_type llama maps to no class, so nothing is built;
    # 4.x maps llama to LlamaTokenizerFast, which reads tokenizer.json as AutoTokenizer does.
    assert choices == ([] if transformers_major() >= 5 else ["LlamaTokenizerFast"])
    assert [view.name for view in Comparison.from_session(session).views] == ["transformers"]


def test_legacy_read_only_by_a_specific_class_is_run_in_that_class_and_named(tmp_path: Path) -> None:
    session = session_for(zoo.path_for("mistral-v3"), with_config(tmp_path, "mistral-v3", legacy=True))
    run = BehaviourRun(session, quick_settings())
    views = run.comparison.views
    assert [view.name for view in views] == ["transformers", LEGACY_VIEW[transformers_major()]]
    assert "where tokenizer_config.json legacy differs" in views[1].note
    # AutoTokenizer's class does not read the key: its ids agree; the class view's do not.
    auto = views[0]
    texts = ["[INST]Hello[/INST]", "a", "</s>\n", "<s>Hey"]
    assert auto.base.encode(texts, add_special_tokens=True) == auto.tuned.encode(texts, add_special_tokens=True)
    [finding] = run.property_findings("ids")
    assert f"in {views[1].name} (named by tokenizer_class), where tokenizer_config.json legacy differs" in finding.message
    repro = finding.detail.split("reproduce: ")[1]
    assert 'getattr(transformers, "LlamaTokenizer").from_pretrained(' in repro
    out = subprocess.run([sys.executable, *shlex.split(repro)[1:]], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] != out[1]  # the line shows the two different id lists


@pytest.mark.parametrize("values", [{"legacy": False}, {"add_bos_token": True}], ids=["legacy-false", "add-bos-true"])
def test_a_key_set_to_the_class_default_adds_no_view(tmp_path: Path, values: dict[str, Any]) -> None:
    session = session_for(zoo.path_for("mistral-v3"), with_config(tmp_path, "mistral-v3", **values))
    assert [view.name for view in Comparison.from_session(session).views] == ["transformers"]


def test_built_pipelines_differ_in_the_part_the_key_rebuilds(tmp_path: Path) -> None:
    from tokcheck.checks.behaviour.class_views import built_pipeline, tokenizer_class

    cls = tokenizer_class("LlamaTokenizer")
    if transformers_major() < 5:
        pytest.skip("transformers 4's LlamaTokenizerFast reads tokenizer.json as saved (legacy changes nothing there)")
    base = cls.from_pretrained(str(zoo.path_for("mistral-v3")))
    tuned = cls.from_pretrained(str(with_config(tmp_path, "mistral-v3", legacy=True)))
    parts = {part for part, _, _ in differences(built_pipeline(base), built_pipeline(tuned))}
    assert parts == {"pre_tokenizer", "legacy"}
    assert not differences(built_pipeline(base), built_pipeline(base))


def test_keys_only_base_saves_add_no_view(tmp_path: Path) -> None:
    # A transformers 5 re-save drops keys such as legacy: false; that is no drift.
    base = with_config(tmp_path, "mistral-v3", legacy=False)
    session = session_for(base, zoo.path_for("mistral-v3"))
    assert [view.name for view in Comparison.from_session(session).views] == ["transformers"]


def test_model_type_from_the_model_directory_chooses_a_class_view(tmp_path: Path) -> None:
    # Qwen2 tokenizer directories saved apart from the model: no config.json and a generic
    # tokenizer_class, so AutoTokenizer builds TokenizersBackend, which ignores add_prefix_space;
    # Qwen2Tokenizer (what model_type qwen2 maps to) rebuilds its ByteLevel pre-tokenizer from it.
    from tokcheck.checks.model.inspection import ModelPair
    from tokcheck.checks.model.weights import open_model
    from tokcheck.zoo.mutations import in_model_dir

    if transformers_major() < 5:
        pytest.skip("measured on transformers 5's Qwen2Tokenizer, which rebuilds its pre-tokenizer")
    base = with_config(tmp_path / "base", "qwen2", tokenizer_class="TokenizersBackend")
    tuned = with_config(tmp_path / "tuned", "qwen2", tokenizer_class="TokenizersBackend", add_prefix_space=True)
    in_model_dir()(tuned)  # moves config.json (model_type qwen2) into tuned/model beside weights
    (base / "config.json").unlink()
    session = session_for(base, tuned)
    assert [view.name for view in Comparison.from_session(session).views] == ["transformers"]

    models = ModelPair(tuned=open_model(str(tuned / "model")))
    run = BehaviourRun(session, quick_settings(), models.config_jsons())
    views = run.comparison.views
    assert [view.name for view in views] == ["transformers", "Qwen2Tokenizer"]
    assert f"config.json model_type 'qwen2' of the tuned model {tuned / 'model'}" in views[1].note
    [finding] = run.property_findings("ids")
    assert "in Qwen2Tokenizer (config.json model_type 'qwen2' of the tuned model" in finding.message
    assert "where tokenizer_config.json add_prefix_space differs" in finding.message


@needs_converter
def test_a_gguf_side_gets_no_class_view(monkeypatch: pytest.MonkeyPatch) -> None:
    # Qwen2's tokenizer_class names Qwen2Tokenizer; built from a GGUF's directory (no files it
    # reads) it was an empty tokenizer, a "view" whose differences warned on every Qwen2 export.
    monkeypatch.setattr(llamacpp_runtime, "unavailable", lambda: "the llama.cpp view is not under test")
    comparison = Comparison.from_session(session_for("zoo:qwen2", "zoo:qwen2-gguf"))
    assert [view.name for view in comparison.views] == ["transformers"]
