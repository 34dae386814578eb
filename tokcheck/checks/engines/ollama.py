"""Ollama: how it turns a chat into a prompt with a Modelfile's TEMPLATE and SYSTEM, and what it
takes from the Modelfile's PARAMETERs. Read from ollama/ollama v0.33.0-rc2 (commit fb30760):

- server/routes.go ChatHandler: `msgs := append(m.Messages, req.Messages...)`; when the request's
  first message is not a system message and the model has a SYSTEM, that SYSTEM is prepended as a
  system message (so a request's own system message replaces it).
- template/template.go `Parse`: Go text/template with Option("missingkey=zero") and the functions
  json, currentDate, yesterdayDate, toTypeScriptType; a template whose identifiers (Vars, lower-cased)
  name neither `messages` nor `response` gets a `{{ .Response }}` action appended.
- template/template.go `Execute`: the messages are collated (consecutive messages of one role, tool
  aside, joined by "\\n\\n"; every system message's content joined by "\\n\\n" is .System). A template
  that names `messages` renders once with .System, .Messages (templateMessage: Role, Content,
  Thinking, Images, ToolCalls, ToolName, ToolCallID), .Tools, .Response "" and the Think fields.
  Otherwise the legacy path: each system/user/assistant turn fills .System/.Prompt/.Response and the
  whole template renders once per completed exchange; the last, open exchange renders a copy of the
  template cut after its first `.Response` field (deleteNode), so the prompt ends where the answer
  starts.
- server/create.go / server/model.go detectChatTemplate: a Modelfile without TEMPLATE takes, from the
  GGUF's tokenizer.chat_template, the built-in template of template/index.json closest to it by
  Levenshtein distance when that distance is < 100 (template.Named); else no Go template, and
  Ollama's runner renders the GGUF's Jinja chat template itself (server/images.go
  selectedTemplateSource "gguf_chat_template").
- server/images.go (since v0.30.11, ollama#16878): a model whose GGUF also carries a Jinja
  tokenizer.chat_template with more capabilities than its Go TEMPLATE (tools, thinking) is rendered
  by llama-server from that chat template instead (PreferChatTemplate, shouldPreferChatTemplate),
  unless OLLAMA_GO_TEMPLATE is set: `prefers_chat_template` below.
- api/types.go Options: temperature, top_p, top_k, repeat_penalty, num_ctx, stop (a PARAMETER stop
  is repeatable; Ollama stops where the output contains any of them)."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

from tokcheck.checks.engines.gotemplate import (
    Action,
    Branch,
    Chain,
    Command,
    Field,
    GoStruct,
    GoTemplate,
    GoTemplateError,
    NilList,
    NilStringerList,
    OneOrList,
    Pipe,
    StringerList,
    StringerMap,
    Text,
    Variable,
    go_json,
)

SOURCE = "ollama/ollama v0.33.0-rc2: template/template.go (Parse, Execute, collate), server/routes.go ChatHandler"
# The PARAMETERs that set sampling, with the generation_config.json key each stands for.
SAMPLING_PARAMETERS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "repeat_penalty": "repetition_penalty",
    "min_p": "min_p",
}
# Ollama's own defaults when a Modelfile sets none (api/types.go DefaultOptions, v0.33.0-rc2).
# MinP is not set there: Go's zero value, 0.
OLLAMA_DEFAULTS = {"temperature": 0.8, "top_p": 0.9, "top_k": 40, "repeat_penalty": 1.0, "min_p": 0.0}


def _to_go(value: Any) -> Any:
    """A JSON value as encoding/json decodes it into `any`: every number a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_to_go(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_go(v) for k, v in value.items()}
    return str(value)


def _json_string(struct: GoStruct) -> str:
    return go_json(struct)


def _tool_property(spec: dict[str, Any]) -> GoStruct:
    kind = spec.get("type")
    types = [kind] if isinstance(kind, str) else list(kind or [])
    return GoStruct(
        {"Type": OneOrList(types) if types else NilList(), "Description": spec.get("description", ""),
         "Enum": [_to_go(v) for v in spec["enum"]] if spec.get("enum") else NilList()},
        json_names={"Type": "type", "Description": "description", "Enum": "enum"},
        omitempty=frozenset({"Type", "Description", "Enum"}),
    )


def _tool(spec: dict[str, Any]) -> GoStruct:
    function = spec.get("function", {})
    parameters = function.get("parameters", {}) or {}
    properties = StringerMap({k: _tool_property(v) for k, v in (parameters.get("properties") or {}).items()})
    return GoStruct(
        {
            "Type": spec.get("type", "function"),
            "Items": None,
            "Function": GoStruct(
                {
                    "Name": function.get("name", ""),
                    "Description": function.get("description", ""),
                    "Parameters": GoStruct(
                        {"Type": parameters.get("type", ""), "Defs": None, "Items": None,
                         "Required": list(parameters.get("required") or []) or NilList(),
                         "Properties": properties},
                        json_names={"Type": "type", "Defs": "$defs", "Items": "items", "Required": "required",
                                    "Properties": "properties"},
                        omitempty=frozenset({"Defs", "Items", "Required"}),
                    ),
                },
                json_names={"Name": "name", "Description": "description", "Parameters": "parameters"},
            ),
        },
        json_names={"Type": "type", "Items": "items", "Function": "function"},
        omitempty=frozenset({"Items"}),
        string=_json_string,
    )


def _tool_call(call: dict[str, Any]) -> GoStruct:
    function = call.get("function", {})
    arguments = function.get("arguments", {})
    if isinstance(arguments, str):
        arguments = json.loads(arguments)
    return GoStruct({
        "ID": call.get("id", ""),
        "Function": GoStruct({"Index": int(function.get("index", 0)), "Name": function.get("name", ""),
                              "Arguments": StringerMap(_to_go(arguments))}),
    })


def _message(message: dict[str, Any]) -> GoStruct:
    calls = [_tool_call(c) for c in message.get("tool_calls") or []]
    return GoStruct({
        "Role": message.get("role", ""),
        "Content": message.get("content") or "",
        "Thinking": message.get("thinking", "") or "",
        "Images": NilList(),
        "ToolCalls": calls or NilList(),
        "ToolName": message.get("tool_name", "") or "",  # api.Message json "tool_name"
        "ToolCallID": message.get("tool_call_id", "") or "",
    })


def _funcs(today: datetime.date) -> dict[str, Callable[..., Any]]:
    return {
        "json": go_json,
        "currentDate": lambda *args: today.isoformat(),
        "yesterdayDate": lambda *args: (today - datetime.timedelta(days=1)).isoformat(),
        "toTypeScriptType": lambda value: "any",
    }


def identifiers(nodes: list[Any]) -> list[str]:
    """template.go Identifiers over a node list: fields' and variables' idents, through actions,
    branches (pipe, list, else list) and parenthesised pipes; a chain is not walked (as there)."""
    names: list[str] = []
    for node in nodes:
        if isinstance(node, Action):
            names += _pipe_identifiers(node.pipe)
        elif isinstance(node, Branch):
            names += _pipe_identifiers(node.pipe) + identifiers(node.body) + identifiers(node.else_body or [])
    return names


def _pipe_identifiers(pipe: Pipe) -> list[str]:
    names: list[str] = []
    for cmd in pipe.cmds:
        for arg in cmd.args:
            if isinstance(arg, Field):
                names += arg.idents
            elif isinstance(arg, Variable):
                names += [arg.name, *arg.idents]
            elif isinstance(arg, Pipe):
                names += _pipe_identifiers(arg)
    return names


class OllamaTemplate:
    """A Modelfile TEMPLATE as Ollama parses it (template.Parse)."""

    def __init__(self, source: str, today: datetime.date | None = None) -> None:
        self.source = source
        self.today = today or datetime.date.today()
        self.template = GoTemplate(source, _funcs(self.today))
        self.vars = sorted({name.lower() for name in identifiers(self.template.nodes)})
        if "messages" not in self.vars and "response" not in self.vars:
            self.template.nodes.append(Action(Pipe([], False, [Command([Field(["Response"])])])))

    @property
    def uses_messages(self) -> bool:
        return "messages" in self.vars

    def execute(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> str:
        """template.go Execute (its chat paths; the Prompt+Suffix insert path aside)."""
        system, collated = _collate(messages)
        if self.uses_messages:
            return self.template.execute({
                "System": system,
                "Messages": [_message(m) for m in collated],
                "Tools": NilStringerList() if tools is None else StringerList(_tool(t) for t in tools),
                "Response": "",
                "Think": False,
                "ThinkLevel": "",
                "IsThinkSet": False,
            })
        out: list[str] = []
        system, prompt, response = "", "", ""

        def values() -> dict[str, Any]:
            return {"System": system, "Prompt": prompt, "Response": response,
                    "Think": False, "ThinkLevel": "", "IsThinkSet": False}

        for message in collated:
            role, content = message.get("role"), message.get("content") or ""
            if role == "system":
                if prompt or response:
                    out.append(self.template.execute(values()))
                    prompt = response = ""
                system = content
            elif role == "user":
                if response:
                    out.append(self.template.execute(values()))
                    system = response = ""
                prompt = content
            elif role == "assistant":
                response = content
        out.append(self.template.execute(values(), _cut_after_response(self.template.nodes), builtins_only=True))
        return "".join(out)


def _collate(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    system = [m.get("content") or "" for m in messages if m.get("role") == "system"]
    collated: list[dict[str, Any]] = []
    for message in messages:
        if collated and collated[-1].get("role") == message.get("role") and message.get("role") != "tool":
            collated[-1] = {**collated[-1], "content": (collated[-1].get("content") or "") + "\n\n"
                            + (message.get("content") or "")}
        else:
            collated.append(dict(message))
    return "\n\n".join(system), collated


def _cut_after_response(nodes: list[Any]) -> list[Any]:
    """template.go deleteNode on a copy of the tree: every node after the first `.Response` field
    (in an action's pipe; a branch's own pipe is not looked into) is removed."""
    cut = False

    def matches(node: Any) -> bool:
        nonlocal cut
        if isinstance(node, Field) and "Response" in node.idents:
            cut = True
            return False
        return cut

    def walk_list(items: list[Any]) -> list[Any]:
        return [kept for kept in (walk(item) for item in items) if kept is not None]

    def walk(node: Any) -> Any:
        if matches(node):
            return None
        if isinstance(node, Branch):
            node.body = walk_list(node.body)
            if node.else_body is not None:
                if cut:  # Ollama's walk returns nil for the else list here and panics on it
                    raise GoTemplateError("Ollama cannot cut this template after .Response inside an if/else")
                node.else_body = walk_list(node.else_body)
        elif isinstance(node, Action):
            pipe = walk_pipe(node.pipe)
            if pipe is None:
                return None
            node.pipe = pipe
        elif isinstance(node, Pipe):
            return walk_pipe(node)
        return node

    def walk_pipe(pipe: Pipe) -> Pipe | None:
        if matches(pipe):
            return None
        commands = []
        for cmd in pipe.cmds:
            args = [kept for kept in (walk(a) for a in cmd.args) if kept is not None]
            if not args:
                return None
            cmd.args = args
            commands.append(cmd)
        if not commands:
            return None
        pipe.cmds = commands
        return pipe

    return walk_list(copy.deepcopy(nodes))


_CHAT_TOOL_ROLE_MARKS = (
    "tool_response", "tool_results", "role'] == 'tool'", "role'] == \"tool\"", "role\"] == 'tool'",
    "role\"] == \"tool\"", "message.role == 'tool'", "message.role == \"tool\"", "ipython",
)


def _chat_capabilities(chat_template: str) -> set[str]:
    """server/images.go chatTemplateCapabilities: a Jinja chat template's capabilities, by its text."""
    found = set()
    if "tools" in chat_template or "tool_call" in chat_template:
        found.add("tools")
    if ("<think>" in chat_template and "</think>" in chat_template) or (
            ("content.split('</think>')" in chat_template or 'content.split("</think>")' in chat_template)
            and "reasoning_content" not in chat_template and "<SPECIAL_12>" not in chat_template):
        found.add("thinking")
    return found


def _chat_tool_round_trip(chat_template: str) -> bool:
    """chatTemplateHasToolRoundTrip."""
    calls = "tool_calls" in chat_template or "assistant_tool_call" in chat_template
    return "tools" in _chat_capabilities(chat_template) and calls and any(
        mark in chat_template for mark in _CHAT_TOOL_ROLE_MARKS)


def _go_capabilities(template: OllamaTemplate) -> set[str]:
    """goTemplateCapabilities: tools and insert from the template's identifiers; thinking where it reads
    .Thinking inside a range over .Messages (thinking.InferTags, approximated: a .Thinking field and
    .Messages both named)."""
    found = {name for name, var in (("tools", "tools"), ("insert", "suffix")) if var in template.vars}
    if "thinking" in template.vars and "messages" in template.vars:
        found.add("thinking")
    return found


def _go_tool_round_trip(template: OllamaTemplate) -> bool:
    """goTemplateHasToolRoundTrip."""
    return "tools" in template.vars and "toolcalls" in template.vars and any(
        mark in template.source for mark in ('eq .Role "tool"', "tool_response", "TOOL_RESULTS"))


def prefers_chat_template(template: OllamaTemplate, chat_template: str | None) -> tuple[bool, str]:
    """Whether Ollama (v0.30.11 and later, OLLAMA_GO_TEMPLATE unset) renders the GGUF's Jinja chat
    template instead of this Go TEMPLATE (server/images.go shouldPreferChatTemplate), and why."""
    if not chat_template:
        return False, ""
    chat, go = _chat_capabilities(chat_template), _go_capabilities(template)
    if len(chat) > len(go):
        prefer = not _go_tool_round_trip(template) or _chat_tool_round_trip(chat_template)
        return prefer, f"the chat template has {sorted(chat)}, the TEMPLATE {sorted(go) or 'none'}"
    if chat != go or "tools" not in chat:
        return False, ""
    prefer = _chat_tool_round_trip(chat_template) and not _go_tool_round_trip(template)
    return prefer, "the chat template carries tool results back to the model and the TEMPLATE does not"


def chat_messages(messages: list[dict[str, Any]], system: str | None,
                  history: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """ChatHandler: the Modelfile's MESSAGEs (`history`) go before the request's messages, and its
    SYSTEM before all of them unless the request's own first message is a system message."""
    found = [*(history or []), *messages]
    if system and (not messages or messages[0].get("role") != "system"):
        return [{"role": "system", "content": system}, *found]
    return found


def render_chat(template: OllamaTemplate, messages: list[dict[str, Any]], system: str | None,
                tools: list[dict[str, Any]] | None = None, history: list[dict[str, Any]] | None = None) -> str:
    """The prompt Ollama's /api/chat builds for these messages."""
    return template.execute(chat_messages(messages, system, history), tools)


__all__ = ["OLLAMA_DEFAULTS", "SAMPLING_PARAMETERS", "SOURCE", "Chain", "GoTemplateError", "OllamaTemplate",
           "Text", "chat_messages", "render_chat"]
