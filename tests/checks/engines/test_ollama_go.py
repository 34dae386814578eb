"""The Python renderer of Ollama templates is Go's text/template: every Modelfile template in
tokcheck/zoo/data/ollama (the zoo bases' LLaMA-Factory exports and faithful ones) and tests/data/ollama
(Ollama-style and legacy templates) renders the fixed transcripts and 200 Hypothesis-drawn chats identically through
tokcheck (gotemplate.py, ollama.py) and through Go itself (tests/ollama_go: the standard library's
text/template with Ollama's data model). Needs `go` (Debian's golang-go; the `ollama` tox env)."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokcheck.checks.engines.gotemplate import GoTemplateError
from tokcheck.checks.engines.ollama import OllamaTemplate, render_chat
from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS
from tokcheck.sources.modelfile import read_modelfile
from tokcheck.zoo.mutations import OLLAMA

# The ollama tox env sets TOKCHECK_REQUIRE_GO: there a missing `go` fails instead of skipping.
REQUIRED = bool(os.environ.get("TOKCHECK_REQUIRE_GO"))
pytestmark = [
    pytest.mark.ollama_go,
    pytest.mark.skipif(shutil.which("go") is None and not REQUIRED,
                       reason="needs Go (apt-get install golang-go): the ollama tox env"),
]

DATA = Path(__file__).parents[2] / "data" / "ollama"
# The zoo's Modelfiles (LLaMA-Factory's real exports, faithful ones) and templates of every path here.
MODELFILES = sorted([*OLLAMA.glob("*.Modelfile"), *DATA.glob("*.Modelfile")])
TODAY = datetime.date(2024, 7, 26)


@pytest.fixture(scope="module")
def go_renderer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("go") is None:
        pytest.fail("TOKCHECK_REQUIRE_GO is set but `go` is not on PATH: apt-get install golang-go")
    binary = tmp_path_factory.mktemp("ollama_go") / "ollama_go"
    source = Path(__file__).parents[2] / "ollama_go"
    subprocess.run(["go", "build", "-o", str(binary), "."], cwd=source, check=True, timeout=300,
                   env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"})
    return binary


@pytest.fixture(scope="module")
def templates() -> list[tuple[str, str, str]]:
    """(file name, TEMPLATE, SYSTEM) of every Modelfile."""
    out = []
    for path in MODELFILES:
        modelfile = read_modelfile(path)
        assert modelfile.template is not None, path
        out.append((path.name, modelfile.template, modelfile.system or ""))
    return out


def python_render(template: str, system: str, messages: list[dict[str, Any]], tools: Any) -> dict[str, str]:
    try:
        return {"output": render_chat(OllamaTemplate(template, TODAY), messages, system, tools)}
    except GoTemplateError as error:
        return {"error": str(error)}


def go_render(binary: Path, cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    done = subprocess.run([str(binary)], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def assert_same(binary: Path, templates: list[tuple[str, str, str]], messages: list[dict[str, Any]],
                tools: Any) -> None:
    cases = [{"template": t, "system": s, "date": TODAY.isoformat(), "messages": messages, "tools": tools}
             for _, t, s in templates]
    for (name, template, system), go in zip(templates, go_render(binary, cases), strict=True):
        ours = python_render(template, system, messages, tools)
        if "error" in go:  # both refuse: the messages differ (Go's carry its position), the refusal must not
            assert "error" in ours, f"{name}: Go refused ({go['error']}), tokcheck rendered {ours}"
        else:
            assert ours == {"output": go["output"]}, f"{name}: {messages} {tools}"


RECORDED = DATA / "go_renders.json"


def recorded_cases(templates: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The renders kept in tests/data/ollama/go_renders.json for the envs without Go: every
    template on every fixed transcript and on a chat with tools, tool calls and awkward values."""
    stress = {"messages": [
        {"role": "system", "content": "a <b> & c"},
        {"role": "user", "content": "x\u2028y"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "function": {
            "name": "f", "arguments": {"n": 1e21, "m": 0.000001, "k": 3, "s": "<&>", "l": [1, 2], "z": None}}}]},
        {"role": "tool", "content": "{}", "tool_name": "f"},
        {"role": "user", "content": "again"},
    ], "tools": [{"type": "function", "function": {"name": "f", "description": "d<", "parameters": {
        "type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "description": "a number"}}}}}]}
    chats = [*({"messages": t.messages, "tools": t.tools} for t in FIXED_TRANSCRIPTS), stress]
    return [{"modelfile": name, "template": template, "system": system, "date": TODAY.isoformat(), **chat}
            for name, template, system in templates for chat in chats]


def test_the_recorded_renders_are_what_go_renders(go_renderer: Path, templates: list[tuple[str, str, str]]) -> None:
    cases = recorded_cases(templates)
    expected = [{**case, **result} for case, result in zip(cases, go_render(go_renderer, cases), strict=True)]
    if os.environ.get("TOKCHECK_UPDATE_GO_RENDERS"):
        RECORDED.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert json.loads(RECORDED.read_text(encoding="utf-8")) == expected, (
        "tests/data/ollama/go_renders.json is stale: rerun with TOKCHECK_UPDATE_GO_RENDERS=1")


def test_there_are_templates_of_both_paths(templates: list[tuple[str, str, str]]) -> None:
    paths = {OllamaTemplate(t, TODAY).uses_messages for _, t, _ in templates}
    assert paths == {True, False} and len(templates) >= 6


def test_the_fixed_transcripts_render_as_go_renders_them(go_renderer: Path, templates: list[tuple[str, str, str]]) -> None:
    for transcript in FIXED_TRANSCRIPTS:
        assert_same(go_renderer, templates, transcript.messages, transcript.tools)


_TEXT = st.lists(st.sampled_from([*"ab Z\n\t{}<>&\"'\\|-.$", "é", "日", "👋", "\u2028", "<|eot_id|>", "{{ .System }}"]),
                 max_size=12).map("".join)
_ARGS = st.dictionaries(st.sampled_from(["city", "n", "x<y", "ok", "list"]),
                        st.one_of(_TEXT, st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                                  st.booleans(), st.none(), st.lists(st.integers(0, 9), max_size=3),
                                  st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9), max_size=2)), max_size=3)
_CALL = st.fixed_dictionaries({"id": st.sampled_from(["", "call12345"]),
                               "function": st.fixed_dictionaries({"name": st.sampled_from(["get_weather", "f"]),
                                                                  "arguments": _ARGS})})
_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant"]), "content": _TEXT}),
    st.fixed_dictionaries({"role": st.just("assistant"), "content": st.just(""), "tool_calls": st.lists(_CALL, min_size=1, max_size=2)}),
    st.fixed_dictionaries({"role": st.just("tool"), "content": _TEXT, "tool_name": st.sampled_from(["", "get_weather"])}),
)
_TOOL = st.fixed_dictionaries({
    "type": st.just("function"),
    "function": st.fixed_dictionaries({
        "name": st.sampled_from(["get_weather", "lookup"]), "description": _TEXT,
        "parameters": st.fixed_dictionaries({
            "type": st.just("object"), "required": st.lists(st.sampled_from(["city", "n"]), max_size=2, unique=True),
            "properties": st.dictionaries(st.sampled_from(["city", "n"]), st.fixed_dictionaries(
                {"type": st.sampled_from(["string", "integer"]), "description": _TEXT}), max_size=2)})})})


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(_MESSAGE, min_size=1, max_size=6), tools=st.none() | st.lists(_TOOL, max_size=2))
def test_drawn_chats_render_as_go_renders_them(go_renderer: Path, templates: list[tuple[str, str, str]],
                                                messages: list[dict[str, Any]], tools: Any) -> None:
    assert_same(go_renderer, templates, messages, tools)
