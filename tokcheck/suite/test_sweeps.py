"""Sweeps: whole input spaces (every base id, every code point, llama.cpp's ASCII/apostrophe/added
token generators) encoded by base and tuned in batches and compared as whole arrays. The large
sweeps are split into shards that pytest-xdist spreads over workers (-n N): the plugin gives each
test that takes `shard` one test per shard (--tokcheck-sweep-shards)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.checks.behaviour.run import BehaviourRun
    from tokcheck.plugin.verdict import Verdict

pytestmark = [pytest.mark.behaviour, pytest.mark.sweep]


def test_every_base_id_decodes_and_reencodes_like_base(
    tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict, shard: int
) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("vocab_ids", shard))


def test_every_code_point_encodes_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict, shard: int) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("code_points", shard))


def test_ascii_pairs_with_whitespace_encode_like_base(
    tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict, shard: int
) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("ascii_pairs", shard))


def test_apostrophe_patterns_encode_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict, shard: int) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("apostrophes", shard))


def test_special_tokens_with_whitespace_encode_like_base(
    tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict, shard: int
) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("added_tokens", shard))


def test_texts_using_changed_merges_and_vocabulary_encode_like_base(
    tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("merges"))


def test_edge_case_strings_encode_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("custom_texts"))


def test_random_special_token_runs_encode_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("random_tokens"))


def test_random_latin_words_encode_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("random_chars"))


def test_random_unicode_words_encode_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("random_unicode"))


def test_random_vocabulary_text_encodes_like_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.sweep_findings("random_vocab"))
