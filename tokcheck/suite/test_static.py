"""Static checks: the saved files of base and tuned, compared key by key (no tokenizer is run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.checks.checked_session import CheckedSession as TokcheckSession
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.static


def test_token_ids_match_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["vocabulary"])


def test_special_token_roles_match_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["special_roles"])


def test_added_token_flags_match_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["added_token_flags"])


def test_normalizer_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["normalizer"])


def test_pre_tokenizer_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["pre_tokenizer"])


def test_model_and_merges_match_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["model"])


def test_post_processor_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["post_processor"])


def test_decoder_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["decoder"])


def test_tokenizer_config_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["tokenizer_config"])


def test_chat_template_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["chat_template"])


def test_parser_markers_stay_single_tokens(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["parser_markers"])


def test_model_and_generation_config_ids_match_base(
    tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["model_config"])


def test_context_length_is_not_shorter_than_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["context_length"])


def test_sentence_transformers_modules_match_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["sentence_transformers"])


def test_custom_code_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["custom_code"])


def test_multimodal_processor_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["processor"])


def test_save_format_is_compatible(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    tokcheck_verdict.conclude(tokcheck_session.static["save_format"])


def test_ollama_modelfile_matches_base(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    # The Modelfile an export wrote beside tuned (or --modelfile): its TEMPLATE, SYSTEM, stops, sampling.
    tokcheck_verdict.conclude(tokcheck_session.static["ollama"])
