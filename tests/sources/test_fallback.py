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
from tokcheck.session import Settings, SpecSetting, TokcheckSession
from tokcheck.sources.live import load
from tokcheck.sources.spec import resolve

MAJOR = transformers.__version__.split(".")[0]
TEXT = "Hello world! <|eot_id|> Grüße"


@pytest.mark.parametrize("layout", sorted(path.name for path in LAYOUTS.iterdir() if path.is_dir()))
def test_each_majors_save_loads_and_encodes_like_its_tokenizer_json(layout: str) -> None:
    loaded = load(resolve(str(LAYOUTS / layout)))
    tokenizer, problem = loaded.tokenizer, loaded.fallback_reason
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
