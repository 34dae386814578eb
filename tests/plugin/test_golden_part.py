"""The plugin's golden mode, the way users run it: record -> compare -> fail readably -> update,
never inside a tokenizer's directory, and beside the pair checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.files import tree_digest
from tokcheck.checks import golden
from tokcheck.plugin import BASE_OPTION, GOLDEN_OPTION, TUNED_OPTION, UPDATE_GOLDEN_OPTION


class TestGoldenMode:
    def test_record_compare_fail_update(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        before = tree_digest(toy_dir)
        args = [TUNED_OPTION, str(toy_dir), GOLDEN_OPTION, "goldens"]
        first = pytester.runpytest(*args)
        assert first.ret == 1
        first.stdout.fnmatch_lines(["*created golden file *goldens/encode.json (* encode entries of *"])
        assert pytester.runpytest(*args).ret == 0

        path = pytester.path / "goldens" / "encode.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        entry = next(e for e in data["entries"] if e["text"] == "Hello world")
        entry["ids"][0] += 1  # a deliberately changed golden value
        golden.write(path, "encode", data["tokenizer"], data["entries"])
        changed = pytester.runpytest(*args)
        assert changed.ret == 1
        changed.stdout.fnmatch_lines([
            "*encode: ids for 'Hello world' differ from the golden file*",
            "*golden: {\"ids\": *} | now: {\"ids\": *}*",
            "*golden and now give different ids for text 'Hello world'*",
            "*first difference at position 0: golden *, now *",
        ])
        updated = pytester.runpytest(*args, UPDATE_GOLDEN_OPTION)
        assert updated.ret == 1
        updated.stdout.fnmatch_lines(["*updated golden file*rerun without --tokcheck-update-golden*"])
        assert pytester.runpytest(*args).ret == 0
        assert tree_digest(toy_dir) == before

    def test_golden_dir_inside_a_source_is_refused(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(TUNED_OPTION, str(toy_dir), GOLDEN_OPTION, str(toy_dir / "golden"))
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["ERROR: --tokcheck-golden *: inside the tuned tokenizer's directory*"])

    def test_pair_and_golden_together(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), GOLDEN_OPTION, "g",
                                    "-m", "static or golden")
        result.assert_outcomes(passed=18, failed=2)  # the golden files are created on this first run
