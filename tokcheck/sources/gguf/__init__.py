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
    import sys

    # gguf's vocab module imports mistral_common, when installed, for a Mistral vocabulary class
    # tokcheck never uses: 0.3-0.6 s of a `tokcheck diff`. Importing gguf first with mistral_common
    # marked absent makes gguf skip it (it guards the import); a later `import mistral_common` works.
    blocked = "mistral_common" not in sys.modules and "gguf" not in sys.modules
    if blocked:
        sys.modules["mistral_common"] = None  # type: ignore[assignment]
    try:
        import gguf
    except ImportError:
        raise TokcheckUsageError(f"{spec}: reading a GGUF needs the gguf package: {INSTALL_HINT}") from None
    finally:
        if blocked:
            del sys.modules["mistral_common"]
    return gguf


def require_gguf(spec: str) -> None:
    """One usage-error line saying how to install gguf when it is missing, without importing it
    (gguf's import costs half a second, and a GGUF-vs-GGUF diff never needs the module)."""
    import importlib.util

    if importlib.util.find_spec("gguf") is None:
        raise TokcheckUsageError(f"{spec}: reading a GGUF needs the gguf package: {INSTALL_HINT}")


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
