"""A deterministic corpus of varied text for comparing tokenizers in bulk (fidelity tests, golden
files, benchmarks): the same strings on every run, platform and Python 3 version.

Stability rests on ``random.Random(seed)`` with only ``random()``, ``randrange()`` and ``choice()``
(whose outputs CPython keeps stable across versions) and on iterating lists and tuples, never sets.
Changing any output is a change of ``CORPUS_VERSION``."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from tokcheck.inputs.alphabets import (
    CODE_LINES,
    COMBINING_MARKS,
    COMPATIBILITY,
    CONTRACTIONS,
    CONTROLS,
    EDGE_CASES,
    EMOJI,
    FULLWIDTH,
    LATIN_LANGS,
    NAMES,
    NORMAL_FORMS,
    ROLES,
    SEPARATORS,
    SPECIAL_LITERALS,
    WHITESPACE,
    WORDS,
)

CORPUS_VERSION = 1
DEFAULT_SIZE = 12_000
DEFAULT_SEED = 20240501

def _words(rng: random.Random, lang: str, count: int) -> str:
    bank = WORDS[lang]
    return "".join(rng.choice(bank) + rng.choice(SEPARATORS) for _ in range(count)).rstrip()


def _multilingual(rng: random.Random) -> str:
    langs = tuple(WORDS)
    if rng.random() < 0.7:
        return _words(rng, rng.choice(langs), rng.randrange(1, 14))
    return " ".join(_words(rng, rng.choice(langs), rng.randrange(1, 5)) for _ in range(rng.randrange(2, 5)))


def _code(rng: random.Random) -> str:
    indent = rng.choice(("    ", "  ", "\t", "        ", " "))
    newline = rng.choice(("\n", "\n", "\r\n"))
    lines = []
    for _ in range(rng.randrange(1, 9)):
        name = rng.choice(NAMES)
        line = rng.choice(CODE_LINES).format(name=name, Name=name.capitalize())
        trailing = rng.choice(("", "", "", " ", "  ", "\t"))
        lines.append(indent * rng.randrange(0, 4) + line + trailing)
    return newline.join(lines) + rng.choice(("", newline, newline * 2))


def _whitespace(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 7)):
        parts.append(rng.choice(WHITESPACE))
        if rng.random() < 0.7:
            parts.append(rng.choice(WORDS[rng.choice(LATIN_LANGS)]))
    return "".join(parts)


def _emoji(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 7)):
        parts.append(rng.choice(EMOJI) * rng.choice((1, 1, 1, 2, 3)))
        parts.append(rng.choice(("", " ", " ", "\u200d", "!", _words(rng, "en", 1) + " ")))
    return "".join(parts)


def _digits(rng: random.Random) -> str:
    length = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 33))
    run = "".join(rng.choice("0123456789") for _ in range(length))
    shapes = (
        run, f"{run}.{rng.randrange(100)}", f"{int(run):,}", f"-{run}", f"+1 ({run[:3]}) 555-{run[-4:]:0>4}",
        f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", f"0x{rng.randrange(1 << 32):08X}",
        f"{rng.random():.6e}", f"v{rng.randrange(10)}.{rng.randrange(100)}.{rng.randrange(1000)}",
        f"{run}%", f"${run}", f"{run} items", "٠١٢٣٤٥٦٧٨٩"[: 1 + length % 10], "１２３４５"[: 1 + length % 5],
        f"x²+y³={run}", f"{run}th", f"1/{run}",
    )  # fmt: skip
    return rng.choice(shapes)


def _contractions(rng: random.Random) -> str:
    return " ".join(rng.choice(CONTRACTIONS + WORDS["en"]) for _ in range(rng.randrange(1, 9)))


def _combining(rng: random.Random) -> str:
    word = rng.choice(WORDS[rng.choice(("de", "fr", "vi", "el", "ko", "en", "yo"))])
    form = rng.randrange(6)
    if form == 4:
        return "".join(c + "".join(rng.choice(COMBINING_MARKS) for _ in range(rng.randrange(0, 4))) for c in word)
    if form == 5:
        return word + " " + "".join(rng.choice(COMPATIBILITY) for _ in range(rng.randrange(1, 4)))
    return unicodedata.normalize(NORMAL_FORMS[form], word)


def _fullwidth(rng: random.Random) -> str:
    return rng.choice(("", " ")).join(rng.choice(FULLWIDTH + WORDS["ja"]) for _ in range(rng.randrange(1, 5)))


def _controls(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 6)):
        parts.append(rng.choice(WORDS[rng.choice(("en", "ar", "he"))]) if rng.random() < 0.6 else "")
        parts.append(rng.choice(CONTROLS))
    return "".join(parts)


def _special_literals(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(1, 6)):
        parts.append(rng.choice(SPECIAL_LITERALS))
        parts.append(rng.choice(("", " ", "\n", "\n\n", _words(rng, rng.choice(LATIN_LANGS), 2))))
    return "".join(parts)


def _chat(rng: random.Random) -> str:
    """A transcript as one of the zoo's templates renders it, written out as plain text."""
    style = rng.choice(("llama3", "chatml", "mistral", "tekken", "plain"))
    turns = []
    for i in range(rng.randrange(1, 5)):
        role = "user" if i % 2 == 0 else "assistant"
        content = _multilingual(rng) if rng.random() < 0.6 else _code(rng)
        if style == "llama3":
            turns.append(f"<|start_header_id|>{rng.choice(ROLES)}<|end_header_id|>\n\n{content}<|eot_id|>")
        elif style == "chatml":
            turns.append(f"<|im_start|>{role}\n{content}<|im_end|>\n")
        elif style == "mistral":
            turns.append(f"[INST] {content} [/INST]" if role == "user" else f" {content}</s>")
        elif style == "tekken":
            turns.append(f"[INST]{content}[/INST]" if role == "user" else f"{content}</s>")
        else:
            turns.append(f"{role.capitalize()}: {content}\n")
    prefix = {"llama3": "<|begin_of_text|>", "mistral": "<s>", "tekken": "<s>"}.get(style, "")
    return (prefix if rng.random() < 0.5 else "") + "".join(turns)


def _structured(rng: random.Random) -> str:
    word = rng.choice(NAMES)
    return rng.choice(
        (
            f"https://example.com/{word}?q={rng.randrange(999)}&lang=de#frag",
            f"mailto:{word}@example.org",
            f"C:\\Users\\{word}\\Documents\\file.txt",
            f"/usr/local/lib/python3.11/site-packages/{word}/__init__.py",
            f"**{word}** _emph_ `code` [link](http://x.y) > quote\n- item\n1. first",
            "$\\frac{a}{b} = \\sum_{i=0}^{n} x_i^2$ \\\\ \\alpha\\beta",
            f"| {word} | {rng.randrange(100)} |\n|---|---|",
            f"<{word} attr='1'/>&amp;&lt;&#x27;",
            "=" * rng.randrange(1, 40) + " " + "-" * rng.randrange(1, 40),
            "." * rng.randrange(1, 30) + "!" * rng.randrange(0, 5) + "?" * rng.randrange(0, 5),
        )
    )


def _soup(rng: random.Random) -> str:
    """Characters drawn from many blocks, surrogates excluded (they cannot be UTF-8 encoded)."""
    blocks = (
        (0x20, 0x7F), (0xA0, 0x250), (0x300, 0x370), (0x370, 0x530), (0x590, 0x700), (0x900, 0xE80),
        (0x1780, 0x1800), (0x1E00, 0x2000), (0x2000, 0x2BFF), (0x3000, 0x30FF), (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A3), (0xFB00, 0xFFFD), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0x10000, 0x1007F),
    )  # fmt: skip
    chars = []
    for _ in range(rng.randrange(1, 25)):
        low, high = rng.choice(blocks)
        chars.append(chr(rng.randrange(low, high)))
    return "".join(chars)


def _long(rng: random.Random) -> str:
    makers = (_multilingual, _code, _whitespace, _digits, _contractions, _emoji, _chat)
    return "\n\n".join(rng.choice(makers)(rng) for _ in range(rng.randrange(8, 40)))


# How often each kind appears, per 40 strings.
KINDS: tuple[tuple[Callable[[random.Random], str], int], ...] = (
    (_multilingual, 9), (_code, 5), (_whitespace, 4), (_emoji, 2), (_digits, 3), (_contractions, 3),
    (_combining, 3), (_fullwidth, 1), (_controls, 2), (_special_literals, 2), (_chat, 3), (_structured, 2),
    (_soup, 3), (_long, 1),
)  # fmt: skip
_SCHEDULE: tuple[Callable[[random.Random], str], ...] = tuple(
    kind for kind, weight in KINDS for _ in range(weight)
)

def generate(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[str]:
    """``size`` distinct strings: the edge cases, then generated ones cycling through every kind."""
    rng = random.Random(seed)
    texts = list(EDGE_CASES[:size])
    seen = set(texts)  # membership only: iteration order never reaches the output
    turn = 0
    while len(texts) < size:
        text = _SCHEDULE[turn % len(_SCHEDULE)](rng)
        turn += 1
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


@lru_cache(maxsize=1)
def default_corpus() -> tuple[str, ...]:
    """The corpus the fidelity tests, golden files and benchmarks share."""
    return tuple(generate())


def by_kind(per_kind: int, seed: int = DEFAULT_SEED) -> dict[str, list[str]]:
    """``per_kind`` distinct strings of every kind, keyed by kind name (``multilingual``, ``code``,
    ``whitespace`` ...): the edge-case families golden files record."""
    families: dict[str, list[str]] = {}
    for kind, _ in KINDS:
        rng = random.Random(f"{seed}:{kind.__name__}")
        texts: list[str] = []
        seen: set[str] = set()
        attempts = 0
        while len(texts) < per_kind and attempts < per_kind * 20:
            attempts += 1
            text = kind(rng)
            if text not in seen:
                seen.add(text)
                texts.append(text)
        families[kind.__name__.lstrip("_")] = texts
    return families
