"""Reproduction lines: a shell command that loads both tokenizers the way a view runs them and
prints one statement for base, then tuned, so a counterexample can be checked by hand."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from tokcheck.display import literal


@dataclass(frozen=True)
class Loader:
    """How to load one side in a reproduction line: a directory, or a bare tokenizer.json."""

    path: str
    bare_file: bool = False
    raw: bool = False  # a tokenizers.Tokenizer read from the tokenizer.json at `path`
    class_name: str | None = None  # a model-specific transformers class, built from the directory
    llamacpp: bool = False  # a GGUF in real llama.cpp, with transformers' encode/decode keywords

    def expression(self) -> str:
        if self.llamacpp:
            return f"G({literal(self.path)})"
        if self.raw:
            return f"K.from_file({literal(self.path)})"
        if self.class_name is not None:
            return f"getattr(transformers, {literal(self.class_name)}).from_pretrained({literal(self.path)})"
        if self.bare_file:
            return f"F(tokenizer_file={literal(self.path)})"
        return f"T.from_pretrained({literal(self.path)})"


def reproduction(base: Loader, tuned: Loader, statement: str, *, setup: str = "") -> str:
    """A shell line that loads both tokenizers and prints `statement` (an expression of `k`, the
    tokenizer, and the names bound in `setup`) for base, then tuned."""
    imports = (
        "from tokenizers import Tokenizer as K; " if base.raw
        else "from transformers import AutoTokenizer as T, PreTrainedTokenizerFast as F; "
    )
    if base.class_name is not None:
        imports += "import transformers; "
    if base.llamacpp or tuned.llamacpp:
        imports += "from tokcheck.sources.gguf.llamacpp_runtime import LlamaCppTokenizer as G; "
    code = (
        imports
        + (setup + "; " if setup else "")
        + f"[print(repr({statement})) for k in ({base.expression()}, {tuned.expression()})]"
    )
    return "python -c " + shlex.quote(code)
