"""Regenerate tensor_names.json: the tensor names, dtypes and shapes (and config keys) that
transformers' save_pretrained and PEFT's save_pretrained write for tiny models of several
architectures, so that the naming-scheme tests run on real names without torch.

Needs torch, transformers and peft: `.venv-torch/bin/python tests/model/data/make_tensor_names.py`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
import transformers
from safetensors import safe_open

VOCAB = 1000
CONFIG_KEYS = ("architectures", "model_type", "vocab_size", "tie_word_embeddings", "text_config")


def small(name: str, **overrides: Any) -> Any:
    """A tiny config of the named class (hidden 16, one layer) with the given overrides."""
    config_class = getattr(transformers, name)
    return config_class(**overrides)


def text_llama(**extra: Any) -> dict[str, Any]:
    return dict(vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                num_attention_heads=2, num_key_value_heads=1, **extra)


def models() -> dict[str, Any]:
    vision: dict[str, Any] = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                  image_size=28, patch_size=14, projection_dim=16)
    return {
        "llama-untied": lambda: transformers.LlamaForCausalLM(small("LlamaConfig", **text_llama(tie_word_embeddings=False))),
        "llama-tied": lambda: transformers.LlamaForCausalLM(small("LlamaConfig", **text_llama(tie_word_embeddings=True))),
        "qwen2-tied": lambda: transformers.Qwen2ForCausalLM(small("Qwen2Config", **text_llama(tie_word_embeddings=True))),
        "gpt2": lambda: transformers.GPT2LMHeadModel(small("GPT2Config", vocab_size=VOCAB, n_embd=16, n_layer=1, n_head=2)),
        "gpt-neox": lambda: transformers.GPTNeoXForCausalLM(small(
            "GPTNeoXConfig", vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
            num_attention_heads=2, tie_word_embeddings=False)),
        "bert": lambda: transformers.BertModel(small(
            "BertConfig", vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2)),
        "bert-mlm": lambda: transformers.BertForMaskedLM(small(
            "BertConfig", vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2)),
        "opt": lambda: transformers.OPTForCausalLM(small(
            "OPTConfig", vocab_size=VOCAB, hidden_size=16, ffn_dim=32, num_hidden_layers=1, num_attention_heads=2,
            word_embed_proj_dim=16)),
        "bloom": lambda: transformers.BloomForCausalLM(small("BloomConfig", vocab_size=VOCAB, hidden_size=16, n_layer=1, n_head=2)),
        "t5": lambda: transformers.T5ForConditionalGeneration(small(
            "T5Config", vocab_size=VOCAB, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)),
        "llava": lambda: transformers.LlavaForConditionalGeneration(transformers.LlavaConfig(
            vision_config=transformers.CLIPVisionConfig(**vision),
            text_config=transformers.LlamaConfig(**text_llama(tie_word_embeddings=False)), image_token_index=VOCAB - 1)),
    }


def record(directory: Path, model: Any) -> dict[str, Any]:
    tensors: dict[str, Any] = {}
    for path in sorted(directory.glob("*.safetensors")):
        with safe_open(str(path), "np") as handle:
            for name in handle.keys():  # noqa: SIM118 - safe_open is not iterable
                sliced = handle.get_slice(name)
                tensors[name] = {"dtype": sliced.get_dtype(), "shape": sliced.get_shape()}
    config = json.loads((directory / "config.json").read_text()) if (directory / "config.json").is_file() else {}
    adapter = json.loads((directory / "adapter_config.json").read_text()) if (directory / "adapter_config.json").is_file() else None
    entry = {"config": {key: config[key] for key in CONFIG_KEYS if key in config}, "tensors": tensors}
    if adapter is not None:
        entry["adapter_config"] = {key: adapter.get(key) for key in ("task_type", "modules_to_save", "target_modules")}
    return entry


def adapters(root: Path) -> dict[str, Any]:
    from peft import LoraConfig, get_peft_model

    def config() -> Any:  # a fresh one each time: resize_token_embeddings changes the config in place
        return small("LlamaConfig", **text_llama(tie_word_embeddings=False))

    found = {}
    model = transformers.LlamaForCausalLM(config())
    model.resize_token_embeddings(VOCAB + 1, mean_resizing=False)
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj", "v_proj"],
                                                  modules_to_save=["embed_tokens", "lm_head"], task_type="CAUSAL_LM"))
    peft_model.save_pretrained(str(root / "modules-to-save"))
    found["peft-modules-to-save"] = record(root / "modules-to-save", None)
    model = transformers.LlamaForCausalLM(config())
    model.resize_token_embeddings(VOCAB + 1, mean_resizing=False)
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj", "v_proj", "embed_tokens"], task_type="CAUSAL_LM"))
    peft_model.save_pretrained(str(root / "embedding-layers"), save_embedding_layers=True)
    found["peft-lora-embedding-saved"] = record(root / "embedding-layers", None)
    # Loaded from a directory and resized, PEFT also saves the wrapper's copies (save_embedding_layers="auto").
    transformers.LlamaForCausalLM(config()).save_pretrained(str(root / "saved-base"))
    loaded = transformers.AutoModelForCausalLM.from_pretrained(str(root / "saved-base"))
    loaded.resize_token_embeddings(VOCAB + 1, mean_resizing=False)
    peft_model = get_peft_model(loaded, LoraConfig(r=2, target_modules=["q_proj", "v_proj"],
                                                  modules_to_save=["embed_tokens", "lm_head"], task_type="CAUSAL_LM"))
    peft_model.save_pretrained(str(root / "modules-to-save-loaded"))
    found["peft-modules-to-save-loaded"] = record(root / "modules-to-save-loaded", None)
    model = transformers.LlamaForCausalLM(config())
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    peft_model.save_pretrained(str(root / "lora-only"))
    found["peft-lora-only"] = record(root / "lora-only", None)
    return found


def main() -> None:
    torch.manual_seed(0)
    out: dict[str, Any] = {"versions": {name: metadata.version(name) for name in ("torch", "transformers", "peft")}, "models": {}}
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        for name, make in models().items():
            make().save_pretrained(str(root / name))
            out["models"][name] = record(root / name, None)
        out["models"].update(adapters(root))
    target = Path(__file__).parent / "tensor_names.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
