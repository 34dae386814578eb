"""Behaviour checks: base and tuned run side by side on Hypothesis-generated texts, token ids and
chat transcripts; a difference is shrunk to a minimal example and reported as a finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.checks.behaviour.run import BehaviourRun
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.behaviour


def _needs_chat_template(run: BehaviourRun) -> None:
    if not run.has_chat_template():
        pytest.skip("base has no chat template that renders a conversation")


def test_generated_text_gives_base_ids(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("ids"))


def test_round_trip_holds_where_base_round_trips(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("round_trip"))


def test_decoding_ids_matches_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("decode"))


def test_special_tokens_encode_to_their_single_ids(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.special_token_findings())


def test_literal_special_strings_in_user_text_match_base(
    tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.injection_findings() + tokcheck_behaviour.property_findings("special_literals"))


def test_chat_template_renders_match_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    _needs_chat_template(tokcheck_behaviour)
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("chat_render"))


def test_rendered_chat_encodes_like_apply_chat_template(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    _needs_chat_template(tokcheck_behaviour)
    tokcheck_verdict.conclude(tokcheck_behaviour.baseline_findings("chat_bos") + tokcheck_behaviour.property_findings("chat_bos"))


def test_assistant_turn_ends_with_a_stop_token(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    _needs_chat_template(tokcheck_behaviour)
    tokcheck_verdict.conclude(
        tokcheck_behaviour.baseline_findings("stop_token") + tokcheck_behaviour.property_findings("stop_token")
    )


def test_batch_and_single_encoding_agree(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("batch"))


def test_padding_and_truncation_match_base(tokcheck_behaviour: BehaviourRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("padding"))
