"""Checkpoints for the model tests, built once per session in temporary directories: the real
Llama-3 tokenizer from the zoo (and its <|eom_id|> drift made as LLaMA-Factory makes it) with tiny
random Llama models in the layouts transformers saves; and the real MiniLM model from the zoo.
Registered for every test with `-p tests.checks.model.fixtures` (pyproject.toml): the model
tests here and the plugin's model tests in tests/plugin share these checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.checks.model import builders
from tokcheck import zoo
from tokcheck.checks.model.inspection import ModelInspection, ModelPair
from tokcheck.checks.model.weights import ModelFiles, open_model
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

V = builders.LLAMA3_VOCAB


@pytest.fixture(scope="session")
def llama3() -> Path:
    return zoo.path_for("llama3")


@pytest.fixture(scope="session")
def minilm() -> Path:
    return zoo.path_for("minilm")


@pytest.fixture(scope="session")
def eom_tokenizer(llama3: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """zoo:llama3 after LLaMA-Factory's llama3 template fix-up: <|eom_id|> at id 128256."""
    return builders.add_eom_like_llamafactory(llama3, tmp_path_factory.mktemp("eom-tokenizer"))


@pytest.fixture(scope="session")
def trained() -> builders.Tensors:
    return builders.llama_tensors(V)


class Checkpoints:
    """Model directories made on first use and kept for the session."""

    def __init__(self, factory: pytest.TempPathFactory, llama3: Path, eom: Path, trained: builders.Tensors) -> None:
        self.factory, self.llama3, self.eom, self.trained = factory, llama3, eom, trained
        self._made: dict[str, Path] = {}

    def get(self, name: str, make: Callable[[Path], Path]) -> Path:
        if name not in self._made:
            self._made[name] = make(self.factory.mktemp(name) / name)
        return self._made[name]

    @property
    def base(self) -> Path:
        """Llama-3 tokenizer with a 128256-row untied model."""
        return self.get("base", lambda d: builders.checkpoint(d, self.llama3, self.trained))

    @property
    def eom_unresized(self) -> Path:
        """The founding bug: <|eom_id|> added, the model left at 128256 rows."""
        return self.get("eom-unresized", lambda d: builders.checkpoint(d, self.eom, self.trained))

    @property
    def eom_zero_row(self) -> Path:
        return self.get("eom-zero-row", lambda d: builders.checkpoint(
            d, self.eom, builders.resize(self.trained, V + 1, init="zero")))

    @property
    def eom_mean_row(self) -> Path:
        return self.get("eom-mean-row", lambda d: builders.checkpoint(
            d, self.eom, builders.resize(self.trained, V + 1, init="mean")))


@pytest.fixture(scope="session")
def checkpoints(
    tmp_path_factory: pytest.TempPathFactory, llama3: Path, eom_tokenizer: Path, trained: builders.Tensors
) -> Checkpoints:
    return Checkpoints(tmp_path_factory, llama3, eom_tokenizer, trained)


@pytest.fixture(scope="session")
def snapshot_of() -> Callable[[Path], TokenizerSnapshot]:
    """Snapshots by directory, taken once (the directories are not changed after they are made)."""
    cache: dict[Path, TokenizerSnapshot] = {}

    def get(directory: Path) -> TokenizerSnapshot:
        if directory not in cache:
            cache[directory] = take_snapshot(resolve(str(directory)))
        return cache[directory]

    return get


@pytest.fixture(scope="session")
def inspect(snapshot_of: Callable[[Path], TokenizerSnapshot]) -> Callable[..., ModelInspection]:
    """ModelInspection of (base dir, tuned dir), models opened from the directories themselves
    unless given."""

    def run(base: Path, tuned: Path, *, tuned_model: Path | None = None, base_model: Path | None = None) -> ModelInspection:
        base_files = open_model(str(base_model)) if base_model else _maybe_model(base)
        models = ModelPair(open_model(str(tuned_model or tuned)), base_files)
        return ModelInspection(models, snapshot_of(tuned), snapshot_of(base))

    return run


def _maybe_model(directory: Path) -> ModelFiles | None:
    from tokcheck.checks.model.weights import find_model

    return find_model(directory)
