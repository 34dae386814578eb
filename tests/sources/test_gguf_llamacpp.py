"""Real llama.cpp (llama-cpp-python, tox env `gguf`): it reproduces its own vendored vectors
through tokcheck's runtime wrapper, and llama.cpp's conversion of zoo:llama3 tokenizes text and
rendered chats as the HF base does, special tokens parsed only in the rendered chat."""

from __future__ import annotations

import pytest

from tokcheck.sources.gguf import llamacpp_runtime
from tokcheck.sources.gguf.fidelity import read_vectors
from tokcheck.zoo.gguf import llamacpp

pytestmark = [
    pytest.mark.skipif(llamacpp_runtime.unavailable() is not None, reason=str(llamacpp_runtime.unavailable())),
    pytest.mark.skipif(llamacpp.unavailable() is not None, reason=str(llamacpp.unavailable())),
]


@pytest.mark.parametrize("vocab", ["llama-bpe", "qwen2", "llama-spm", "gpt-2"])
def test_llamacpp_reproduces_its_own_vectors(vocab: str) -> None:
    path = llamacpp.sources_dir() / "models" / f"ggml-vocab-{vocab}.gguf"
    runtime = llamacpp_runtime.LlamaCppTokenizer(path)
    inputs, expected = read_vectors(path)
    assert [runtime.encode_user_text(text) for text in inputs] == expected


@pytest.mark.skipif(llamacpp.unavailable(convert=True) is not None, reason=str(llamacpp.unavailable(convert=True)))
def test_the_faithful_llama3_conversion_tokenizes_like_the_hf_base() -> None:
    from tokcheck.sources.live import load_tokenizer, render_chat
    from tokcheck.sources.spec import resolve

    hf = load_tokenizer(resolve("zoo:llama3"))
    runtime = llamacpp_runtime.LlamaCppTokenizer(resolve("zoo:llama3-gguf").path)
    user = "Tell me about <|eot_id|> and  spaces\tand émoji 🦙"
    assert runtime.encode_user_text(user, add_bos=True) == hf.encode(user, split_special_tokens=True)
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": "Sure."}]
    rendered = render_chat(hf, messages, tokenize=False)
    assert runtime.encode_rendered_chat(rendered) == hf.encode(rendered, add_special_tokens=False)
    assert 128009 in runtime.encode_rendered_chat(rendered)
    assert 128009 not in runtime.encode_user_text(user)
