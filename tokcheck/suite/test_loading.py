"""Both tokenizers load with the installed transformers as they were saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.checks.checked_session import CheckedSession as TokcheckSession
    from tokcheck.plugin.verdict import Verdict

pytestmark = pytest.mark.behaviour


def test_both_tokenizers_load_as_saved(tokcheck_session: TokcheckSession, tokcheck_verdict: Verdict) -> None:
    from tokcheck.checks.behaviour.llamacpp_view import availability_findings

    base, tuned = tokcheck_session.pair()
    tokcheck_verdict.conclude(base.load_findings + tuned.load_findings + availability_findings((base, tuned)))
