"""The one rule for the ids generation stops at: generation_config.json's eos_token_id (what
generate() uses), else config.json's (text_config's for multimodal configs), else the eos token."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import snapshot
from tests.toys import edit_json


def ids_of(directory: Path) -> dict[str, int]:
    tokens = snapshot(directory)
    return {name: tokens.token_id(name) or -1 for name in ("<|eot_id|>", "<|end_of_text|>", "<|begin_of_text|>")}


def test_generation_config_wins_and_says_where_it_comes_from(toy_dir: Path) -> None:
    ids = ids_of(toy_dir)
    found = snapshot(toy_dir).config_stop_ids()
    assert found is not None and found.where == "generation_config.json"
    assert set(found.ids) == {ids["<|eot_id|>"], ids["<|end_of_text|>"]}


def test_without_generation_config_it_is_config_json_then_nested_text_config(tuned_copy: Path, toy_dir: Path) -> None:
    ids = ids_of(toy_dir)
    (tuned_copy / "generation_config.json").unlink()
    found = snapshot(tuned_copy).config_stop_ids()
    assert found is not None and (found.ids, found.where) == ((ids["<|eot_id|>"],), "config.json")
    edit_json(tuned_copy / "config.json", lambda c: c.update(eos_token_id=None, text_config={"eos_token_id": [5, None, "x"]}))
    found = snapshot(tuned_copy).config_stop_ids()
    assert found is not None and found.ids == (5,)  # null and junk in a list of ids are no ids


def test_without_either_the_eos_token_stops_generation(tuned_copy: Path, toy_dir: Path) -> None:
    (tuned_copy / "generation_config.json").unlink()
    (tuned_copy / "config.json").unlink()
    tokens = snapshot(tuned_copy)
    assert tokens.config_stop_ids() is None
    assert tokens.stop_ids() == {ids_of(toy_dir)["<|eot_id|>"]}
    assert tokens.stop_ids(eos_token_id=7) == {7}  # what the live tokenizer says, when it says
