"""Real llama.cpp, when llama-cpp-python is installed: a GGUF loaded with vocab_only=True and
tokenized as llama.cpp's server does it, special tokens parsed in a rendered chat and not in user
text."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

INSTALL_HINT = "pip install llama-cpp-python==0.3.36 (builds llama.cpp from source: cmake and a C++ compiler)"


def unavailable() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed: {INSTALL_HINT}"
    try:  # installed with --no-deps it lacks diskcache and fails at import
        import llama_cpp  # noqa: F401
    except ImportError as error:
        return f"llama-cpp-python does not import: {error}"
    return None


class LlamaCppTokenizer:
    """One GGUF's tokenizer as llama.cpp runs it (no weights are loaded)."""

    def __init__(self, path: Path) -> None:
        import llama_cpp

        self.path = path
        self.model: Any = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)

    def encode_user_text(self, text: str, *, add_bos: bool = False) -> list[int]:
        """Text from a user: special-token strings in it stay text (parse_special false)."""
        return list(self.model.tokenize(text.encode("utf-8"), add_bos=add_bos, special=False))

    def encode_rendered_chat(self, rendered: str, *, add_bos: bool = False) -> list[int]:
        """A chat the template rendered: its special tokens are parsed (as llama-server does)."""
        return list(self.model.tokenize(rendered.encode("utf-8"), add_bos=add_bos, special=True))

    def decode(self, ids: list[int]) -> str:
        return bytes(self.model.detokenize(ids)).decode("utf-8", errors="replace")
