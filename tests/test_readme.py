"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    first_block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert first_block is not None
    return [line for line in first_block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_the_main_job_and_the_test_command() -> None:
    main_job, test_command = readme_commands()
    assert "pytest --base-tokenizer zoo:llama3 --tuned zoo:llama3-eom" in main_job
    assert "pip install" in main_job and "pip install tox" in test_command
    # CI runs every env of tox.ini's envlist (issue 14): both transformers families, both Python ends, the model env.
    environments = re.search(r"tox -p 2 -e (\S+)$", test_command)
    assert environments is not None
    tox_ini = (ROOT / "tox.ini").read_text(encoding="utf-8")
    envlist = re.search(r"^envlist = (.+)$", tox_ini, re.M)
    assert envlist is not None and environments.group(1).split(",") == [e.strip() for e in envlist.group(1).split(",")]
    assert all(f"[testenv:{env}]" in tox_ini for env in environments.group(1).split(","))
    # tox -e full runs the same envs, every tier.
    full = re.search(r"^commands = python -m tox -c \{toxinidir\} -e (\S+)$", tox_ini, re.M)
    assert full is not None and full.group(1) == environments.group(1)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    _, test_command = readme_commands()
    assert ci_lines[-1] == test_command
    assert "set -euo pipefail" in ci_lines


def readme_python_block(after_heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text[text.index(after_heading):], re.S)
    assert block is not None
    return block.group(1)


def test_the_readme_property_test_example_runs_and_shrinks_to_a_minimal_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=readme_python_block("### For your own property tests"))
    pair = ("--base-tokenizer", "zoo:llama3", "--tokcheck-no-suite", "-p", "no:cacheprovider", "-W", "error")
    pytester.runpytest(*pair, "--tuned", "zoo:llama3-resaved").assert_outcomes(passed=1)
    drifted = pytester.runpytest(*pair, "--tuned", "zoo:llama3-no-bos")  # BOS dropped from the post-processor
    drifted.assert_outcomes(failed=1)
    drifted.stdout.fnmatch_lines(["*base and tuned give different ids for text ''*", "*base  (1 ids): [[]128000[]]*"])
