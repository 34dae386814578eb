"""The fallback loader, for a tokenizer directory that the installed transformers cannot load as
saved (such as a transformers 5 save, with tokenizer_class TokenizersBackend and
extra_special_tokens as a list, under 4.x): its tokenizer.json read directly, with the roles,
extra specials and template its files name, so the checks still run; the session says so in a
warning finding."""

from __future__ import annotations

from typing import Any

from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.files import read_json, read_text
from tokcheck.sources.spec import TokenizerSource
from tokcheck.sources.tokens import SPECIAL_ROLES, token_content

# Keys that change behaviour and that every transformers major understands the same way.
_PORTABLE_KEYS = ("clean_up_tokenization_spaces", "padding_side", "truncation_side", "model_max_length",
                  "split_special_tokens")  # fmt: skip


def load_from_tokenizer_json(source: TokenizerSource, transformers: Any) -> LiveTokenizer:
    """A PreTrainedTokenizerFast over the source's tokenizer.json and the settings of its configs."""
    config_path = source.file("tokenizer_config.json")
    config = read_json(config_path) if config_path is not None else {}
    kwargs: dict[str, Any] = {role: token_content(config[role]) for role in SPECIAL_ROLES if config.get(role) is not None}
    extra = config.get("additional_special_tokens")
    if not isinstance(extra, list):
        extra = config.get("extra_special_tokens")
    if isinstance(extra, list) and extra:
        kwargs["additional_special_tokens"] = [content for content in map(token_content, extra) if content]
    kwargs.update({key: config[key] for key in _PORTABLE_KEYS if key in config})
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_file=str(source.directory / "tokenizer.json"), **kwargs)
    template_file = source.file("chat_template.jinja")
    template = read_text(template_file) if template_file is not None else config.get("chat_template")
    if template:
        tokenizer.chat_template = template
    return tokenizer
