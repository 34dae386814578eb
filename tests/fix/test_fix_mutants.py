"""`tokcheck fix` over the whole zoo catalogue (slow tier: about 3 minutes, every mutant's pair
loaded twice and its copy checked again): every drift mutant fixed, with what must remain listed
per mutant, and every benign variant left alone. The inputs are hashed before and after each run.

A mutant that the static checks see only as a warning (a `warning` mutant, or one the behaviour
checks catch through a config key) runs with --strict, as the self-test runs it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from tests.files import tree_digest
from tokcheck import zoo
from tokcheck.cli import EXIT_CLEAN, EXIT_DRIFT, main
from tokcheck.zoo.mutants import MUTANTS, Mutant

# What must remain after the fix, per mutant: the findings no file edit can repair (untrained or
# missing embedding rows, an adapter sized for another vocabulary, tokens the model has trained rows
# for). Every drift mutant of the catalogue edits only tokenizer-side files and configs: none
# touches weights, and the model-directory mutants' small models have base's rows and no added
# token, so none has anything that must remain. A mutant added later that drifts in the weights
# names its remaining codes here.
EXPECTED_REMAINING: dict[str, set[str]] = {
    # Ollama's TEMPLATE and SYSTEM are Go templates the exporter wrote from its own table: no file of
    # base holds them, and tokcheck does not translate a Jinja template into Go.
    "llama3.1-modelfile-llamafactory": {"ollama.template-renders-differ"},  # its TEMPLATE writes a second BOS
    "qwen2-modelfile-llamafactory": {"ollama.system-differs"},  # LLaMA-Factory's own default system prompt
}


def _fix(mutant: Mutant, out: Path) -> tuple[int, str]:
    argv = ["fix", f"zoo:{mutant.base}", f"zoo:{mutant.name}", "-o", str(out)]
    if mutant.tuned_model:
        argv += ["--tuned-model", str(zoo.path_for(mutant.name) / mutant.tuned_model)]
    if mutant.severity == "warning" or mutant.behaviour:
        argv.append("--strict")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(argv)
    return code, stdout.getvalue()


@pytest.mark.slow  # the whole catalogue, each pair checked twice: 3 minutes; the default tier fixes the founding case
@pytest.mark.parametrize("mutant", [m for m in MUTANTS if not m.benign], ids=lambda m: m.name)
def test_every_drift_mutant_is_fixed(mutant: Mutant, tmp_path: Path) -> None:
    inputs = [zoo.path_for(mutant.base), zoo.path_for(mutant.name)]
    before = [tree_digest(path) for path in inputs]
    code, out = _fix(mutant, tmp_path / "out")
    remaining = set(re.findall(r"^remains: \w+ (\S+):", out, flags=re.MULTILINE))
    expected = EXPECTED_REMAINING.get(mutant.name, set())
    assert remaining == expected, out
    assert code == (EXIT_DRIFT if expected else EXIT_CLEAN), out
    total = int(re.search(r"^fixed (\d+) of (\d+) findings$", out, flags=re.MULTILINE).group(2))  # type: ignore[union-attr]
    assert f"fixed {total - len(expected)} of {total} findings" in out
    assert [tree_digest(path) for path in inputs] == before


@pytest.mark.slow  # each benign pair checked once: the default tier has the identical copy
@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.benign], ids=lambda m: m.name)
def test_every_benign_variant_is_left_alone(mutant: Mutant, tmp_path: Path) -> None:
    code, out = _fix(mutant, tmp_path / "out")
    assert code == EXIT_CLEAN and out.startswith("nothing to fix"), out
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # seven checkpoints of Llama 3, each with findings checked twice: 20 s; the default tier fixes a small minilm run
def test_the_zoo_training_run_is_fixed_checkpoint_by_checkpoint(tmp_path: Path) -> None:
    from tokcheck.zoo import training_runs

    run = training_runs.build_run("llama3-run", tmp_path / "run")
    before = tree_digest(run)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["fix", "zoo:llama3", str(run), "-o", str(tmp_path / "out")])
    out = stdout.getvalue()
    assert code == EXIT_CLEAN and "remains:" not in out, out
    sections = dict(re.findall(r"^== (\S+)\n(.*?)(?=^== |\Z)", out, flags=re.MULTILINE | re.DOTALL))
    assert list(sections) == ["checkpoint-500", "checkpoint-1000", "checkpoint-1500", "checkpoint-2000", "checkpoint-2500",
                              "checkpoint-3000", "checkpoint-3500", "run"]
    for name in ("checkpoint-500", "checkpoint-1000", "checkpoint-2000"):
        assert sections[name].startswith("nothing to fix") and "copied as it is" in sections[name]
    assert "<|eom_id|>" in sections["checkpoint-1500"] and "fixed 4 of 4 findings" in sections["checkpoint-1500"]
    for name in ("checkpoint-2500", "checkpoint-3000", "run"):
        assert "post_processor restored" in sections[name] and "fixed 1 of 1 findings" in sections[name]
    assert tree_digest(run) == before
    given = sorted(p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()) == given


@pytest.mark.slow  # the default suite in a fresh pytest, on the drifted pair (its behaviour checks shrink counterexamples) and on the copy: 23 s; the default tier proves with the static checks
def test_full_proves_the_copy_with_the_default_suite(tmp_path: Path) -> None:
    from tokcheck.fix import proof

    findings, failed = proof.suite_findings("zoo:minilm", "zoo:minilm-no-lowercase", (), False, None, False)
    assert failed and "pipeline.normalizer-changed" in {finding.code for finding in findings}  # the suite itself ran
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["fix", "zoo:minilm", "zoo:minilm-no-lowercase", "-o", str(tmp_path / "out"), "--full"])
    assert code == EXIT_CLEAN and "fixed 1 of 1 findings" in stdout.getvalue() and "remains:" not in stdout.getvalue()
