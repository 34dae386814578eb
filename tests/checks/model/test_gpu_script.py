"""scripts/gpu_check.py where there is no GPU (as in CI): it runs the gpu tests, prints why they
were skipped, and exits 2 so that nothing passes for a GPU check that did not run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checks.model.fixtures import Checkpoints

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "gpu_check.py"


@pytest.mark.torch  # the reason differs with torch installed
def test_without_cuda_the_script_says_why_and_exits_2(checkpoints: Checkpoints, toy_dir: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--base-tokenizer", str(toy_dir), "--tuned", str(toy_dir),
         "--tuned-model", str(checkpoints.eom_mean_row)],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=300,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    reason = "torch is not installed" if importlib.util.find_spec("torch") is None else "CUDA is not available"
    lines = done.stdout.splitlines()
    assert lines[0] == "tokcheck gpu check"
    assert "[NOT RUN] given pair: 3 skipped" in done.stdout
    assert any(line.startswith(f"    skipped: {reason}") for line in lines)
    assert lines[-1] == "nothing ran on a GPU (see the skip reasons above)"
