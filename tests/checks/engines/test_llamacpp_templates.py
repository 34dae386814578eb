"""The built-in chat format llama.cpp's llama_chat_apply_template matches a template to, run in
llama.cpp itself (llama-cpp-python, tox's gguf env): the zoo's real templates map to the formats
llama.cpp names for them (Llama 3 and 3.1 both to 'llama3': it ignores 3.1's date header), a
template that keeps base's markers keeps base's format, another family's template or one without
markers changes it, and without llama-cpp-python the check says nothing."""

from __future__ import annotations

import dataclasses

import pytest

from tests.llamacpp_marks import needs_runtime
from tokcheck.checks.engines import llamacpp
from tokcheck.checks.engines.llamacpp import check_builtin_templates
from tokcheck.findings import Severity
from tokcheck.sources.gguf import llamacpp_runtime
from tokcheck.sources.snapshot import TemplateEntry, TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import LLAMAFACTORY_QWEN_TEMPLATE

PLAIN = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"


@pytest.fixture(scope="module")
def zoo_snapshots() -> dict[str, TokenizerSnapshot]:
    return {name: take_snapshot(resolve(f"zoo:{name}")) for name in ("llama3", "llama3.1", "qwen2", "mistral-v3")}


def _with_template(snapshot: TokenizerSnapshot, text: str) -> TokenizerSnapshot:
    entry = snapshot.chat_templates["default"]
    return dataclasses.replace(snapshot, chat_templates={"default": TemplateEntry("default", text, entry.location)})


@needs_runtime
@pytest.mark.parametrize(("name", "builtin"), [("llama3", "llama3"), ("llama3.1", "llama3"), ("qwen2", "chatml"),
                                               ("mistral-v3", "mistral-v3")])
def test_the_zoo_templates_map_to_llamacpps_own_formats(
        zoo_snapshots: dict[str, TokenizerSnapshot], name: str, builtin: str) -> None:
    assert llamacpp_runtime.builtin_chat_template(zoo_snapshots[name].chat_templates["default"].text) == builtin


@needs_runtime
def test_a_template_keeping_base_markers_keeps_the_format(zoo_snapshots: dict[str, TokenizerSnapshot]) -> None:
    qwen2 = zoo_snapshots["qwen2"]
    assert check_builtin_templates(qwen2, _with_template(qwen2, LLAMAFACTORY_QWEN_TEMPLATE)) == []


@needs_runtime
def test_another_familys_template_changes_the_format(zoo_snapshots: dict[str, TokenizerSnapshot]) -> None:
    llama3, qwen2 = zoo_snapshots["llama3"], zoo_snapshots["qwen2"]
    [finding] = check_builtin_templates(llama3, _with_template(llama3, qwen2.chat_templates["default"].text))
    assert (finding.code, finding.severity, finding.base, finding.tuned) == (
        "template.llamacpp-builtin-changed", Severity.ERROR, "llama3", "chatml")
    [finding] = check_builtin_templates(llama3, _with_template(llama3, PLAIN))
    assert finding.tuned is None and "cannot format tuned's chats" in finding.message


def test_nothing_is_said_without_llamacpp(zoo_snapshots: dict[str, TokenizerSnapshot], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llamacpp.llamacpp_runtime, "unavailable", lambda: "not installed")
    llama3 = zoo_snapshots["llama3"]
    assert check_builtin_templates(llama3, _with_template(llama3, PLAIN)) == []
