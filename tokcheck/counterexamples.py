"""Counterexamples: one input on which base and tuned behave differently (found by Hypothesis or by
a sweep), told the same way everywhere: the escaped input, both outputs, the first difference with
both token strings, and a line that reproduces it. They become Findings for the drift report."""

from __future__ import annotations

import shlex
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from tokcheck.assertions import describe_ids_mismatch
from tokcheck.findings import Finding, Severity

_NAMED_CHARS = 8  # non-ASCII characters named under an escaped text


def escaped(text: str) -> str:
    """`text` as a Python literal in which nothing is invisible or ambiguous: whitespace, controls,
    format characters, combining marks and characters that Unicode normalization would change are
    escaped; other letters (CJK, Cyrillic, emoji ...) stay readable."""
    out = []
    for char in text:
        if char.isascii():
            out.append(repr(char)[1:-1] if char != "'" else "\\'")
            continue
        category = unicodedata.category(char)
        if category[0] in "MZC" or unicodedata.normalize("NFKC", char) != char or not char.isprintable():
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def named_characters(text: str) -> str:
    """'U+00A0 NO-BREAK SPACE, U+FB01 LATIN SMALL LIGATURE FI' for the first non-ASCII characters."""
    seen: list[str] = []
    for char in text:
        if not char.isascii() and char not in seen:
            seen.append(char)
    if not seen:
        return ""
    names = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in seen[:_NAMED_CHARS]]
    return ", ".join(names) + (f" and {len(seen) - _NAMED_CHARS} more" if len(seen) > _NAMED_CHARS else "")


def literal(value: Any) -> str:
    """`value` (str, int, bool, None, list, dict of those) as ASCII Python source with strings in
    double quotes, so that a reproduction line needs shell escaping only for apostrophes."""
    if isinstance(value, str):
        inner = ascii(value)[1:-1]
        return '"' + (inner.replace('"', '\\"') if ascii(value)[0] == "'" else inner) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    return repr(value)


@dataclass(frozen=True)
class Loader:
    """How to load one side in a reproduction line: a directory, or a bare tokenizer.json."""

    path: str
    bare_file: bool = False
    raw: bool = False  # a tokenizers.Tokenizer read from the tokenizer.json at `path`

    def expression(self) -> str:
        if self.raw:
            return f"K.from_file({literal(self.path)})"
        if self.bare_file:
            return f"F(tokenizer_file={literal(self.path)})"
        return f"T.from_pretrained({literal(self.path)})"


def reproduction(base: Loader, tuned: Loader, statement: str, *, setup: str = "") -> str:
    """A shell line that loads both tokenizers and prints `statement` (an expression of `k`, the
    tokenizer, and the names bound in `setup`) for base, then tuned."""
    imports = (
        "from tokenizers import Tokenizer as K; " if base.raw
        else "from transformers import AutoTokenizer as T, PreTrainedTokenizerFast as F; "
    )
    code = (
        imports
        + (setup + "; " if setup else "")
        + f"[print(repr({statement})) for k in ({base.expression()}, {tuned.expression()})]"
    )
    return "python -c " + shlex.quote(code)


@dataclass(frozen=True)
class Counterexample:
    """One input on which base and tuned differ.

    `check` and `code` name the finding; `message` is one sentence; `text` is the input text when
    there is one; `base_ids`/`tuned_ids` the two id lists when ids differ, else `base_value`/
    `tuned_value` (decoded texts, renders ...); `lines` say more (the transcript, how it was found);
    `repro` is the shell line that shows the difference."""

    check: str
    code: str
    message: str
    text: str | None = None
    base_ids: list[int] | None = None
    tuned_ids: list[int] | None = None
    base_value: Any = None
    tuned_value: Any = None
    lines: tuple[str, ...] = ()
    repro: str = ""
    fix: str = ""
    severity: Severity = Severity.ERROR
    tokenizers: tuple[Any, Any] | None = field(default=None, compare=False, repr=False)

    def with_lines(self, *lines: str) -> Counterexample:
        return replace(self, lines=(*self.lines, *lines))

    def size(self) -> tuple[int, str]:
        """Order used to pick the smallest of several failing inputs."""
        text = self.text if self.text is not None else repr(self.base_value)
        return (len(text), text)

    def describe(self) -> str:
        lines: list[str] = []
        if self.text is not None:
            lines.append(f"text: {escaped(self.text)}")
            names = named_characters(self.text)
            if names:
                lines.append(f"  characters: {names}")
        if self.base_ids is not None and self.tuned_ids is not None:
            base_tok, tuned_tok = self.tokenizers or (None, None)
            described = describe_ids_mismatch(self.text or "", self.base_ids, self.tuned_ids, base_tok, tuned_tok)
            lines.extend(line.strip() for line in described.splitlines()[1:])
        elif self.base_value is not None or self.tuned_value is not None:
            lines.append(f"base:  {_shown(self.base_value)}")
            lines.append(f"tuned: {_shown(self.tuned_value)}")
        lines.extend(self.lines)
        if self.repro:
            lines.append(f"reproduce: {self.repro}")
        return "\n".join(lines)

    def to_finding(self) -> Finding:
        where = f"text {escaped(self.text)}" if self.text is not None else ""
        if len(where) > 160:
            where = where[:157] + "..."
        base: Any = self.base_ids if self.base_ids is not None else _jsonable(self.base_value)
        tuned: Any = self.tuned_ids if self.tuned_ids is not None else _jsonable(self.tuned_value)
        return Finding(
            check=self.check,
            code=self.code,
            severity=self.severity,
            message=self.message,
            where=where,
            base=base,
            tuned=tuned,
            fix=self.fix,
            detail=self.describe(),
        )


def _shown(value: Any) -> str:
    return escaped(value) if isinstance(value, str) else repr(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return repr(value)
