"""Parser markers (drift class 40) on the zoo's real tokenizers: Llama 3.1's <|python_tag|> and
Mistral v3's [TOOL_CALLS] are added tokens, so the llama3_json and mistral tool-call parsers are in
play for them; Llama 3.0 and Qwen2 have none of the markers, so no parser is checked there. A
marker dropped is missing (vLLM's vocab.get finds no id), a marker that is only a vocabulary
entry is split in text, and a marker tuned adds is the fine-tune's own choice."""

from __future__ import annotations

import dataclasses

import pytest

from tokcheck.checks.engines.parsers import ABSENT, ADDED, VOCAB, check_parser_markers, marker_status
from tokcheck.findings import Severity
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.sources.tokens import AddedToken


@pytest.fixture(scope="module")
def snapshots() -> dict[str, TokenizerSnapshot]:
    return {name: take_snapshot(resolve(f"zoo:{name}")) for name in ("llama3", "llama3.1", "mistral-v3", "qwen2")}


def _without_added(snapshot: TokenizerSnapshot, content: str) -> TokenizerSnapshot:
    return dataclasses.replace(snapshot, added_tokens={i: t for i, t in snapshot.added_tokens.items() if t.content != content})


def _with_added(snapshot: TokenizerSnapshot, *contents: str) -> TokenizerSnapshot:
    added = dict(snapshot.added_tokens)
    for offset, content in enumerate(contents):
        token_id = snapshot.length + offset
        added[token_id] = AddedToken(token_id, content, special=False, normalized=False)
    return dataclasses.replace(snapshot, added_tokens=added)


def test_the_zoo_markers_are_where_the_models_put_them(snapshots: dict[str, TokenizerSnapshot]) -> None:
    assert marker_status(snapshots["llama3.1"], "<|python_tag|>") == ADDED
    assert marker_status(snapshots["mistral-v3"], "[TOOL_CALLS]") == ADDED
    assert marker_status(_without_added(snapshots["mistral-v3"], "[TOOL_CALLS]"), "[TOOL_CALLS]") == VOCAB
    assert marker_status(snapshots["llama3"], "<|python_tag|>") == ABSENT


def test_a_dropped_marker_names_the_parser_that_breaks(snapshots: dict[str, TokenizerSnapshot]) -> None:
    base = snapshots["llama3.1"]
    [finding] = check_parser_markers(base, _without_added(base, "<|python_tag|>"))
    assert (finding.code, finding.severity) == ("parser.marker-missing", Severity.ERROR)
    assert "--tool-call-parser llama3_json" in finding.message and "'<|python_tag|>'" in finding.message


def test_a_marker_left_in_the_vocabulary_only_is_split(snapshots: dict[str, TokenizerSnapshot]) -> None:
    base = snapshots["mistral-v3"]
    [finding] = check_parser_markers(base, _without_added(base, "[TOOL_CALLS]"))
    assert finding.code == "parser.marker-split"
    assert "still finds its id" in finding.message and "--tool-call-parser mistral" in finding.message


def test_thinking_markers_of_a_reasoning_model(snapshots: dict[str, TokenizerSnapshot]) -> None:
    base = _with_added(snapshots["qwen2"], "<think>", "</think>")
    tuned = _without_added(base, "</think>")
    [finding] = check_parser_markers(base, tuned)
    assert finding.code == "parser.marker-missing" and "--reasoning-parser deepseek_r1, qwen3" in finding.message
    assert "'</think>'" in finding.message


@pytest.mark.parametrize("pair", [("llama3.1", "llama3.1"), ("mistral-v3", "mistral-v3"), ("llama3", "llama3.1")])
def test_no_finding_where_no_parser_is_in_play_or_nothing_changed(
        snapshots: dict[str, TokenizerSnapshot], pair: tuple[str, str]) -> None:
    assert check_parser_markers(snapshots[pair[0]], snapshots[pair[1]]) == []


def test_a_marker_tuned_adds_is_the_fine_tunes_choice(snapshots: dict[str, TokenizerSnapshot]) -> None:
    base = snapshots["qwen2"]
    assert check_parser_markers(base, _with_added(base, "<tool_call>", "</tool_call>")) == []
