"""The static diff: two snapshots in, Findings out, grouped by check. Pure: no pytest, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tokcheck.diff.model_config import check_model_config
from tokcheck.diff.pipeline import check_component, check_model
from tokcheck.diff.save_format import check_save_format
from tokcheck.diff.specials import check_added_token_flags, check_special_roles
from tokcheck.diff.templates import check_chat_template
from tokcheck.diff.tokenizer_config import check_tokenizer_config
from tokcheck.diff.vocabulary import check_vocabulary
from tokcheck.findings import Finding
from tokcheck.snapshot import TokenizerSnapshot

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
    "model_config": check_model_config,
    "save_format": check_save_format,
}


def static_findings(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> dict[str, list[Finding]]:
    """Every static check's findings, keyed by check name."""
    return {name: check(base, tuned) for name, check in STATIC_CHECKS.items()}


__all__ = ["STATIC_CHECKS", "static_findings"]
