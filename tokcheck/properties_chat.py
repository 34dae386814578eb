"""Behavioural properties that go through the transformers tokenizer's own API: chat templates
(render text and ids, encoded render, the stop token), batch vs single calls, padding and
truncation; plus the deterministic special-token checks. Pure: no pytest."""

from __future__ import annotations

from typing import Any

from tokcheck.assertions import render_chat
from tokcheck.counterexamples import Counterexample, escaped, literal
from tokcheck.findings import Finding, Severity
from tokcheck.properties import Comparison
from tokcheck.strategies import Transcript

END_NEEDLE = "tokcheck end of turn"
_CONTEXT = 60  # characters shown around the first difference of two renders


def _render(tokenizer: Any, transcript: Transcript, *, tokenize: bool) -> Any:
    """The render (text or ids), or the exception the template raised."""
    try:
        return render_chat(tokenizer, transcript.messages, tokenize=tokenize, **transcript.kwargs())
    except Exception as error:  # a template that rejects the conversation is an outcome to compare
        return error


def _chat_repro(c: Comparison, transcript: Transcript, *, tokenize: bool) -> str:
    kwargs = ", ".join(f"{key}={value!r}" for key, value in transcript.kwargs().items() if key != "tools")
    tools = ", tools=t" if transcript.tools is not None else ""
    setup = f"m = {literal(transcript.messages)}" + (f"; t = {literal(transcript.tools)}" if transcript.tools is not None else "")
    return c.repro(f"k.apply_chat_template(m, tokenize={tokenize}, {kwargs}{tools})", setup=setup)


def _chat_example(c: Comparison, transcript: Transcript, code: str, message: str, **fields: Any) -> Counterexample:
    return Counterexample(
        check=f"behaviour.{code.split('.')[0]}", code=f"behaviour.{code}", message=message,
        lines=("transcript:", *transcript.lines(), *fields.pop("lines", ())),
        repro=fields.pop("repro", None) or _chat_repro(c, transcript, tokenize=False),
        fix=fields.pop("fix", "restore the base chat template (tokenizer_config.json chat_template or chat_template.jinja)"),
        tokenizers=c.tokenizers, **fields,
    )


def _first_char_difference(left: str, right: str) -> int:
    return next((i for i, (a, b) in enumerate(zip(left, right)) if a != b), min(len(left), len(right)))


def check_render(c: Comparison, transcripts: list[Transcript]) -> list[Counterexample | None]:
    """Both templates render each transcript to the same text, and that text to the same ids. The
    ids come from one batch encode of the texts both render alike (what apply_chat_template with
    tokenize=True does, add_special_tokens=False; check_encoded_render holds each side to that)."""
    found: list[Counterexample | None] = [None] * len(transcripts)
    same_text: list[tuple[int, str]] = []
    for i, transcript in enumerate(transcripts):
        base_text = _render(c.base, transcript, tokenize=False)
        tuned_text = _render(c.tuned, transcript, tokenize=False)
        if isinstance(base_text, Exception):
            continue  # base cannot render this conversation: nothing to hold tuned to
        if isinstance(tuned_text, Exception):
            found[i] = _chat_example(c, transcript, "chat_render.fails", "tuned's chat template fails on a conversation base renders",
                                     base_value=base_text, tuned_value=f"{type(tuned_text).__name__}: {tuned_text}")
        elif base_text != tuned_text:
            at = _first_char_difference(base_text, tuned_text)
            start = max(0, at - _CONTEXT)
            found[i] = _chat_example(
                c, transcript, "chat_render.text-differs", "base and tuned chat templates render a conversation differently",
                base_value=base_text[start : at + _CONTEXT], tuned_value=tuned_text[start : at + _CONTEXT],
                lines=(f"first difference at character {at} (shown from character {start})",),
            )
        else:
            same_text.append((i, base_text))
    texts = [text for _, text in same_text]
    base_ids = c.base_codec.encode_arrays(texts)
    tuned_ids = c.tuned_codec.encode_arrays(texts)
    for position in base_ids.differing(tuned_ids):
        i, text = same_text[position]
        found[i] = _chat_example(
            c, transcripts[i], "chat_render.ids-differ", "the same chat render tokenizes to different ids",
            text=text, base_ids=base_ids[position], tuned_ids=tuned_ids[position],
            repro=_chat_repro(c, transcripts[i], tokenize=True),
        )
    return found


def check_user_text_in_chat(c: Comparison, texts: list[str]) -> list[Counterexample | None]:
    """Each text as the content of one user message: same chat ids in base and tuned."""
    found: list[Counterexample | None] = []
    for text in texts:
        transcript = Transcript([{"role": "user", "content": text}], add_generation_prompt=True)
        base_ids = _render(c.base, transcript, tokenize=True)
        tuned_ids = _render(c.tuned, transcript, tokenize=True)
        if isinstance(base_ids, list) and base_ids != tuned_ids:
            found.append(_chat_example(
                c, transcript, "special_literals.chat-ids-differ",
                "a user message containing a special-token string tokenizes differently in base and tuned",
                text=text, base_ids=base_ids, tuned_ids=tuned_ids if isinstance(tuned_ids, list) else [],
                repro=_chat_repro(c, transcript, tokenize=True),
                fix="compare the special tokens of both (added, removed, special flag, split_special_tokens; -m static)",
            ))
        else:
            found.append(None)
    return found


def check_encoded_render(c: Comparison, transcripts: list[Transcript]) -> list[Counterexample | None]:
    """tok(render) with the tokenizer's own special tokens vs apply_chat_template(tokenize=True):
    the relation (equal, or one extra BOS) and the ids must be as in base."""
    found: list[Counterexample | None] = []
    texts = [(_render(c.base, t, tokenize=False), _render(c.tuned, t, tokenize=False)) for t in transcripts]
    usable = [i for i, (b, t) in enumerate(texts) if isinstance(b, str) and isinstance(t, str)]
    base_enc = c.base_codec.encode([texts[i][0] for i in usable], add_special_tokens=True)
    tuned_enc = c.tuned_codec.encode([texts[i][1] for i in usable], add_special_tokens=True)
    results: dict[int, Counterexample | None] = {}
    for i, b, t in zip(usable, base_enc, tuned_enc):
        if b == t:
            continue
        transcript = transcripts[i]
        base_ids = _render(c.base, transcript, tokenize=True)
        tuned_ids = _render(c.tuned, transcript, tokenize=True)
        base_same, tuned_same = b == base_ids, t == tuned_ids
        if base_same == tuned_same and _leading(c.base, b) == _leading(c.tuned, t):
            continue  # plain id differences are the chat_render check's; this one is about BOS
        if base_same and not tuned_same:
            message = "encoding tuned's rendered chat text adds tokens apply_chat_template(tokenize=True) does not (a doubled BOS?); base's agree"
        elif tuned_same and not base_same:
            message = "encoding the rendered chat text gives base's extra tokens (e.g. a second BOS) but not tuned's"
        else:
            message = "the rendered chat text encodes with a different number of leading BOS in base and tuned"
        results[i] = _chat_example(
            c, transcript, "chat_bos.ids-differ", message, text=texts[i][0], base_ids=b, tuned_ids=t,
            lines=(f"leading BOS: base {_leading(c.base, b)}, tuned {_leading(c.tuned, t)}",),
            repro=c.repro('k(k.apply_chat_template(m, tokenize=False, **a))["input_ids"][:4]',
                          setup=f"m = {literal(transcript.messages)}; a = {literal(transcript.kwargs())}"),
            fix="remove the doubled BOS: the template's {{ bos_token }} or the tokenizer's add_bos_token/post_processor, as in base",
        )
    for i in range(len(transcripts)):
        found.append(results.get(i))
    return found


def _leading(tokenizer: Any, ids: list[int]) -> int:
    bos = getattr(tokenizer, "bos_token_id", None)
    count = 0
    while bos is not None and count < len(ids) and ids[count] == bos:
        count += 1
    return count


def closing_token(tokenizer: Any, transcript: Transcript) -> tuple[int | None, str]:
    """The first token after the last assistant message's content (a needle) in the render."""
    rendered = _render(tokenizer, transcript, tokenize=False)
    if not isinstance(rendered, str) or END_NEEDLE not in rendered:
        return None, "(the last assistant message is not rendered)"
    suffix = rendered[rendered.rindex(END_NEEDLE) + len(END_NEEDLE) :]
    ids = list(tokenizer.encode(suffix, add_special_tokens=False))
    if not ids:
        return None, "(nothing follows the assistant's text)"
    return ids[0], str(tokenizer.convert_ids_to_tokens(ids[0]))


def with_final_needle(transcript: Transcript) -> Transcript:
    messages = [dict(m) for m in transcript.messages]
    if messages and messages[-1]["role"] == "assistant" and not messages[-1].get("tool_calls"):
        messages[-1]["content"] = END_NEEDLE
    else:
        messages.append({"role": "assistant", "content": END_NEEDLE})
    return Transcript(messages, add_generation_prompt=False, tools=transcript.tools)


def check_stop_token(c: Comparison, transcripts: list[Transcript]) -> list[Counterexample | None]:
    found: list[Counterexample | None] = []
    for original in transcripts:
        transcript = with_final_needle(original)
        base_id, base_token = closing_token(c.base, transcript)
        tuned_id, tuned_token = closing_token(c.tuned, transcript)
        if base_id in c.base_stop_ids and tuned_id not in c.tuned_stop_ids:
            found.append(_chat_example(
                c, transcript, "stop_token.not-a-stop-token",
                f"tuned's template closes the assistant turn with {tuned_token!r} (id {tuned_id}), which is not in "
                f"tuned's stop set {sorted(c.tuned_stop_ids)}; generation will not stop there",
                base_value=f"{base_token} (id {base_id}) in stop set {sorted(c.base_stop_ids)}",
                tuned_value=f"{tuned_token} (id {tuned_id}) not in stop set {sorted(c.tuned_stop_ids)}",
                fix="put the closing token's id in generation_config.json eos_token_id (or eos_token), as base does",
            ))
        else:
            found.append(None)
    return found


def stop_token_baseline(c: Comparison) -> list[Finding]:
    """INFO when base's own template closes assistant turns with a token outside base's stop set
    (then only a change is drift)."""
    transcript = with_final_needle(Transcript([{"role": "user", "content": "Hi"}]))
    base_id, base_token = closing_token(c.base, transcript)
    if base_id is None or base_id in c.base_stop_ids:
        return []
    return [Finding("behaviour.stop_token", "behaviour.stop_token.base-not-stop", Severity.INFO,
                    f"base's own template closes assistant turns with {base_token!r} (id {base_id}), which is not in "
                    f"base's stop set {sorted(c.base_stop_ids)}; only a change from base is reported")]


def encoded_render_baseline(c: Comparison) -> list[Finding]:
    """INFO when base itself doubles BOS if its rendered text is encoded with special tokens."""
    transcript = Transcript([{"role": "user", "content": "Hi"}], add_generation_prompt=True)
    text = _render(c.base, transcript, tokenize=False)
    ids = _render(c.base, transcript, tokenize=True)
    if not isinstance(text, str) or not isinstance(ids, list):
        return []
    encoded = c.base_codec.encode([text], add_special_tokens=True)[0]
    if encoded == ids:
        return []
    return [Finding("behaviour.chat_bos", "behaviour.chat_bos.base-doubles", Severity.INFO,
                    f"in base too, tok(apply_chat_template(..., tokenize=False)) starts with {_leading(c.base, encoded)} BOS "
                    f"where apply_chat_template(tokenize=True) has {_leading(c.base, ids)}: encode rendered chat text "
                    "with add_special_tokens=False; only a change from base is reported")]


# --- batch, padding, truncation ---------------------------------------------------------------


def _call(tokenizer: Any, texts: list[str], **kwargs: Any) -> Any:
    try:
        return tokenizer(texts, **kwargs)
    except Exception as error:
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
            repro=c.repro('[k(x)["input_ids"] == [k([s])["input_ids"][0] for s in x]]', setup=f"x = {literal(texts)}")))
    return found


def _mask_layout(tokenizer: Any, texts: list[str]) -> Any:
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
                repro=c.repro(f'k(x, truncation=True, max_length={max_length})["input_ids"]', setup=f"x = {literal(texts)}"))
        elif len(texts) > 1:
            base_mask, tuned_mask = _mask_layout(c.base, texts), _mask_layout(c.tuned, texts)
            both_pad = c.base.pad_token is not None and c.tuned.pad_token is not None
            base_pad, tuned_pad = (_call(k, texts, padding="longest") for k in c.tokenizers) if both_pad else (None, None)
            if not isinstance(base_mask, Exception) and base_mask != tuned_mask:
                example = _batch_example(
                    c, texts, "padding.side-differs", "padding a batch puts the pads on a different side (or count) in tuned",
                    base_value=base_mask, tuned_value=tuned_mask if not isinstance(tuned_mask, Exception) else repr(tuned_mask),
                    lines=(f"padding_side: base {getattr(c.base, 'padding_side', None)!r}, tuned {getattr(c.tuned, 'padding_side', None)!r}",),
                    repro=c.repro("(k.padding_side, k.pad_token)"))
            elif both_pad and not isinstance(base_pad, Exception) and (
                isinstance(tuned_pad, Exception) or base_pad["input_ids"] != tuned_pad["input_ids"]  # type: ignore[index]
            ):
                example = _batch_example(
                    c, texts, "padding.ids-differ", "padding a batch gives different ids (another pad token?)",
                    base_value=list(base_pad["input_ids"]), tuned_value=repr(tuned_pad) if isinstance(tuned_pad, Exception) else list(tuned_pad["input_ids"]),  # type: ignore[index]
                    lines=(f"pad token: base {c.base.pad_token!r}, tuned {c.tuned.pad_token!r}",),
                    repro=c.repro('k(x, padding="longest")["input_ids"]', setup=f"x = {literal(texts)}"))
        found.append(example)
    return found


# --- special tokens (deterministic) -----------------------------------------------------------


def special_token_examples(c: Comparison) -> list[Counterexample]:
    """Every special/added token string of base and tuned encodes alike in both (one id where
    base has one id), and every base special id decodes back to its string in tuned too, and
    vanishes (or not) with skip_special_tokens as in base; in every view of the comparison."""
    tokens = c.specials
    found = []
    for view in c.views:
        base_ids = view.base.encode(tokens)
        tuned_ids = view.tuned.encode(tokens)
        for token, b, t in zip(tokens, base_ids, tuned_ids):
            if b != t:
                how = "one id" if len(b) == 1 else f"{len(b)} ids"
                example = c.ids_counterexample(token, b, t, "behaviour", view=view, check="behaviour.special_tokens")
                found.append(example.with_lines(f"{token!r} is {how} in base and {len(t)} id(s) in tuned"))
        singles = [[b[0]] for b in base_ids if len(b) == 1]
        texts = view.base.decode(singles)
        for skip in (False, True):  # decodes back, and vanishes (or not) with skip_special_tokens as in base
            base_back = view.base.decode(singles, skip_special_tokens=skip)
            tuned_back = view.tuned.decode(singles, skip_special_tokens=skip)
            for ids, text, b_text, t_text in zip(singles, texts, base_back, tuned_back):
                if b_text != t_text:
                    found.append(c.decode_counterexample(text, ids, b_text, t_text, "behaviour", skip=skip,
                                                         check="behaviour.special_tokens", view=view))
        if found:
            break  # a later view would repeat what this one found
    return found


def _special_ids(tokenizer: Any) -> dict[str, int]:
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
