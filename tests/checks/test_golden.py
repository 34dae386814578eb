"""Golden files: the zoo tokenizers still behave as recorded on this transformers version, and the
user-facing golden mode goes record -> compare -> fail readably -> update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.files import tree_digest
from tokcheck.checks import golden
from tokcheck.cli import EXIT_CLEAN, EXIT_DRIFT, main
from tokcheck.plugin import BASE_OPTION, GOLDEN_OPTION, TUNED_OPTION, UPDATE_GOLDEN_OPTION
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.spec import resolve

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
ZOO_GOLDENS = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())


def test_every_zoo_base_has_golden_files() -> None:
    assert ZOO_GOLDENS == ["llama3", "llama3.1", "minilm", "mistral-tekken", "mistral-v3", "qwen2"]


@pytest.mark.parametrize("name", ZOO_GOLDENS)
@pytest.mark.parametrize("kind", golden.KINDS)
def test_zoo_tokenizer_matches_its_golden_files(name: str, kind: str) -> None:
    tokenizer = load_tokenizer(resolve(f"zoo:{name}"))
    findings = golden.compare(kind, golden.expected(GOLDEN / name, kind), golden.record(tokenizer, kind), tokenizer,
                              str(GOLDEN / name))
    assert not findings, "\n".join(f"{f.message}\n{f.detail}" for f in findings[:5])


def test_golden_corpus_holds_llamacpp_inputs_and_every_family() -> None:
    texts = golden.golden_corpus()
    assert texts[: len(golden.llamacpp_inputs())] == golden.llamacpp_inputs()
    assert "Cửa Việt" in texts and len(texts) > 2000 and len(set(texts)) == len(texts)


def test_family_file_replaces_only_its_entries(tmp_path: Path) -> None:
    shared = [{"text": "a", "ids": [1]}, {"text": "b", "ids": [2]}]
    golden.write(tmp_path / "encode.json", "encode", "x", shared)
    golden.write(golden.family_path(tmp_path, "encode"), "encode", "x", [{"text": "b", "ids": [3]}])
    assert golden.expected(tmp_path, "encode") == [{"text": "a", "ids": [1]}, {"text": "b", "ids": [3]}]


def test_one_entry_per_line(tmp_path: Path) -> None:
    entries = [{"text": "a\nb", "ids": [1, 2]}, {"text": "c", "ids": [3]}]
    golden.write(tmp_path / "encode.json", "encode", "x", entries)
    lines = (tmp_path / "encode.json").read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"text": "a\\nb", "ids": [1, 2]},' and golden.load(tmp_path / "encode.json") == entries


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
        result.assert_outcomes(passed=12, failed=2)  # the golden files are created on this first run


def test_cli_record_then_check(toy_dir: Path, tmp_path: Path) -> None:
    assert main(["golden", "record", str(toy_dir), str(tmp_path / "g")]) == EXIT_CLEAN
    assert main(["golden", "check", str(toy_dir), str(tmp_path / "g")]) == EXIT_CLEAN
    chat = tmp_path / "g" / "chat.json"
    chat.write_text(chat.read_text(encoding="utf-8").replace("Hello!", "Hi!", 1), encoding="utf-8")
    assert main(["golden", "check", str(toy_dir), str(tmp_path / "g")]) == EXIT_DRIFT
