"""Model checks on CPU: the tuned model's embedding and output rows against the tuned tokenizer,
read from the weight files (headers and single rows; no torch)."""

from __future__ import annotations

import pytest

from tokcheck.findings import Finding, Severity
from tokcheck.model import ModelInspection, ModelPair
from tokcheck.model.checks import CHECK_FILES, CHECK_ROWS, CHECK_TRAINED_ROWS
from tokcheck.plugin_model import model_unavailable
from tokcheck.verdict import Verdict

pytestmark = pytest.mark.model


def _conclude(check: str, checks: ModelInspection, models: ModelPair, verdict: Verdict) -> None:
    reason = model_unavailable(models)
    if reason:
        if check == CHECK_FILES:  # said once in the report; every model test skips with it
            verdict.record([Finding(check, "model.weights-unreadable", Severity.INFO, reason)])
        pytest.skip(reason)
    verdict.conclude(checks.findings[check])


def test_model_config_agrees_with_the_weights(
    tokcheck_model_checks: ModelInspection, model_files: ModelPair, tokcheck_verdict: Verdict
) -> None:
    _conclude(CHECK_FILES, tokcheck_model_checks, model_files, tokcheck_verdict)


def test_every_token_id_has_an_embedding_and_an_output_row(
    tokcheck_model_checks: ModelInspection, model_files: ModelPair, tokcheck_verdict: Verdict
) -> None:
    _conclude(CHECK_ROWS, tokcheck_model_checks, model_files, tokcheck_verdict)


def test_rows_of_new_and_template_tokens_are_initialised(
    tokcheck_model_checks: ModelInspection, model_files: ModelPair, tokcheck_verdict: Verdict
) -> None:
    _conclude(CHECK_TRAINED_ROWS, tokcheck_model_checks, model_files, tokcheck_verdict)
