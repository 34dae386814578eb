"""How a difference is told: escaped texts with named characters, both id lists with the first
differing tokens, and a reproduction line that really prints the two id lists when run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tokcheck.behaviour import BehaviourRun
from tokcheck.counterexamples import escaped, literal, named_characters


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a b", "'a b'"),
        ("tab\there\r\n", "'tab\\there\\r\\n'"),
        ("it's", "'it\\'s'"),
        ("\xa0\u200b\ufeff", "'\\xa0\\u200b\\ufeff'"),
        ("e\u0301", "'e\\u0301'"),
        ("ﬁ", "'\\ufb01'"),
        ("日本語 Привет 🦙", "'日本語 Привет 🦙'"),
        ("\x00\x1f", "'\\x00\\x1f'"),
    ],
)
def test_escaped_hides_nothing_and_keeps_scripts_readable(text: str, shown: str) -> None:
    assert escaped(text) == shown


def test_named_characters_say_what_the_escapes_are() -> None:
    assert named_characters("a\xa0ﬁ") == "U+00A0 NO-BREAK SPACE, U+FB01 LATIN SMALL LIGATURE FI"
    assert named_characters("plain") == ""


@pytest.mark.parametrize("value", ["it's", 'say "hi"', "both ' and \"", "back\\slash\"", "x\xa0😀\n", {"role": "user", "content": "it's"}, [1, None, True]])
def test_literal_is_ascii_python_that_evaluates_back(value: object) -> None:
    source = literal(value)
    assert source.isascii()
    assert eval(source) == value


def test_a_finding_carries_both_ids_the_first_difference_and_a_working_reproduction(
    variant_run: Callable[[str], BehaviourRun], tmp_path: Path
) -> None:
    run = variant_run("lstrip_special")
    findings = run.sweep_findings("custom_texts")
    assert len(findings) == 1
    finding = findings[0]
    assert finding.where == "text ' <|eot_id|>'"
    assert finding.base == [220, 128009] and finding.tuned == [128009]
    assert "first difference at position 0: base 'Ġ', tuned '<|eot_id|>'" in finding.detail
    command = next(line for line in finding.detail.splitlines() if line.startswith("reproduce: "))[len("reproduce: "):]
    printed = subprocess.run(
        ["bash", "-c", command.replace("python ", f"{sys.executable} ", 1)], capture_output=True, text=True, cwd=tmp_path,
        timeout=300, check=True,
    ).stdout.split("\n")
    assert printed[:2] == ["[220, 128009]", "[128009]"]
