"""How a behaviour difference is told: both id lists with the first differing tokens, and a
reproduction line that really prints the two id lists when run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tokcheck.checks.behaviour.run import BehaviourRun


def test_a_finding_carries_both_ids_the_first_difference_and_a_working_reproduction(
    variant_run: Callable[[str], BehaviourRun], tmp_path: Path
) -> None:
    run = variant_run("lstrip_special")
    findings = run.sweep_findings("custom_texts")
    assert len(findings) == 1
    finding = findings[0]
    assert finding.where == "text ' <|eot_id|>'"
    assert finding.base == [220, 128009] and finding.tuned == [128009]
    assert "first difference at position 0: base 'Ġ', tuned '<|eot_id|>'" in finding.detail
    command = next(line for line in finding.detail.splitlines() if line.startswith("reproduce: "))[len("reproduce: "):]
    printed = subprocess.run(
        ["bash", "-c", command.replace("python ", f"{sys.executable} ", 1)], capture_output=True, text=True, cwd=tmp_path,
        timeout=300, check=True,
    ).stdout.split("\n")
    assert printed[:2] == ["[220, 128009]", "[128009]"]
