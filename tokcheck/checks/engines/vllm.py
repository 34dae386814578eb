"""vLLM, as its source states it.

Sampling defaults: since 0.8 (`--generation-config auto`, the default, PR #12622) the server and
LLM take repetition_penalty, temperature, top_k, top_p, min_p and max_new_tokens (as max_tokens)
from the model's generation_config.json as the default sampling of every request
(vllm/config/model.py, ModelConfig.get_diff_sampling_param); absent keys keep SamplingParams'
neutral defaults (vllm/sampling_params.py). do_sample is not read.

Content format: with `--chat-template-content-format auto` (the default) vLLM reads the chat
template's syntax tree and, when the template loops over a message's content, passes every
message's content as a list of typed parts, `[{"type": "text", "text": ...}]` ("openai");
otherwise as the string ("string"), which is also its answer for a template it cannot parse or
whose loops it cannot follow (vllm/renderers/hf.py in 0.34.0: _detect_content_format and
_iter_nodes_assign_content_item; vllm/renderers/chat_utils/ for how messages are passed). A loop
over content is `{% for part in m['content'] %}` (or `m.content`, filtered, tested or sliced)
where `m` is the loop variable of a loop over `messages` or over a variable or namespace
attribute assigned from it; a loop, outside macros, over a variable named `content`; or a loop,
inside a macro, over a parameter some call fills with a message's content.
tests/checks/engines/test_vllm_crosscheck.py runs vLLM's own functions, read from its wheel,
against this on every zoo template and on generated ones."""

from __future__ import annotations

from collections import deque
from typing import Any

from tokcheck.checks.engines.engine import Engine
from tokcheck.checks.engines.transformers import syntax_tree

VLLM = Engine(
    name="vLLM",
    source="vllm/config/model.py ModelConfig.get_diff_sampling_param; vllm/sampling_params.py",
    rule="--generation-config auto (the default since 0.8) applies them to every request",
    sampling_defaults={
        "temperature": 1.0,
        "top_k": None,  # 0 / -1: no top-k
        "top_p": 1.0,
        "min_p": 0.0,
        "repetition_penalty": 1.0,
        "max_new_tokens": None,  # the context length
    },
)

STRING, OPENAI = "string", "openai"


class _Unfollowed(Exception):
    """A loop over the messages or their content whose target is not a plain name: vLLM's walk
    asserts one there, and its detection falls back to STRING."""


def _loads(node: Any, name: str) -> bool:
    """`name` read, or for a dotted name ("ns.rest") that namespace attribute."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.ctx == "load" and node.name == name
    if isinstance(node, nodes.Getattr) and "." in name:
        owner, _, attribute = name.rpartition(".")
        return node.attr == attribute and _loads(node.node, owner)
    return False


def _item(node: Any, name: str, key: str) -> bool:
    """`name[key]` or `name.key`."""
    from jinja2 import nodes

    if isinstance(node, nodes.Getitem):
        return _loads(node.node, name) and isinstance(node.arg, nodes.Const) and node.arg.value == key
    return isinstance(node, nodes.Getattr) and _loads(node.node, name) and node.attr == key


def _reads(node: Any, name: str, key: str | None = None) -> bool:
    """`name` (or `name[key]`) read directly, through a filter or test, or sliced."""
    from jinja2 import nodes

    if isinstance(node, nodes.Filter):
        return node.node is not None and _reads(node.node, name, key)
    if isinstance(node, nodes.Test):
        return _reads(node.node, name, key)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Slice):
        return _reads(node.node, name, key)
    return _item(node, name, key) if key else _loads(node, name)


def _dotted(node: Any) -> str | None:
    """An attribute target (`ns.rest`) as its dotted name."""
    from jinja2 import nodes

    if isinstance(node, nodes.NSRef):
        return f"{node.name}.{node.attr}"
    parts = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    return ".".join([node.name, *reversed(parts)]) if isinstance(node, nodes.Name) else None


def _names_for(tree: Any, name: str) -> list[str]:
    """`name` and every variable or namespace attribute assigned from it (or from those), breadth first."""
    from jinja2 import nodes

    found, seen, pending = [name], {name}, deque([name])
    while pending:
        current = pending.popleft()
        for assign in tree.find_all(nodes.Assign):
            target, value = assign.target, assign.node
            aliases: list[str] = []
            if isinstance(target, nodes.Name) and _reads(value, current):
                aliases.append(target.name)
            if (isinstance(target, nodes.Name) and isinstance(value, nodes.Call) and isinstance(value.node, nodes.Name)
                    and value.node.name == "namespace"):
                aliases += [f"{target.name}.{kwarg.key}" for kwarg in value.kwargs if _reads(kwarg.value, current)]
            elif isinstance(target, (nodes.Getattr, nodes.NSRef)) and _reads(value, current):
                aliases += [dotted] if (dotted := _dotted(target)) is not None else []
            for alias in aliases:
                found.append(alias)
                if alias != current and alias not in seen:
                    seen.add(alias)
                    pending.append(alias)
    return found


def _target(loop: Any) -> str:
    from jinja2 import nodes

    if not isinstance(loop.target, nodes.Name):
        raise _Unfollowed
    return str(loop.target.name)


def _message_names(tree: Any) -> list[str]:
    """The loop variables of the loops over `messages` (or what was assigned from it)."""
    from jinja2 import nodes

    over = _names_for(tree, "messages")
    return [_target(loop) for loop in tree.find_all(nodes.For) if any(_reads(loop.iter, name) for name in over)]


def _macro_content_params(tree: Any, messages: list[str]) -> tuple[dict[int, set[str]], set[int]]:
    """For each loop inside a macro, the macro's parameters some call fills with a message's content;
    and the ids of every loop inside a macro."""
    from jinja2 import nodes

    by_loop: dict[int, set[str]] = {}
    in_macros: set[int] = set()
    for macro in tree.find_all(nodes.Macro):
        params = [arg.name for arg in macro.args]
        content_params: set[str] = set()
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == macro.name:
                content_params |= {params[i] for i, arg in enumerate(call.args)
                                   if i < len(params) and any(_reads(arg, name, "content") for name in messages)}
                content_params |= {kwarg.key for kwarg in call.kwargs if isinstance(kwarg, nodes.Keyword)
                                   and kwarg.key in params and any(_reads(kwarg.value, name, "content") for name in messages)}
        for loop in macro.find_all(nodes.For):
            in_macros.add(id(loop))
            if content_params:
                by_loop[id(loop)] = content_params
    return by_loop, in_macros


def _loops_over_content(tree: Any) -> bool:
    """Whether some loop runs over a message's content, in vLLM's reading (the first one found ends it)."""
    from jinja2 import nodes

    messages = _message_names(tree)
    by_loop, in_macros = _macro_content_params(tree, messages)
    for loop in tree.find_all(nodes.For):
        iterated = loop.iter
        named = isinstance(iterated, nodes.Name)
        if (any(_reads(iterated, name, "content") for name in messages)
                or (named and iterated.name in by_loop.get(id(loop), ()))
                or (named and id(loop) not in in_macros and iterated.name == "content")):
            _target(loop)
            return True
    return False


def content_format(template: str) -> str:
    """OPENAI when the template loops over a message's content, else STRING (also for a template
    that does not parse, or whose loops vLLM cannot follow)."""
    tree = syntax_tree(template)  # vLLM's _try_extract_ast
    if tree is None:
        return STRING
    try:
        return OPENAI if _loops_over_content(tree) else STRING
    except _Unfollowed:
        return STRING


def as_vllm_passes(messages: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """The messages as vLLM hands them to the template: with OPENAI, a string content becomes one
    text part (and a missing one no parts); with STRING, one text is itself."""
    if fmt == STRING:
        return messages
    passed = []
    for message in messages:
        content = message.get("content")
        parts = [] if content is None else [{"type": "text", "text": content}] if isinstance(content, str) else content
        passed.append({**message, "content": parts})
    return passed
