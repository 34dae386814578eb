"""The self-test: tokcheck's built-in suite on every drift mutant of the zoo must fail and name the
expected finding; on every benign variant it must pass. The run prints the catch rate."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest

from tests.zoo.summary import CATCH_PROPERTY
from tokcheck.plugin import BASE_OPTION, REPORT_OPTION, TUNED_OPTION
from tokcheck.sources.gguf import approximate
from tokcheck.zoo import describe, names
from tokcheck.zoo.gguf import llamacpp
from tokcheck.zoo.gguf.catalog import GGUF_MUTANTS
from tokcheck.zoo.mutants import MUTANTS, Mutant, drift_classes

# What the self-test runs on each variant. A benign re-save must pass the whole built-in suite
# (static, loading, behaviour with --tokcheck-quick, seeded; model checks where it has weights). A
# drift mutant must be caught by the checks that name its drift class: all but the behaviour checks,
# whose catches tests/behaviour/test_catches.py proves. TOKCHECK_SELFTEST_FULL=1 runs the whole
# suite on the drift mutants too (the self-test then takes about nine minutes on two cores).
WHOLE_SUITE = ["--tokcheck-quick", "--hypothesis-seed", "0", "-p", "no:randomly"]
DRIFT_SELECTION = WHOLE_SUITE if os.environ.get("TOKCHECK_SELFTEST_FULL") == "1" else ["-m", "not behaviour"]


def run_suite(pytester: pytest.Pytester, mutant: Mutant) -> tuple[int, list[dict]]:
    if mutant in GGUF_MUTANTS and (reason := llamacpp.unavailable(convert=True) or approximate.unavailable()):
        pytest.skip(reason)
    selection = WHOLE_SUITE if mutant.benign else DRIFT_SELECTION
    # The GGUF variants run in a child process: in-process runs after one that built the approximate
    # GGUF view crash the interpreter (a segfault in the garbage collector, seen from the second
    # whole-suite run on; not seen in a process of its own).
    run = pytester.runpytest_subprocess if mutant in GGUF_MUTANTS else pytester.runpytest
    result = run(
        BASE_OPTION, f"zoo:{mutant.base}", TUNED_OPTION, f"zoo:{mutant.name}", REPORT_OPTION, "report.json",
        *selection,
    )
    # A drifted tokenizer must fail checks, never crash them: an error is a defect in tokcheck.
    crashed = result.parseoutcomes().get("errors", 0)
    assert not crashed, f"{crashed} check(s) crashed on zoo:{mutant.name}:\n" + "\n".join(result.outlines[-40:])
    return int(result.ret), json.loads((pytester.path / "report.json").read_text())["findings"]


@pytest.mark.parametrize("mutant", [m for m in MUTANTS + GGUF_MUTANTS if not m.benign], ids=lambda m: m.name)
def test_drift_mutant_fails_and_names_its_finding(
    pytester: pytest.Pytester, mutant: Mutant, record_property: Callable[[str, object], None]
) -> None:
    exit_code, findings = run_suite(pytester, mutant)
    named = [f for f in findings if f["code"] == mutant.expect and mutant.expect_text in f["message"]]
    caught = exit_code == 1 and bool(named)
    record_property(CATCH_PROPERTY, f"{'caught' if caught else 'MISSED'}  drift   {mutant.name}")
    assert exit_code == 1, f"zoo:{mutant.name} passed the suite: {[f['message'] for f in findings]}"
    assert named, f"no {mutant.expect} naming {mutant.expect_text!r}; got {[(f['code'], f['message']) for f in findings]}"


@pytest.mark.parametrize("mutant", [m for m in MUTANTS + GGUF_MUTANTS if m.benign], ids=lambda m: m.name)
def test_benign_variant_passes(pytester: pytest.Pytester, mutant: Mutant, record_property: Callable[[str, object], None]) -> None:
    exit_code, findings = run_suite(pytester, mutant)
    record_property(CATCH_PROPERTY, f"{'passed' if exit_code == 0 else 'FAILED'}  benign  {mutant.name}")
    failing = [(f["code"], f["message"]) for f in findings if f["severity"] == "error"]
    assert exit_code == 0 and not failing, failing


def test_catalog_covers_every_group_and_several_bases() -> None:
    drift = [m for m in MUTANTS if not m.benign]
    assert len(drift_classes()) >= 25
    assert len({m.base for m in drift}) >= 5
    assert len([m for m in MUTANTS if m.benign]) >= 6
    prefixes = {m.expect.split(".")[0] for m in drift if m.expect}
    # roles/flags/vocabulary+model/pipeline/config/template/model-config groups all present
    assert {"roles", "flags", "vocab", "model", "pipeline", "config", "template", "model-config"} <= prefixes
    assert all(m.name in names() and describe(m.name) for m in MUTANTS)
