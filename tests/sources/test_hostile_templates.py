"""Hostile chat templates: published Jinja sandbox escapes (SSTI payloads) never run, because
templates render only in transformers' sandbox; a template that loops for very long or builds a
huge string runs past tokcheck's render budget and becomes a finding about the template, never a
hang, a memory blow-up or a crash; the static check names the escape before anything renders."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.toys import clone
from tokcheck.checks.behaviour.properties.chat import _render
from tokcheck.inputs.transcripts import Transcript
from tokcheck.sources import template_budget
from tokcheck.sources.live import load_tokenizer, render_chat
from tokcheck.sources.spec import resolve
from tokcheck.sources.template_budget import TemplateBudgetExceeded

MESSAGES = [{"role": "user", "content": "hi"}]
# Published Jinja2 SSTI / sandbox-escape payloads (PayloadsAllTheThings "Server Side Template
# Injection/Python", HackTricks "Jinja2 SSTI"), each aimed at creating the file PWNED if it ran.
ESCAPES = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "namespace globals": "{{ namespace.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
    "template context": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "subclasses walk": (
        "{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}"
        "{{ x()._module.__builtins__['__import__']('os').popen('touch PWNED') }}{% endif %}{% endfor %}"
    ),
    "attr filter, hex-escaped": (
        "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fmro\\x5f\\x5f') }}"
        "{{ (lipsum|attr('\\x5f\\x5fglobals\\x5f\\x5f'))['os'].popen('touch PWNED').read() }}"
    ),
    "request builtins": "{{ request.application.__globals__.__builtins__.__import__('os').popen('touch PWNED').read() }}",
    # CVE-2025-27516 (GHSA-cpwx-vrp4-4pq7): |attr hands out str's own format, which reads any attribute.
    # Through transformers 4.57.6 with jinja2 3.1.5 this renders "<built-in function __import__>"
    # (tried); 3.1.6 refuses it, hence pyproject's jinja2>=3.1.6 (transformers 5 asks for 3.1.6 itself).
    "attr filter to str.format": "{{ ('{0.__init__.__globals__[__builtins__][__import__]}'|attr('format'))(cycler) }}",
}
LOOPS_FOR_LONG = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}ok"
HUGE_STRING = "{{ 'a' * 10000000000 }}"
DOUBLING = (
    "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}"
)


@pytest.fixture(scope="module")
def tokenizer(toy_dir: Path) -> Any:
    return load_tokenizer(resolve(str(toy_dir)))


@pytest.fixture(autouse=True)
def fresh_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts a run of its own: no template refused yet, nothing shared."""
    monkeypatch.setattr(template_budget, "_refusals", {})
    monkeypatch.setattr(template_budget, "_shared_refusals", None)


def rendered_with(tokenizer: Any, template: str) -> Any:
    """render_chat's outcome under `template` (the exception it raised, if it did)."""
    previous = tokenizer.chat_template
    tokenizer.chat_template = template
    try:
        return _render(tokenizer, Transcript(MESSAGES), tokenize=False)
    finally:
        tokenizer.chat_template = previous


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_a_published_sandbox_escape_never_runs(name: str, tokenizer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = rendered_with(tokenizer, ESCAPES[name])
    assert not (tmp_path / "PWNED").exists(), "the escape ran"
    assert isinstance(outcome, Exception), outcome  # SecurityError or UndefinedError: refused, an outcome to compare


def test_the_same_payload_outside_a_sandbox_would_have_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the payload is real, so the test above can fail."""
    import jinja2

    monkeypatch.chdir(tmp_path)
    jinja2.Environment().from_string(ESCAPES["cycler globals"]).render()
    assert (tmp_path / "PWNED").exists()


def test_a_template_that_loops_for_very_long_runs_past_the_time_budget(tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template_budget, "RENDER_SECONDS", 1.0)
    started = time.monotonic()
    outcome = rendered_with(tokenizer, LOOPS_FOR_LONG)
    assert isinstance(outcome, TemplateBudgetExceeded) and "ran past 1 s" in str(outcome)
    assert time.monotonic() - started < 30


def test_a_template_refused_once_is_not_rendered_again(tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template_budget, "RENDER_SECONDS", 1.0)
    renders = []
    original = tokenizer.apply_chat_template

    def counted(*args: Any, **kwargs: Any) -> Any:
        renders.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(tokenizer, "apply_chat_template", counted)
    first, again = rendered_with(tokenizer, LOOPS_FOR_LONG), rendered_with(tokenizer, LOOPS_FOR_LONG)
    assert isinstance(again, TemplateBudgetExceeded) and str(again) == str(first) == "the chat template ran past 1 s"
    assert len(renders) == 1
    assert rendered_with(tokenizer, "{{ 'another template' }}") == "another template"


def test_a_refusal_is_shared_with_the_other_workers_of_the_run(
    tokenizer: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(template_budget, "RENDER_SECONDS", 1.0)
    template_budget.start_refusals(tmp_path)
    refused = rendered_with(tokenizer, LOOPS_FOR_LONG)
    monkeypatch.setattr(template_budget, "_refusals", {})  # another worker: only the directory is shared
    monkeypatch.setattr(tokenizer, "apply_chat_template", lambda *a, **k: pytest.fail("rendered again"))
    assert str(rendered_with(tokenizer, LOOPS_FOR_LONG)) == str(refused)


@pytest.mark.slow  # the same as the two tests above, through a whole run (~30 s here): its wall time is the point
def test_a_looping_template_ends_the_whole_run_with_its_finding(toy_dir: Path, tmp_path: Path) -> None:
    tuned = clone(toy_dir, tmp_path / "tuned")
    (tuned / "chat_template.jinja").write_text(LOOPS_FOR_LONG, encoding="utf-8")
    # A generous wall limit (the run took 32 s here, 42 s under -n 2): rendered at each use, it ran for hours.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--base-tokenizer", str(toy_dir), "--tuned", str(tuned), "-q",
         "-p", "no:cacheprovider", "-n", "2"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert run.returncode == 1 and "the chat template ran past 10 s" in run.stdout, run.stdout[-3000:]
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("template", [HUGE_STRING, DOUBLING], ids=["multiplied", "doubled"])
def test_a_template_that_builds_a_huge_string_runs_past_the_budget(tokenizer: Any, template: str) -> None:
    outcome = rendered_with(tokenizer, template)
    # The memory limit, or on a loaded machine the time limit first: either way it stops, as a refusal.
    assert isinstance(outcome, TemplateBudgetExceeded), outcome


def test_a_render_bigger_than_the_size_limit_is_refused(tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template_budget, "RENDER_MAX_CHARS", 1000)
    outcome = rendered_with(tokenizer, "{% for i in range(2000) %}x{% endfor %}")
    assert isinstance(outcome, TemplateBudgetExceeded) and "2,000 characters" in str(outcome)


def test_the_budget_restores_an_outer_alarm_and_the_memory_limit(tokenizer: Any) -> None:
    import resource
    import signal

    before = resource.getrlimit(resource.RLIMIT_AS)
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        assert render_chat(tokenizer, MESSAGES, tokenize=False)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < remaining <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


@pytest.mark.parametrize("name", ["cycler globals", "template context", "subclasses walk"])
def test_the_static_check_names_the_escape_in_a_tuned_template(name: str, toy_dir: Path, tmp_path: Path, diff: Any) -> None:
    tuned = clone(toy_dir, tmp_path / "tuned")
    (tuned / "chat_template.jinja").write_text(ESCAPES[name], encoding="utf-8")
    found = [f for f in diff(toy_dir, tuned) if f.code == "template.sandbox-escape"]
    assert len(found) == 1 and ("__globals__" in found[0].message or "__class__" in found[0].message)


def test_an_ordinary_template_names_no_escape(toy_dir: Path, diff: Any) -> None:
    assert not [f for f in diff(toy_dir, toy_dir) if f.code == "template.sandbox-escape"]
