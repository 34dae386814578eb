"""The token a live tokenizer's chat template closes an assistant turn with: render a transcript
whose last assistant message is a needle, and read the first token after it. The behaviour checks
compare it between base and tuned; the model checks add it to the stop set a model must have."""

from __future__ import annotations

from tokcheck.inputs.transcripts import Transcript, rendered_text
from tokcheck.live_tokenizer import LiveTokenizer

END_NEEDLE = "tokcheck end of turn"


def with_final_needle(transcript: Transcript) -> Transcript:
    messages = [dict(m) for m in transcript.messages]
    if messages and messages[-1]["role"] == "assistant" and not messages[-1].get("tool_calls"):
        messages[-1]["content"] = END_NEEDLE
    else:
        messages.append({"role": "assistant", "content": END_NEEDLE})
    return Transcript(messages, add_generation_prompt=False, tools=transcript.tools)


def closing_token(tokenizer: LiveTokenizer, transcript: Transcript) -> tuple[int | None, str]:
    """The first token after the last assistant message's content (a needle) in the render."""
    rendered = rendered_text(tokenizer, transcript.messages, **transcript.kwargs())
    if rendered is None or END_NEEDLE not in rendered:
        return None, "(the last assistant message is not rendered)"
    suffix = rendered[rendered.rindex(END_NEEDLE) + len(END_NEEDLE) :]
    ids = list(tokenizer.encode(suffix, add_special_tokens=False))
    if not ids:
        return None, "(nothing follows the assistant's text)"
    return ids[0], str(tokenizer.convert_ids_to_tokens(ids[0]))
