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


def python_block(document: str, after_heading: str) -> str:
    text = (ROOT / document).read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text[text.index(after_heading):], re.S)
    assert block is not None
    return block.group(1)


def test_the_property_test_example_runs_and_shrinks_to_a_minimal_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=python_block("docs/in-your-tests.md", "## For your own property tests"))
    pair = ("--base-tokenizer", "zoo:llama3", "--tokcheck-no-suite", "-p", "no:cacheprovider", "-W", "error")
    pytester.runpytest(*pair, "--tuned", "zoo:llama3-resaved").assert_outcomes(passed=1)
    drifted = pytester.runpytest(*pair, "--tuned", "zoo:llama3-no-bos")  # BOS dropped from the post-processor
    drifted.assert_outcomes(failed=1)
    drifted.stdout.fnmatch_lines(["*base and tuned give different ids for text ''*", "*base  (1 ids): [[]128000[]]*"])


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(document: Path) -> set[str]:
    """GitHub's heading anchors: lowercased, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", document.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_link_resolves(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not followed offline
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name}: {target} does not exist"
        if anchor:
            assert anchor in _anchors(linked), f"{document.name}: {target} names no heading of {linked.name}"


def test_the_readme_fits_a_first_screen_and_links_every_doc() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")} <= set(LINK.findall(readme))
