"""Properties of the tokenizer call itself: a batch encodes like its texts one at a time, and
padding and truncation put pads and cuts on the same side, with the same ids, as base."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.counterexamples import Counterexample, repro
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.property import Property
from tokcheck.display import escaped, literal
from tokcheck.live_tokenizer import LiveTokenizer


def _call(tokenizer: LiveTokenizer, texts: list[str], **kwargs: Any) -> Any:
    try:
        return tokenizer(texts, **kwargs)
    except Exception as error:  # the tokenizer refusing a call is an outcome to compare with base's (tests/checks/behaviour/test_silent_excepts.py)
        return error


def _batch_example(c: Comparison, texts: list[str], code: str, message: str, **fields: Any) -> Counterexample:
    return Counterexample(
        check=f"behaviour.{code.split('.')[0]}", code=f"behaviour.{code}", message=message,
        lines=("texts: [" + ", ".join(escaped(t) for t in texts) + "]", *fields.pop("lines", ())),
        tokenizers=c.tokenizers, fix=fields.pop("fix", "compare padding_side, truncation_side, pad_token and model_max_length (-m static)"),
        **fields,
    )


def check_batch(c: Comparison, inputs: list[tuple[list[str], int]]) -> list[Counterexample | None]:
    found: list[Counterexample | None] = []
    for texts, _ in inputs:
        agree = []
        for tokenizer in c.tokenizers:
            batch = _call(tokenizer, texts)
            single = [_call(tokenizer, [t]) for t in texts]
            agree.append(not isinstance(batch, Exception) and all(not isinstance(s, Exception) for s in single)
                         and list(batch["input_ids"]) == [s["input_ids"][0] for s in single])
        found.append(None if agree[0] <= agree[1] else _batch_example(
            c, texts, "batch.differs-from-single", "tuned encodes a batch differently from the same texts one at a time; base does not",
            repro=repro(c.transformers, '[k(x)["input_ids"] == [k([s])["input_ids"][0] for s in x]]', setup=f"x = {literal(texts)}")))
    return found


def _mask_layout(tokenizer: LiveTokenizer, texts: list[str]) -> Any:
    """Attention masks of `texts` padded to the longest: from the tokenizer when it has a pad
    token, else laid out from its padding_side (a pad-less side can still say where pads go)."""
    if getattr(tokenizer, "pad_token", None) is not None:
        out = _call(tokenizer, texts, padding="longest")
        return out if isinstance(out, Exception) else [list(m) for m in out["attention_mask"]]
    lengths = [len(ids) for ids in tokenizer(texts)["input_ids"]]
    longest = max(lengths, default=0)
    left = getattr(tokenizer, "padding_side", "right") == "left"
    return [[0] * (longest - n) + [1] * n if left else [1] * n + [0] * (longest - n) for n in lengths]


def check_padding(c: Comparison, inputs: list[tuple[list[str], int]]) -> list[Counterexample | None]:
    found: list[Counterexample | None] = []
    for texts, max_length in inputs:
        example = None
        if c.base_codec.encode(texts, add_special_tokens=True) != c.tuned_codec.encode(texts, add_special_tokens=True):
            found.append(None)  # the texts themselves encode differently: the ids check reports that
            continue
        base_cut = _call(c.base, texts, truncation=True, max_length=max_length)
        tuned_cut = _call(c.tuned, texts, truncation=True, max_length=max_length)
        if not isinstance(base_cut, Exception) and (isinstance(tuned_cut, Exception) or base_cut["input_ids"] != tuned_cut["input_ids"]):
            example = _batch_example(
                c, texts, "padding.truncation-differs", f"truncating to max_length={max_length} keeps different ids",
                base_value=list(base_cut["input_ids"]), tuned_value=repr(tuned_cut) if isinstance(tuned_cut, Exception) else list(tuned_cut["input_ids"]),
                lines=(f"truncation_side: base {getattr(c.base, 'truncation_side', None)!r}, tuned {getattr(c.tuned, 'truncation_side', None)!r}",),
                repro=repro(c.transformers, f'k(x, truncation=True, max_length={max_length})["input_ids"]', setup=f"x = {literal(texts)}"))
        elif len(texts) > 1:
            base_mask, tuned_mask = _mask_layout(c.base, texts), _mask_layout(c.tuned, texts)
            both_pad = c.base.pad_token is not None and c.tuned.pad_token is not None
            base_pad, tuned_pad = (_call(k, texts, padding="longest") for k in c.tokenizers) if both_pad else (None, None)
            if not isinstance(base_mask, Exception) and base_mask != tuned_mask:
                example = _batch_example(
                    c, texts, "padding.side-differs", "padding a batch puts the pads on a different side (or count) in tuned",
                    base_value=base_mask, tuned_value=tuned_mask if not isinstance(tuned_mask, Exception) else repr(tuned_mask),
                    lines=(f"padding_side: base {getattr(c.base, 'padding_side', None)!r}, tuned {getattr(c.tuned, 'padding_side', None)!r}",),
                    repro=repro(c.transformers, "(k.padding_side, k.pad_token)"))
            elif both_pad and not isinstance(base_pad, Exception) and (
                isinstance(tuned_pad, Exception) or base_pad["input_ids"] != tuned_pad["input_ids"]  # type: ignore[index]
            ):
                example = _batch_example(
                    c, texts, "padding.ids-differ", "padding a batch gives different ids (another pad token?)",
                    base_value=list(base_pad["input_ids"]), tuned_value=repr(tuned_pad) if isinstance(tuned_pad, Exception) else list(tuned_pad["input_ids"]),  # type: ignore[index]
                    lines=(f"pad token: base {c.base.pad_token!r}, tuned {c.tuned.pad_token!r}",),
                    repro=repro(c.transformers, 'k(x, padding="longest")["input_ids"]', setup=f"x = {literal(texts)}"))
        found.append(example)
    return found


def batch_strategy(inputs: PairInputs) -> st.SearchStrategy[Any]:
    return st.tuples(st.lists(inputs.text_strategy(4), min_size=1, max_size=4), st.integers(1, 12))


PROPERTIES: tuple[Property, ...] = (
    Property("batch", "batch and single encoding agree", batch_strategy, check_batch),
    Property("padding", "padding and truncation sides behave the same", batch_strategy, check_padding),
)
