"""The files a tokenizer or model directory may hold, and reading them: JSON with one-line errors
that name the file and the position, and the guard against tokenizers that ship their own code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.gc_pause import gc_paused

# Files that make a directory a tokenizer directory (any one is enough).
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "tokenizer.model",
    "vocab.json",
    "vocab.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tekken.json",
)
TEMPLATE_DIR = "additional_chat_templates"
# Every file a tokenizer directory may hold that tokcheck reads or compares.
KNOWN_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "chat_template.jinja",
    "chat_template.json",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tekken.json",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "config.json",
    "generation_config.json",
)


@gc_paused()
def read_json(path: Path, *, label: str | None = None) -> Any:
    """Parse a JSON file or raise TokcheckUsageError naming the file and the position."""
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise TokcheckUsageError(
            f"{label or path}: not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"
        ) from None
    except UnicodeDecodeError as error:
        raise TokcheckUsageError(f"{label or path}: not UTF-8 text ({error.reason})") from None
    except ValueError as error:  # a number past Python's int-parsing limit (the fuzzer's find)
        raise TokcheckUsageError(f"{label or path}: not readable JSON ({' '.join(str(error).split())[:120]})") from None
    except RecursionError:  # nesting deeper than the parser recurses (the fuzzer's find)
        raise TokcheckUsageError(f"{label or path}: not readable JSON (nested too deeply)") from None
    except OSError as error:
        raise TokcheckUsageError(f"{label or path}: cannot read ({error.strerror})") from None


def read_text(path: Path, *, label: str | None = None) -> str:
    """A text file (a Jinja template) as UTF-8, or TokcheckUsageError in one line naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:  # a damaged template (the fuzzer's find)
        raise TokcheckUsageError(f"{label or path}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise TokcheckUsageError(f"{label or path}: cannot read ({error.strerror})") from None


def read_object(path: Path, *, label: str | None = None) -> dict[str, Any]:
    """A JSON file that must hold an object (every config file does)."""
    data = read_json(path, label=label)
    if not isinstance(data, dict):
        raise TokcheckUsageError(f"{label or path}: not a JSON object")
    return data


def remote_code_reference(tokenizer_config: dict[str, Any]) -> str | None:
    """The custom class a tokenizer_config asks transformers to import (``auto_map``), if any."""
    auto_map = tokenizer_config.get("auto_map")
    if isinstance(auto_map, dict):
        reference = auto_map.get("AutoTokenizer")
    elif isinstance(auto_map, (list, tuple)):  # the old format: a bare [slow, fast] pair
        reference = auto_map
    else:
        return None
    if isinstance(reference, (list, tuple)):
        reference = next((item for item in reference if item), None)
    return str(reference) if reference else None


def check_remote_code(spec: str, tokenizer_config: dict[str, Any], trust_remote_code: bool) -> None:
    reference = remote_code_reference(tokenizer_config)
    if reference and not trust_remote_code:
        raise TokcheckUsageError(
            f"{spec}: tokenizer needs remote code ({reference} from auto_map in "
            "tokenizer_config.json); pass --trust-remote-code if you trust its source"
        )
