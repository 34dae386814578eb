"""The session: both sides resolved and loaded once, and reconciled in one place, the same way
whichever side is loaded first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.toys import edit_json
from tokcheck.session import Settings, SpecSetting, TokcheckSession


@pytest.mark.parametrize("tuned_sets", [None, "right"])
@pytest.mark.parametrize("first", ["base", "tuned"])
def test_a_fallback_load_takes_only_the_padding_side_its_files_leave_unset_from_the_other_side(
    toy_dir: Path, tmp_path: Path, tuned_sets: str | None, first: str
) -> None:
    """Read from tokenizer.json directly, a tokenizer gets the generic class's sides, where the class
    it was saved as may have its own (transformers 4's LlamaTokenizerFast pads left): sides its files
    do not set come from the side that loads as saved; a side its files set is kept, drift or not.
    Whichever side is asked for first, the result is the same."""
    base = Path(shutil.copytree(toy_dir, tmp_path / "base"))
    edit_json(base / "tokenizer_config.json", lambda c: c.__setitem__("padding_side", "left"))
    tuned = Path(shutil.copytree(toy_dir, tmp_path / "tuned"))

    def unloadable(config: dict) -> None:
        config["auto_map"] = {"AutoTokenizer": ["missing_module.Tok", "missing_module.TokFast"]}
        config.pop("padding_side", None)
        if tuned_sets:
            config["padding_side"] = tuned_sets

    edit_json(tuned / "tokenizer_config.json", unloadable)
    session = TokcheckSession(Settings(base=SpecSetting(str(base)), tuned=SpecSetting(str(tuned)), trust_remote_code=True))
    assert session.tuned is not None and session.base is not None
    getattr(session, first).tokenizer  # noqa: B018 - load this side first
    assert session.base.tokenizer.padding_side == "left"
    assert session.tuned.tokenizer.padding_side == (tuned_sets or "left")
    assert session.tuned.load_findings and not session.base.load_findings
