"""The live tokenizer as tokcheck calls it. TextTokenizer: encode, decode and token names, all the
public assertions need (tokcheck.assertions). LiveTokenizer: the part of a transformers tokenizer
(slow or fast, transformers 4 and 5, the fallback loader's and a GGUF's approximate one) that
tokcheck calls directly. What only some tokenizers have (backend_tokenizer, chat_template,
added_tokens_decoder, eos_token_id ...) is read with getattr and a default where it is used, so it
is not declared here. A foundation module, importing nothing of tokcheck: every layer may use it."""

from __future__ import annotations

from typing import Any, Protocol, overload


class TextTokenizer(Protocol):
    def encode(self, text: str, /, *, add_special_tokens: bool = True) -> list[int]: ...

    def decode(self, token_ids: list[int], /, *, skip_special_tokens: bool = False) -> str: ...

    # None for an id a fast tokenizer's vocabulary lacks (tokenizers' id_to_token).
    @overload
    def convert_ids_to_tokens(self, ids: int, /) -> str | None: ...

    @overload
    def convert_ids_to_tokens(self, ids: list[int], /) -> list[str | None]: ...


class LiveTokenizer(TextTokenizer, Protocol):
    def __len__(self) -> int: ...

    @property
    def pad_token(self) -> str | None: ...

    # transformers' own keywords (split_special_tokens ...) pass through.
    def encode(self, text: str, /, *, add_special_tokens: bool = True, **kwargs: Any) -> list[int]: ...

    def decode(self, token_ids: int | list[int], /, *, skip_special_tokens: bool = False, **kwargs: Any) -> str: ...

    def batch_decode(self, sequences: list[list[int]], /, **kwargs: Any) -> list[str]: ...

    # None for a token a fast tokenizer's vocabulary lacks and that has no unk_token to stand for it.
    def convert_tokens_to_ids(self, tokens: str, /) -> int | None: ...

    # A BatchEncoding: its keys by version and arguments.
    def __call__(self, text: str | list[str], /, **kwargs: Any) -> Any: ...

    # Text, a list of ids or a BatchEncoding by version and arguments: sources.live.render_chat
    # gives it one shape.
    def apply_chat_template(self, conversation: list[dict[str, Any]], /, **kwargs: Any) -> Any: ...
