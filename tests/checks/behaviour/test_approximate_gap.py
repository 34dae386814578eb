"""The approximate view's own gaps are info, not drift: against a faithful Qwen2 conversion the view
(transformers' GGUF converter) encodes U+0958 unlike the HF side, as it does for the expected
conversion of that side, while llama.cpp itself tokenizes it like the HF side (docs/gguf.md).
A GGUF that stopped adding BOS differs from the faithful conversion's view."""

from __future__ import annotations

import pytest

from tests.checks.behaviour.conftest import quick_settings, session_for
from tests.llamacpp_marks import needs_converter
from tokcheck import zoo
from tokcheck.checks.behaviour import llamacpp_view
from tokcheck.checks.behaviour.approximate_gap import GAP, approximate_reference
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.findings import Severity
from tokcheck.sources.gguf import approximate
from tokcheck.zoo.gguf.convert import GGUF_NAME

pytestmark = pytest.mark.skipif(approximate.unavailable() is not None, reason=str(approximate.unavailable()))
DEVANAGARI_QA = "\u0958"  # decomposes under NFC-sensitive handling; the view and HF disagree on it


def run_against(gguf_entry: str, base: str = "qwen2") -> BehaviourRun:
    return BehaviourRun(session_for(zoo.path_for(base), zoo.path_for(gguf_entry) / GGUF_NAME), quick_settings())


@needs_converter
def test_a_faithful_conversion_differs_from_hf_only_where_its_expected_conversion_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The approximate view alone: real llama.cpp, where installed, is checked first and its own
    # differences from HF (no NFC for Qwen2) stay warnings by design (docs/gguf.md, "Real llama.cpp").
    monkeypatch.setattr(llamacpp_view.llamacpp_runtime, "unavailable", lambda: "left out by this test")
    run = run_against("qwen2-gguf")
    hf, gguf = run.session.pair()
    assert hf.tokenizer.encode(DEVANAGARI_QA, add_special_tokens=False) != gguf.tokenizer.encode(
        DEVANAGARI_QA, add_special_tokens=False)  # the view's gap is real, so the test below can fail
    reference = approximate_reference(run.session.sides)
    assert reference is not None and reference.explains(DEVANAGARI_QA)
    found = [f for f in run.sweep_findings("custom_texts") if f.severity is not Severity.INFO]
    assert found == [], [f.message for f in found]
    assert any(GAP in f.message for f in run.sweep_findings("custom_texts"))


@needs_converter
def test_a_gguf_that_stopped_adding_bos_is_not_explained_by_the_faithful_conversion() -> None:
    run = run_against("llama3-gguf-add-bos-off", base="llama3")
    reference = approximate_reference(run.session.sides)
    assert reference is not None and not reference.explains("Hello world")
