"""Print the minimal example the behaviour checks alone report for each of the issue's seven drift
mutations: each is made in a temporary directory from its zoo base, then the built-in suite runs
on it as a user would (`pytest -m behaviour --tokcheck-quick`, ci profile) from an empty directory.

    python -m tests.behaviour.show_catches [NAME ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.checks.behaviour.mutants import MUTANTS, build


def show(name: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        base, tuned = build(name, Path(work) / name)
        report = Path(work) / "report.json"
        empty = Path(work) / "run"
        empty.mkdir()
        command = [sys.executable, "-m", "pytest", f"--base-tokenizer=zoo:{base}", f"--tuned={tuned}", "-m", "behaviour",
                   "--tokcheck-quick", "--tokcheck-profile=ci", f"--tokcheck-report={report}", "-q", "-p", "no:cacheprovider"]
        result = subprocess.run(command, cwd=empty, capture_output=True, text=True, check=False)
        findings = [f for f in json.loads(report.read_text())["findings"] if f["severity"] == "error"]
        print(f"== {name} (zoo:{base}): exit {result.returncode}, {len(findings)} error finding(s)")
        for finding in findings:
            detail = [line for line in finding["detail"].splitlines() if not line.startswith("reproduce:")]
            print(f"  [{finding['check']}] {finding['message']}")
            print("    " + "\n    ".join(detail[:14]))


if __name__ == "__main__":
    for mutant in sys.argv[1:] or sorted(MUTANTS):
        show(mutant)
