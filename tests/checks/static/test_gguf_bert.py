"""A BERT checkpoint (zoo:minilm, all-MiniLM-L6-v2) as llama.cpp's converter writes it: the chkhsh
ignores the truncation sentence-transformers saves in tokenizer.json (as AutoTokenizer does), the
expected token list is BertModel's phantom-space form, and the approximate view rebuilt from it is
the checkpoint's own WordPiece again. Against llama.cpp itself: tests/sources/test_gguf_fidelity.py
(bert-bge's vectors) and the faithful conversion zoo:minilm-gguf in the self-test."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tokcheck.checks.static.chkhsh_tokenizer import chkhsh_encode
from tokcheck.checks.static.gguf import check_gguf_add_tokens
from tokcheck.checks.static.gguf_expected import expected_gguf
from tokcheck.inputs.generators import CUSTOM_TEXTS
from tokcheck.sources.gguf.approximate import load_approximate
from tokcheck.sources.gguf.llamacpp import chkhsh, pre_for_hash
from tokcheck.sources.gguf.wordpiece import wordpiece_vocab
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve

pytest.importorskip("gguf")


@pytest.fixture(scope="module")
def minilm() -> Any:
    source = resolve("zoo:minilm")
    return source, take_snapshot(source)


def test_the_chkhsh_encodes_like_autotokenizer_past_the_saved_truncation(minilm: Any, zoo_tokenizer: Any) -> None:
    source, snapshot = minilm
    saved = json.loads(source.file("tokenizer.json").read_text(encoding="utf-8"))
    assert saved["truncation"]["max_length"] == 128  # what sentence-transformers saved
    ours = chkhsh(chkhsh_encode(snapshot, source.file("tokenizer.json")))
    assert ours == chkhsh(zoo_tokenizer("minilm").encode)
    assert pre_for_hash(ours) == "jina-v2-en"  # what convert_hf_to_gguf.py writes for this checkpoint


def test_the_expected_tokens_are_phantom_space_and_give_the_wordpiece_vocabulary_back(minilm: Any) -> None:
    source, snapshot = minilm
    expected = expected_gguf(source, snapshot, None)
    assert expected.model == "bert" and expected.merges is None
    by_token = {token: index for index, token in enumerate(expected.tokens)}
    assert by_token["[CLS]"] == 101 and by_token["\u2581the"] == snapshot.vocab["the"]
    assert by_token["ing"] == snapshot.vocab["##ing"]
    assert wordpiece_vocab(expected) == snapshot.vocab


def test_the_approximate_view_of_the_expected_gguf_encodes_like_the_checkpoint(minilm: Any, zoo_tokenizer: Any) -> None:
    source, snapshot = minilm
    approximate = load_approximate(expected_gguf(source, snapshot, None))
    hf = zoo_tokenizer("minilm")
    texts = [*CUSTOM_TEXTS, "Hello World, this is a test!", "naïve café", "unaffable 你好", "[CLS] x [SEP]"]
    # The checkpoint strips accents because it lowercases (BertNormalizer's default), as llama.cpp does.
    assert [approximate.encode(t) for t in texts] == [hf.encode(t) for t in texts]


def test_bert_adds_cls_and_sep_whatever_the_add_flags_say(minilm: Any, zoo_tokenizer: Any) -> None:
    """llama.cpp's WPM tokenizer adds bos and sep unconditionally (llama-vocab.cpp), so flags a
    converter left out or flipped change nothing for BERT: no finding, and the same ids; a BPE
    vocabulary's flag does matter."""
    source, snapshot = minilm
    expected = expected_gguf(source, snapshot, None)
    for add_bos, add_eos in ((None, None), (False, False)):
        flipped = replace(expected, add_bos=add_bos, add_eos=add_eos)
        assert check_gguf_add_tokens(expected, flipped, "x.gguf") == []
        assert load_approximate(flipped).encode("Hello there") == zoo_tokenizer("minilm").encode("Hello there")
    llama = resolve("zoo:llama3")
    bpe = expected_gguf(llama, take_snapshot(llama), None)
    assert [f.code for f in check_gguf_add_tokens(bpe, replace(bpe, add_bos=False), "x.gguf")] == ["gguf.add-bos-changed"]
