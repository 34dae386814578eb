"""The layers hold: import-linter's contracts in pyproject.toml pass (imports point down, no cycles
among siblings), a wrong-way import breaks them, and loading the plugin imports none of the heavy
libraries, as it happens in every pytest run of every project with tokcheck installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("transformers", "tokenizers", "hypothesis", "numpy", "torch")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert executable, "lint-imports is missing: pip install -e '.[test]' installs import-linter"
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([executable, "--no-cache"], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    "module, import_line, broken",
    [
        ("tokcheck/findings.py", "import tokcheck.plugin.options\n", "Layers"),  # the bottom importing the top
        ("tokcheck/sources/live.py", "import tokcheck.sources.snapshot\n", "No import cycles"),  # snapshot imports live
        ("tokcheck/checks/model/stop_set.py", "import tokcheck.checks.static.common\n", "stand alone"),  # one kind on another
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tmp_path: Path, module: str, import_line: str, broken: str) -> None:
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "tokcheck", copy / "tokcheck", ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + import_line, encoding="utf-8")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout


def test_loading_the_plugin_imports_no_heavy_library() -> None:
    code = ("import sys, tokcheck.plugin; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
