"""Public Hypothesis strategies for testing tokenizers: text biased toward tokenizer edge cases,
text built from a tokenizer's own vocabulary and special tokens, and chat transcripts that follow
the rules a chat template enforces. Usable with any transformers tokenizer, e.g.::

    from hypothesis import given
    from tokcheck.strategies import edge_case_text, tokenizer_text

    @given(edge_case_text())
    def test_round_trip(text):
        assert tok.decode(tok.encode(text, add_special_tokens=False)) == text

Strategies are built from fragments listed simplest first, so a failing example shrinks to a
short text a person can read (``'ﬁ'``, ``'a<|eot_id|>'``, ``' \\n'``). They live in
tokcheck.inputs; this module is their stable import path."""

from __future__ import annotations

from tokcheck.inputs.text import (
    edge_case_fragments,
    edge_case_text,
    near_misses,
    special_splices,
    special_strings,
    token_id_sequences,
    tokenizer_fragments,
    tokenizer_text,
    vocab_pieces,
)
from tokcheck.inputs.transcripts import (
    TemplateCapabilities,
    Transcript,
    chat_transcripts,
    template_capabilities,
    tool_call,
    tool_schema,
)

__all__ = [
    "TemplateCapabilities",
    "Transcript",
    "chat_transcripts",
    "edge_case_fragments",
    "edge_case_text",
    "near_misses",
    "special_splices",
    "special_strings",
    "template_capabilities",
    "token_id_sequences",
    "tokenizer_fragments",
    "tokenizer_text",
    "tool_call",
    "tool_schema",
    "vocab_pieces",
]
