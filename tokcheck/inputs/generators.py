"""Inputs for the sweeps: llama.cpp's tokenizer test generators (fixed edge cases, ASCII pairs and
apostrophes with whitespace, special tokens with whitespace, seeded random texts) and its test
inputs, every assigned code point, and the token sequences that exercise the merges in which two
tokenizers differ. Plain functions of plain data; the big ones are cached per process (read-only)."""

from __future__ import annotations

import bisect
import json
import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

# Whitespace put around tokens by llama.cpp's generator_added_lr_strip.
TOKEN_WHITESPACE = ("", " ", "  ", "\n", "\r\n", "\n\n", "\t", "\t\t")
PAIR_WHITESPACE = ("", " ", "  ")
_UNASSIGNED = frozenset({"Cn", "Cs", "Co"})  # unassigned, surrogates, private use
_COMPETITORS = 300  # merges tried next to each changed merge, on each side


@lru_cache(maxsize=1)
def assigned_code_points() -> tuple[int, ...]:
    """Every code point whose category is not Cn/Cs/Co (in this Python's Unicode version)."""
    category = unicodedata.category
    return tuple(cp for cp in range(0x110000) if category(chr(cp)) not in _UNASSIGNED)


@lru_cache(maxsize=1)
def llamacpp_inputs() -> tuple[str, ...]:
    """llama.cpp's tokenizer test inputs (convert_hf_to_gguf_update.py), shipped with tokcheck."""
    data = resources.files("tokcheck.inputs").joinpath("data/llamacpp_inputs.json").read_text(encoding="utf-8")
    return tuple(json.loads(data)["inputs"])


# --- generators -------------------------------------------------------------------------------


# Fixed strings that broke some tokenizer once (llama.cpp's custom and edge-case lists are the
# model: control and digit ranges, BOM, ignore_merges, lstrip/rstrip specials, encode errors).
CUSTOM_TEXTS: tuple[str, ...] = (
    "", " ", "  ", "   ", "\t", "\n", "\n\n", "\n\n\n", "\t\n", "\r\n", " \r\n", "\r\n\r\n",
    "Hello world", " Hello world", "Hello World", " Hello World!", "Hello, world!", " Hello, world!",
    "Hello", " Hello", "  Hello", "   Hello", "    Hello", "    Hello\n    Hello", " (", "\n =", "' era",
    " this is 🦙.cpp", "w048 7tuijk dsdfhu", "нещо на Български", "កាន់តែពិសេសអាចខលចេញ",
    "🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ (only emoji that has its own token)",
    "Hello, y'all! How are you 😁 ?我想在apple工作1314151天～", "ied 4 ½ months", "Äpfel", "Führer",
    "3", "33", "333", "3333", "33333", "333333", "3333333", "33333333", "333333333",
    "\x1f-a", "¼-a", "½-a", "¾-a", "a 〇b", "Ⅵ-a", "\ufeff//", "Cửa Việt", " Việt", " discards",
    "a\na", "\"`", " \u2e4e", "\n\x0b  ", "a\xa0\xa0\x00b", "\xa0aC", "\u2029 \ua3e4", "a ?", "å",
    "\U000ac517", "\U000522f4", "e\u0301", "\u00e9", "ﬁ", "ＡＢＣ", "１２３", "µ", "Å", "\u200b", "a\u200db",
    "I'm", "don't", "it's", "we've", "they're", "you'll", "he'd", "'s", "'S", "’s", " 's", "n't",
    "def f(x):\n    return x\n", "\tif (a) {\n\t\treturn b;\n\t}\n", "👨\u200d👩\u200d👧\u200d👦", "🇺🇸", "🏳️\u200d🌈",
)


def custom_texts(specials: Sequence[str] = ()) -> list[str]:
    """The fixed strings, plus runs of each special/added token with and without spaces."""
    texts = list(CUSTOM_TEXTS)
    for token in specials:
        texts += [token * 3, " ".join([token] * 3), f"{token}a{token}b", f"a {token} b", f" {token}", f"{token} "]
    return texts


@lru_cache(maxsize=1)
def ascii_pairs() -> list[str]:
    """All pairs of ASCII characters (and the empty string) with "", " " or "  " around and
    between them, as llama.cpp's generator_ascii_lr_strip (442,368 strings, 304,045 distinct;
    each is kept once, in first-seen order). Cached: treat as read-only."""
    return _around_pairs(lambda c1, c2, left, right: (left + c1 + c2 + right, left + c1 + right + c2, c1 + left + c2 + right))


@lru_cache(maxsize=1)
def apostrophe_patterns() -> list[str]:
    """Apostrophes between ASCII pairs with whitespace on either side, as llama.cpp's
    generator_apostrophe (442,368 strings, 434,716 distinct: contractions and quotes). Cached."""
    return _around_pairs(lambda c1, c2, left, right: (
        c1 + left + "'" + right + c2, c1 + c2 + left + "'" + right + "z", "a" + left + "'" + right + c1 + c2))


def _around_pairs(shapes: Callable[[str, str, str, str], tuple[str, ...]]) -> list[str]:
    """The texts `shapes` makes of every pair of ASCII characters (and "") and every left and right
    whitespace of PAIR_WHITESPACE, as llama.cpp's generators loop over them; each kept once."""
    chars = [chr(i) for i in range(1, 0x80)] + [""]
    return _distinct([
        text
        for c1 in chars
        for c2 in chars
        for left in PAIR_WHITESPACE
        for right in PAIR_WHITESPACE
        for text in shapes(c1, c2, left, right)
    ])


def _distinct(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def token_whitespace_variants(tokens: Sequence[str]) -> list[str]:
    """Each token with every whitespace of TOKEN_WHITESPACE on each side, alone and between "a"
    and "z" (256 strings per token): lstrip/rstrip/single_word and Metaspace prepend drift."""
    return [
        text
        for token in tokens
        for left in TOKEN_WHITESPACE
        for right in TOKEN_WHITESPACE
        for text in (left + token + right, "a" + left + token + right, left + token + right + "z", "a" + left + token + right + "z")
    ]


def random_token_texts(tokens: Sequence[str], iterations: int = 100) -> list[str]:
    """Seeded runs of 500 special/added tokens mixed with separators and words."""
    pool = sorted({*tokens, " ", "\n", "\t", "-", "!", "one", "1", "<s>", "</s>"})
    return ["".join(random.Random(seed).choices(pool, k=500)) for seed in range(iterations)]


_RANDOM_CHARS = sorted(set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄËÏÖÜáéíóúàèìòùâêîôûäëïöü"
    ".-,*/-+ª!\"·$%&/()=?¿[]{}<>\\|@#~½¬~;:_"
))
_WORD_WHITESPACE = [" "] * 20 + ["\n"] * 5 + ["\r\n"] * 5 + ["\t"] * 5


def _random_words(alphabet: Sequence[str], words: int, seed: int) -> str:
    rand = random.Random(seed)
    return "".join("".join(rand.choices(alphabet, k=rand.randint(1, 7))) + rand.choice(_WORD_WHITESPACE) for _ in range(words))


@lru_cache(maxsize=2)
def random_char_texts(iterations: int = 100) -> list[str]:
    """Seeded texts of 400 short words over ASCII, accented Latin and punctuation."""
    return [_random_words(_RANDOM_CHARS, 400, seed) for seed in range(iterations)]


@lru_cache(maxsize=1)
def code_point_texts() -> list[str]:
    """Every assigned code point (not Cn/Cs/Co), one string each. Cached: treat as read-only."""
    return [chr(cp) for cp in assigned_code_points()]


@lru_cache(maxsize=2)
def random_unicode_texts(iterations: int = 100) -> list[str]:
    """Seeded texts of 200 words of 1-7 random assigned code points."""
    alphabet = [chr(cp) for cp in assigned_code_points()]
    return [_random_words(alphabet, 200, seed) for seed in range(iterations)]


def random_vocab_char_texts(vocab_texts: Sequence[str], iterations: int = 100) -> list[str]:
    """Seeded texts of 1024 characters drawn from the characters that occur in the vocabulary."""
    chars = sorted({char for text in vocab_texts for char in text})
    return ["".join(random.Random(seed).choices(chars, k=1024)) for seed in range(iterations)] if chars else []


def random_vocab_word_texts(vocab_texts: Sequence[str], iterations: int = 100) -> list[str]:
    """Seeded texts of 300-400 groups of 1-3 vocabulary words glued by a random separator."""
    words = sorted({text.strip() for text in vocab_texts} - {""})
    texts = []
    for seed in range(iterations if words else 0):
        rand = random.Random(seed)
        groups = ("".join(rand.choices(words, k=rand.randint(1, 3))) + rand.choice("     \n\r\t") for _ in range(rand.randint(300, 400)))
        texts.append("".join(groups))
    return texts


# --- merges and vocabulary that differ ---------------------------------------------------------


def moved_merges(base: Sequence[tuple[str, str]], tuned: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The merges whose relative order differs (those outside a longest common ordering), and the
    merges only one side has. Moving one merge to the end shifts the rank of every later merge,
    but only the moved one changes order relative to the others, and only it is returned."""
    if base == tuned:  # the common case, one comparison in C
        return []
    tuned_rank = {merge: i for i, merge in enumerate(tuned)}
    base_rank = {merge: i for i, merge in enumerate(base)}
    common = [merge for merge in base if merge in tuned_rank]
    kept = _longest_increasing([tuned_rank[merge] for merge in common])
    moved = [merge for i, merge in enumerate(common) if i not in kept]
    return moved + [m for m in base if m not in tuned_rank] + [m for m in tuned if m not in base_rank]


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence (patience sorting, n log n)."""
    tails: list[int] = []
    tail_positions: list[int] = []
    previous = [-1] * len(values)
    for position, value in enumerate(values):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_positions.append(position)
        else:
            tails[slot] = value
            tail_positions[slot] = position
        previous[position] = tail_positions[slot - 1] if slot else -1
    kept: set[int] = set()
    position = tail_positions[-1] if tail_positions else -1
    while position != -1:
        kept.add(position)
        position = previous[position]
    return kept


def merge_token_sequences(
    moved: Sequence[tuple[str, str]], base: Sequence[tuple[str, str]], tuned: Sequence[tuple[str, str]]
) -> list[tuple[str, ...]]:
    """For each changed merge (a, b): the tokens a b, and a b c / c a b for the merges (b, c) and
    (c, a) of either side, the competitors whose order against (a, b) decides how BPE splits a
    word (moving "Ġin"+"ode" to the end changes " inodef" because "ode"+"f" now wins)."""
    if not moved:  # every benign re-save: no need to index 280,000 merges
        return []
    starting, ending = defaultdict(list), defaultdict(list)
    for left, right in dict.fromkeys([*base, *tuned]):
        starting[left].append(right)
        ending[right].append(left)
    sequences: list[tuple[str, ...]] = []
    for a, b in moved:
        sequences.append((a, b))
        sequences += [(a, b, c) for c in starting[b][:_COMPETITORS]]
        sequences += [(c, a, b) for c in ending[a][:_COMPETITORS]]
    return sequences
