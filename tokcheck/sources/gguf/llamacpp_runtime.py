"""Real llama.cpp, when llama-cpp-python is installed: a GGUF loaded with vocab_only=True and
tokenized as llama.cpp's server does it, special tokens parsed in a rendered chat and not in user
text. It calls llama.cpp's llama_tokenize and llama_token_to_piece (what the server's
common_tokenize and the pieces it streams come from) through llama-cpp-python's bindings of the C
API: its Llama class makes a context too (and logs about it), and its detokenize drops a space
after BOS and cuts pieces longer than 32 bytes."""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError

INSTALL_HINT = "pip install llama-cpp-python==0.3.36 (builds llama.cpp from source: cmake and a C++ compiler)"
# llama_token_attr bits (llama.h): tokens a detokenize without `special` leaves out.
_ATTR_UNKNOWN, _ATTR_CONTROL = 1 << 0, 1 << 3


def unavailable() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed: {INSTALL_HINT}"
    try:  # installed with --no-deps it lacks diskcache and fails at import
        import llama_cpp  # noqa: F401
    except ImportError as error:
        return f"llama-cpp-python does not import: {error}"
    return None


@functools.cache
def _backend_init(llama_cpp: Any) -> None:
    llama_cpp.llama_backend_init()


def version() -> str:
    import llama_cpp

    return str(getattr(llama_cpp, "__version__", "?"))


class LlamaCppTokenizer:
    """One GGUF's tokenizer as llama.cpp runs it (no weights are loaded). `encode` and `decode`
    take transformers' keywords, so that a reproduction line runs the same statement on a
    transformers tokenizer and on this."""

    def __init__(self, path: Path | str) -> None:
        import llama_cpp

        self._lib: Any = llama_cpp
        self.path = Path(path)
        # llama-cpp-python prints llama.cpp's log lines to stderr by its logger's level, through a
        # table of ggml's levels from before they were renumbered (a warning maps to ERROR): only
        # CRITICAL keeps load notes off a run's output. A GGUF that does not load raises below.
        logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL)
        _backend_init(llama_cpp)
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True  # the tokenizer only: no tensor is read, no context is made
        self._model = llama_cpp.llama_model_load_from_file(str(self.path).encode(), params)
        if not self._model:
            raise TokcheckUsageError(f"{self.path}: llama.cpp cannot load this GGUF's vocabulary")
        weakref.finalize(self, llama_cpp.llama_model_free, self._model)
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.size = int(llama_cpp.llama_vocab_n_tokens(self._vocab))
        self._ids = (llama_cpp.llama_token * 256)()
        self._piece = ctypes.create_string_buffer(64)

    def __len__(self) -> int:
        return self.size

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool) -> list[int]:
        """llama_tokenize: `add_special` adds BOS/EOS as the GGUF says, `parse_special` matches
        control tokens written in the text (user-defined tokens are matched either way)."""
        data = text.encode("utf-8")
        count = self._lib.llama_tokenize(self._vocab, data, len(data), self._ids, len(self._ids), add_special, parse_special)
        if count < 0:  # the buffer was too small: -count is the size needed
            self._ids = (self._lib.llama_token * (-count + 256))()
            count = self._lib.llama_tokenize(self._vocab, data, len(data), self._ids, len(self._ids), add_special,
                                             parse_special)
        return self._ids[:count]

    def detokenize(self, ids: Sequence[int], *, special: bool) -> str:
        """The text llama-server streams for these ids: each token's piece (llama_token_to_piece,
        control tokens written only with `special`), joined. Not llama_detokenize, which also
        removes spaces before punctuation for most BPE vocabularies (its clean_spaces), what the
        server's generated text never has. Ids outside the vocabulary are left out (llama.cpp would
        abort on them), as the tokenizers library does."""
        pieces = []
        for token_id in ids:
            if not 0 <= token_id < self.size:
                continue
            count = self._lib.llama_token_to_piece(self._vocab, token_id, self._piece, len(self._piece), 0, special)
            if count < 0:  # a piece longer than the buffer: -count is its length
                self._piece = ctypes.create_string_buffer(-count)
                count = self._lib.llama_token_to_piece(self._vocab, token_id, self._piece, len(self._piece), 0, special)
            pieces.append(self._piece.raw[:count])
        return b"".join(pieces).decode("utf-8", errors="replace")

    def encode(self, text: str, add_special_tokens: bool = True, split_special_tokens: bool = False) -> list[int]:
        return self.tokenize(text, add_special=add_special_tokens, parse_special=not split_special_tokens)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        return self.detokenize(ids, special=not skip_special_tokens)

    def encode_user_text(self, text: str, *, add_bos: bool = False) -> list[int]:
        """Text from a user: special-token strings in it stay text (parse_special false)."""
        return self.tokenize(text, add_special=add_bos, parse_special=False)

    def encode_rendered_chat(self, rendered: str, *, add_bos: bool = False) -> list[int]:
        """A chat the template rendered: its special tokens are parsed (as llama-server does)."""
        return self.tokenize(rendered, add_special=add_bos, parse_special=True)

    def token_text(self, token_id: int) -> str:
        return bytes(self._lib.llama_vocab_get_text(self._vocab, token_id)).decode("utf-8", errors="replace")

    def special_ids(self) -> set[int]:
        """Control and unknown tokens: the ids a detokenize without `special` leaves out."""
        return {i for i in range(self.size) if self._lib.llama_vocab_get_attr(self._vocab, i) & (_ATTR_UNKNOWN | _ATTR_CONTROL)}


# A conversation that tells llama.cpp's built-in templates apart: a system turn (llama2-sys and
# its variants differ there), an assistant turn and a generation prompt.
_PROBE_CHAT = (("system", "You are terse."), ("user", "Hi there"), ("assistant", "Hello!"), ("user", "Bye"))


def _apply_template(llama_cpp: Any, template: str) -> str | None:
    """llama_chat_apply_template's render of the probe chat with `template` (a built-in name, or a
    template text it matches to one); None where it supports neither."""
    chat = (llama_cpp.llama_chat_message * len(_PROBE_CHAT))()
    kept = [(role.encode(), content.encode()) for role, content in _PROBE_CHAT]
    for index, (role, content) in enumerate(kept):
        chat[index].role, chat[index].content = role, content
    size = 1 << 14
    buffer = ctypes.create_string_buffer(size)
    length = llama_cpp.llama_chat_apply_template(template.encode(), chat, len(kept), True, buffer, size)
    return None if length < 0 or length > size else buffer.raw[:length].decode("utf-8", errors="replace")


@functools.cache
def _builtin_renders() -> dict[str, str]:
    import llama_cpp

    count = llama_cpp.llama_chat_builtin_templates(None, 0)
    names = (ctypes.c_char_p * count)()
    llama_cpp.llama_chat_builtin_templates(names, count)
    renders = {}
    for raw in names:
        name = raw.decode()
        rendered = _apply_template(llama_cpp, name)
        if rendered is not None:
            renders[name] = rendered
    return renders


def builtin_chat_template(template: str) -> str | None:
    """The built-in template llama.cpp's llama_chat_apply_template maps a template text to (by the
    substrings src/llama-chat.cpp's llm_chat_detect_template looks for), named as
    llama_chat_builtin_templates names it; None when it maps it to none (it cannot format it). Found
    by rendering one chat with the text and with each built-in name: llama.cpp has no call that
    returns the match itself. Needs llama-cpp-python (see unavailable())."""
    import llama_cpp

    rendered = _apply_template(llama_cpp, template)
    if rendered is None:
        return None
    return next((name for name, text in _builtin_renders().items() if text == rendered), None)
