"""Counterexamples: one input on which base and tuned behave differently (found by Hypothesis or by
a sweep), told the same way everywhere: the escaped input, both outputs, the first difference with
both token strings, and a line that reproduces it. The builders here make the ones about ids and
decoded text for a view; they become Findings for the drift report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from tokcheck.checks.behaviour.batch_codecs import Codec
from tokcheck.checks.behaviour.pieces import TokenNamer, token_pieces
from tokcheck.checks.behaviour.reproduction import reproduction
from tokcheck.checks.behaviour.views import View
from tokcheck.display import describe_ids_mismatch, escaped, literal, named_characters
from tokcheck.findings import Finding, Severity


@dataclass(frozen=True)
class Counterexample:
    """One input on which base and tuned differ.

    `check` and `code` name the finding; `message` is one sentence; `text` is the input text when
    there is one; `base_ids`/`tuned_ids` the two id lists when ids differ, else `base_value`/
    `tuned_value` (decoded texts, renders ...); `lines` say more (the transcript, how it was found);
    `repro` is the shell line that shows the difference; `seen_in` the view it was found in."""

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
    tokenizers: tuple[TokenNamer, TokenNamer] | None = field(default=None, compare=False, repr=False)
    seen_in: str = ""

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
            evidence=self.token_evidence(),
        )

    def token_evidence(self) -> dict[str, Any] | None:
        """Both sides' token pieces, for the token boxes of the reports: of the two id lists, or,
        for two renders of a chat template, of each render encoded by its own side."""
        if self.tokenizers is None:
            return None
        base_tok, tuned_tok = self.tokenizers
        if self.base_ids is not None and self.tuned_ids is not None:
            base_ids, tuned_ids = self.base_ids, self.tuned_ids
        elif isinstance(self.base_value, str) and isinstance(self.tuned_value, str) and "chat_render" in self.code:
            try:
                base_ids, tuned_ids = _encoded(base_tok, self.base_value), _encoded(tuned_tok, self.tuned_value)
            except Exception:  # presentation only: a render a side cannot encode is shown as text
                return None
        else:
            return None
        base, tuned = token_pieces(base_tok, base_ids), token_pieces(tuned_tok, tuned_ids)
        if base is None or tuned is None:
            return None
        return {"tokens": {"base": base, "tuned": tuned}}


def _encoded(tokenizer: TokenNamer, text: str) -> list[int]:
    if hasattr(tokenizer, "encode_arrays"):  # a batch codec (no transformers tokenizer has it)
        return list(cast("Codec", tokenizer).encode([text])[0])
    return list(tokenizer.encode(text, add_special_tokens=False))


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


# --- builders ----------------------------------------------------------------------------------

RESTORE_FIX = "restore the base tokenizer files into the checkpoint, or find which pipeline part changed with -m static"


def repro(view: View, statement: str, *, setup: str = "") -> str:
    """The reproduction line of `statement` in `view`."""
    return reproduction(*view.loaders, statement, setup=setup)


def beyond_base(view: View, ids: Sequence[int]) -> list[str]:
    """A line naming the ids tuned emits that base has no row for."""
    outside = sorted({i for i in ids if i >= view.base.size})
    if not outside:
        return []
    return [f"tuned emits id {', '.join(map(str, outside))}, beyond base's ids 0-{view.base.size - 1}: "
            "a model sized for base has no embedding row for it"]


def _note(view: View) -> str:
    return f" ({view.note})" if view.note else ""


def ids_counterexample(
    view: View,
    text: str,
    base_ids: Sequence[int],
    tuned_ids: Sequence[int],
    found_by: str,
    *,
    token_id: int | None = None,
    add_special_tokens: bool = False,
    check: str | None = None,
) -> Counterexample:
    """Base and tuned encode `text` to different ids in `view` (`token_id`: the text is that base
    id's decoded text, from the vocabulary sweep)."""
    what = f"the decoded text of base id {token_id}" if token_id is not None else "a text"
    return Counterexample(
        check=check or ("sweep.vocab_ids" if token_id is not None else f"{found_by}.ids"),
        code=f"{found_by}.ids-differ",
        message=f"base and tuned encode {what} to different ids (add_special_tokens={add_special_tokens}){_note(view)}",
        text=text,
        base_ids=list(base_ids),
        tuned_ids=list(tuned_ids),
        lines=tuple(beyond_base(view, tuned_ids)),
        repro=repro(view, view.encode_statement(add_special_tokens), setup=f"x = {literal(text)}"),
        fix=RESTORE_FIX,
        tokenizers=(view.base, view.tuned),
        seen_in=view.name,
    )


def decode_counterexample(
    view: View, text: str, ids: Sequence[int], base_text: str, tuned_text: str, found_by: str, *,
    skip: bool = False, check: str | None = None,
) -> Counterexample:
    """Base and tuned decode the same `ids` to different text in `view`."""
    return Counterexample(
        check=check or f"{found_by}.decode",
        code=f"{found_by}.decode-differs",
        message=f"base and tuned decode the same ids to different text (skip_special_tokens={skip}){_note(view)}",
        text=text,
        base_value=base_text,
        tuned_value=tuned_text,
        lines=(f"ids: {list(ids)}",),
        repro=repro(view, f"k.decode(i, skip_special_tokens={skip})", setup=f"i = {list(ids)}"),
        fix="compare the decoder and clean_up_tokenization_spaces of both (-m static)",
        tokenizers=(view.base, view.tuned),
        seen_in=view.name,
    )
