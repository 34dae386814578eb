"""What a chat template can render, found by rendering probes that carry needle strings and looking
for the needles in the render, as google/minja does (include/minja/chat-template.hpp, the
chat_template constructor, at commit 282bd1165b9206f75eae792ad4a7a10714492613; its table is in
tests/test-capabilities.cpp): a system role, tool definitions, tool calls (arguments as a JSON
string or as an object), tool responses (probed only where tool calls render, as minja does),
parallel tool calls. On top of minja's: the thinking switch (the render with a generation prompt
differs between enable_thinking true and false), typed (list) content (the text of a
`[{"type": "text", ...}]` part rendered, not the list's repr), documents (documents=) and an
assistant's reasoning_content.

A capability base's template has and tuned's has lost is an error (`template.capability-lost`),
run where the template changed: a fine-tune export that dropped the tool block or the
enable_thinking branch (hiyouga/LlamaFactory#9765) renders every default probe the same, so only a
probe that asks for the capability shows it gone."""

from __future__ import annotations

import json
from typing import Any

from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer

CAPABILITY_LOST = "template.capability-lost"

_USER = "needle-user-text"
_USER_MESSAGE = {"role": "user", "content": _USER}
_CALL_ID = "call00911"  # nine alphanumeric characters: Mistral's templates reject any other id
_ARGUMENTS = {"argument_needle": "print('Hello, World!')"}


def _render(tokenizer: LiveTokenizer, template: str | None, messages: list[dict[str, Any]], **kwargs: Any) -> str:
    """The render as text; "" where the template refuses the conversation (minja's try_raw_render)."""
    # Hypothesis loads with the transcripts module: here, not when pytest loads the plugin.
    from tokcheck.inputs.transcripts import rendered_text

    if template is not None:
        kwargs["chat_template"] = template
    return rendered_text(tokenizer, messages, **kwargs) or ""


def _tool_call(name: str, arguments: Any, call_id: str = _CALL_ID) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _calls_message(calls: list[dict[str, Any]]) -> dict[str, Any]:
    # content "" rather than minja's null: most zoo templates concatenate content as a string
    return {"role": "assistant", "content": "", "tool_calls": calls}


def _tool_response(name: str, content: str, call_id: str = _CALL_ID) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "name": name, "content": content}


def _arguments_rendered(text: str) -> bool:
    # minja's test: the argument's key as JSON or a Python dict writes it, not double-escaped
    return any(form in text for form in ('"argument_needle":', "'argument_needle':", "<parameter=argument_needle>"))


def capability_table(tokenizer: LiveTokenizer, template: str | None = None) -> dict[str, bool]:
    """Each capability (CAPABILITIES' order) and whether the template renders it: `template` is a
    template's text or the name of one of the tokenizer's, None for its default."""
    def render(messages: list[dict[str, Any]], **kwargs: Any) -> str:
        return _render(tokenizer, template, messages, **kwargs)

    found: dict[str, bool] = {}
    found["system_role"] = "needle-system-text" in render([{"role": "system", "content": "needle-system-text"}, _USER_MESSAGE])
    tools = [{"type": "function", "function": {
        "name": "needle_tool", "description": "Some tool.",
        "parameters": {"type": "object", "properties": {"arg": {"type": "string", "description": "Some argument."}},
                       "required": ["arg"]}}}]
    found["tools"] = "needle_tool" in render([_USER_MESSAGE], tools=tools)
    as_string = render([_USER_MESSAGE, _calls_message([_tool_call("ipython", json.dumps(_ARGUMENTS))]),
                        _tool_response("ipython", "Hello, World!")])
    as_object = render([_USER_MESSAGE, _calls_message([_tool_call("ipython", _ARGUMENTS)]),
                        _tool_response("ipython", "Hello, World!")])
    found["tool_calls"] = _arguments_rendered(as_string) or _arguments_rendered(as_object)
    arguments: Any = _ARGUMENTS if _arguments_rendered(as_object) else json.dumps(_ARGUMENTS)
    parallel = render([_USER_MESSAGE, _calls_message([_tool_call("test_tool1", arguments),
                                                      _tool_call("test_tool2", arguments, "call00912")])])
    found["tool_responses"] = found["tool_calls"] and "needle-tool-response" in render(
        [_USER_MESSAGE, _calls_message([_tool_call("test_tool1", arguments)]),
         _tool_response("test_tool1", "needle-tool-response")])
    found["parallel_tool_calls"] = found["tool_calls"] and "test_tool1" in parallel and "test_tool2" in parallel
    on, off = (render([_USER_MESSAGE], add_generation_prompt=True, enable_thinking=value) for value in (True, False))
    found["thinking_toggle"] = bool(on) and bool(off) and on != off
    typed = render([{"role": "user", "content": [{"type": "text", "text": _USER}]}])
    found["typed_content"] = _USER in typed and not any(form in typed for form in ("'type': 'text'", '"type": "text"'))
    documents = [{"title": "needle-document-title", "text": "needle-document-text"}]
    found["documents"] = "needle-document-text" in render([_USER_MESSAGE], documents=documents)
    found["reasoning_content"] = "needle-reasoning-text" in render(
        [_USER_MESSAGE, {"role": "assistant", "content": "The answer.", "reasoning_content": "needle-reasoning-text"}])
    return found


# What each capability is to a user, by name (the order of the table).
CAPABILITIES: dict[str, str] = {
    "system_role": "a system message",
    "tools": "tool definitions passed as tools=",
    "tool_calls": "an assistant's tool calls",
    "tool_responses": "tool results (role tool)",
    "parallel_tool_calls": "two tool calls in one assistant turn",
    "thinking_toggle": "the thinking switch enable_thinking (the generation prompt differs between true and false)",
    "typed_content": "typed (list) content, [{\"type\": \"text\", ...}] as vLLM and SGLang may pass it",
    "documents": "documents passed as documents=",
    "reasoning_content": "an assistant's reasoning_content",
}


def table_lines(base: dict[str, bool], tuned: dict[str, bool]) -> str:
    """The two tables side by side, one capability a line."""
    width = max(map(len, CAPABILITIES))
    def mark(value: bool) -> str:
        return "yes" if value else "no"

    rows = [f"{'capability':<{width}}  base  tuned"]
    rows += [f"{name:<{width}}  {mark(base[name]):<4}  {mark(tuned[name])}" for name in CAPABILITIES]
    return "\n".join(rows)


def capabilities_lost(check: str, label: str, where: str, base: dict[str, bool], tuned: dict[str, bool]) -> list[Finding]:
    """One error for each capability base's template renders and tuned's does not."""
    return [
        Finding(check, CAPABILITY_LOST, Severity.ERROR,
                f"{label}: tuned's template lost {name}: base's renders {CAPABILITIES[name]}, tuned's does not "
                "(its needle is missing from tuned's render), so requests that use it render another prompt than "
                "base was trained on",
                where=where,
                fix=f"restore base's chat template, or the branch of it that renders {name}",
                detail=table_lines(base, tuned))
        for name in CAPABILITIES if base[name] and not tuned[name]
    ]
