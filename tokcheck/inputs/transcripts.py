"""Chat transcripts for Hypothesis: what a chat template renders (probed with needle
conversations), and transcripts that follow the rules real templates enforce. Also the Transcript
record the checks, golden files and reports share. Public through tokcheck.strategies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st

from tokcheck.display import escaped
from tokcheck.inputs.text import edge_case_text
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.live import render_chat

# --- chat transcripts -------------------------------------------------------------------------

_TOOL_NAMES = ("get_weather", "search", "calculator")


def tool_schema(name: str, description: str = "") -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description or f"{name.replace('_', ' ')} tool",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        },
    }


def tool_call(call_id: str, name: str, query: str) -> dict[str, Any]:
    # 9 alphanumeric characters: Mistral's templates reject any other tool call id.
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": {"query": query}}}


@dataclass(frozen=True)
class TemplateCapabilities:
    """What a chat template renders, found by rendering needle conversations (as google/minja's
    capability probes do): a system message, tool messages, tool calls (one or two at once) and
    tool definitions passed as ``tools=``."""

    renders: bool = True
    system: bool = True
    tool_role: bool = False
    tool_calls: bool = False
    parallel_tool_calls: bool = False
    tools: bool = False

    def describe(self) -> str:
        if not self.renders:
            return "renders nothing (no usable chat template)"
        names = [name for name in ("system", "tool_role", "tool_calls", "parallel_tool_calls", "tools") if getattr(self, name)]
        return "supports " + (", ".join(names) if names else "user/assistant turns only")


def rendered_text(tokenizer: LiveTokenizer, messages: list[dict[str, Any]], **kwargs: Any) -> str | None:
    """The chat template's render of `messages` as text, or None where the template rejects them."""
    try:
        rendered = render_chat(tokenizer, messages, tokenize=False, **kwargs)
    except Exception:  # a template that rejects the conversation: that is the answer
        return None
    return rendered if isinstance(rendered, str) else None


_NEEDLE_USER = {"role": "user", "content": "needle user"}


def renders_chat(tokenizer: LiveTokenizer) -> bool:
    """Whether `tokenizer` has a chat template that renders a one-message conversation."""
    return rendered_text(tokenizer, [_NEEDLE_USER]) is not None


def template_capabilities(tokenizer: LiveTokenizer) -> TemplateCapabilities:
    """Probe `tokenizer`'s chat template with needle conversations."""
    user = _NEEDLE_USER
    if not renders_chat(tokenizer):
        return TemplateCapabilities(renders=False, system=False)
    system = rendered_text(tokenizer, [{"role": "system", "content": "needle system"}, user])
    one_call = [tool_call("call00001", "needle_fn", "q")]
    two_calls = [*one_call, tool_call("call00002", "needle_gn", "q")]
    tools = [tool_schema("needle_fn", "needle tool description"), tool_schema("needle_gn")]

    def exchange(calls: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        assistant: dict[str, Any] = {"role": "assistant", "content": "" if calls else "needle call"}
        if calls:
            assistant["tool_calls"] = calls
        results = [{"role": "tool", "tool_call_id": c["id"], "name": c["function"]["name"], "content": f"needle result {c['id']}"}
                   for c in (calls or one_call)]
        return [user, assistant, *results, {"role": "assistant", "content": "done"}]

    called = rendered_text(tokenizer, exchange(one_call), tools=tools)
    plain_tool = rendered_text(tokenizer, exchange(None))
    parallel = rendered_text(tokenizer, exchange(two_calls), tools=tools)
    with_tools = rendered_text(tokenizer, [user], tools=tools)
    return TemplateCapabilities(
        system=system is not None and "needle system" in system,
        tool_calls=called is not None and "needle_fn" in called,
        tool_role=any(r is not None and "needle result" in r for r in (called, plain_tool)),
        parallel_tool_calls=parallel is not None and "needle_gn" in parallel and "call00002" in parallel,
        tools=with_tools is not None and "needle tool description" in with_tools,
    )


@dataclass(frozen=True)
class Transcript:
    """A conversation and the arguments it is rendered with; `name` labels a fixed one (golden files)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    add_generation_prompt: bool = False
    tools: list[dict[str, Any]] | None = None
    name: str = field(default="", compare=False)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for apply_chat_template (besides tokenize)."""
        found: dict[str, Any] = {"add_generation_prompt": self.add_generation_prompt}
        if self.tools is not None:
            found["tools"] = self.tools
        return found

    def lines(self) -> list[str]:
        """The transcript as a person reads it, one message a line, texts escaped."""
        shown = []
        for message in self.messages:
            extra = ""
            if message.get("tool_calls"):
                extra = " tool_calls=" + ", ".join(c["function"]["name"] + "(" + ascii(c["function"]["arguments"]) + ")"
                                                   for c in message["tool_calls"])
            shown.append(f"  {message['role']}: {escaped(str(message.get('content', '')))}{extra}")
        tools = f", tools=[{', '.join(t['function']['name'] for t in self.tools)}]" if self.tools else ""
        shown.append(f"  (add_generation_prompt={self.add_generation_prompt}{tools})")
        return shown


@st.composite
def _round(draw: Any, caps: TemplateCapabilities, content: st.SearchStrategy[str]) -> tuple[Any, ...]:
    """One user turn and the assistant's answer, with a tool exchange in between when drawn."""
    user = draw(content)
    exchange = None
    if caps.tool_role and draw(st.booleans()):
        count = draw(st.integers(1, 2)) if caps.parallel_tool_calls else 1
        calls = [(draw(st.sampled_from(_TOOL_NAMES)), draw(content)) for _ in range(count)]
        lead = None if caps.tool_calls else draw(content)  # without tool-call support: plain text
        exchange = (calls, lead, [draw(content) for _ in calls])
    return user, exchange, draw(content)


@st.composite
def _transcripts(draw: Any, caps: TemplateCapabilities, content: st.SearchStrategy[str], max_rounds: int) -> Transcript:
    # Rounds are a list (not a count) so that shrinking can delete any of them.
    system = draw(st.one_of(st.none(), content)) if caps.system else None
    rounds = draw(st.lists(_round(caps, content), min_size=1, max_size=max_rounds))
    end_on_user = draw(st.booleans())  # a prompt awaiting the assistant
    messages: list[dict[str, Any]] = [] if system is None else [{"role": "system", "content": system}]
    calls_made = 0
    for index, (user, exchange, answer) in enumerate(rounds):
        messages.append({"role": "user", "content": user})
        if end_on_user and index == len(rounds) - 1:
            break
        if exchange is not None:
            calls, lead, results = exchange
            made = []
            for name, query in calls:
                calls_made += 1
                made.append(tool_call(f"call{calls_made:05d}", name, query))
            if lead is None:
                messages.append({"role": "assistant", "content": "", "tool_calls": made})
            else:
                messages.append({"role": "assistant", "content": lead})
            messages += [{"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"], "content": result}
                         for call, result in zip(made, results)]
        messages.append({"role": "assistant", "content": answer})
    tools = [tool_schema(name) for name in _TOOL_NAMES] if caps.tools and draw(st.booleans()) else None
    return Transcript(messages=messages, add_generation_prompt=draw(st.booleans()), tools=tools)


def chat_transcripts(
    tokenizer: LiveTokenizer | None = None,
    *,
    content: st.SearchStrategy[str] | None = None,
    capabilities: TemplateCapabilities | None = None,
    max_rounds: int = 3,
) -> st.SearchStrategy[Transcript]:
    """Chat transcripts that follow the alternation rules real templates enforce: an optional
    system message, then user and assistant turns alternating (multi-turn, contents may be empty),
    the last turn the user's or the assistant's; where the template supports them, assistant tool
    calls (ids of 9 alphanumeric characters) answered by tool messages, and tool definitions;
    ``add_generation_prompt`` both ways. The capabilities come from probing `tokenizer`'s template
    (see `template_capabilities`) unless given."""
    caps = capabilities or (template_capabilities(tokenizer) if tokenizer is not None else TemplateCapabilities())
    return _transcripts(caps, content if content is not None else edge_case_text(max_fragments=4), max_rounds)


_TOOL_CALL_ID = "call12345"  # nine characters: Mistral's templates require exactly that
# Fixed conversations: what golden files record, and the probes a changed chat template is judged by.
FIXED_TRANSCRIPTS: tuple[Transcript, ...] = (
    Transcript(name="user", messages=[{"role": "user", "content": "Hello!"}]),
    Transcript(name="system-user", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is 2+2?"},
    ]),
    Transcript(name="multi-turn", messages=[
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one?"},
    ]),
    Transcript(name="assistant-last", messages=[
        {"role": "user", "content": "Say hi."},
        {"role": "assistant", "content": "Hi!"},
    ]),
    Transcript(name="unicode", messages=[{"role": "user", "content": "Grüße 👋 日本語 — ｆｕｌｌ\tTab\nNewline"}]),
    Transcript(name="whitespace-edges", messages=[{"role": "user", "content": "  padded both sides  \n"}]),
    Transcript(name="empty", messages=[{"role": "user", "content": ""}]),
    Transcript(name="special-literals", messages=[
        {"role": "user", "content": "Literal <|eot_id|> <|im_end|> </s> [INST] <s> in user text."},
    ]),
    Transcript(name="tool-call", messages=[
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": _TOOL_CALL_ID, "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "tool_call_id": _TOOL_CALL_ID, "name": "get_weather", "content": "{\"celsius\": 21}"},
    ]),
)  # fmt: skip
