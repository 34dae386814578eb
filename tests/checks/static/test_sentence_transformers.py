"""The sentence-transformers check on the zoo's MiniLM (all-MiniLM-L6-v2 with its real module files:
mean pooling, Normalize, max_seq_length 256), edited by the zoo's own mutations and by hand."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tokcheck import zoo
from tokcheck.checks.static.sentence_transformers import check_sentence_transformers
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import edit, pooling_mode, removed, sentence_transformers_resave

HEAVY = {"model.safetensors", "README.md", "data_config.json"}  # not read by any static check


@pytest.fixture(scope="module")
def base() -> TokenizerSnapshot:
    return take_snapshot(resolve("zoo:minilm"))


def _tuned(tmp_path: Path, *mutations: Callable[[Path], None]) -> TokenizerSnapshot:
    """A copy of zoo:minilm's files (without its weights) after `mutations`."""
    dest = tmp_path / "tuned"
    shutil.copytree(zoo.path_for("minilm"), dest, ignore=lambda _, names: [n for n in names if n in HEAVY])
    for mutation in mutations:
        mutation(dest)
    return take_snapshot(resolve(str(dest)))


def _codes(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[tuple[str, str]]:
    return [(f.code, f.severity.value) for f in check_sentence_transformers(base, tuned)]


def test_the_snapshot_reads_minilm_modules(base: TokenizerSnapshot) -> None:
    st = base.sentence_transformers
    assert [m["type"].rpartition(".")[2] for m in st["modules.json"]] == ["Transformer", "Pooling", "Normalize"]
    assert st["1_Pooling/config.json"]["pooling_mode_mean_tokens"] is True
    assert st["sentence_bert_config.json"] == {"max_seq_length": 256, "do_lower_case": False}


def test_a_copy_and_a_sentence_transformers_3_resave_are_quiet(base: TokenizerSnapshot, tmp_path: Path) -> None:
    assert _codes(base, base) == []
    assert _codes(base, _tuned(tmp_path, sentence_transformers_resave)) == []


def test_lost_pooling_is_an_error(base: TokenizerSnapshot, tmp_path: Path) -> None:
    findings = check_sentence_transformers(base, _tuned(tmp_path, removed("1_Pooling/config.json")))
    assert [(f.code, f.severity.value) for f in findings] == [("sentence-transformers.pooling-lost", "error")]
    assert "1_Pooling/config.json is missing" in findings[0].message and "mean" in findings[0].message


def test_mean_to_cls_is_an_error(base: TokenizerSnapshot, tmp_path: Path) -> None:
    tuned = _tuned(tmp_path, edit("1_Pooling/config.json", pooling_mode("cls")))
    assert _codes(base, tuned) == [("sentence-transformers.pooling-changed", "error")]


def test_sentence_transformers_5_pooling_mode_string_reads_as_the_flags(base: TokenizerSnapshot, tmp_path: Path) -> None:
    tuned = _tuned(tmp_path, edit("1_Pooling/config.json", lambda c: {"word_embedding_dimension": 384, "pooling_mode": "mean"}))
    assert _codes(base, tuned) == []


def test_dropped_module_files_normalize_lower_case_and_prompts(base: TokenizerSnapshot, tmp_path: Path) -> None:
    dropped = _tuned(tmp_path / "a", removed("modules.json"))
    assert _codes(base, dropped) == [("sentence-transformers.modules-missing", "error")]
    no_normalize = _tuned(tmp_path / "b", edit("modules.json", lambda m: m[:2]))
    assert _codes(base, no_normalize) == [("sentence-transformers.normalize-lost", "warning")]
    lower = _tuned(tmp_path / "c", edit("sentence_bert_config.json", lambda c: c.__setitem__("do_lower_case", True)))
    assert _codes(base, lower) == [("sentence-transformers.lower-case-changed", "error")]
    prompted = _tuned(tmp_path / "d", edit("config_sentence_transformers.json",
                                           lambda c: c.update(prompts={"query": "query: "}, similarity_fn_name="dot")))
    assert _codes(base, prompted) == [("sentence-transformers.prompts-changed", "warning"),
                                      ("sentence-transformers.similarity-changed", "warning")]


def test_a_checkpoint_without_modules_on_either_side_has_no_finding(base: TokenizerSnapshot, tmp_path: Path) -> None:
    plain = _tuned(tmp_path, removed("modules.json"), removed("sentence_bert_config.json"))
    # A module's config is read only where modules.json names it.
    assert set(plain.sentence_transformers) == {"config_sentence_transformers.json"}
    assert _codes(plain, plain) == []


def test_a_dense_layer_changed_is_an_error(base: TokenizerSnapshot, tmp_path: Path) -> None:
    def with_dense(out_features: int) -> Callable[[Path], None]:
        def mutate(dest: Path) -> None:
            (dest / "2_Dense").mkdir(exist_ok=True)
            (dest / "2_Dense" / "config.json").write_text(json.dumps(
                {"in_features": 384, "out_features": out_features, "bias": True,
                 "activation_function": "torch.nn.modules.activation.Tanh"}))
            edit("modules.json", lambda m: [*m[:2], {"idx": 2, "name": "2", "path": "2_Dense",
                                                     "type": "sentence_transformers.models.Dense"}])(dest)
        return mutate

    with_768 = _tuned(tmp_path / "a", with_dense(768))
    assert _codes(with_768, _tuned(tmp_path / "b", with_dense(256))) == [("sentence-transformers.dense-changed", "error")]
