"""The behaviour checks alone catch the issue's seven drift mutations of real zoo tokenizers, each
with a short minimal example, and more drift classes through the property made for each; benign
re-saves pass every check. All with the fast settings the self-test uses (--tokcheck-quick)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

import pytest

from tests.checks.behaviour.mutants import BENIGN, MUTANTS
from tokcheck.checks.behaviour.properties import PROPERTIES
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS, shards_of
from tokcheck.findings import Finding, Severity

CHAT_PROPERTIES = ("chat_render", "chat_bos", "stop_token")


def each_checks_findings(run: BehaviourRun) -> Iterator[list[Finding]]:
    """Every behaviour check of the built-in suite, as `pytest -m behaviour` runs them, one at a time."""
    yield run.special_token_findings()
    yield run.injection_findings()
    for name in PROPERTIES:
        if name not in CHAT_PROPERTIES or run.has_chat_template():
            yield run.property_findings(name)
    for name in SWEEPS:
        shards = shards_of(name, run.settings.sweep_shards)
        for shard in range(shards):
            yield run.sweep_findings(name, shard)


def all_findings(run: BehaviourRun) -> list[Finding]:
    return [finding for findings in each_checks_findings(run) for finding in findings]


def text_of(finding: Finding) -> str:
    """The escaped text a finding names, evaluated back to the string."""
    match = re.fullmatch(r"text (.*)", finding.where)
    assert match, finding.where
    return str(eval(match.group(1)))


def has_text(predicate: Callable[[str], bool]) -> Callable[[Finding], bool]:
    return lambda finding: finding.where.startswith("text ") and predicate(text_of(finding))


# What the minimal example of each of the seven must look like (short, and showing the cause).
CAUGHT_BY: dict[str, Callable[[Finding], bool]] = {
    "merges_reordered": has_text(lambda t: len(t) <= 12 and t.strip().isascii()),
    "normalizer_nfkc": has_text(lambda t: len(t) <= 6 and unicodedata.normalize("NFKC", t) != unicodedata.normalize("NFC", t)),
    "lstrip_special": has_text(lambda t: re.fullmatch(r"a?\s+<\|eot_id\|>z?", t) is not None),
    "metaspace_prepend_always": has_text(lambda t: len(t) <= 8 and re.search(r"(</s>|<s>|\[/?INST\]|<unk>)[^\s]", t) is not None),
    "byte_fallback_off": lambda f: isinstance(f.tuned, list) and 0 in f.tuned and len(text_of(f)) <= 4,
    "ignore_merges_flipped": lambda f: isinstance(f.base, list) and len(f.base) == 1 and len(f.tuned) > 1,
    "tool_role_template": lambda f: f.check == "behaviour.chat_render" and "  tool: " in f.detail,
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_behaviour_checks_alone_catch_the_drift_with_a_minimal_example(
    variant_run: Callable[[str], BehaviourRun], name: str
) -> None:
    # The checks run until one shows the minimal example: the outcome of running them all, sooner.
    errors: list[Finding] = []
    for findings in each_checks_findings(variant_run(name)):
        errors += [f for f in findings if f.severity is Severity.ERROR]
        if any(CAUGHT_BY[name](f) for f in errors):
            return
    assert errors, f"{name} was not caught"
    raise AssertionError("no minimal example:\n\n" + "\n\n".join(f"{f.check}: {f.message}\n{f.detail}" for f in errors))


# The slow tier: the default tier's zoo self-test runs the whole suite on a benign variant of each of
# these kinds (minilm-copy, qwen2-json-reserialized, mistral-tekken-merges-other-format, the
# re-saves) and fails on any behaviour warning or error there too (tests/zoo/test_mutants.py).
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_variants_pass_every_behaviour_check(variant_run: Callable[[str], BehaviourRun], name: str) -> None:
    failing = [f for f in all_findings(variant_run(name)) if f.severity is not Severity.INFO]
    assert not failing, "\n\n".join(f"{f.check}: {f.message}\n{f.detail}" for f in failing)


def test_eom_added_like_llama_factory_is_named_with_its_id_beyond_base(variant_run: Callable[[str], BehaviourRun]) -> None:
    run = variant_run("bos_and_eom")
    special = [f for f in run.special_token_findings() if f.where == "text '<|eom_id|>'"]
    assert special and special[0].tuned == [128256] and len(special[0].base) > 1
    assert "tuned emits id 128256, beyond base's ids 0-128255" in special[0].detail
    injection = [f for f in run.injection_findings() if f.severity is Severity.ERROR]
    assert [f.message for f in injection] == ["the literal string '<|eom_id|>' in user text becomes a control token in tuned only"]


def test_a_post_processor_that_lost_bos_changes_the_encoded_chat_render(variant_run: Callable[[str], BehaviourRun]) -> None:
    run = variant_run("bos_and_eom")
    [finding] = run.property_findings("chat_bos")
    assert "leading BOS: base 2, tuned 1" in finding.detail
    [ids] = run.property_findings("ids")
    assert ids.base[0] == 128000 and ids.base[1:] == ids.tuned  # add_special_tokens=True lost the BOS


def test_a_stop_set_without_the_end_of_turn_token_is_caught(variant_run: Callable[[str], BehaviourRun]) -> None:
    [finding] = variant_run("config_drift").property_findings("stop_token")
    assert "'<|eot_id|>' (id 128009), which is not in tuned's stop set [128001]" in finding.message


def test_padding_side_changed_by_saved_loader_arguments_is_caught(variant_run: Callable[[str], BehaviourRun]) -> None:
    [finding] = variant_run("config_drift").property_findings("padding")
    assert "padding_side: base 'right', tuned 'left'" in finding.detail


def test_a_special_token_made_ordinary_shows_in_decoding_with_skip_special_tokens(
    variant_run: Callable[[str], BehaviourRun],
) -> None:
    [finding] = variant_run("config_drift").special_token_findings()
    assert "skip_special_tokens=True" in finding.message
    assert finding.base == "" and finding.tuned == "<|start_header_id|>"


def test_a_chat_render_that_reads_the_same_but_tokenizes_differently_is_caught(
    variant_run: Callable[[str], BehaviourRun],
) -> None:
    from tokcheck.checks.behaviour.counterexamples import Counterexample
    from tokcheck.checks.behaviour.properties.chat import check_render
    from tokcheck.strategies import Transcript

    # One merge moved to the end of tuned's list: the same rendered text splits ' inodef' otherwise
    # (tokenizer.json's merges, which transformers 4 and 5 both use).
    pair = variant_run("merges_reordered").comparison
    plain = Transcript([{"role": "user", "content": "hi"}])
    split_otherwise = Transcript([{"role": "user", "content": "x inodef"}])
    clean, drifted = check_render(pair, [plain, split_otherwise])
    assert clean is None
    assert isinstance(drifted, Counterexample) and drifted.code == "behaviour.chat_render.ids-differ"
    assert drifted.base_ids != drifted.tuned_ids and drifted.text is not None and " inodef" in drifted.text
