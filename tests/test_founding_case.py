"""The founding case on the real Llama 3.0 tokenizer: LLaMA-Factory's llama3 template adds the stop
word <|eom_id|>, which Llama 3.0 does not have, as a new special token at id 128256."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.files import tree_digest
from tokcheck.plugin import BASE_OPTION, REPORT_OPTION, TUNED_OPTION


def llamafactory_fix_special_tokens(base: Path, dest: Path) -> Path:
    """What LLaMA-Factory's get_template_and_fix_tokenizer does for template llama3 (replace_eos,
    stop_words ["<|eot_id|>", "<|eom_id|>"]), then save_pretrained without resizing."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base))
    tokenizer.add_special_tokens({"eos_token": "<|eot_id|>"})
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    try:  # transformers 4 spelling; LLaMA-Factory falls back to the plain call on TypeError
        tokenizer.add_special_tokens(
            {"additional_special_tokens": ["<|eom_id|>"]}, **{"replace_additional_special_tokens": False}
        )
    except TypeError:
        tokenizer.add_special_tokens({"additional_special_tokens": ["<|eom_id|>"]}, replace_extra_special_tokens=False)
    tokenizer.save_pretrained(str(dest))
    return dest


@pytest.fixture(scope="module")
def llama3() -> Path:
    from tokcheck import zoo

    return zoo.path_for("llama3")


def test_report_names_eom_and_its_id(pytester: pytest.Pytester, llama3: Path, tmp_path: Path) -> None:
    tuned = llamafactory_fix_special_tokens(llama3, tmp_path / "llama3-sft")
    base_before, tuned_before = tree_digest(llama3), tree_digest(tuned)
    result = pytester.runpytest(BASE_OPTION, "zoo:llama3", TUNED_OPTION, str(tuned), REPORT_OPTION, "drift.json", "-m", "static")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*tuned adds special token '<|eom_id|>' at id 128256; base has ids 0-128255, so a model sized for base "
        "has no embedding row for it",
        "*fix: restore the base tokenizer files*resize and train the embeddings*",
    ])
    findings = json.loads((pytester.path / "drift.json").read_text())["findings"]
    codes = {finding["code"] for finding in findings}
    assert {"vocab.added-beyond-base", "roles.pad-is-eos"} <= codes
    assert tree_digest(llama3) == base_before and tree_digest(tuned) == tuned_before
