"""Reasoning and tool-call parser markers (drift class 40): the strings a serving engine's
`--reasoning-parser` or `--tool-call-parser` splits the model's output at, which must stay single
tokens for the parser to work.

How the engines look them up (read from their sources):
- vLLM 0.34.0: the reasoning parsers take the marker ids from the tokenizer's vocabulary,
  `vocab.get("<think>")`, and raise RuntimeError at startup when one is missing
  (vllm/reasoning/basic_parsers.py BaseThinkingReasoningParser.__init__; the parser engine
  vllm/parser/engine/parser_engine.py does the same for its reasoning and tool markers); the
  llama3_json parser finds `<|python_tag|>` with `vocab.get` (vllm/parser/llama_json.py), the
  mistral parser `[TOOL_CALLS]` (vllm/tool_parsers/mistral_tool_parser.py, bot_token_id); the
  hermes and qwen3 parsers split the text at `<tool_call>`/`</tool_call>`
  (vllm/tool_parsers/hermes_tool_parser.py, vllm/parser/qwen3.py).
- SGLang: its reasoning and function-call detectors split the decoded text at the same markers
  (python/sglang/srt/parser/reasoning_parser.py, python/sglang/srt/function_call/); a `</think>` that is
  no longer one token crashed `--reasoning-parser` (sglang PR #25798).
- A marker the model emits as one id must be one token for the text it is trained on too: an
  added token is matched whole in any text (a template's history, a prompt); a vocabulary entry
  that is no longer an added token is split into pieces when it appears in text.

A parser is in play when base has each of its markers as a token: an engine selects it for that
family (the model card's `--reasoning-parser qwen3`, `--tool-call-parser hermes`). A marker that was
an added token in base and is only a vocabulary entry in tuned, or is gone, breaks it."""

from __future__ import annotations

from dataclasses import dataclass

from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "parser_markers"
ADDED, VOCAB, ABSENT = "an added token", "a vocabulary entry only", "not a token"


@dataclass(frozen=True)
class Parser:
    name: str  # the engines' flags that select it
    markers: tuple[str, ...]
    breaks: str  # what goes wrong when a marker is not a token


PARSERS: tuple[Parser, ...] = (
    Parser("reasoning parser (vLLM/SGLang --reasoning-parser deepseek_r1, qwen3)", ("<think>", "</think>"),
           "vLLM raises RuntimeError at startup (vocab.get finds no id) and SGLang never separates the reasoning"),
    Parser("tool-call parser (vLLM/SGLang --tool-call-parser hermes, qwen25, qwen3)", ("<tool_call>", "</tool_call>"),
           "tool calls arrive as plain text: the parser never sees the marker the model was trained to emit"),
    Parser("tool-call parser (vLLM/SGLang --tool-call-parser llama3_json, pythonic)", ("<|python_tag|>",),
           "vLLM's llama3_json parser finds no <|python_tag|> id, and built-in tool calls arrive as plain text"),
    Parser("tool-call parser (vLLM/SGLang --tool-call-parser mistral)", ("[TOOL_CALLS]",),
           "vLLM's mistral parser finds no [TOOL_CALLS] id, and tool calls arrive as plain text"),
)


def marker_status(snapshot: TokenizerSnapshot, marker: str) -> str:
    if any(added.content == marker for added in snapshot.added_tokens.values()):
        return ADDED
    return VOCAB if marker in snapshot.vocab else ABSENT


def check_parser_markers(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """Each parser in play for base (all its markers are tokens), its markers' status in tuned."""
    findings = []
    for parser in PARSERS:
        before = {marker: marker_status(base, marker) for marker in parser.markers}
        if ABSENT in before.values():
            continue  # not this family's parser
        for marker in parser.markers:
            after = marker_status(tuned, marker)
            if after == before[marker] or after == ADDED:
                continue
            gone = after == ABSENT
            effect = (f"so the {parser.name} breaks: {parser.breaks}" if gone else
                      f"so text holding it is split into pieces: the {parser.name} still finds its id, but the "
                      f"prompts that hold it (a tool call or reasoning in the history) are no longer what the model learned")
            findings.append(Finding(
                CHECK, "parser.marker-missing" if gone else "parser.marker-split", Severity.ERROR,
                f"{marker!r} is {before[marker]} in base ({base.label}) but {after} in tuned ({tuned.label}), {effect}",
                where=f"{tuned.label}: tokenizer.json: added_tokens", base=before[marker], tuned=after,
                fix=f"restore {marker!r} (id {base.token_id(marker)}) and its flags from base's added_tokens",
            ))
    return findings
