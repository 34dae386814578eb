"""tokcheck's reading of SGLang's content-format detection and message handling
(tokcheck/checks/engines/sglang.py) against SGLang's own functions, taken from its release's
sglang/srt/parser/jinja_template_utils.py (tests/engine_sources.py fetches it; tox's model env runs
this), on every chat template of the zoo, on the templates built for vLLM's rules (SGLang follows
fewer of them) and on generated ones."""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.checks.engines.test_vllm_crosscheck import _PIECES, BUILT, zoo_templates
from tests.engine_sources import FETCH_COMMAND, SGLANG, engine_file
from tokcheck.checks.engines.sglang import as_sglang_passes, as_typed_parts, content_format
from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS

pytestmark = pytest.mark.engines
DETECTION = ("_is_var_access", "_is_attr_access", "_is_var_or_elems_access", "_try_extract_ast",
             "detect_jinja_template_content_format", "process_content_for_template_format")


@cache
def sglang_functions() -> dict[str, Callable[..., Any]]:
    source = engine_file(SGLANG, "sglang/srt/parser/jinja_template_utils.py")
    if not source.is_file():
        pytest.skip(f"{SGLANG}'s jinja_template_utils.py is not in the cache ({source}); fetch it with: {FETCH_COMMAND}")
    import jinja2
    import jinja2.nodes
    from transformers.utils import chat_template_utils

    tree = ast.parse(source.read_text(encoding="utf-8"))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in DETECTION]
    assert sorted(f.name for f in functions) == sorted(DETECTION), f"{SGLANG} moved its detection: tokcheck's copy needs a look"
    namespace: dict[str, Any] = {"jinja2": jinja2, "hf_chat_utils": chat_template_utils, "logger": logging.getLogger("sglang"),
                                 "GLM_MEDIA_CONFIG_KEYS": (), "ImageData": dict}
    # SGLang's own functions, compiled from its release's file.
    exec(compile(ast.Module(body=functions, type_ignores=[]), str(source), "exec"), namespace)
    return namespace


def test_every_zoo_template_gets_sglangs_format() -> None:
    templates = zoo_templates()
    detect = sglang_functions()["detect_jinja_template_content_format"]
    assert {label: content_format(text) for label, text in templates.items()} == {
        label: detect(text) for label, text in templates.items()}


@pytest.mark.parametrize("label", BUILT)
def test_each_of_vllms_rules_gets_sglangs_format(label: str) -> None:
    assert content_format(BUILT[label]) == sglang_functions()["detect_jinja_template_content_format"](BUILT[label]), label


def test_sglang_follows_fewer_loops_than_vllm() -> None:
    from tokcheck.checks.engines import vllm

    template = "{% set ms = messages %}{% for turn in ms %}{% for p in turn['content'] %}x{% endfor %}{% endfor %}"
    assert (vllm.content_format(template), content_format(template)) == ("openai", "string")
    assert sglang_functions()["detect_jinja_template_content_format"](template) == "string"
    assert content_format("{{ 'vision' }}{% for m in messages %}{{ m.content }}{% endfor %}") == "openai"


@pytest.mark.parametrize("fmt", ["string", "openai"])
def test_messages_are_passed_as_sglang_passes_them(fmt: str) -> None:
    process = sglang_functions()["process_content_for_template_format"]
    for transcript in FIXED_TRANSCRIPTS:
        for messages in (transcript.messages, as_typed_parts(transcript.messages)):
            theirs = [process(dict(message), fmt, [], [], [], []) for message in messages]
            assert as_sglang_passes(messages, fmt) == theirs, transcript.name


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=8))
def test_generated_templates_get_sglangs_format(pieces: list[str]) -> None:
    template = "".join(pieces)
    assert content_format(template) == sglang_functions()["detect_jinja_template_content_format"](template)
