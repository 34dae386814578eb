"""A changed chat template is judged by its renders: on the zoo's real templates, a comment or a
template made list-safe in every branch renders every probe the same and is info; a change that
shows only for the tool role, a doubled BOS, or a Qwen3-style thinking branch lost (equal by
default, different with enable_thinking=False) is an error naming the probe that differs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.report.page import Page
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.template_capabilities import (
    CAPABILITIES,
    CAPABILITY_LOST,
    capabilities_lost,
    capability_table,
)
from tokcheck.checks.template_renders import SAME_RENDERS, probes, template_options
from tokcheck.findings import Finding, Severity
from tokcheck.report.context import ReportContext
from tokcheck.report.html import render_html
from tokcheck.report.run_report import RunReport
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.snapshot_store import SnapshotStore
from tokcheck.zoo import path_for
from tokcheck.zoo.mutations import (
    THINKING_OFF,
    list_safe,
    rewrite_template,
    tool_role_only,
    user_turns_list_safe,
    with_thinking_switch,
    without_tool_definitions,
)


def _copy(name: str, tmp_path: Path, label: str, change: Callable[[str], str] | None = None) -> Path:
    dest = Path(shutil.copytree(path_for(name), tmp_path / label))
    if change is not None:
        rewrite_template(change)(dest)
    return dest


# One store for the module: each zoo base's files are read and its tokenizer loaded once (keyed by
# the files' bytes), not once per test.
STORE = SnapshotStore()


def _template_findings(base: Path | str, tuned: Path) -> list[Finding]:
    session = CheckedSession(Settings(base=SpecSetting(str(base)), tuned=SpecSetting(str(tuned))), store=STORE)
    return [f for f in session.static["chat_template"] if f.code.startswith(("template.changed", CAPABILITY_LOST))]


@pytest.mark.parametrize("name, change", [
    ("llama3.1", lambda t: "{#- a comment the fine-tune added -#}\n" + t),
    ("qwen2", list_safe),
], ids=["comment", "list-safe"])
def test_a_change_that_renders_every_probe_the_same_is_info(tmp_path: Path, name: str, change: Callable[[str], str]) -> None:
    [finding] = _template_findings(f"zoo:{name}", _copy(name, tmp_path, "tuned", change))
    assert (finding.code, finding.severity) == (SAME_RENDERS, Severity.INFO)
    assert "every probe renders the same" in finding.message and finding.detail.startswith("--- base/")


def test_a_change_only_the_tool_role_shows_names_the_tool_call_probe(tmp_path: Path) -> None:
    [finding] = _template_findings("zoo:llama3.1", _copy("llama3.1", tmp_path, "tuned", tool_role_only))
    assert (finding.code, finding.severity) == ("template.changed", Severity.ERROR)
    assert "chat template differs" in finding.message and "the render of tool-call" in finding.message
    assert "ipython" in finding.detail and "first differing render (tool-call" in finding.detail


def test_a_doubled_bos_differs_from_the_first_probe(tmp_path: Path) -> None:
    [finding] = _template_findings("zoo:llama3", _copy("llama3", tmp_path, "tuned", lambda t: "{{ bos_token }}" + t))
    assert finding.severity is Severity.ERROR and "the render of user differs at character 19" in finding.message  # after "<|begin_of_text|><|"


def test_a_thinking_switch_lost_differs_only_under_the_option_and_is_named(tmp_path: Path) -> None:
    # A merged Qwen3 whose exported template dropped the enable_thinking branch (LLaMA-Factory#9765):
    # zoo:qwen2 with Qwen3's switch in base, without it in tuned (the zoo has no Qwen3 base).
    base = _copy("qwen2", tmp_path, "base", with_thinking_switch)
    assert template_options((base / "chat_template.jinja").read_text(encoding="utf-8")) == ["enable_thinking"]
    changed, lost = _template_findings(base, _copy("qwen2", tmp_path, "tuned"))
    assert changed.severity is Severity.ERROR
    assert "with enable_thinking=False, as a user passes it to apply_chat_template" in changed.message
    assert "the render of system-user, generation prompt, enable_thinking=False differs" in changed.message
    assert (lost.code, lost.severity) == (CAPABILITY_LOST, Severity.ERROR)
    assert "lost thinking_toggle" in lost.message and "enable_thinking" in lost.message
    assert "thinking_toggle      yes   no" in lost.detail  # the capability table of both sides
    page = Page(render_html(RunReport([changed, lost], ReportContext())))
    grids = [attrs for tag, attrs in page.tags if "tokgrid" in attrs.get("class", "").split()]
    boxes = [attrs for tag, attrs in page.tags if "tok" in attrs.get("class", "").split()]
    assert grids and {box["data-side"] for box in boxes} == {"base", "tuned"}
    think = "".join(changed.evidence["tokens"]["base"]["pieces"]) if changed.evidence else ""
    assert think.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")  # base's render, as its boxes
    assert "enable_thinking=False" in " ".join(page.text)


def test_a_template_that_lost_its_tools_block_lost_tools(tmp_path: Path) -> None:
    findings = _template_findings("zoo:llama3.1", _copy("llama3.1", tmp_path, "tuned", without_tool_definitions))
    lost = [finding for finding in findings if finding.code == CAPABILITY_LOST]
    assert [finding.message.split(":")[1] for finding in lost] == [" tuned's template lost tools"]
    assert lost[0].severity is Severity.ERROR and "tools                yes   no" in lost[0].detail


@pytest.mark.parametrize("name, supported", [
    ("llama3", {"system_role"}),
    ("llama3.1", {"system_role", "tools", "tool_calls", "tool_responses"}),  # minja: no parallel calls
    ("mistral-v3", {"system_role", "tools", "tool_calls", "tool_responses", "parallel_tool_calls"}),
])
def test_the_capability_table_of_zoo_templates(name: str, supported: set[str]) -> None:
    # Where minja's own table (tests/test-capabilities.cpp) has the same template (Llama 3.1), it agrees.
    session = CheckedSession(Settings(base=SpecSetting(f"zoo:{name}"), tuned=SpecSetting(f"zoo:{name}")), store=STORE)
    table = capability_table(session.pair()[0].tokenizer)
    assert list(table) == list(CAPABILITIES) and {key for key, value in table.items() if value} == supported


def test_template_options_ignore_what_apply_chat_template_supplies() -> None:
    template = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}{% if add_generation_prompt and not " \
               "tools %}{{ raise_exception('x') if documents else '' }}{% endif %}{{ date_string }}"
    assert template_options(template) == ["date_string"]
    assert template_options("{% generation %}{{ x }}{% endgeneration %}") == ["x"]
    assert template_options("{% if %}") == []


def test_a_template_vllm_reads_as_openai_format_in_one_branch_only_fails_as_vllm_passes_it(tmp_path: Path) -> None:
    [finding] = _template_findings("zoo:qwen2", _copy("qwen2", tmp_path, "tuned", user_turns_list_safe))
    assert finding.severity is Severity.ERROR
    assert ("the render of system-user, generation prompt, as vLLM passes it (content as string to base, as openai "
            "to tuned) differs") in finding.message
    assert "TypeError" in finding.detail  # the system turn concatenates a string with the list vLLM passed


def test_a_differing_render_carries_both_renders_as_token_boxes(tmp_path: Path) -> None:
    [finding] = _template_findings("zoo:qwen2", _copy("qwen2", tmp_path, "tuned", user_turns_list_safe))
    assert finding.evidence is None  # the tuned side refused the render: text only
    [finding] = _template_findings("zoo:llama3.1", _copy("llama3.1", tmp_path, "tool", tool_role_only))
    assert finding.evidence is not None
    base, tuned = finding.evidence["tokens"]["base"], finding.evidence["tokens"]["tuned"]
    assert base["ids"] != tuned["ids"] and base["tokens"][0] == "<|begin_of_text|>" and base["special"][0]
    assert "".join(base["pieces"]).startswith("<|begin_of_text|><|start_header_id|>system")


# Qwen2's ChatML with a branch for each capability minja does not probe, as real templates write them:
# documents as Command-R and Granite take them, reasoning_content and list content as Qwen3 reads them.
_DOCUMENTS = "{% if documents %}{% for d in documents %}{{ d.title + ': ' + d.text + '\\n' }}{% endfor %}{% endif %}"
_REASONING = "{% if message.reasoning_content %}{{ '<think>' + message.reasoning_content + '</think>' }}{% endif %}"
_TYPED = "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}" \
         "{{ part['text'] }}{% endfor %}{% endif %}"


def _every_branch(template: str) -> str:
    old = "'\n' + message['content'] + '<|im_end|>'"
    assert old in template
    branches = template.replace(old, "'\n' }}" + _REASONING + _TYPED + "{{ '<|im_end|>'")
    return _DOCUMENTS + with_thinking_switch(branches)


def test_the_capabilities_minja_does_not_probe_are_found_and_lost_one_by_one() -> None:
    session = CheckedSession(Settings(base=SpecSetting("zoo:qwen2"), tuned=SpecSetting("zoo:qwen2")), store=STORE)
    tokenizer = session.pair()[0].tokenizer
    full = _every_branch(tokenizer.chat_template)
    found = {key for key, value in capability_table(tokenizer, full).items() if value}
    assert found == {"system_role", "thinking_toggle", "typed_content", "documents", "reasoning_content"}
    for branch, name in ((_DOCUMENTS, "documents"), (_REASONING, "reasoning_content"), (_TYPED, "typed_content"),
                         (THINKING_OFF, "thinking_toggle")):
        kept = full.replace(branch, "{{ message['content'] }}" if branch == _TYPED else "")
        lost = capabilities_lost("chat_template", "chat template", "chat_template.jinja",
                                 capability_table(tokenizer, full), capability_table(tokenizer, kept))
        assert [finding.message.split(":")[1] for finding in lost] == [f" tuned's template lost {name}"]
    options = [probe.option for probe in probes(tokenizer, template_options(full)) if probe.option]
    assert {"documents=[...]", "continue_final_message=True", "enable_thinking=False"} <= set(options)
    assert any("reasoning_content" in probe.name for probe in probes(tokenizer, []))


def test_a_documents_branch_lost_differs_under_documents_and_is_named(tmp_path: Path) -> None:
    base = _copy("qwen2", tmp_path, "base", lambda t: _DOCUMENTS + t)
    changed, lost = _template_findings(base, _copy("qwen2", tmp_path, "tuned"))
    assert "with documents=[...], as a user passes it to apply_chat_template" in changed.message
    assert "the render of user, generation prompt, documents differs at character 0" in changed.message
    assert "lost documents" in lost.message
