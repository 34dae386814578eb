"""A changed chat template judged by its renders (what a prompt becomes), not by its text: each
side's template renders fixed probes through its own live tokenizer: the fixed transcripts with
and without a generation prompt, each with base's tools where its template takes them, under every
option base's template reads (true and false), and as vLLM and SGLang pass each side its messages,
by the content format each detects in that side's template (tokcheck.checks.engines.vllm and
.sglang: SGLang changes only a request whose content is a list of typed parts). A change whose
every render is the same (a comment, a template made list-safe, whitespace control that emits
nothing) is info; one whose render differs stays an error and names the first probe that differs,
and the option it sets where it sets one (enable_thinking=False). The arguments apply_chat_template
passes itself (documents=, continue_final_message) and an assistant's reasoning_content are probed
too. Each changed template's capabilities are tabled on both sides
(tokcheck.checks.template_capabilities): each one tuned lost is its own error. The behaviour checks still render Hypothesis transcripts on top."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tokcheck.checks.engines import sglang
from tokcheck.checks.engines.transformers import syntax_tree
from tokcheck.checks.engines.vllm import STRING, as_vllm_passes, content_format
from tokcheck.checks.static.templates import RENDERS_DIFFER
from tokcheck.checks.template_capabilities import capabilities_lost, capability_table
from tokcheck.display import escaped, first_difference
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side
from tokcheck.sources.live import render_chat

CHANGED = "template.changed"
SAME_RENDERS = "template.changed-same-renders"
_CONTEXT = 40  # characters shown each side of the first difference
_BOXES = 256  # ids drawn per side (the token boxes of the two renders)
# What apply_chat_template itself passes (the special tokens) or what every template may call:
# not options a user sets.
_NOT_OPTIONS = frozenset({
    "messages", "add_generation_prompt", "continue_final_message", "tools", "documents", "raise_exception",
    "strftime_now", "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token",
    "additional_special_tokens", "range", "namespace", "dict", "lipsum", "cycler", "joiner",
})
_PROBED_WITH_OPTIONS = ("system-user", "multi-turn", "tool-call")


@dataclass(frozen=True)
class Probe:
    name: str  # "system-user, generation prompt, enable_thinking=False"
    messages: list[dict[str, Any]]
    kwargs: dict[str, Any]
    # The messages tuned's template gets, where an engine hands each side its own form (vLLM's
    # content format); None: the same as base's.
    tuned_messages: list[dict[str, Any]] | None = None
    # The option a user passes that this probe sets ("enable_thinking=False"); None: no option.
    option: str | None = None


def template_options(template: str) -> list[str]:
    """The variables a template reads that no message or special token supplies: the options a
    user passes to apply_chat_template (enable_thinking, tools_in_user_message ...), sorted."""
    from jinja2 import meta

    tree = syntax_tree(template)
    return [] if tree is None else sorted(meta.find_undeclared_variables(tree) - _NOT_OPTIONS)


def probes(base: LiveTokenizer, options: list[str], formats: tuple[str, str] = (STRING, STRING),
           sglang_formats: tuple[str, str] = (STRING, STRING)) -> Iterator[Probe]:
    """Every fixed transcript with and without a generation prompt (with tools where base's template
    takes them), then the option probes, then, where vLLM detects another content format than
    "string" on either side (`formats`), each transcript as vLLM passes it to each side, and where
    SGLang detects different formats (`sglang_formats`), each transcript sent as typed parts as
    SGLang passes it to each side."""
    # Hypothesis loads with the transcripts module: here, not when pytest loads the plugin.
    from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS, template_capabilities, tool_schema

    tools = [tool_schema("get_weather", "Current weather for a city.")] if template_capabilities(base).tools else None
    for transcript in FIXED_TRANSCRIPTS:
        for prompt in (False, True):
            extra = {"tools": tools} if tools is not None and transcript.name == "tool-call" else {}
            label = f"{transcript.name}{', generation prompt' if prompt else ''}{', tools' if extra else ''}"
            yield Probe(label, transcript.messages, {"add_generation_prompt": prompt, **extra})
    yield from _passed_by_apply_chat_template()
    for option in options:
        for transcript in FIXED_TRANSCRIPTS:
            if transcript.name in _PROBED_WITH_OPTIONS:
                for value in (True, False):
                    yield Probe(f"{transcript.name}, generation prompt, {option}={value}", transcript.messages,
                                {"add_generation_prompt": True, option: value}, option=f"{option}={value}")
    if formats != (STRING, STRING):
        for transcript in FIXED_TRANSCRIPTS:
            yield Probe(f"{transcript.name}, generation prompt, as vLLM passes it (content as {formats[0]} to base, "
                        f"as {formats[1]} to tuned)", as_vllm_passes(transcript.messages, formats[0]),
                        {"add_generation_prompt": True}, as_vllm_passes(transcript.messages, formats[1]))
    if sglang_formats[0] != sglang_formats[1]:
        for transcript in FIXED_TRANSCRIPTS:
            parts = sglang.as_typed_parts(transcript.messages)
            yield Probe(f"{transcript.name}, generation prompt, sent as typed parts as SGLang passes them (content as "
                        f"{sglang_formats[0]} to base, as {sglang_formats[1]} to tuned)",
                        sglang.as_sglang_passes(parts, sglang_formats[0]), {"add_generation_prompt": True},
                        sglang.as_sglang_passes(parts, sglang_formats[1]))


def _passed_by_apply_chat_template() -> Iterator[Probe]:
    """The arguments apply_chat_template handles itself (so `template_options` leaves them out),
    each probed on its own: documents=, continue_final_message=True, and an assistant turn with
    reasoning_content (a message key Qwen3-style templates read). A template that ignores one
    renders it as it renders the same transcript without it, on both sides."""
    from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS

    messages = {transcript.name: transcript.messages for transcript in FIXED_TRANSCRIPTS}
    documents = [{"title": "Paris", "text": "Paris is the capital of France."}]
    yield Probe("user, generation prompt, documents", messages["user"], {"add_generation_prompt": True,
                "documents": documents}, option="documents=[...]")
    yield Probe("assistant-last, continue_final_message", messages["assistant-last"],
                {"continue_final_message": True}, option="continue_final_message=True")
    reasoning = [messages["assistant-last"][0], {**messages["assistant-last"][1], "reasoning_content": "The user greets."}]
    yield Probe("assistant-last with reasoning_content", reasoning, {"add_generation_prompt": False})


def render(tokenizer: LiveTokenizer, probe: Probe, template: str | None, *, tuned: bool = False) -> str:
    """The probe's render as text, or the template's refusal as `error: ...` (two refusals alike
    are the same outcome)."""
    kwargs = {**probe.kwargs, **({"chat_template": template} if template is not None else {})}
    messages = probe.tuned_messages if tuned and probe.tuned_messages is not None else probe.messages
    try:
        rendered = render_chat(tokenizer, messages, tokenize=False, **kwargs)
    except Exception as error:  # a template that refuses a conversation: an outcome to compare
        return f"error: {type(error).__name__}: {error}"
    return rendered if isinstance(rendered, str) else f"error: rendered {type(rendered).__name__}"


def first_differing_render(base: LiveTokenizer, tuned: LiveTokenizer, name: str, templates: tuple[str, str],
                           ) -> tuple[Probe, str, str, int] | None:
    """The first probe whose render differs, with both renders and where; None when all agree."""
    chosen = None if name == "default" else name
    formats = (content_format(templates[0]), content_format(templates[1]))
    sglang_formats = (sglang.content_format(templates[0]), sglang.content_format(templates[1]))
    for probe in probes(base, template_options(templates[0]), formats, sglang_formats):
        before, after = render(base, probe, chosen), render(tuned, probe, chosen, tuned=True)
        if before != after:
            return probe, before, after, first_difference(before, after) or 0
    return None


def _render_boxes(tokenizer: LiveTokenizer, text: str) -> dict[str, Any]:
    """A render as the report's token boxes: its ids (encoded as apply_chat_template does, without
    special tokens added), their token names, the text of each id, and which are special."""
    ids = [int(i) for i in tokenizer.encode(text, add_special_tokens=False)]
    shown = ids[:_BOXES]
    special = set(getattr(tokenizer, "added_tokens_decoder", {}) or {}) | set(getattr(tokenizer, "all_special_ids", []) or [])
    pieces = [str(piece) for piece in tokenizer.batch_decode([[i] for i in shown], skip_special_tokens=False,
                                                                 clean_up_tokenization_spaces=False)]
    return {"ids": shown, "tokens": [str(name) for name in tokenizer.convert_ids_to_tokens(shown)], "pieces": pieces,
            "special": [i in special for i in shown], "cut": len(ids) - len(shown)}


def _evidence(base: LiveTokenizer, tuned: LiveTokenizer, before: str, after: str) -> dict[str, Any] | None:
    """Both renders as token boxes, each encoded by its own side; None where one is a refusal."""
    if before.startswith("error: ") or after.startswith("error: "):
        return None
    return {"tokens": {"base": _render_boxes(base, before), "tuned": _render_boxes(tuned, after)}}


def _around(text: str, position: int) -> str:
    start = max(0, position - _CONTEXT)
    return ("…" if start else "") + escaped(text[start:position + _CONTEXT])


def judged_by_renders(findings: list[Finding], base: Side, tuned: Side) -> list[Finding]:
    """The chat-template findings, each template.changed judged by its renders."""
    if not any(finding.code == CHANGED for finding in findings):
        return findings
    try:
        live = (base.tokenizer, tuned.tokenizer)
    except TokcheckUsageError:
        return findings  # a side that does not load: the loading test says so, and the text diff stands
    before, after = base.snapshot.chat_templates, tuned.snapshot.chat_templates
    # The static check reports the templates in sorted name order, one template.changed each.
    changed = iter(name for name in sorted(set(before) & set(after)) if before[name].text != after[name].text)
    judged = []
    for finding in findings:
        if finding.code == CHANGED:
            name = next(changed)
            judged.append(_judged(finding, *live, name, (before[name].text, after[name].text)))
            chosen = None if name == "default" else name
            judged += capabilities_lost(finding.check, _label(name), finding.where, capability_table(live[0], chosen),
                                        capability_table(live[1], chosen))
        else:
            judged.append(finding)
    return judged


def _label(name: str) -> str:
    return "chat template" if name == "default" else f"chat template {name!r}"


def _judged(finding: Finding, base: LiveTokenizer, tuned: LiveTokenizer, name: str, templates: tuple[str, str]) -> Finding:
    differing = first_differing_render(base, tuned, name, templates)
    if differing is None:
        return dataclasses.replace(
            finding, code=SAME_RENDERS, severity=Severity.INFO,
            message=f"{finding.message.removesuffix(RENDERS_DIFFER)}, yet every probe renders the same on both sides "
                    "(the fixed transcripts with and without a generation prompt, with tools, each option "
                    "base's template reads, and as vLLM and SGLang pass them): no prompt changes",
            fix="")
    probe, before, after, position = differing
    # An option the user passes: the error names it, since only requests that pass it change.
    option = "" if probe.option is None else f"; with {probe.option}, as a user passes it to apply_chat_template"
    return dataclasses.replace(
        finding,
        message=f"{finding.message.removesuffix(RENDERS_DIFFER)}{option}; the render of {probe.name} differs at character "
                f"{position}: base {_around(before, position)}, tuned {_around(after, position)}",
        detail=f"first differing render ({probe.name}):\n  base:  {escaped(before)[:2000]}\n  tuned: "
               f"{escaped(after)[:2000]}\n\n{finding.detail}",
        evidence=_evidence(base, tuned, before, after),
    )
