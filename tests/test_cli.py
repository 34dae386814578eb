"""The `tokcheck` command: `diff` (the static report without pytest, exit codes 0 / 1 / 2) and `golden`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.files import tree_digest
from tests.toys import edit_json
from tokcheck.cli import EXIT_CLEAN, EXIT_DRIFT, EXIT_USAGE, main


def test_identical_is_clean(toy_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(toy_dir), str(toy_dir)]) == EXIT_CLEAN
    assert "no failing drift: 0 error(s)" in capsys.readouterr().out


def test_drift_exits_1_and_writes_the_report(toy_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tuned = tmp_path / "tuned"
    shutil.copytree(toy_dir, tuned)
    edit_json(tuned / "tokenizer_config.json", lambda c: c.__setitem__("eos_token", "<|end_of_text|>"))
    report = tmp_path / "report.json"
    assert main(["diff", str(toy_dir), str(tuned), "--report", str(report)]) == EXIT_DRIFT
    assert "eos_token is '<|eot_id|>' in base but '<|end_of_text|>' in tuned" in capsys.readouterr().out
    assert json.loads(report.read_text())["findings"][0]["code"] == "roles.eos-changed"


def test_strict_makes_warnings_fail(toy_dir: Path, tmp_path: Path) -> None:
    tuned = tmp_path / "tuned"
    shutil.copytree(toy_dir, tuned)
    edit_json(tuned / "tokenizer_config.json", lambda c: c.__setitem__("model_max_length", 2048))
    assert main(["diff", str(toy_dir), str(tuned)]) == EXIT_CLEAN
    assert main(["diff", str(toy_dir), str(tuned), "--strict"]) == EXIT_DRIFT


@pytest.mark.parametrize("tuned", ["/no/such/dir", "zoo:no-such-tokenizer"])
def test_bad_input_exits_2_with_one_line(toy_dir: Path, tuned: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(toy_dir)
    assert main(["diff", str(toy_dir), tuned]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("tokcheck: error: ")
    assert tree_digest(toy_dir) == before


def test_accepted_drift_is_reported_and_does_not_fail(toy_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tuned = tmp_path / "tuned"
    shutil.copytree(toy_dir, tuned)
    edit_json(tuned / "tokenizer_config.json", lambda c: c.update(pad_token="<|eot_id|>", padding_side="left"))
    assert main(["diff", str(toy_dir), str(tuned), "--accept", "roles.pad-is-eos"]) == EXIT_DRIFT
    assert main(["diff", str(toy_dir), str(tuned), "--accept", "roles.pad-is-eos", "--accept", "config.*:padding_side"]) == EXIT_CLEAN
    assert "(accepted, was error) tuned sets pad_token to the eos token" in capsys.readouterr().out


def test_cli_record_then_check(toy_dir: Path, tmp_path: Path) -> None:
    assert main(["golden", "record", str(toy_dir), str(tmp_path / "g")]) == EXIT_CLEAN
    assert main(["golden", "check", str(toy_dir), str(tmp_path / "g")]) == EXIT_CLEAN
    chat = tmp_path / "g" / "chat.json"
    chat.write_text(chat.read_text(encoding="utf-8").replace("Hello!", "Hi!", 1), encoding="utf-8")
    assert main(["golden", "check", str(toy_dir), str(tmp_path / "g")]) == EXIT_DRIFT
