"""GGUF files as tokenizer sources: the key-value reader (reader.py), the tokenizer metadata it
holds (metadata.py), and what llama.cpp's converter would write for a Hugging Face tokenizer
(tokcheck.checks.static.gguf_expected). A .gguf spec needs the `gguf` package (the `tokcheck[gguf]` extra) for llama.cpp's
key names and token types; tokcheck reads the file itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError

INSTALL_HINT = "pip install 'tokcheck[gguf]'"
SHARD = re.compile(r"^(?P<stem>.*)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$")


def import_gguf(spec: str) -> Any:
    """The gguf package, or one usage-error line saying how to install it."""
    try:
        import gguf
    except ImportError:
        raise TokcheckUsageError(f"{spec}: reading a GGUF needs the gguf package: {INSTALL_HINT}") from None
    return gguf


def first_shard(spec: str, path: Path) -> Path:
    """The file holding the tokenizer: the path itself, or for shard K of a split GGUF, shard 1."""
    match = SHARD.match(path.name)
    if match is None or int(match["index"]) == 1:
        return path
    first = path.with_name(f"{match['stem']}-00001-of-{match['count']}.gguf")
    if not first.is_file():
        raise TokcheckUsageError(
            f"{spec}: shard {int(match['index'])} of a split GGUF; its tokenizer is in {first.name}, which is not there"
        )
    return first
