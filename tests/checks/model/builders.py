"""Tiny random Llama-architecture checkpoints in the layouts transformers saves, written without
torch: tensor names as LlamaForCausalLM's state dict has them, safetensors.numpy for F16/F32 (a
hand-written writer for BF16), config.json from transformers.LlamaConfig, sharded with the index
JSON, tied and untied, resized (zero or mean-initialised rows, pad_to_multiple_of), and PEFT-style
adapters. Also the Llama-3 `<|eom_id|>` drift applied to a tokenizer the way LLaMA-Factory does it."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np

HIDDEN = 16
LLAMA3_VOCAB = 128256
BOS, EOT = 128000, 128009
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
                   "generation_config.json")
Tensors = dict[str, np.ndarray]


def llama_tensors(vocab: int, *, tied: bool = False, seed: int = 0, dtype: Any = np.float16) -> Tensors:
    """Every tensor of a one-layer LlamaForCausalLM (hidden 16, 2 heads, 1 kv head), random; embedding
    rows drawn like an untrained model's (N(0, 0.02): no shared direction, the hardest case for
    telling a mean-initialised row from an untrained one)."""
    rng = np.random.default_rng(seed)

    def normal(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(dtype)

    head_dim, kv_heads = HIDDEN // 2, 1
    tensors = {
        "model.embed_tokens.weight": normal(vocab, HIDDEN),
        "model.layers.0.self_attn.q_proj.weight": normal(HIDDEN, HIDDEN),
        "model.layers.0.self_attn.k_proj.weight": normal(kv_heads * head_dim, HIDDEN),
        "model.layers.0.self_attn.v_proj.weight": normal(kv_heads * head_dim, HIDDEN),
        "model.layers.0.self_attn.o_proj.weight": normal(HIDDEN, HIDDEN),
        "model.layers.0.mlp.gate_proj.weight": normal(32, HIDDEN),
        "model.layers.0.mlp.up_proj.weight": normal(32, HIDDEN),
        "model.layers.0.mlp.down_proj.weight": normal(HIDDEN, 32),
        "model.layers.0.input_layernorm.weight": np.ones(HIDDEN, dtype=dtype),
        "model.layers.0.post_attention_layernorm.weight": np.ones(HIDDEN, dtype=dtype),
        "model.norm.weight": np.ones(HIDDEN, dtype=dtype),
    }
    if not tied:
        tensors["lm_head.weight"] = normal(vocab, HIDDEN)
    return tensors


def write_config(dest: Path, vocab: int, *, tied: bool = False, **extra: Any) -> None:
    from transformers import LlamaConfig

    LlamaConfig(
        vocab_size=vocab, hidden_size=HIDDEN, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, tie_word_embeddings=tied, bos_token_id=BOS, eos_token_id=EOT,
        architectures=["LlamaForCausalLM"], **extra,
    ).to_json_file(str(dest / "config.json"))


def resize(tensors: Tensors, rows: int, *, init: str, seed: int = 1) -> Tensors:
    """Grow embed_tokens and lm_head to `rows`: new rows left at zero, or set as transformers'
    mean_resizing does (the mean of the old rows plus noise with 1e-9 times their covariance)."""
    rng = np.random.default_rng(seed)
    grown = dict(tensors)
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        if name not in tensors:
            continue
        old = tensors[name].astype(np.float64)
        new = np.zeros((rows - old.shape[0], old.shape[1]))
        if init == "mean":
            mean = old.mean(axis=0)
            covariance = np.cov(old, rowvar=False, bias=True)
            new = rng.multivariate_normal(mean, 1e-9 * covariance, size=new.shape[0])
        elif init != "zero":
            raise ValueError(init)
        grown[name] = np.concatenate([old, new]).astype(tensors[name].dtype)
    return grown


def save_safetensors(dest: Path, tensors: Tensors, *, shards: int = 1, bf16: bool = False) -> None:
    """model.safetensors, or `shards` files named and indexed as save_pretrained does."""
    write = _save_bf16 if bf16 else _save_numpy
    if shards == 1:
        write(dest / "model.safetensors", tensors)
        return
    names = list(tensors)
    weight_map, total = {}, 0
    for index in range(shards):
        part = names[index::shards]
        file = f"model-{index + 1:05d}-of-{shards:05d}.safetensors"
        write(dest / file, {name: tensors[name] for name in part})
        for name in part:
            weight_map[name] = file
            total += tensors[name].size * (2 if bf16 else tensors[name].itemsize)
    index_data = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (dest / "model.safetensors.index.json").write_text(json.dumps(index_data, indent=2) + "\n")


def _save_numpy(path: Path, tensors: Tensors) -> None:
    from safetensors.numpy import save_file

    save_file(tensors, str(path), metadata={"format": "pt"})


def to_bf16_bits(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns, rounding to nearest even (as torch does)."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def _save_bf16(path: Path, tensors: Tensors) -> None:
    """A BF16 safetensors file written by hand: 8-byte length, JSON header, raw little-endian data."""
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        data = to_bf16_bits(tensors[name]).astype("<u2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(raw)) + raw)
        for blob in blobs:
            handle.write(blob)


def copy_tokenizer(source: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, dest / name)
    return dest


def checkpoint(
    dest: Path, tokenizer: Path, tensors: Tensors, *, tied: bool = False, shards: int = 1, bf16: bool = False,
    config_vocab: int | None = None,
) -> Path:
    """A save_pretrained-shaped directory: tokenizer files, config.json and the weights."""
    copy_tokenizer(tokenizer, dest)
    write_config(dest, config_vocab or tensors["model.embed_tokens.weight"].shape[0], tied=tied)
    save_safetensors(dest, tensors, shards=shards, bf16=bf16)
    return dest


def adapter(
    dest: Path, tokenizer: Path, base_model: Path, tensors: Tensors | None, *, modules: list[str], legacy: bool = False
) -> Path:
    """A PEFT LoRA adapter directory (as LLaMA-Factory saves it: tokenizer files next to it). With
    `modules`, the full embed_tokens/lm_head go into adapter_model.safetensors under the names PEFT
    0.21 writes (base_model.model.model.embed_tokens.weight), or with `legacy` under older PEFT's
    (base_model.model.model.embed_tokens.modules_to_save.weight); LoRA A/B for q_proj/v_proj either way."""
    copy_tokenizer(tokenizer, dest)
    config = {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": str(base_model), "r": 2,
        "lora_alpha": 4, "target_modules": ["q_proj", "v_proj"], "modules_to_save": modules or None,
    }
    (dest / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n")
    rng = np.random.default_rng(2)
    saved: Tensors = {}
    for projection in ("q_proj", "v_proj"):
        prefix = f"base_model.model.model.layers.0.self_attn.{projection}"
        saved[f"{prefix}.lora_A.weight"] = rng.standard_normal((2, HIDDEN)).astype(np.float32)
        saved[f"{prefix}.lora_B.weight"] = np.zeros((HIDDEN if projection == "q_proj" else 8, 2), np.float32)
    for module in modules:
        name = "model.embed_tokens.weight" if module == "embed_tokens" else "lm_head.weight"
        assert tensors is not None
        owner = name.rsplit(".", 1)[0]
        saved[f"base_model.model.{owner}{'.modules_to_save' if legacy else ''}.weight"] = tensors[name]
    _save_numpy(dest / "adapter_model.safetensors", saved)
    return dest


def add_eom_like_llamafactory(source: Path, dest: Path) -> Path:
    """LLaMA-Factory's llama3 template fix-up on a Llama-3.0 tokenizer: eos becomes <|eot_id|>, and
    <|eom_id|> is added as an extra special token without replacing the list; saved by the
    installed transformers (the kwarg is replace_extra_special_tokens on 5, replace_additional_... on 4)."""
    import transformers
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    tokenizer.add_special_tokens({"eos_token": "<|eot_id|>"})
    key = "replace_extra_special_tokens" if int(transformers.__version__.split(".")[0]) >= 5 else "replace_additional_special_tokens"
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|eom_id|>"]}, **{key: False})
    tokenizer.save_pretrained(str(dest))
    for name in ("generation_config.json",):
        if (source / name).is_file():
            shutil.copyfile(source / name, dest / name)
    return dest
