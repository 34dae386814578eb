"""Model checks on CPU: the tuned model's embedding and output rows against the tuned tokenizer,
read from the weight files (headers and single rows; no torch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tokcheck.findings import Finding, Severity

if TYPE_CHECKING:
    from tokcheck.checks.checked_session import CheckedSession
    from tokcheck.checks.model.inspection import ModelInspection
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.model


def _conclude(check: str, checks: ModelInspection, verdict: Verdict) -> None:
    reason = checks.unavailable
    if reason:
        if check == "model_files":  # said once in the report; every model test skips with it
            verdict.record([Finding(check, "model.weights-unreadable", Severity.INFO, reason)])
        pytest.skip(reason)
    verdict.conclude(checks.findings[check])


def test_model_config_agrees_with_the_weights(tokcheck_model_checks: ModelInspection, tokcheck_verdict: Verdict) -> None:
    _conclude("model_files", tokcheck_model_checks, tokcheck_verdict)


def test_every_token_id_has_an_embedding_and_an_output_row(
    tokcheck_model_checks: ModelInspection, tokcheck_verdict: Verdict
) -> None:
    _conclude("model_rows", tokcheck_model_checks, tokcheck_verdict)


def test_rows_of_new_and_template_tokens_are_initialised(
    tokcheck_model_checks: ModelInspection, tokcheck_verdict: Verdict
) -> None:
    _conclude("model_trained_rows", tokcheck_model_checks, tokcheck_verdict)


def test_model_directories_stop_generation_where_base_does(
    tokcheck_model_checks: ModelInspection, tokcheck_verdict: Verdict
) -> None:
    # Configs only: runs whether or not the weights can be read here.
    tokcheck_verdict.conclude(tokcheck_model_checks.stop_set)


def test_sentence_transformers_embeddings_match_base(tokcheck_session: CheckedSession, tokcheck_verdict: Verdict) -> None:
    # Through sentence-transformers itself, where installed: the embeddings a consumer that pools gets.
    from tokcheck.checks.model.st_embeddings import embedding_findings, unavailable

    base, tuned = tokcheck_session.pair()
    reason = unavailable(base, tuned)
    if reason:
        pytest.skip(reason)
    tokcheck_verdict.conclude(embedding_findings(base, tuned))


def test_model_directories_keep_the_sampling_defaults_of_base(
    tokcheck_model_checks: ModelInspection, tokcheck_verdict: Verdict
) -> None:
    # Configs only, like the stop set: the defaults vLLM, SGLang and generate() sample with.
    tokcheck_verdict.conclude(tokcheck_model_checks.sampling)
