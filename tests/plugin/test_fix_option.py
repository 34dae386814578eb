"""--tokcheck-fix OUT: a failing run writes the repaired copy `tokcheck fix` writes and names the
command that checks it (the fix itself is tested in tests/fix)."""

from __future__ import annotations

import pytest

from tests.files import tree_digest
from tokcheck import zoo
from tokcheck.plugin import BASE_OPTION, TUNED_OPTION
from tokcheck.plugin.options import FIX_OPTION


def test_a_failing_run_writes_the_repaired_copy(pytester: pytest.Pytester) -> None:
    tuned = zoo.path_for("minilm-no-lowercase")
    before = tree_digest(tuned)
    out = pytester.path / "fixed"
    result = pytester.runpytest(BASE_OPTION, "zoo:minilm", TUNED_OPTION, str(tuned), FIX_OPTION, "fixed",
                                "-m", "static", "-p", "no:randomly")
    assert result.ret == 1
    text = result.stdout.str()
    assert "tokcheck fix" in text and "normalizer restored to base's" in text and "fixed 1 of 1 findings" in text
    assert f"check it with: tokcheck diff zoo:minilm {out}" in text
    assert (out / "tokenizer.json").is_file() and tree_digest(tuned) == before
