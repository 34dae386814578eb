"""The custom-code check: the .py files auto_map names (and the sibling files they import) compared
by sha256 with a diff, and never imported. Every file here writes a canary when imported; no test
may leave one. The checkpoint is the zoo's MiniLM (without its weights) with custom code added."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tokcheck import zoo
from tokcheck.checks.static import static_findings
from tokcheck.checks.static.custom_code import check_custom_code
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import edit

HEAVY = {"model.safetensors", "README.md", "data_config.json"}


def _canary_line(canary: Path) -> str:
    return f"open({str(canary)!r}, 'a').write(__name__ + '\\n')\n"


def _code(canary: Path) -> dict[str, str]:
    canary_line = _canary_line(canary)
    return {
        "configuration_mini.py": canary_line + "class MiniConfig:\n    model_type = 'mini'\n",
        "tokenization_mini.py": canary_line + (
            "from .configuration_mini import MiniConfig\n\n\n"
            "class MiniTokenizer:\n"
            "    def apply_chat_template(self, messages, tools=None):\n"
            "        return [m['content'] for m in messages]\n\n"
            "    def helper(self):\n"
            "        return 1\n"
        ),
        "modeling_mini.py": canary_line + "class MiniModel:\n    def forward(self, x):\n        return x\n",
    }


def _checkpoint(dest: Path, canary: Path, **replace: str) -> Path:
    shutil.copytree(zoo.path_for("minilm"), dest, ignore=lambda _, names: [n for n in names if n in HEAVY])
    for name, text in {**_code(canary), **replace}.items():
        if text:
            (dest / name).write_text(text, encoding="utf-8")
    edit("tokenizer_config.json", lambda c: c.__setitem__("auto_map", {"AutoTokenizer": ["tokenization_mini.MiniTokenizer", None]}))(dest)
    edit("config.json", lambda c: c.__setitem__("auto_map", {"AutoConfig": "configuration_mini.MiniConfig",
                                                             "AutoModel": "modeling_mini.MiniModel"}))(dest)
    return dest


def _snapshot(path: Path) -> TokenizerSnapshot:
    return take_snapshot(resolve(str(path)), trust_remote_code=True)  # the tokenizer's auto_map needs the flag


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    return tmp_path / "imported.txt"


@pytest.fixture
def base(tmp_path: Path, canary: Path) -> TokenizerSnapshot:
    return _snapshot(_checkpoint(tmp_path / "base", canary))


def test_the_snapshot_hashes_every_named_file_and_its_relative_imports(base: TokenizerSnapshot, canary: Path) -> None:
    assert {name: code.named_by for name, code in base.custom_code.items()} == {
        "tokenization_mini.py": "tokenizer_config.json auto_map AutoTokenizer",
        "configuration_mini.py": "config.json auto_map AutoConfig",
        "modeling_mini.py": "config.json auto_map AutoModel",
    }
    assert all(code.present and code.sha256 and len(code.sha256) == 64 for code in base.custom_code.values())
    assert check_custom_code(base, base) == []
    assert not canary.exists()
    # The canary works: running a file's text (our own, here) writes it.
    exec(compile(_code(canary)["modeling_mini.py"], "modeling_mini.py", "exec"), {"__name__": "modeling_mini"})
    assert canary.read_text() == "modeling_mini\n"


def test_a_changed_chat_template_method_is_an_error_with_the_diff(base: TokenizerSnapshot, tmp_path: Path, canary: Path) -> None:
    changed = _code(canary)["tokenization_mini.py"].replace("[m['content'] for m in messages]", "[]")
    tuned = _snapshot(_checkpoint(tmp_path / "tuned", canary, **{"tokenization_mini.py": changed}))
    findings = static_findings(base, tuned)  # every static check, as a run makes them
    custom = findings["custom_code"]
    assert [(f.code, f.severity.value, f.where) for f in custom] == [
        ("custom-code.tokenization-changed", "error", "tokenization_mini.py")]
    assert "changes MiniTokenizer.apply_chat_template" in custom[0].message
    assert "-        return [m['content'] for m in messages]" in custom[0].detail
    assert "+        return []" in custom[0].detail
    assert not canary.exists(), canary.read_text()


def test_other_changed_code_is_a_warning_and_a_missing_import_an_error(base: TokenizerSnapshot, tmp_path: Path, canary: Path) -> None:
    modeling = _code(canary)["modeling_mini.py"] + "\n# retrained\n"
    tuned = _snapshot(_checkpoint(tmp_path / "tuned", canary, **{"modeling_mini.py": modeling, "configuration_mini.py": ""}))
    findings = {f.code: f for f in check_custom_code(base, tuned)}
    assert findings["custom-code.file-changed"].severity.value == "warning"
    assert findings["custom-code.file-changed"].where == "modeling_mini.py"
    missing = findings["custom-code.file-missing"]
    assert missing.severity.value == "error" and missing.where == "configuration_mini.py"
    assert "config.json auto_map AutoConfig" in missing.message
    assert not canary.exists()


def test_a_file_that_does_not_parse_is_an_error(base: TokenizerSnapshot, tmp_path: Path, canary: Path) -> None:
    tuned = _snapshot(_checkpoint(tmp_path / "tuned", canary, **{"modeling_mini.py": "def broken(:\n"}))
    findings = check_custom_code(base, tuned)
    assert [(f.code, f.severity.value) for f in findings] == [("custom-code.tokenization-changed", "error")]
    assert "not valid Python" in findings[0].message
    assert not canary.exists()
