"""Shared fixtures for tokcheck's own tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.toys import build_toy, clone
from tokcheck.diff import static_findings
from tokcheck.findings import Finding
from tokcheck.loading import resolve
from tokcheck.snapshot import TokenizerSnapshot, take_snapshot

LAYOUTS = Path(__file__).parent / "data" / "layouts"


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Llama-3-shaped toy checkpoint saved by the installed transformers (do not modify: clone it)."""
    return build_toy(tmp_path_factory.mktemp("toy") / "base")


@pytest.fixture
def tuned_copy(toy_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the toy to mutate into a tuned checkpoint."""
    return clone(toy_dir, tmp_path / "tuned")


def snapshot(path: Path | str) -> TokenizerSnapshot:
    return take_snapshot(resolve(str(path)))


@pytest.fixture
def diff() -> Callable[[Path | str, Path | str], list[Finding]]:
    """All static findings of (base, tuned), flattened."""

    def run(base: Path | str, tuned: Path | str) -> list[Finding]:
        return [finding for check in static_findings(snapshot(base), snapshot(tuned)).values() for finding in check]

    return run
