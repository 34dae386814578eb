"""tokcheck's Go-template renderer against renders Go itself made (tests/data/ollama/go_renders.json,
recorded by tests/ollama_go and kept current by the `ollama` env's test_the_recorded_renders_are_what_go_renders),
so the envs without Go check it too; and the template errors a Modelfile can hold."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from tokcheck.checks.engines.gotemplate import GoTemplateError, go_float
from tokcheck.checks.engines.ollama import OllamaTemplate, render_chat

RECORDED = json.loads((Path(__file__).parents[2] / "data" / "ollama" / "go_renders.json").read_text(encoding="utf-8"))


def test_every_recorded_go_render_is_rendered_the_same() -> None:
    for case in RECORDED:
        template = OllamaTemplate(case["template"], datetime.date.fromisoformat(case["date"]))
        assert "output" in case
        rendered = render_chat(template, case["messages"], case["system"], case["tools"])
        assert rendered == case["output"], (case["modelfile"], case["messages"])


@pytest.mark.parametrize(("value", "printed"), [  # what Go 1.19's fmt.Sprint(float64(v)) printed, run here
    (3.0, "3"), (2.5, "2.5"), (1e21, "1e+21"), (1e20, "1e+20"), (1e6, "1e+06"), (123456.0, "123456"),
    (0.0001, "0.0001"), (0.00001, "1e-05"), (-1.5e-7, "-1.5e-07"), (123456789.125, "1.23456789125e+08"),
    (1234567.0, "1.234567e+06"), (999999.5, "999999.5"), (12345678901234567890.0, "1.2345678901234567e+19"),
    (0.00015, "0.00015"),
])
def test_floats_print_as_fmt_prints_them(value: float, printed: str) -> None:
    assert go_float(value) == printed


@pytest.mark.parametrize("source", ["{{ if .System }}", "{{ end }}", "{{ .Foo | }}", "{{ nosuchfunc }}", "{{ (.X }}"])
def test_a_template_go_refuses_to_parse_raises(source: str) -> None:
    with pytest.raises(GoTemplateError):
        OllamaTemplate(source)
