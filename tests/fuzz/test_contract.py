"""The fuzz contract through real processes, on a sample: `tokcheck diff` exits 0/1 with findings or
2 with one line, the pytest suite 0/1 or 4 with one line, never a traceback; and symlinks (a loop,
one pointing outside the checkpoint) end the same way, with nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz import harness
from tests.fuzz.test_fuzz import HUGE_INT, _json_edit
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = {  # name -> (file, damage)
    "empty tokenizer.json": ("tokenizer.json", lambda original: b""),
    "truncated tokenizer.json": ("tokenizer.json", lambda original: original[: len(original) // 2]),
    "vocab_size a string": ("config.json", _json_edit(lambda d: d.__setitem__("vocab_size", "x"))),
    "5000-digit int": ("tokenizer_config.json", HUGE_INT),
    "header length 2**60": ("model.safetensors", lambda original: (2**60).to_bytes(8, "little") + original[8:]),
    "added token past the vocabulary": ("tokenizer.json", _json_edit(
        lambda d: d["added_tokens"][-1].__setitem__("id", 10**6))),
}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.build_checkpoint(tmp_path_factory.mktemp("contract") / "base")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


def _diff(base: Path, tuned: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tokcheck.cli", "diff", str(base), str(tuned)], capture_output=True,
                          text=True, env=_env(), timeout=300, cwd=tuned.parent)


def _suite(base: Path, tuned: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--base-tokenizer", str(base), "--tuned", str(tuned), "-m", "not behaviour",
         "-q", "-p", "no:cacheprovider"], capture_output=True, text=True, env=_env(), timeout=600, cwd=tuned.parent)


def assert_contract(base: Path, tuned: Path) -> tuple[int, int]:
    before = harness.tree_digest(tuned)
    diff = _diff(base, tuned)
    assert "Traceback" not in diff.stdout + diff.stderr, diff.stderr[-2000:]
    assert diff.returncode in (0, 1, 2), diff.stderr[-2000:]
    if diff.returncode == 2:
        assert len(diff.stderr.strip().splitlines()) == 1 and diff.stderr.startswith("tokcheck: error: "), diff.stderr
    suite = _suite(base, tuned)
    assert "Traceback" not in suite.stdout + suite.stderr, (suite.stdout + suite.stderr)[-3000:]
    assert suite.returncode in (0, 1, 4), (suite.stdout + suite.stderr)[-3000:]
    if suite.returncode == 4:
        lines = [line for line in (suite.stdout + suite.stderr).strip().splitlines() if line.strip()]
        assert len(lines) == 1, lines
    assert harness.tree_digest(tuned) == before
    return diff.returncode, suite.returncode


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_a_damaged_checkpoint_ends_in_an_exit_code_and_at_most_one_line(name: str, checkpoint: Path, tmp_path: Path) -> None:
    file, damage = SAMPLE[name]
    tuned = shutil.copytree(checkpoint, tmp_path / "tuned")
    (tuned / file).write_bytes(damage((tuned / file).read_bytes()))
    assert_contract(checkpoint, tuned)


def test_an_added_token_id_of_10_to_the_12_is_one_line_before_anything_is_sized_by_it(
    checkpoint: Path, tmp_path: Path
) -> None:
    # It once ended in a MemoryError, killed after 70 s: set(range(base.length, tuned.length)).
    tuned = shutil.copytree(checkpoint, tmp_path / "tuned")
    edit = _json_edit(lambda d: d["added_tokens"][-1].__setitem__("id", 10**12))
    (tuned / "tokenizer.json").write_bytes(edit((tuned / "tokenizer.json").read_bytes()))
    assert assert_contract(checkpoint, tuned) == (2, 4)


def test_a_damaged_checkpoint_in_a_training_run_is_one_line(checkpoint: Path, tmp_path: Path) -> None:
    # Each checkpoint after the first is fingerprinted before it is read: damage there too.
    run = tmp_path / "run"
    shutil.copytree(checkpoint, run / "checkpoint-100")
    damaged = shutil.copytree(checkpoint, run / "checkpoint-200")
    data = (damaged / "tokenizer.json").read_bytes()
    (damaged / "tokenizer.json").write_bytes(_json_edit(lambda d: d["model"].__setitem__("merges", [5, 6]))(data))
    assert assert_contract(checkpoint, run)[1] == 4


@pytest.mark.parametrize("file", ["tokenizer.json", "tokenizer_config.json", "config.json", "model.safetensors", "chat_template.jinja"])
def test_a_symlink_loop_is_one_line_in_process(file: str, checkpoint: Path, tmp_path: Path) -> None:
    tuned = shutil.copytree(checkpoint, tmp_path / "tuned")
    (tuned / file).unlink()
    (tuned / file).symlink_to(tuned / f"{file}.loop")
    (tuned / f"{file}.loop").symlink_to(tuned / file)
    outcome = harness.run_contained(take_snapshot(resolve(str(checkpoint))), tuned, live=True)
    assert outcome.usage is not None or outcome.findings >= 0  # ended: findings or one line, no crash


@pytest.mark.parametrize("file", ["tokenizer.json", "config.json", "model.safetensors"])
def test_a_symlink_outside_the_checkpoint_is_read_as_the_file_it_names(file: str, checkpoint: Path, tmp_path: Path) -> None:
    """Hugging Face's cache links every file to a blob outside the snapshot, so a link out is read,
    never refused; what it points at (here /etc/hostname, not a tokenizer) is bad input."""
    outside = Path("/etc/hostname") if Path("/etc/hostname").is_file() else Path(sys.executable)
    tuned = shutil.copytree(checkpoint, tmp_path / "tuned")
    (tuned / file).unlink()
    (tuned / file).symlink_to(outside)
    outcome = harness.run_contained(take_snapshot(resolve(str(checkpoint))), tuned, live=True)
    assert outcome.usage is not None


def test_a_symlink_loop_through_processes(checkpoint: Path, tmp_path: Path) -> None:
    tuned = shutil.copytree(checkpoint, tmp_path / "tuned")
    (tuned / "tokenizer.json").unlink()
    (tuned / "tokenizer.json").symlink_to(tuned / "loop")
    (tuned / "loop").symlink_to(tuned / "tokenizer.json")
    assert assert_contract(checkpoint, tuned)[0] == 2
