"""SGLang 0.5.23, as its source states it.

Sampling defaults: with `--sampling-defaults model` (the default in sglang/srt/server_args.py) the
server takes repetition_penalty, temperature, top_k, top_p and min_p from the model's
generation_config.json as every request's defaults (sglang/srt/configs/model_config.py,
ModelConfig.get_default_sampling_params); absent keys keep SamplingParams' neutral defaults.

Content format (sglang/srt/parser/jinja_template_utils.py, detect_jinja_template_content_format,
adapted from an older vLLM): "openai" when the template's text holds "image", "audio", "video" or
"vision" anywhere, or when a loop runs directly over `message['content']`, `msg.content` or
`m.content` (filtered, tested or sliced); otherwise, and for a template that does not parse,
"string". Unlike vLLM it follows no assignment, namespace or macro. And unlike vLLM it leaves a
request's string content alone in either format: only a request whose content is a list of typed
parts is changed, to those parts in "openai", to their texts joined by a space in "string"
(process_content_for_template_format). tests/checks/engines/test_sglang_crosscheck.py runs
SGLang's own functions, read from its wheel, against this."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.engines.engine import Engine
from tokcheck.checks.engines.transformers import syntax_tree

SGLANG = Engine(
    name="SGLang",
    source="sglang/srt/configs/model_config.py ModelConfig.get_default_sampling_params (0.5.23)",
    rule="--sampling-defaults model (the default) applies them to every request",
    sampling_defaults={
        "temperature": 1.0,
        "top_k": None,  # -1: no top-k
        "top_p": 1.0,
        "min_p": 0.0,
        "repetition_penalty": 1.0,
    },
)

STRING, OPENAI = "string", "openai"
_MEDIA_WORDS = ("image", "audio", "video", "vision")
_MESSAGE_NAMES = ("message", "msg", "m")


def _reads_content(node: Any, name: str) -> bool:
    """`name['content']` or `name.content`, through filters, tests and slices."""
    from jinja2 import nodes

    if isinstance(node, (nodes.Filter, nodes.Test)):
        return node.node is not None and _reads_content(node.node, name)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Slice):
        return _reads_content(node.node, name)
    if isinstance(node, nodes.Getitem):
        owner, key = node.node, node.arg
        return isinstance(key, nodes.Const) and key.value == "content" and _is_name(owner, name)
    return isinstance(node, nodes.Getattr) and node.attr == "content" and _is_name(node.node, name)


def _is_name(node: Any, name: str) -> bool:
    from jinja2 import nodes

    return isinstance(node, nodes.Name) and node.ctx == "load" and node.name == name


def content_format(template: str) -> str:
    if any(word in template for word in _MEDIA_WORDS):
        return OPENAI
    tree = syntax_tree(template)
    if tree is None:
        return STRING
    from jinja2 import nodes

    for loop in tree.find_all(nodes.For):
        if any(_reads_content(loop.iter, name) for name in _MESSAGE_NAMES):
            return OPENAI
    return STRING


def as_typed_parts(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages as an OpenAI client that sends typed parts writes them."""
    return [{**message, "content": [{"type": "text", "text": message["content"]}]}
            if isinstance(message.get("content"), str) else message for message in messages]


def as_sglang_passes(messages: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """The messages as SGLang hands them to a template of format `fmt` (text parts only: no media)."""
    passed = []
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            passed.append({key: value for key, value in message.items() if value is not None})
            continue
        texts = [part for part in content if isinstance(part, dict) and part.get("type") in ("text", "input_text")]
        rest = {key: value for key, value in message.items() if value is not None and key != "content"}
        if fmt == OPENAI:
            passed.append({**rest, "content": [{"type": "text", "text": part["text"]} for part in texts]})
        else:
            passed.append({**rest, "content": " ".join(part["text"] for part in texts)})
    return passed
