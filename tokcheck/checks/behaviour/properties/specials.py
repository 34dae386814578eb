"""Special tokens: every special and added token string encodes alike (one id where base has one
id) and decodes back as in base; which special strings user text can inject; and, as a property,
literal special-token strings spliced into generated text and into a user message."""

from __future__ import annotations

import hypothesis.strategies as st

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.counterexamples import (
    Counterexample,
    decode_counterexample,
    ids_counterexample,
)
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.properties.chat import check_user_text_in_chat
from tokcheck.checks.behaviour.properties.text import check_ids
from tokcheck.checks.behaviour.property import Property
from tokcheck.display import escaped
from tokcheck.findings import Finding, Severity
from tokcheck.inputs.text import edge_case_text, special_splices
from tokcheck.live_tokenizer import LiveTokenizer


def special_token_examples(c: Comparison) -> list[Counterexample]:
    """Every special/added token string of base and tuned encodes alike in both (one id where
    base has one id), and every base special id decodes back to its string in tuned too, and
    vanishes (or not) with skip_special_tokens as in base; in every view of the comparison."""
    tokens = c.specials
    found = []
    for view in c.checked_views:
        base_ids = view.base.encode(tokens)
        tuned_ids = view.tuned.encode(tokens)
        for token, b, t in zip(tokens, base_ids, tuned_ids):
            if b != t:
                how = "one id" if len(b) == 1 else f"{len(b)} ids"
                example = ids_counterexample(view, token, b, t, "behaviour", check="behaviour.special_tokens")
                found.append(example.with_lines(f"{token!r} is {how} in base and {len(t)} id(s) in tuned"))
        singles = [[b[0]] for b in base_ids if len(b) == 1]
        texts = view.base.decode(singles)
        for skip in (False, True):  # decodes back, and vanishes (or not) with skip_special_tokens as in base
            base_back = view.base.decode(singles, skip_special_tokens=skip)
            tuned_back = view.tuned.decode(singles, skip_special_tokens=skip)
            for ids, text, b_text, t_text in zip(singles, texts, base_back, tuned_back):
                if b_text != t_text:
                    found.append(decode_counterexample(view, text, ids, b_text, t_text, "behaviour", skip=skip,
                                                       check="behaviour.special_tokens"))
        if found:
            break  # a later view would repeat what this one found
    return found


def _special_ids(tokenizer: LiveTokenizer) -> dict[str, int]:
    """Content -> id of the tokenizer's special tokens (added tokens flagged special, and roles)."""
    found = {str(t.content): i for i, t in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items()
             if getattr(t, "special", False)}
    for token in getattr(tokenizer, "all_special_tokens", []) or []:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int):
            found.setdefault(str(token), token_id)
    return found


def injection_findings(c: Comparison) -> list[Finding]:
    """Which special-token strings user text can inject (they become control tokens when they
    appear literally): INFO for tuned, ERROR where base and tuned differ."""
    texts = [f"x{token}y" for token in c.specials]
    findings: list[Finding] = []
    injectable: dict[str, list[str]] = {"base": [], "tuned": []}
    for side, tokenizer, codec in (("base", c.base, c.base_codec), ("tuned", c.tuned, c.tuned_codec)):
        specials = _special_ids(tokenizer)
        for token, ids in zip(c.specials, codec.encode(texts)):
            if specials.get(token) in ids:
                injectable[side].append(token)
    template = str(getattr(c.tuned, "chat_template", "") or "")
    injectable["tuned"].sort(key=lambda token: (token not in template, _special_ids(c.tuned).get(token, 0)))
    if injectable["tuned"]:
        shown = ", ".join(injectable["tuned"][:12]) + (f" and {len(injectable['tuned']) - 12} more" if len(injectable["tuned"]) > 12 else "")
        findings.append(Finding("behaviour.special_literals", "behaviour.special_literals.injectable", Severity.INFO,
                                f"{len(injectable['tuned'])} special token(s) can be injected from user text in tuned "
                                f"(written literally, they encode as control tokens): {shown}"))
    for token in sorted(set(injectable["base"]) ^ set(injectable["tuned"])):
        side = "tuned only" if token in injectable["tuned"] else "base only"
        findings.append(Finding("behaviour.special_literals", "behaviour.special_literals.injection-differs", Severity.ERROR,
                                f"the literal string {token!r} in user text becomes a control token in {side}",
                                where=f"text {escaped('x' + token + 'y')}",
                                fix="compare split_special_tokens and the special tokens of both (-m static)"))
    return findings


def splice_strategy(inputs: PairInputs) -> st.SearchStrategy[str]:
    around = edge_case_text(max_fragments=2)
    return st.tuples(around, special_splices(tokens=inputs.comparison.specials), around).map("".join)


def check_spliced_specials(c: Comparison, texts: list[str]) -> list[Counterexample | None]:
    """Literal special-token strings inside user text: same ids raw, and inside a rendered user
    message when base has a chat template."""
    found = check_ids(c, texts, "behaviour.special_literals")
    if c.base_renders_chat:
        for i, example in enumerate(check_user_text_in_chat(c, texts)):
            if found[i] is None and isinstance(example, Counterexample):  # the raw ids were compared
                found[i] = example
    return found


PROPERTIES: tuple[Property, ...] = (
    Property("special_literals", "literal special-token strings in user text are treated the same",
             splice_strategy, check_spliced_specials),
)
