"""The sweeps' shortcut (tokcheck.checks.behaviour.reach): where base's and tuned's pipelines differ
only in some added tokens, a sweep runs only the inputs those tokens reach. It must never change an
outcome: every sweep gives the same outcome with it and with every input run through both, on the
zoo's real drifted and benign pairs whose tokenizers differ in added tokens, and it stays off
wherever its argument does not hold."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer, processors

from tests.checks.behaviour.conftest import quick_settings, session_for
from tests.checks.behaviour.mutants import copy_of
from tokcheck import zoo
from tokcheck.checks.behaviour.batch_codecs import FileCodec
from tokcheck.checks.behaviour.reach import Reach, reach
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.settings import QUICK_SAMPLE
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS
from tokcheck.checks.behaviour.sweeps.run import run_sweep
from tokcheck.zoo.mutants import mutant

# Zoo variants whose tokenizers differ from their base in added tokens only: ids added, dropped and
# renamed, flags flipped, on four families; and a benign re-save (identical pipelines: nothing can
# differ). Then variants where the shortcut must stay off: a normalized token flipped, a BERT piece
# renamed (a model piece: the model emits its id), a normalizer changed.
REACHED = (
    "llama3-eom", "qwen2-extra-specials-replaced", "llama3.1-python-tag-not-special", "llama3-eos-renamed",
    "qwen2-dropped-special", "mistral-v3-chatml-markers", "llama3.1-eot-rstrip", "qwen2-im-end-lstrip", "llama3-resaved",
    # The post-processor is no part of a sweep (add_special_tokens=False): a dropped BOS, an added EOS.
    "llama3-no-bos", "mistral-v3-no-bos-token", "mistral-v3-eos-token",
)
NOT_REACHED = ("llama3.1-normalized-special", "minilm-unused-renamed", "qwen2-nfkc")
# The default tier keeps one of each kind of pair: a token added (the founding case), a post-processor
# change alone, a pipeline change where the shortcut is off in one view and taken in another. The
# rules that decide the others (a flag, a normalized token, a model piece) have their own tests below.
DEFAULT_TIER = ("llama3-eom", "llama3-no-bos", "qwen2-nfkc")


def run_of(name: str) -> BehaviourRun:
    return BehaviourRun(session_for(zoo.path_for(mutant(name).base), zoo.path_for(name)), quick_settings())


def outcomes(run: BehaviourRun, *, full: bool) -> dict[str, tuple[int, int, list[Any]]]:
    """Each sweep on the quick sample: inputs, failing inputs, and the reported examples as findings."""
    found = {}
    for name in SWEEPS:
        outcome = run_sweep(run.inputs, name, sample=QUICK_SAMPLE, full=full)
        found[name] = (outcome.checked, outcome.failed, [example.to_finding() for example in outcome.examples])
    return found


@pytest.mark.parametrize(
    "name", [name if name in DEFAULT_TIER else pytest.param(name, marks=pytest.mark.slow) for name in REACHED + NOT_REACHED]
)
def test_the_shortcut_gives_every_sweep_the_outcome_of_running_every_input(name: str) -> None:
    run = run_of(name)
    reaches = [run.inputs.reach(view) for view in run.comparison.checked_views]
    if name in REACHED:  # taken in every view (else this would compare a path with itself)
        assert None not in reaches
    else:  # off in the view that shows the change (qwen2-nfkc: tokenizer.json on 5.x, where
        assert None in reaches  # transformers rebuilds Qwen2's normalizer and its view is reached)
    assert outcomes(run, full=False) == outcomes(run, full=True)


def test_the_founding_case_is_reached_only_by_the_token_it_adds() -> None:
    run = run_of("llama3-eom")
    assert run.inputs.reach(run.comparison.transformers) == Reach(("<|eom_id|>",), frozenset({128256}))
    found = run_sweep(run.inputs, "added_tokens")
    assert found.failed > 0 and found.examples[0].text == "<|eom_id|>"


def test_identical_pipelines_reach_nothing() -> None:
    run = run_of("llama3-resaved")
    assert run.inputs.reach(run.comparison.transformers) == Reach((), frozenset())


def _file_codecs(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> tuple[FileCodec, FileCodec]:
    tuned = copy_of("llama3", tmp_path / "tuned")
    data = json.loads((tuned / "tokenizer.json").read_text(encoding="utf-8"))
    edit(data)
    (tuned / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    return FileCodec(str(zoo.path_for("llama3") / "tokenizer.json")), FileCodec(str(tuned / "tokenizer.json"))


def _add(content: str, token_id: int, *, normalized: bool = False) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["added_tokens"].append({"id": token_id, "content": content, "single_word": False, "lstrip": False,
                                     "rstrip": False, "normalized": normalized, "special": False})

    return edit


def test_a_plain_added_token_is_reached_by_its_content_only(tmp_path: Path) -> None:
    found = reach(*_file_codecs(tmp_path, _add("<tool>", 128256)))
    assert found == Reach(("<tool>",), frozenset({128256}))
    assert found.reachable(["a<tool>", "<too", "l>", "x", "b <tool> c"]) == [0, 4]


def test_a_normalized_differing_token_turns_the_shortcut_off(tmp_path: Path) -> None:
    # Matched in normalized text, where other strings can become its content.
    assert reach(*_file_codecs(tmp_path, _add("<tool>", 128256, normalized=True))) is None


def test_a_differing_token_the_model_can_produce_turns_the_shortcut_off(tmp_path: Path) -> None:
    # "hello" is a model piece: the token takes the piece's id, which the model emits for text
    # that need not hold the token's content where it is matched (byte-level pieces).
    assert reach(*_file_codecs(tmp_path, _add("hello", 15339))) is None


def test_any_other_pipeline_change_turns_the_shortcut_off(tmp_path: Path) -> None:
    def split_digits(data: dict[str, Any]) -> None:
        data["pre_tokenizer"]["pretokenizers"].insert(0, {"type": "Digits", "individual_digits": True})

    assert reach(*_file_codecs(tmp_path, split_digits)) is None


def test_a_post_processor_change_alone_reaches_nothing(tmp_path: Path) -> None:
    # Sweeps encode with add_special_tokens=False: the post-processor adds no id there.
    def no_bos(data: dict[str, Any]) -> None:
        data["post_processor"] = None

    assert reach(*_file_codecs(tmp_path, no_bos)) == Reach((), frozenset())


@pytest.mark.parametrize("processor", [
    processors.TemplateProcessing(single="<|end_of_text|> $A <|eot_id|>", pair="$A $B:1",
                                  special_tokens=[("<|end_of_text|>", 128001), ("<|eot_id|>", 128009)]),
    processors.BertProcessing(("<|eot_id|>", 128009), ("<|end_of_text|>", 128001)),
    processors.RobertaProcessing(("<|eot_id|>", 128009), ("<|end_of_text|>", 128001)),
    processors.ByteLevel(trim_offsets=True),
    processors.Sequence([processors.ByteLevel(), processors.BertProcessing(("<|eot_id|>", 128009), ("a", 64))]),
], ids=lambda processor: type(processor).__name__)
def test_no_post_processor_adds_an_id_without_special_tokens(processor: Any) -> None:
    # What leaving the post-processor out of the digest rests on, for every kind tokenizers has.
    tokenizer = Tokenizer.from_file(str(zoo.path_for("llama3") / "tokenizer.json"))
    texts = ["hello world", "<|begin_of_text|>x", " a\n\nb<|eot_id|>", ""]
    plain = [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    tokenizer.post_processor = processor
    assert [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)] == plain
    if not isinstance(processor, processors.ByteLevel):  # the processor runs: it adds ids when asked
        assert len(tokenizer.encode(texts[0], add_special_tokens=True).ids) > len(plain[0])


def test_reachable_finds_every_text_holding_a_string_and_no_match_spans_two_texts() -> None:
    found = Reach(("ab", "b\x00c", "abc"), frozenset())
    texts = ["a", "b", "xab", "", "b\x00c", "ca", "bc", "abc"]
    # \x00 is in a string, so another separator joins the texts: "a"+"b" never matches "ab".
    assert found.reachable(texts) == [2, 4, 7]
    assert Reach((), frozenset()).reachable(texts) == []


def test_tokens_holding_every_separator_make_every_text_reachable() -> None:
    hostile = Reach(("\x00", "\x01", "\uffff", "\U0010ffff"), frozenset())
    assert hostile.reachable(["a", "b"]) == [0, 1]
