"""The shared corpus: large, varied in the ways tokenizers differ, and the same on every run."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokcheck.inputs import corpus

REPO = Path(__file__).parent.parent.parent

# What the corpus must exercise, as (label, test, at least how many strings).
FEATURES: list[tuple[str, Callable[[str], Any], int]] = [
    ("CJK ideographs", re.compile(r"[\u4e00-\u9fff]").search, 300),
    ("Hangul", re.compile(r"[\uac00-\ud7a3\u1100-\u11ff]").search, 100),
    ("Cyrillic", re.compile(r"[\u0400-\u04ff]").search, 300),
    ("Arabic (RTL)", re.compile(r"[\u0600-\u06ff]").search, 200),
    ("Hebrew", re.compile(r"[\u0590-\u05ff]").search, 100),
    ("Khmer", re.compile(r"[\u1780-\u17ff]").search, 100),
    ("Vietnamese", re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]").search, 100),
    ("indented code", re.compile(r"\n(    |\t)+\S").search, 300),
    ("CRLF", lambda t: "\r\n" in t, 200),
    ("tab", lambda t: "\t" in t, 500),
    ("NBSP", lambda t: "\u00a0" in t, 50),
    ("ZWSP", lambda t: "\u200b" in t, 50),
    ("BOM", lambda t: "\ufeff" in t, 50),
    ("run of 3+ spaces", lambda t: "   " in t, 500),
    ("emoji ZWJ sequence", re.compile("[\U0001f300-\U0001faff]\u200d").search, 50),
    ("flag", re.compile("[\U0001f1e6-\U0001f1ff]{2}").search, 50),
    ("digit run of 6+", re.compile(r"\d{6,}").search, 100),
    ("ASCII apostrophe", lambda t: "'" in t, 500),
    ("typographic apostrophe", lambda t: "\u2019" in t, 50),
    ("combining mark", lambda t: any(unicodedata.combining(c) for c in t), 300),
    ("not NFC", lambda t: unicodedata.normalize("NFC", t) != t, 200),
    ("fullwidth", re.compile(r"[\uff01-\uff5e]").search, 100),
    ("C0/C1 control", re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]").search, 100),
    ("literal special token", re.compile(r"<\|[a-z_]+\|>|\[/?INST\]|</?s>").search, 300),
    ("longer than 1000 chars", lambda t: len(t) > 1000, 50),
]


def test_corpus_has_at_least_10000_distinct_strings() -> None:
    texts = corpus.default_corpus()
    assert len(texts) == len(set(texts)) >= 10_000
    assert "" in texts and " " in texts


def test_corpus_covers_every_feature_tokenizers_disagree_on() -> None:
    texts = corpus.default_corpus()
    counts = {label: sum(1 for t in texts if test(t)) for label, test, _ in FEATURES}
    print(counts)
    too_few = {label: counts[label] for label, _, minimum in FEATURES if counts[label] < minimum}
    assert not too_few


def test_corpus_is_the_same_in_another_process_with_another_hash_seed() -> None:
    digest = hashlib.sha256("\x1e".join(corpus.generate()).encode("utf-8")).hexdigest()
    code = "import hashlib; from tokcheck.inputs import corpus; print(hashlib.sha256('\\x1e'.join(corpus.generate()).encode()).hexdigest())"
    for seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == digest


def test_seed_and_size_select_the_corpus() -> None:
    assert corpus.generate(500) == corpus.generate(500) == list(corpus.default_corpus()[:500])
    assert corpus.generate(500, seed=1) != corpus.generate(500)
    assert corpus.generate(3) == list(corpus.EDGE_CASES[:3])
