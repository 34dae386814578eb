"""LiveTokenizer is honest: every tokenizer tokcheck loads (AutoTokenizer's, the fallback loader's)
has each member it declares, and takes the calls tokcheck makes in the shape the Protocol gives.
mypy cannot check this itself: transformers is untyped, so a loaded tokenizer is Any to it."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from tokcheck import zoo
from tokcheck.environment import import_transformers
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.fallback import load_from_tokenizer_json
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.spec import resolve

# Each method as tokcheck calls it: positional arguments, then keywords.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "encode": (("text",), {"add_special_tokens": True, "split_special_tokens": True}),
    "decode": (([1, 2],), {"skip_special_tokens": True}),
    "batch_decode": (([[1, 2]],), {"skip_special_tokens": False, "clean_up_tokenization_spaces": False}),
    "convert_ids_to_tokens": (([1, 2],), {}),
    "convert_tokens_to_ids": (("a",), {}),
    "__call__": ((["a", "b"],), {"padding": "longest"}),
    "apply_chat_template": (([{"role": "user", "content": "hi"}],), {"tokenize": False, "add_generation_prompt": True}),
}


def _tokenizers() -> list[Any]:
    source = resolve(str(zoo.path_for("llama3")))
    return [load_tokenizer(source), load_from_tokenizer_json(source, import_transformers())]


@pytest.mark.parametrize("index", [0, 1], ids=["AutoTokenizer", "fallback loader"])
def test_a_loaded_tokenizer_has_every_member_and_takes_every_call(index: int) -> None:
    tokenizer = _tokenizers()[index]
    declared = {name for name in dir(LiveTokenizer) if not name.startswith("_")} | {"__len__", "__call__"}
    assert all(hasattr(tokenizer, name) for name in declared), declared - set(dir(tokenizer))
    for name, (args, kwargs) in CALLS.items():
        inspect.signature(getattr(tokenizer, name)).bind(*args, **kwargs)
    assert isinstance(len(tokenizer), int)
