"""Fixtures for the zoo's fidelity tests: the corpus, the built zoo tokenizers (loaded once per
session from the user cache), and a summary of every comparison at the end of the run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.zoo import summary
from tokcheck import zoo
from tokcheck.inputs import corpus

FIDELITY_PROPERTY = summary.FIDELITY_PROPERTY


@dataclass
class Loaded:
    """A zoo tokenizer as users get it (AutoTokenizer) and its tokenizer.json read directly."""

    name: str
    auto: Any  # transformers tokenizer
    raw: Any  # tokenizers.Tokenizer from the saved tokenizer.json

    def ids(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        return list(self.auto(list(texts), add_special_tokens=add_special_tokens)["input_ids"])

    def raw_ids(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        return [e.ids for e in self.raw.encode_batch(list(texts), add_special_tokens=add_special_tokens)]

    def chat_ids(self, messages: list[dict[str, str]]) -> list[int]:
        rendered = self.auto.apply_chat_template(messages, tokenize=True)
        # transformers 5 returns a BatchEncoding here, 4.x a plain list.
        return list(rendered if isinstance(rendered, list) else rendered["input_ids"])


@pytest.fixture(scope="session")
def texts() -> list[str]:
    return list(corpus.default_corpus())


@pytest.fixture(scope="session")
def load() -> Callable[[str], Loaded]:
    """``load("llama3")``: the zoo tokenizer, built into the user cache on first use."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    cache: dict[str, Loaded] = {}

    def get(name: str) -> Loaded:
        if name not in cache:
            path = zoo.path_for(name)
            raw = Tokenizer.from_file(str(path / "tokenizer.json"))
            raw.no_truncation()  # MiniLM's file fixes truncation/padding at 128; compare whole texts
            raw.no_padding()
            cache[name] = Loaded(name, AutoTokenizer.from_pretrained(str(path)), raw)
        return cache[name]

    return get


def first_mismatches(texts: Sequence[str], expected: Sequence[list[int]], got: Sequence[list[int]]) -> str:
    """The first few differing strings with both id lists, for an assertion message."""
    lines = []
    for text, want, have in zip(texts, expected, got):
        if want != have:
            at = next((i for i, (a, b) in enumerate(zip(want, have)) if a != b), min(len(want), len(have)))
            lines.append(
                f"  {text[:80]!r}: reference {want[max(0, at - 2) : at + 6]} zoo {have[max(0, at - 2) : at + 6]} at {at}"
            )
            if len(lines) == 5:
                break
    return "\n".join(lines)


@pytest.fixture
def report(record_property: Callable[[str, object], None]) -> Callable[..., None]:
    """Record one comparison for the end-of-run summary (travels with the report under xdist)."""

    def record(tokenizer: str, check: str, compared: int, mismatches: int | None, note: str = "") -> None:
        outcome = "-" if mismatches is None else f"{mismatches} mismatches"
        line = f"{tokenizer:<15} {check:<58} {compared:>6} compared  {outcome}  {note}".rstrip()
        print(line)
        record_property(FIDELITY_PROPERTY, line)

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # When tests/conftest.py lists tests.zoo.summary in pytest_plugins (needed for the summary to
    # reach the xdist controller in a whole-suite run), that plugin prints it; don't print twice.
    if not terminalreporter.config.pluginmanager.has_plugin(summary.__name__):
        summary.pytest_terminal_summary(terminalreporter)
