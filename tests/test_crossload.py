"""Directories saved by the other transformers major load here, or, where this version cannot load
them as saved, load from tokenizer.json with a warning finding instead of a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import transformers
from tokenizers import Tokenizer

from tests.conftest import LAYOUTS
from tests.toys import edit_json
from tokcheck.loading import load_tokenizer_noting_fallback, resolve
from tokcheck.session import Settings, SpecSetting, TokcheckSession

MAJOR = transformers.__version__.split(".")[0]
TEXT = "Hello world! <|eot_id|> Grüße"


@pytest.mark.parametrize("layout", sorted(path.name for path in LAYOUTS.iterdir() if path.is_dir()))
def test_each_majors_save_loads_and_encodes_like_its_tokenizer_json(layout: str) -> None:
    tokenizer, problem = load_tokenizer_noting_fallback(resolve(str(LAYOUTS / layout)))
    raw = Tokenizer.from_file(str(LAYOUTS / layout / "tokenizer.json"))
    assert tokenizer.encode(TEXT) == raw.encode(TEXT).ids
    assert tokenizer.eos_token == "<|eot_id|>" and tokenizer.chat_template
    saved_by_v5, running_v4 = layout.startswith("transformers-5"), MAJOR == "4"
    if saved_by_v5 and running_v4:
        assert problem is not None and "TokenizersBackend" in problem
    else:
        assert problem is None


def test_unloadable_as_saved_is_a_warning_finding(toy_dir: Path, tmp_path: Path) -> None:
    """Custom code that is not there: AutoTokenizer fails, tokenizer.json still loads."""
    tuned = Path(shutil.copytree(toy_dir, tmp_path / "tuned"))
    edit_json(tuned / "tokenizer_config.json",
              lambda c: c.__setitem__("auto_map", {"AutoTokenizer": ["missing_module.Tok", "missing_module.TokFast"]}))
    session = TokcheckSession(Settings(base=SpecSetting(str(toy_dir)), tuned=SpecSetting(str(tuned)), trust_remote_code=True))
    assert session.tuned is not None and session.base is not None
    assert session.tuned.tokenizer.encode(TEXT) == session.base.tokenizer.encode(TEXT)
    (finding,) = session.tuned.load_findings
    assert finding.code == "loading.not-loadable-as-saved" and finding.severity.value == "warning"
    assert session.base.load_findings == []


@pytest.mark.parametrize("tuned_sets", [None, "right"])
def test_a_fallback_load_takes_only_the_padding_side_its_files_leave_unset_from_the_other_side(
    toy_dir: Path, tmp_path: Path, tuned_sets: str | None
) -> None:
    """Read from tokenizer.json directly, a tokenizer gets the generic class's sides, where the class
    it was saved as may have its own (transformers 4's LlamaTokenizerFast pads left): sides its files
    do not set come from the side that loads as saved; a side its files set is kept, drift or not."""
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
    assert session.base.tokenizer.padding_side == "left"
    assert session.tuned.tokenizer.padding_side == (tuned_sets or "left")
    assert session.tuned.load_findings and not session.base.load_findings
