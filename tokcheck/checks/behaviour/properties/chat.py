"""Chat properties, through the transformers tokenizers' own apply_chat_template: transcripts
render to the same text and ids, the rendered text encodes like apply_chat_template(tokenize=True)
(one BOS), and the token that closes an assistant turn is in the stop set; with what base itself
does (then only a change is drift). Pure: no pytest."""

from __future__ import annotations

from typing import Any

from hypothesis.strategies import SearchStrategy

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.counterexamples import Counterexample, repro
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.property import NOT_COMPARED, CheckResult, Property
from tokcheck.display import first_difference, literal
from tokcheck.findings import Finding, Severity
from tokcheck.inputs.transcripts import Transcript, chat_transcripts
from tokcheck.inputs.turn_end import closing_token, with_final_needle
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.live import render_chat

_CONTEXT = 60  # characters shown around the first difference of two renders


def _render(tokenizer: LiveTokenizer, transcript: Transcript, *, tokenize: bool) -> Any:
    """The render (text or ids), or the exception the template raised."""
    try:
        return render_chat(tokenizer, transcript.messages, tokenize=tokenize, **transcript.kwargs())
    except Exception as error:  # a template that rejects the conversation is an outcome to compare
        return error


def _chat_repro(c: Comparison, transcript: Transcript, *, tokenize: bool) -> str:
    kwargs = ", ".join(f"{key}={value!r}" for key, value in transcript.kwargs().items() if key != "tools")
    tools = ", tools=t" if transcript.tools is not None else ""
    setup = f"m = {literal(transcript.messages)}" + (f"; t = {literal(transcript.tools)}" if transcript.tools is not None else "")
    return repro(c.transformers, f"k.apply_chat_template(m, tokenize={tokenize}, {kwargs}{tools})", setup=setup)


def _chat_example(c: Comparison, transcript: Transcript, code: str, message: str, **fields: Any) -> Counterexample:
    return Counterexample(
        check=f"behaviour.{code.split('.')[0]}", code=f"behaviour.{code}", message=message,
        lines=("transcript:", *transcript.lines(), *fields.pop("lines", ())),
        repro=fields.pop("repro", None) or _chat_repro(c, transcript, tokenize=False),
        fix=fields.pop("fix", "restore the base chat template (tokenizer_config.json chat_template or chat_template.jinja)"),
        tokenizers=fields.pop("tokenizers", c.tokenizers), **fields,
    )


def check_render(c: Comparison, transcripts: list[Transcript]) -> list[CheckResult]:
    """Both templates render each transcript to the same text, and that text to the same ids. The
    ids come from one batch encode of the texts both render alike (what apply_chat_template with
    tokenize=True does, add_special_tokens=False; check_encoded_render holds each side to that)."""
    found: list[CheckResult] = [None] * len(transcripts)
    same_text: list[tuple[int, str]] = []
    for i, transcript in enumerate(transcripts):
        base_text = _render(c.base, transcript, tokenize=False)
        tuned_text = _render(c.tuned, transcript, tokenize=False)
        if isinstance(base_text, Exception):
            found[i] = NOT_COMPARED  # base cannot render this conversation: nothing to hold tuned to
            continue
        if isinstance(tuned_text, Exception):
            found[i] = _chat_example(c, transcript, "chat_render.fails", "tuned's chat template fails on a conversation base renders",
                                     base_value=base_text, tuned_value=f"{type(tuned_text).__name__}: {tuned_text}")
        elif base_text != tuned_text:
            at = first_difference(base_text, tuned_text) or 0
            start = max(0, at - _CONTEXT)
            found[i] = _chat_example(
                c, transcript, "chat_render.text-differs", "base and tuned chat templates render a conversation differently",
                base_value=base_text[start : at + _CONTEXT], tuned_value=tuned_text[start : at + _CONTEXT],
                lines=(f"first difference at character {at} (shown from character {start})",),
            )
        else:
            same_text.append((i, base_text))
    texts = [text for _, text in same_text]
    for view, base_codec, tuned_codec in c.chat_views():  # llama.cpp's first, where there is one
        base_ids = base_codec.encode_arrays(texts)
        tuned_ids = tuned_codec.encode_arrays(texts)
        for position in base_ids.differing(tuned_ids):
            i, text = same_text[position]
            if found[i] is not None:
                continue
            first = view is c.transformers
            found[i] = _chat_example(
                c, transcripts[i], "chat_render.ids-differ",
                "the same chat render tokenizes to different ids" + ("" if first else f" ({view.note})"),
                text=text, base_ids=base_ids[position], tuned_ids=tuned_ids[position],
                repro=_chat_repro(c, transcripts[i], tokenize=True) if first
                else repro(view, "k.encode(r, add_special_tokens=False)", setup=f"r = {literal(text)}"),
                tokenizers=(base_codec, tuned_codec), seen_in=view.name,
            )
    return found


def check_user_text_in_chat(c: Comparison, texts: list[str]) -> list[CheckResult]:
    """Each text as the content of one user message: same chat ids in base and tuned."""
    found: list[CheckResult] = []
    for text in texts:
        transcript = Transcript([{"role": "user", "content": text}], add_generation_prompt=True)
        base_ids = _render(c.base, transcript, tokenize=True)
        tuned_ids = _render(c.tuned, transcript, tokenize=True)
        if not isinstance(base_ids, list):
            found.append(NOT_COMPARED)  # base's template rejects this message
        elif base_ids != tuned_ids:
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


def check_encoded_render(c: Comparison, transcripts: list[Transcript]) -> list[CheckResult]:
    """tok(render) with the tokenizer's own special tokens vs apply_chat_template(tokenize=True):
    the relation (equal, or one extra BOS) and the ids must be as in base."""
    found: list[CheckResult] = []
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
            repro=repro(c.transformers, 'k(k.apply_chat_template(m, tokenize=False, **a))["input_ids"][:4]',
                        setup=f"m = {literal(transcript.messages)}; a = {literal(transcript.kwargs())}"),
            fix="remove the doubled BOS: the template's {{ bos_token }} or the tokenizer's add_bos_token/post_processor, as in base",
        )
    for i in range(len(transcripts)):
        found.append(results.get(i) if isinstance(texts[i][0], str) else NOT_COMPARED)
    return found


def _leading(tokenizer: LiveTokenizer, ids: list[int]) -> int:
    bos = getattr(tokenizer, "bos_token_id", None)
    count = 0
    while bos is not None and count < len(ids) and ids[count] == bos:
        count += 1
    return count


def check_stop_token(c: Comparison, transcripts: list[Transcript]) -> list[CheckResult]:
    found: list[CheckResult] = []
    for original in transcripts:
        transcript = with_final_needle(original)
        base_id, base_token = closing_token(c.base, transcript)
        tuned_id, tuned_token = closing_token(c.tuned, transcript)
        if base_id in c.stop_ids[0] and tuned_id not in c.stop_ids[1]:
            found.append(_chat_example(
                c, transcript, "stop_token.not-a-stop-token",
                f"tuned's template closes the assistant turn with {tuned_token!r} (id {tuned_id}), which is not in "
                f"tuned's stop set {sorted(c.stop_ids[1])}; generation will not stop there",
                base_value=f"{base_token} (id {base_id}) in stop set {sorted(c.stop_ids[0])}",
                tuned_value=f"{tuned_token} (id {tuned_id}) not in stop set {sorted(c.stop_ids[1])}",
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
    if base_id is None or base_id in c.stop_ids[0]:
        return []
    return [Finding("behaviour.stop_token", "behaviour.stop_token.base-not-stop", Severity.INFO,
                    f"base's own template closes assistant turns with {base_token!r} (id {base_id}), which is not in "
                    f"base's stop set {sorted(c.stop_ids[0])}; only a change from base is reported")]


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




def transcript_strategy(inputs: PairInputs) -> SearchStrategy[Any]:
    return chat_transcripts(capabilities=inputs.capabilities[0], content=inputs.text_strategy(3))


PROPERTIES: tuple[Property, ...] = (
    Property("chat_render", "chat transcripts render to the same text and ids", transcript_strategy, check_render),
    Property("chat_bos", "encoding the rendered chat text gives the same ids as base (one BOS)",
             transcript_strategy, check_encoded_render),
    Property("stop_token", "the token that closes an assistant turn is a stop token", transcript_strategy,
             check_stop_token),
)
