"""GPU checks: the tuned model loaded on a CUDA device in bf16 runs a chat transcript holding every
special token its template uses and every added token. Skipped, with the reason, without torch,
without CUDA, or without a tuned model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.checks.model.gpu import GpuRun
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.gpu


def test_transcript_with_every_special_and_added_token_gives_finite_logits(
    tokcheck_gpu_run: GpuRun, tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(tokcheck_gpu_run.findings["logits"])


def test_loaded_embedding_and_output_layers_cover_the_tuned_tokenizer(
    tokcheck_gpu_run: GpuRun, tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(tokcheck_gpu_run.findings["rows"])


def test_tied_word_embeddings_are_really_tied(tokcheck_gpu_run: GpuRun, tokcheck_verdict: Verdict) -> None:
    if tokcheck_gpu_run.live.tied_in_config is not True:
        pytest.skip("the config does not tie the word embeddings")
    tokcheck_verdict.conclude(tokcheck_gpu_run.findings["tying"])
