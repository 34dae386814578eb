"""vLLM's content format as tokcheck reads it, on templates whose answer follows from the rule by
hand (test_vllm_crosscheck.py runs vLLM's own code on these and more), and the messages vLLM
passes in each format."""

from __future__ import annotations

import pytest

from tokcheck.checks.engines.vllm import OPENAI, STRING, as_vllm_passes, content_format


@pytest.mark.parametrize("template, expected", [
    ("{% for m in messages %}{{ m['content'] }}{% endfor %}", STRING),
    ("{% for m in messages %}{% for p in m['content'] %}{{ p.text }}{% endfor %}{% endfor %}", OPENAI),
    ("{% for m in messages %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endfor %}", OPENAI),
    ("{% set ms = messages %}{% for m in ms %}{% for p in m['content'] %}x{% endfor %}{% endfor %}", OPENAI),
    ("{% for m in messages[1:] %}{% for p in m['content'] | list %}x{% endfor %}{% endfor %}", OPENAI),
    # vLLM follows no variable assigned from a message, only from messages
    ("{% for m in messages %}{% set c = m['content'] %}{% for p in c %}x{% endfor %}{% endfor %}", STRING),
    # ... except into a variable named content, which any loop outside a macro is taken to be
    ("{% for m in messages %}{% set content = m['content'] %}{% for p in content %}x{% endfor %}{% endfor %}", OPENAI),
    ("{% set ns = namespace(rest=messages) %}{% for m in ns.rest %}{% for p in m.content %}x{% endfor %}{% endfor %}",
     OPENAI),
    ("{% macro show(c) %}{% for p in c %}x{% endfor %}{% endmacro %}{% for m in messages %}{{ show(m.content) }}"
     "{% endfor %}", OPENAI),
    ("{% for a, b in messages %}{% for p in a['content'] %}x{% endfor %}{% endfor %}", STRING),  # vLLM gives up
    ("{% for m in messages %}{% for p in m['content'] %}", STRING),  # does not parse: vLLM's default
], ids=["string", "loop", "attribute", "assigned", "sliced-filtered", "content-assigned", "named-content",
        "namespace", "macro", "tuple", "unparsable"])
def test_the_format_follows_vllms_rule(template: str, expected: str) -> None:
    assert content_format(template) == expected


def test_openai_format_passes_each_content_as_one_text_part() -> None:
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None, "tool_calls": [{"id": "x"}]}]
    assert as_vllm_passes(messages, STRING) is messages
    assert as_vllm_passes(messages, OPENAI) == [
        {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
        {"role": "assistant", "content": [], "tool_calls": [{"id": "x"}]},
    ]
