"""Shared fixtures for tokcheck's own tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.kept import keep_for_the_process
from tests.toys import build_toy, clone
from tokcheck.checks.static import static_findings
from tokcheck.findings import Finding
from tokcheck.paths import CACHE_ENV, user_cache_dir
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

LAYOUTS = Path(__file__).parent / "data" / "layouts"
# The user's cache, found before pytester points HOME at a temporary directory: runs in pytester
# then reuse the zoo tokenizers built there instead of rebuilding them per test.
USER_CACHE = user_cache_dir()


@pytest.fixture(autouse=True)
def _shared_tokcheck_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(USER_CACHE))


@pytest.fixture(scope="session", autouse=True)
def _heavy_modules_imported_once() -> None:
    """pytester's in-process runs drop modules first imported inside them; importing transformers
    (and numpy with it) here keeps them loaded across runs instead of re-importing per run."""
    import importlib.util

    from tokcheck.environment import import_transformers

    import_transformers()
    # transformers imports torch lazily, inside a run, where one is installed; torch's C extension
    # cannot be imported a second time after pytester drops it ("SystemError: bad call flags", or a
    # crashed worker), so it is loaded here once too.
    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401
    keep_for_the_process()


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


@pytest.fixture(scope="session")
def zoo_tokenizer() -> Callable[[str], Any]:
    """zoo_tokenizer("llama3"): the live transformers tokenizer of a zoo base, loaded once."""
    loaded: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in loaded:
            loaded[name] = load_tokenizer(resolve(f"zoo:{name}"))
            keep_for_the_process()
        return loaded[name]

    return get
