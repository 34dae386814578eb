"""tokcheck's reading of vLLM's content-format detection (tokcheck/checks/engines/vllm.py) against
vLLM's own functions, taken from its release's vllm/renderers/hf.py (tests/engine_sources.py
fetches it; tox's model env runs this) and run on every chat template of the zoo (bases, mutants,
LLaMA-Factory's real outputs), on templates built to reach each rule, and on generated ones."""

from __future__ import annotations

import ast
import json
import logging
from collections import deque
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tokcheck.zoo as zoo_package
from tests.engine_sources import FETCH_COMMAND, VLLM, vllm_file
from tokcheck.checks.engines.vllm import content_format
from tokcheck.zoo.mutations import LLAMAFACTORY_QWEN_TEMPLATE, tool_role_only

pytestmark = pytest.mark.engines
# vLLM's detection: _detect_content_format and what it calls, as the release defines them.
DETECTION = ("_is_var_access", "_is_attr_access", "_is_var_or_elems_access", "_attr_dotted_name",
             "_iter_nodes_assign_var_or_elems", "_iter_nodes_assign_messages_item", "_iter_nodes_assign_content_item",
             "_try_extract_ast", "_detect_content_format")
BUILT = {
    "direct loop": "{% for m in messages %}{% for p in m['content'] %}{{ p['text'] }}{% endfor %}{% endfor %}",
    "attribute": "{% for m in messages %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endfor %}",
    "string only": "{% for m in messages %}{{ m['content'] }}{% endfor %}",
    "assigned messages": "{% set ms = messages %}{% for m in ms %}{% for p in m['content'] %}x{% endfor %}{% endfor %}",
    "sliced and filtered": "{% for m in messages[1:] %}{% for p in m['content'] | list %}x{% endfor %}{% endfor %}",
    "content assigned first": "{% for m in messages %}{% set c = m['content'] %}{% for p in c %}x{% endfor %}{% endfor %}",
    "one branch": "{% for m in messages %}{% if m.role == 'user' %}{% for p in m.content %}{{ p.text }}{% endfor %}"
                  "{% else %}{{ m.content }}{% endif %}{% endfor %}",
    "tuple loop target": "{% for a, b in messages %}{% for p in a['content'] %}x{% endfor %}{% endfor %}",
    "tuple assignment": "{% set a, b = messages %}{% for m in messages %}{% for p in m.content %}x{% endfor %}{% endfor %}",
    "generation tag": "{% for m in messages %}{% generation %}{% for p in m['content'] %}x{% endfor %}{% endgeneration %}{% endfor %}",
    "does not parse": "{% for m in messages %}{% for p in m['content'] %}",
    "not messages": "{% for m in other %}{% for p in m['content'] %}x{% endfor %}{% endfor %}",
    "namespace alias": "{% set ns = namespace(rest=messages) %}{% for m in ns.rest %}{% for p in m['content'] %}x{% endfor %}"
                       "{% endfor %}",
    "namespace attribute": "{% set ns = namespace() %}{% set ns.rest = messages %}{% for m in ns.rest %}"
                           "{% for p in m.content %}x{% endfor %}{% endfor %}",
    "macro argument": "{% macro show(c) %}{% for p in c %}{{ p.text }}{% endfor %}{% endmacro %}"
                      "{% for m in messages %}{{ show(m['content']) }}{% endfor %}",
    "macro keyword": "{% macro show(c) %}{% for p in c %}{{ p.text }}{% endfor %}{% endmacro %}"
                     "{% for m in messages %}{{ show(c=m.content) }}{% endfor %}",
    "macro never given content": "{% macro show(c) %}{% for p in c %}{{ p }}{% endfor %}{% endmacro %}{{ show(messages) }}",
    "a variable named content": "{% for m in messages %}{% set content = m['content'] %}{% for p in content %}x{% endfor %}"
                                "{% endfor %}",
    "content in a macro": "{% macro show(content) %}{% for p in content %}x{% endfor %}{% endmacro %}{{ show('a') }}",
}


@cache
def vllm_detection() -> Callable[[str], str]:
    source = vllm_file("vllm/renderers/hf.py")
    if not source.is_file():
        pytest.skip(f"{VLLM}'s renderers/hf.py is not in the cache ({source}); fetch it with: {FETCH_COMMAND}")
    import jinja2
    import jinja2.nodes
    from transformers.utils import chat_template_utils

    tree = ast.parse(source.read_text(encoding="utf-8"))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in DETECTION]
    assert sorted(f.name for f in functions) == sorted(DETECTION), f"{VLLM} moved its detection: tokcheck's copy needs a look"
    for function in functions:
        function.decorator_list = []  # lru_cache
    namespace = {"jinja2": jinja2, "deque": deque, "hf_chat_utils": chat_template_utils, "logger": logging.getLogger("vllm"),
                 "_ChatTemplateContentFormat": str}
    # vLLM's own functions, compiled from its release's file.
    exec(compile(ast.Module(body=functions, type_ignores=[]), str(source), "exec"), namespace)
    detect = namespace["_detect_content_format"]
    return lambda template: detect(template, default="string")


def zoo_templates() -> dict[str, str]:
    """Every chat template the zoo ships (the bases', LLaMA-Factory's real outputs') and the ones its
    mutants write, by file or mutant, without building any entry."""
    data = Path(zoo_package.__file__).parent / "data"
    found = {str(path.relative_to(data)): path.read_text(encoding="utf-8") for path in sorted(data.rglob("*.jinja"))}
    for path in sorted(data.rglob("tokenizer_config.json")):
        saved = json.loads(path.read_text(encoding="utf-8")).get("chat_template")
        if isinstance(saved, str):
            found[str(path.relative_to(data))] = saved
    found["qwen2-template-regenerated"] = LLAMAFACTORY_QWEN_TEMPLATE
    found["llama3.1-tool-template"] = tool_role_only(found["llama3_1_instruct.jinja"])
    found["mistral-v3-double-bos"] = "{{ bos_token }}" + found["mistral_v0_3_instruct.jinja"]
    return found


def test_every_zoo_template_gets_vllms_format() -> None:
    templates = zoo_templates()
    assert len(templates) >= 10 and len(set(templates.values())) >= 8
    detect = vllm_detection()
    assert {label: content_format(text) for label, text in templates.items()} == {
        label: detect(text) for label, text in templates.items()}


@pytest.mark.parametrize("label", BUILT)
def test_each_rule_gets_vllms_format(label: str) -> None:
    assert content_format(BUILT[label]) == vllm_detection()(BUILT[label]), label


def test_the_built_templates_reach_both_formats() -> None:
    formats = {label: content_format(text) for label, text in BUILT.items()}
    assert {formats["direct loop"], formats["string only"]} == {"openai", "string"}


_PIECES = st.sampled_from([
    "{% for m in messages %}", "{% for m in ms %}", "{% set ms = messages %}", "{% set c = m['content'] %}",
    "{% for p in m['content'] %}", "{% for p in m.content %}", "{% for p in c %}", "{% if m.role == 'user' %}",
    "{% endif %}", "{% endfor %}", "{{ m['content'] }}", "{% for a, b in messages %}", "x",
    "{% set ns = namespace(rest=messages) %}", "{% for m in ns.rest %}", "{% for p in content %}",
    "{% set content = m.content %}", "{% macro show(c) %}{% for p in c %}x{% endfor %}{% endmacro %}",
    "{{ show(m['content']) }}", "{% for x, y in m['content'] %}",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=8))
def test_generated_templates_get_vllms_format(pieces: list[str]) -> None:
    template = "".join(pieces)
    assert content_format(template) == vllm_detection()(template)
