"""Tuned specs -> checkpoints: training output directories, globs, repeated specs, ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.checkpoints import expand_tuned
from tokcheck.sources.fingerprint import tokenizer_fingerprint
from tokcheck.sources.spec import resolve


def _save(toy_dir: Path, dest: Path) -> Path:
    shutil.copytree(toy_dir, dest)
    return dest


def _run_dir(toy_dir: Path, root: Path, steps: list[int], *, final: bool) -> Path:
    root.mkdir()
    for step in steps:
        _save(toy_dir, root / f"checkpoint-{step}")
    if final:
        shutil.copytree(toy_dir, root, dirs_exist_ok=True)
    return root


def test_a_training_output_directory_expands_to_its_checkpoints_by_step_then_its_own_save(
    toy_dir: Path, tmp_path: Path
) -> None:
    run = _run_dir(toy_dir, tmp_path / "sft", [1500, 500, 10000], final=True)
    found = expand_tuned([("sft", tmp_path)])
    assert [c.id for c in found.checkpoints] == ["checkpoint-500", "checkpoint-1500", "checkpoint-10000", "sft"]
    assert [c.spec for c in found.checkpoints] == [str(Path("sft") / "checkpoint-500"), str(Path("sft") / "checkpoint-1500"),
                                                   str(Path("sft") / "checkpoint-10000"), "sft"]
    assert all(resolve(c.spec, relative_to=c.relative_to).directory.parent in (run, tmp_path) for c in found.checkpoints)


def test_a_checkpoint_without_tokenizer_files_is_listed_not_checked(toy_dir: Path, tmp_path: Path) -> None:
    run = _run_dir(toy_dir, tmp_path / "sft", [500], final=False)
    (run / "checkpoint-1000").mkdir()
    (run / "checkpoint-1000" / "trainer_state.json").write_text("{}")
    found = expand_tuned([(str(run), None)])
    assert [c.id for c in found.checkpoints] == ["checkpoint-500"]
    assert found.without_tokenizer == [str(run / "checkpoint-1000")]


def test_a_run_directory_with_no_tokenizer_anywhere_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "run" / "checkpoint-5").mkdir(parents=True)
    with pytest.raises(TokcheckUsageError, match="neither it nor its checkpoint-N folders hold tokenizer files"):
        expand_tuned([(str(tmp_path / "run"), None)])


def test_globs_expand_in_natural_order_and_a_glob_matching_nothing_is_a_usage_error(toy_dir: Path, tmp_path: Path) -> None:
    _run_dir(toy_dir, tmp_path / "run1", [20, 3, 100], final=False)
    found = expand_tuned([("run1/checkpoint-*", tmp_path)])
    assert [c.id for c in found.checkpoints] == ["checkpoint-3", "checkpoint-20", "checkpoint-100"]
    with pytest.raises(TokcheckUsageError, match="matches no file or directory"):
        expand_tuned([("run2/checkpoint-*", tmp_path)])


def test_repeated_specs_keep_their_order_ids_are_unique_and_one_spec_is_unchanged(toy_dir: Path, tmp_path: Path) -> None:
    for run in ("a", "b"):
        _run_dir(toy_dir, tmp_path / run, [500], final=False)
    found = expand_tuned([("a", tmp_path), ("b", tmp_path), ("zoo:llama3-eom", tmp_path)])
    assert [c.id for c in found.checkpoints] == ["a-checkpoint-500", "b-checkpoint-500", "llama3-eom"]
    single = expand_tuned([(" zoo:llama3 ", None)])
    assert [(c.id, c.spec) for c in single.checkpoints] == [("llama3", "zoo:llama3")]


def test_a_json_reserialized_save_has_the_fingerprint_of_the_original_and_a_changed_key_does_not(
    toy_dir: Path, tmp_path: Path
) -> None:
    reserialized = _save(toy_dir, tmp_path / "reserialized")
    for path in reserialized.glob("*.json"):
        path.write_text(json.dumps(json.loads(path.read_text()), indent=4, sort_keys=True, ensure_ascii=True))
    changed = _save(toy_dir, tmp_path / "changed")
    config = json.loads((changed / "tokenizer_config.json").read_text())
    config["padding_side"] = "left" if config.get("padding_side") != "left" else "right"
    (changed / "tokenizer_config.json").write_text(json.dumps(config))
    original = tokenizer_fingerprint(resolve(str(toy_dir)), {})
    assert tokenizer_fingerprint(resolve(str(reserialized)), {}) == original
    assert tokenizer_fingerprint(resolve(str(changed)), {}) != original


@pytest.mark.parametrize("merges", [[5, 6], [["a", "b"], ["c"]], ["a b", 7], "a b", [[1, 2]]],
                         ids=["ints", "a short pair", "mixed", "a string", "int pairs"])
def test_a_tokenizer_json_of_the_wrong_shape_is_fingerprinted_by_its_bytes(
    merges: object, toy_dir: Path, tmp_path: Path
) -> None:
    # A checkpoint that only repeats another is fingerprinted, never validated: damage there must
    # not crash the grouping (the checkpoint is then checked, and its snapshot names the damage).
    damaged = _save(toy_dir, tmp_path / "damaged")
    data = json.loads((damaged / "tokenizer.json").read_text())
    data["model"]["merges"] = merges
    (damaged / "tokenizer.json").write_text(json.dumps(data))
    assert tokenizer_fingerprint(resolve(str(damaged)), {}) != tokenizer_fingerprint(resolve(str(toy_dir)), {})
