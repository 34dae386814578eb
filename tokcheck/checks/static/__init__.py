"""Static checks: two snapshots in, Findings out, grouped by check. Pure: no pytest, no I/O.

A new static check is a function (base snapshot, tuned snapshot) -> list[Finding] in a module of
its own here, named in STATIC_CHECKS and in tokcheck.checks.registry (its kind, report order and
the test in tokcheck/suite/test_static.py that concludes it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tokcheck.checks.engines.parsers import check_parser_markers
from tokcheck.checks.static.context_length import check_context_length
from tokcheck.checks.static.custom_code import check_custom_code
from tokcheck.checks.static.model_config import check_model_config
from tokcheck.checks.static.pipeline import check_component, check_model
from tokcheck.checks.static.processor import check_processor
from tokcheck.checks.static.save_format import check_save_format
from tokcheck.checks.static.sentence_transformers import check_sentence_transformers
from tokcheck.checks.static.specials import check_added_token_flags, check_special_roles
from tokcheck.checks.static.templates import check_chat_template
from tokcheck.checks.static.tokenizer_config import check_tokenizer_config
from tokcheck.checks.static.vocabulary import check_vocabulary
from tokcheck.findings import Finding
from tokcheck.sources.snapshot import TokenizerSnapshot

StaticCheck = Callable[[TokenizerSnapshot, TokenizerSnapshot], list[Finding]]

# Every static check by name, in report order.
STATIC_CHECKS: dict[str, StaticCheck] = {
    "vocabulary": check_vocabulary,
    "special_roles": check_special_roles,
    "added_token_flags": check_added_token_flags,
    "normalizer": partial(check_component, "normalizer"),
    "pre_tokenizer": partial(check_component, "pre_tokenizer"),
    "model": check_model,
    "post_processor": partial(check_component, "post_processor"),
    "decoder": partial(check_component, "decoder"),
    "tokenizer_config": check_tokenizer_config,
    "chat_template": check_chat_template,
    "parser_markers": check_parser_markers,
    "model_config": check_model_config,
    "context_length": check_context_length,
    "sentence_transformers": check_sentence_transformers,
    "custom_code": check_custom_code,
    "processor": check_processor,
    "save_format": check_save_format,
}


def static_findings(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> dict[str, list[Finding]]:
    """Every static check's findings, keyed by check name."""
    return {name: check(base, tuned) for name, check in STATIC_CHECKS.items()}


__all__ = ["STATIC_CHECKS", "static_findings"]
