"""Sweeps: the llama.cpp-style generators (checked against straightforward re-implementations of
llama.cpp's loops), deterministic sampling and sharding, the batch codec's agreement with the
transformers tokenizer, shrinking of long failing inputs, and the tokenizer.json view."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from tokcheck.checks.behaviour.batch_codecs import BatchCodec, clean_up_tokenization
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.sweeps.registry import select
from tokcheck.checks.behaviour.sweeps.run import shrink_text
from tokcheck.findings import Severity
from tokcheck.inputs import corpus
from tokcheck.inputs.generators import (
    apostrophe_patterns,
    ascii_pairs,
    code_point_texts,
    merge_token_sequences,
    moved_merges,
    token_whitespace_variants,
)

CHARS = [chr(i) for i in range(1, 0x80)] + [""]
SPACES = ["", " ", "  "]


def test_ascii_pairs_are_llama_cpp_generator_ascii_lr_strip_each_string_once() -> None:
    expected = []
    for c1 in CHARS:
        for c2 in CHARS:
            for left in SPACES:
                for right in SPACES:
                    expected += [left + c1 + c2 + right, left + c1 + right + c2, c1 + left + c2 + right]
    assert len(expected) == 128 * 128 * 27 == 442_368
    assert ascii_pairs() == list(dict.fromkeys(expected))


def test_apostrophe_patterns_are_llama_cpp_generator_apostrophe_each_string_once() -> None:
    expected = []
    for c1 in CHARS:
        for c2 in CHARS:
            for left in SPACES:
                for right in SPACES:
                    expected += [c1 + left + "'" + right + c2, c1 + c2 + left + "'" + right + "z", "a" + left + "'" + right + c1 + c2]
    assert apostrophe_patterns() == list(dict.fromkeys(expected))


def test_token_variants_put_every_whitespace_on_both_sides_alone_and_between_a_and_z() -> None:
    variants = token_whitespace_variants(["<x>"])
    assert len(variants) == 8 * 8 * 4
    assert {"<x>", "a<x>z", "\r\n<x>\t\t", "a\n\n<x>  z", "a\t<x>", "<x>\r\nz"} <= set(variants)


def test_code_points_are_every_assigned_one() -> None:
    texts = code_point_texts()
    categories = {unicodedata.category(t) for t in texts}
    assert not categories & {"Cn", "Cs", "Co"}
    expected = sum(1 for cp in range(0x110000) if unicodedata.category(chr(cp)) not in {"Cn", "Cs", "Co"})
    assert len(texts) == expected
    assert {"a", "\xa0", "\u0301", "\U0001f999", "\U000e0001"} <= set(texts)


def test_sample_is_deterministic_and_shards_split_it_exactly() -> None:
    items = list(range(1000))
    sample = select(items, "demo", sample=0.05)
    assert len(sample) == math.ceil(1000 * 0.05) and sample == sorted(sample)
    assert select(items, "demo", sample=0.05) == sample
    assert select(items, "other", sample=0.05) != sample
    shards = [select(items, "demo", shard=i, shards=4, sample=0.05) for i in range(4)]
    assert [item for shard in shards for item in shard] == sample
    assert [select(items, "demo", shard=i, shards=3) for i in range(3)] == [items[:334], items[334:668], items[668:]]


def test_shrink_text_finds_the_smallest_failing_part() -> None:
    def failing(texts: list[str]) -> list[bool]:
        return ["and" in text for text in texts]

    long_text = "the quick brown fox\tjumps\nover " * 40 + "bandwidth " + "lazy dogs " * 40
    assert shrink_text(long_text, failing) == "and"


@pytest.mark.parametrize("name", ["llama3", "minilm", "mistral-v3"])
def test_batch_codec_gives_what_the_transformers_tokenizer_gives(zoo_tokenizer: Callable[[str], Any], name: str) -> None:
    tokenizer = zoo_tokenizer(name)
    texts = list(corpus.default_corpus())[:600]
    codec = BatchCodec(tokenizer, texts[:100])
    assert codec.fast_encode and codec.fast_decode
    for add_special_tokens in (False, True):
        assert codec.encode(texts, add_special_tokens=add_special_tokens) == [
            list(tokenizer.encode(t, add_special_tokens=add_special_tokens)) for t in texts
        ]
    ids = [list(tokenizer.encode(t)) for t in texts] + [[i] for i in range(0, len(tokenizer), 97)]
    for skip in (False, True):
        assert codec.decode(ids, skip_special_tokens=skip) == [tokenizer.decode(i, skip_special_tokens=skip) for i in ids]


class _Cleaning:
    """A tokenizer whose decode applies transformers' clean-up (as transformers 4 does whenever
    clean_up_tokenization_spaces is set): the backend alone would decode differently."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.backend_tokenizer = inner.backend_tokenizer
        self.added_tokens_decoder = inner.added_tokens_decoder
        # transformers 5.0 has no clean_up_tokenization on TokenizersBackend: the codec's copy of its rule
        self.clean_up_tokenization = getattr(inner, "clean_up_tokenization", None) or clean_up_tokenization

    def __len__(self) -> int:
        return len(self.inner)

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return list(self.inner.encode(text, add_special_tokens=add_special_tokens))

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return str(self.clean_up_tokenization(self.inner.decode(ids, skip_special_tokens=skip_special_tokens)))


def test_batch_decoding_applies_transformers_clean_up_where_the_tokenizer_does(zoo_tokenizer: Callable[[str], Any]) -> None:
    tokenizer = _Cleaning(zoo_tokenizer("llama3"))
    ids = tokenizer.encode("Hello , world ! I 'm here", add_special_tokens=False)
    assert tokenizer.backend_tokenizer.decode(ids) != tokenizer.decode(ids)  # the case to emulate
    codec = BatchCodec(tokenizer, ["Hello , world !", "it 's"])
    assert codec.fast_decode
    assert codec.decode([ids]) == [tokenizer.decode(ids)]


def test_truncation_left_on_the_backend_by_a_transformers_call_does_not_leak(zoo_tokenizer: Callable[[str], Any]) -> None:
    tokenizer = zoo_tokenizer("llama3")
    codec = BatchCodec(tokenizer, ["a b"])
    tokenizer(["one two three four"], truncation=True, max_length=2)
    assert codec.encode(["<|eom_id|> and more words"]) == [list(tokenizer.encode("<|eom_id|> and more words", add_special_tokens=False))]
    tokenizer(["reset"])  # transformers clears its own truncation on the next call


class _Disagreeing:
    """A tokenizer whose own encode adds an id its backend does not: the codec must follow encode."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.backend_tokenizer = inner.backend_tokenizer
        self.added_tokens_decoder = inner.added_tokens_decoder

    def __len__(self) -> int:
        return len(self.inner)

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return [*self.inner.encode(text, add_special_tokens=add_special_tokens), 0]

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return str(self.inner.decode(ids, skip_special_tokens=skip_special_tokens))


def test_batch_codec_falls_back_to_the_tokenizer_when_its_backend_disagrees(zoo_tokenizer: Callable[[str], Any]) -> None:
    tokenizer = _Disagreeing(zoo_tokenizer("llama3"))
    codec = BatchCodec(tokenizer, ["hello world"])
    assert not codec.fast_encode
    assert codec.encode(["hi"]) == [tokenizer.encode("hi", add_special_tokens=False)]


def test_tokenizer_json_view_shows_drift_that_a_rebuilding_transformers_class_hides(
    variant_run: Callable[[str], BehaviourRun],
) -> None:
    from tokcheck.checks.behaviour.views import live_differs_from_file

    run = variant_run("normalizer_nfkc")  # qwen2 with NFKC in its tokenizer.json
    tuned = run.session.tuned
    assert tuned is not None
    findings = run.sweep_findings("custom_texts")
    assert findings and findings[0].severity is Severity.ERROR
    text = findings[0].where
    if live_differs_from_file(tuned.tokenizer, tuned.snapshot):  # transformers 5's Qwen2Tokenizer rebuilds NFC
        assert [view.name for view in run.comparison.views] == ["transformers", "tokenizer.json"]
        assert "in the tokenizer.json pipeline" in findings[0].message
        assert "from tokenizers import Tokenizer as K" in findings[0].detail
    assert text.startswith("text '")


def test_moved_merges_are_the_ones_out_of_order_not_every_shifted_rank() -> None:
    base = [("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"), ("i", "j")]
    one_moved = [("a", "b"), ("e", "f"), ("g", "h"), ("i", "j"), ("c", "d")]
    assert moved_merges(base, one_moved) == [("c", "d")]
    assert moved_merges(base, list(base)) == []
    swapped = [("a", "b"), ("e", "f"), ("c", "d"), ("g", "h"), ("i", "j")]
    assert len(moved_merges(base, swapped)) == 1
    assert set(moved_merges(base, [*base[:4], ("x", "y")])) == {("i", "j"), ("x", "y")}


def test_merge_sequences_put_each_changed_merge_next_to_its_competitors() -> None:
    merges = [("Ġin", "ode"), ("ode", "f"), ("o", "de"), ("x", "Ġin")]
    sequences = merge_token_sequences([("Ġin", "ode")], merges, merges)
    assert ("Ġin", "ode") in sequences and ("Ġin", "ode", "f") in sequences and ("x", "Ġin", "ode") in sequences


def test_file_codec_ignores_the_truncation_and_padding_a_tokenizer_json_sets() -> None:
    from tokcheck import zoo
    from tokcheck.checks.behaviour.batch_codecs import FileCodec

    path = zoo.path_for("minilm") / "tokenizer.json"  # sets truncation to 128 and padding to 128
    codec = FileCodec(str(path))
    long_text = " ".join(["word"] * 300)
    [ids] = codec.encode([long_text])
    assert len(ids) == 300 and 0 not in ids  # not cut at 128, no [PAD] (id 0)
    arrays = codec.encode_arrays([long_text, "short text"])
    assert arrays.lengths == [300, 2] and arrays[0] == ids
