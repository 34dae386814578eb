"""Real llama.cpp (llama-cpp-python, tox env `gguf`): it reproduces its own vendored vectors
through tokcheck's runtime wrapper; llama.cpp's conversion of zoo:llama3 tokenizes text and
rendered chats as the HF base does, special tokens parsed only in the rendered chat; and as a
behaviour view, it finds nothing on the faithful conversion, finds the changed pre-tokenizer (an
error against the faithful GGUF, a warning against the HF base; the approximate view alone only
warns), and is absent, said once, without llama_cpp."""

from __future__ import annotations

import json

import pytest

from tests.llamacpp_marks import needs_converter, needs_runtime, needs_sources
from tokcheck.checks.behaviour import llamacpp_view
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS, shards_of
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.findings import Finding, Severity
from tokcheck.plugin import BASE_OPTION, REPORT_OPTION, TUNED_OPTION
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.gguf import llamacpp_runtime
from tokcheck.sources.gguf.fidelity import read_vectors
from tokcheck.zoo.gguf import llamacpp

QUICK = BehaviourSettings(profile="ci", examples=30, sweep_sample=0.05)
PROPERTIES = ("ids", "round_trip", "decode", "special_literals", "chat_render")


@needs_runtime
@needs_sources
@pytest.mark.parametrize("vocab", ["llama-bpe", "qwen2", "llama-spm", "gpt-2", "bert-bge"])
def test_llamacpp_reproduces_its_own_vectors(vocab: str) -> None:
    path = llamacpp.sources_dir() / "models" / f"ggml-vocab-{vocab}.gguf"
    runtime = llamacpp_runtime.LlamaCppTokenizer(path)
    inputs, expected = read_vectors(path)
    assert [runtime.encode_user_text(text) for text in inputs] == expected


@needs_runtime
@needs_converter
def test_the_faithful_llama3_conversion_tokenizes_like_the_hf_base() -> None:
    from tokcheck.sources.live import load_tokenizer, render_chat
    from tokcheck.sources.spec import resolve

    hf = load_tokenizer(resolve("zoo:llama3"))
    runtime = llamacpp_runtime.LlamaCppTokenizer(resolve("zoo:llama3-gguf").path)
    user = "Tell me about <|eot_id|> and  spaces\tand émoji 🦙"
    assert runtime.encode_user_text(user, add_bos=True) == hf.encode(user, split_special_tokens=True)
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": "Sure."}]
    rendered = render_chat(hf, messages, tokenize=False)
    assert runtime.encode_rendered_chat(rendered) == hf.encode(rendered, add_special_tokens=False)
    assert 128009 in runtime.encode_rendered_chat(rendered)
    assert 128009 not in runtime.encode_user_text(user)
    ids = hf.encode(rendered, add_special_tokens=False)
    assert runtime.decode(ids) == hf.decode(ids)  # the pieces llama-server streams, no space clean-up
    assert runtime.decode(ids, skip_special_tokens=True) == hf.decode(ids, skip_special_tokens=True)


def behaviour(base: str, tuned: str) -> BehaviourRun:
    return BehaviourRun(CheckedSession(Settings(base=SpecSetting(base), tuned=SpecSetting(tuned))), QUICK)


def every_finding(run: BehaviourRun) -> list[Finding]:
    found = [f for name in PROPERTIES for f in run.property_findings(name)] + run.special_token_findings()
    return found + [f for name in SWEEPS for shard in range(shards_of(name, QUICK.sweep_shards))
                    for f in run.sweep_findings(name, shard)]


@needs_runtime
@needs_converter
def test_the_faithful_llama3_conversion_gives_no_finding_in_llamacpps_view() -> None:
    run = behaviour("zoo:llama3", "zoo:llama3-gguf")
    assert [view.name for view in run.comparison.views] == ["transformers", "llama.cpp"]
    assert [(f.code, f.message) for f in every_finding(run)] == []


@needs_runtime
@needs_converter
def test_a_changed_pre_tokenizer_is_found_in_llamacpps_view(monkeypatch: pytest.MonkeyPatch) -> None:
    # llama3-gguf-pre-smaug: llama.cpp runs smaug-bpe without ignore_merges, so words in the
    # vocabulary that BPE's merges do not build come out in pieces.
    found = behaviour("zoo:llama3-gguf", "zoo:llama3-gguf-pre-smaug").sweep_findings("random_vocab")
    assert [f.severity for f in found] == [Severity.ERROR]
    assert "in llama.cpp (llama-cpp-python" in found[0].message and "LlamaCppTokenizer as G" in found[0].detail
    against_hf = behaviour("zoo:llama3", "zoo:llama3-gguf-pre-smaug").sweep_findings("random_vocab")
    assert [f.severity for f in against_hf] == [Severity.WARNING]
    assert "in llama.cpp" in against_hf[0].message and llamacpp_view.AGAINST_HF in against_hf[0].message
    monkeypatch.setattr(llamacpp_runtime, "unavailable", lambda: "not here")
    approximate_only = behaviour("zoo:llama3-gguf", "zoo:llama3-gguf-pre-smaug").sweep_findings("random_vocab")
    assert all(f.severity is Severity.WARNING and "in llama.cpp" not in f.message for f in approximate_only)


@needs_converter
def test_without_llama_cpp_the_view_is_absent_and_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llamacpp_runtime, "unavailable", lambda: "llama-cpp-python is not installed: pip install x")
    run = behaviour("zoo:llama3-gguf", "zoo:llama3-gguf-pre-smaug")
    assert [view.name for view in run.comparison.views] == ["transformers"]
    said = llamacpp_view.availability_findings(run.session.pair())
    assert [(f.code, f.severity) for f in said] == [("loading.llamacpp-missing", Severity.INFO)]
    assert "pip install llama-cpp-python==0.3.36" in said[0].fix


@needs_runtime
@needs_converter
def test_the_suite_fails_on_a_changed_pre_tokenizer_through_llamacpp(pytester: pytest.Pytester) -> None:
    # In a child process: in-process GGUF suite runs crash in the garbage collector under torch.
    result = pytester.runpytest_subprocess(
        BASE_OPTION, "zoo:llama3-gguf", TUNED_OPTION, "zoo:llama3-gguf-pre-smaug", REPORT_OPTION, "report.json",
        "--tokcheck-quick", "--hypothesis-seed", "0", "-p", "no:randomly", "-k", "random_vocab or load",
    )
    findings = json.loads((pytester.path / "report.json").read_text())["findings"]
    errors = [f for f in findings if f["severity"] == "error" and "in llama.cpp (llama-cpp-python" in f["message"]]
    assert result.ret == 1 and errors, [(f["code"], f["severity"], f["message"][:120]) for f in findings]
    assert [f["code"] for f in findings if f["code"].startswith("loading.llamacpp")] == ["loading.llamacpp"]
