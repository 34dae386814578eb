"""GPU checks: the tuned model loaded on a CUDA device in bf16 runs a chat transcript holding every
special token its template uses and every added token. Skipped, with the reason, without torch,
without CUDA, or without a tuned model."""

from __future__ import annotations

from typing import Any

import pytest

from tokcheck.plugin_model import MODELS_KEY, NO_MODEL, model_unavailable
from tokcheck.session import TokcheckSession
from tokcheck.verdict import Verdict

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def gpu_run(pytestconfig: pytest.Config, tokcheck_session: TokcheckSession) -> dict[str, Any]:
    """The tuned model loaded on cuda in bf16 and run once over the transcript."""
    from tokcheck.model import live

    reason = live.torch_missing() or live.cuda_missing()
    models = pytestconfig.stash.get(MODELS_KEY, None)
    if reason is None and models is None:
        reason = NO_MODEL
    if reason is None and models is not None:
        reason = model_unavailable(models)
    if reason is None and models is not None and models.tuned.is_adapter and live.peft_missing():
        reason = "peft is not installed (needed to load the tuned PEFT adapter)"
    if reason:
        pytest.skip(reason)
    assert models is not None
    _, tuned = tokcheck_session.pair()
    tokenizer = tuned.tokenizer
    model = live.load_model(models, device="cuda", trust_remote_code=tokcheck_session.settings.trust_remote_code)
    ids = live.transcript_ids(tokenizer, tuned.snapshot)
    config = (models.adapter_base.config if models.tuned.is_adapter and models.adapter_base else models.tuned.config)
    result = live.inspect_live(model, ids, config)
    length = max(len(tokenizer), tuned.snapshot.length)
    return {"live": result, "findings": live.live_findings(result, length, tuned.snapshot.id_to_token, models.tuned.spec)}


def test_transcript_with_every_special_and_added_token_gives_finite_logits(
    gpu_run: dict[str, Any], tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(gpu_run["findings"]["logits"])


def test_loaded_embedding_and_output_layers_cover_the_tuned_tokenizer(
    gpu_run: dict[str, Any], tokcheck_verdict: Verdict
) -> None:
    tokcheck_verdict.conclude(gpu_run["findings"]["rows"])


def test_tied_word_embeddings_are_really_tied(gpu_run: dict[str, Any], tokcheck_verdict: Verdict) -> None:
    if gpu_run["live"].tied_in_config is not True:
        pytest.skip("the config does not tie the word embeddings")
    tokcheck_verdict.conclude(gpu_run["findings"]["tying"])
