"""Golden files: the tokenizer still encodes, decodes and renders chats as recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.plugin.golden import GoldenRun
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.golden


def test_encoding_and_decoding_match_the_golden_files(tokcheck_golden: GoldenRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_golden.check("encode", tokcheck_verdict)


def test_chat_renders_match_the_golden_files(tokcheck_golden: GoldenRun, tokcheck_verdict: Verdict) -> None:
    tokcheck_golden.check("chat", tokcheck_verdict)
