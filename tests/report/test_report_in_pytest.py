"""The drift report as a pytest run gives it (pytester, the demo pair, one behaviour check): token
boundaries in brackets, coloured with --color=yes and plain when the output is not a TTY; the
Markdown report appended to $GITHUB_STEP_SUMMARY; the finding lines in --junitxml failures; an
HTML report file with --tokcheck-report PATH.html. Each run is a subprocess: two in-process runs
that load the Llama 3 pair crash the interpreter at exit (in the garbage collector, also without
tokcheck's report code), and a subprocess's output is not a TTY, as in CI."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from tokcheck.plugin import BASE_OPTION, REPORT_OPTION, TUNED_OPTION
from tokcheck.plugin.reporter import STEP_SUMMARY_VARIABLE

PAIR = [BASE_OPTION, "zoo:llama3", TUNED_OPTION, "zoo:llama3-eom", "-p", "no:randomly",
        "-k", "test_special_tokens_encode_to_their_single_ids"]
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _report(output: str) -> str:
    return output[output.index("tokcheck drift report"):].split("short test summary info")[0]


def test_token_boundaries_are_coloured_with_color_yes_and_also_step_summary_and_junit(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = pytester.path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv(STEP_SUMMARY_VARIABLE, str(summary))
    result = pytester.runpytest_subprocess(*PAIR, "--color=yes", "--junitxml=junit.xml", REPORT_OPTION, "drift.html")
    assert result.ret == 1
    report = _report(result.stdout.str())
    assert ESCAPE.search(report), "--color=yes colours the report"
    plain = ESCAPE.sub("", report)
    assert "      base  [<][|][e][om][_id][|][>]" in plain
    assert "      tuned [<|eom_id|>]" in plain
    assert "      ^ first difference at token 0" in plain
    assert "\x1b[32m" in report and "\x1b[31m" in report  # tuned's differing boxes green, base's red

    appended = summary.read_text(encoding="utf-8")
    assert appended.startswith("earlier step\n## tokcheck drift report\n")  # appended, not overwritten
    assert "| error | behaviour.special_tokens |" in appended and "<details>" in appended

    failure = ElementTree.parse(pytester.path / "junit.xml").getroot().find(".//failure")
    assert failure is not None
    message = failure.get("message", "")
    assert "[error] base and tuned encode a text to different ids" in message
    assert "where: text '<|eom_id|>'" in message and "fix: restore the base tokenizer files" in message

    page = (pytester.path / "drift.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-id="128256"' in page


def test_no_colour_when_the_output_is_not_a_tty(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STEP_SUMMARY_VARIABLE, raising=False)
    monkeypatch.delenv("PY_COLORS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    result = pytester.runpytest_subprocess(*PAIR)  # --color=auto, the default; a pipe is not a TTY
    report = _report(result.stdout.str())
    assert not ESCAPE.search(report)
    assert "      base  [<][|][e][om][_id][|][>]" in report.splitlines()
    assert not list(pytester.path.glob("*.md"))
