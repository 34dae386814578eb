"""The zoo's GGUF entries: faithful conversions of the convertible bases (must pass against their
HF base), the converted founding case, and GGUFWriter mutants (each must fail naming its finding)."""

from __future__ import annotations

from tokcheck.zoo.gguf.llamacpp import COMMIT
from tokcheck.zoo.gguf.mutations import (
    converted,
    drop_key,
    drop_last_token,
    retype,
    set_bool,
    set_special,
    set_string,
)
from tokcheck.zoo.mutants import Mutant
from tokcheck.zoo.registry import ZooEntry

VERSION = f"1-{COMMIT[:8]}"
NORMAL = 1  # gguf.TokenType.NORMAL
CONVERTIBLE = ("llama3", "llama3.1", "qwen2", "mistral-v3", "mistral-tekken", "minilm")
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
          "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")

# Faithful conversions: benign, they must pass against their HF base.
FAITHFUL = [Mutant(f"{base}-gguf", base, "benign: converted by llama.cpp's convert_hf_to_gguf.py", converted())
            for base in CONVERTIBLE]

GGUF_MUTANTS: list[Mutant] = [
    *FAITHFUL,
    Mutant("llama3-eom-gguf", "llama3-eom", "1. framework stop word added, model resized to 128257, converted to GGUF",
           converted(lambda config: config.update(vocab_size=128257)), "gguf.token-changed", "128256: None -> '<|eom_id|>'"),
    Mutant("llama3-gguf-eos-end-of-text", "llama3-gguf", "gguf: eos set to end-of-text on an instruct model",
           set_special("tokenizer.ggml.eos_token_id", "<|end_of_text|>"), "gguf.eos-changed", "128001 '<|end_of_text|>'"),
    Mutant("llama3-gguf-template-dropped", "llama3-gguf", "gguf: chat template dropped",
           drop_key("tokenizer.chat_template"), "gguf.template-missing", "'default'"),
    Mutant("qwen2-gguf-template-replaced", "qwen2-gguf", "gguf: chat template replaced",
           set_string("tokenizer.chat_template", CHATML), "gguf.template-differs", "'default'"),
    Mutant("llama3-gguf-eot-normal", "llama3-gguf", "gguf: stop token typed NORMAL",
           retype("<|eot_id|>", NORMAL), "gguf.stop-token-not-control", "'<|eot_id|>'"),
    Mutant("llama3-gguf-pre-smaug", "llama3-gguf", "gguf: pre-tokenizer changed",
           set_string("tokenizer.ggml.pre", "smaug-bpe"), "gguf.pre-changed", "'smaug-bpe'"),
    Mutant("llama3-gguf-no-merges", "llama3-gguf", "gguf: merges dropped",
           drop_key("tokenizer.ggml.merges"), "gguf.merges-changed", "no merges"),
    Mutant("qwen2-gguf-added-token-dropped", "qwen2-gguf", "gguf: an added token dropped",
           drop_last_token(), "gguf.token-count", "tokens"),
    Mutant("llama3-gguf-add-bos-off", "llama3-gguf", "gguf: add_bos_token flipped",
           set_bool("tokenizer.ggml.add_bos_token", False), "gguf.add-bos-changed", "not add BOS"),
    # An export that sets eot_token_id explicitly (gguf-new-metadata --special-token eot): benign
    # against its HF base; the mutant below, compared with it, has lost the key.
    Mutant("llama3.1-gguf-eot-explicit", "llama3.1-gguf", "benign: eot_token_id set explicitly",
           set_special("tokenizer.ggml.eot_token_id", "<|eot_id|>")),
    Mutant("llama3.1-gguf-eot-missing", "llama3.1-gguf-eot-explicit", "gguf: eot_token_id missing",
           drop_key("tokenizer.ggml.eot_token_id"), "gguf.eot-changed", "eot_token_id is unset"),
]

ENTRIES: list[ZooEntry] = [
    ZooEntry(name=m.name, description=m.drift_class, make=m.mutate, version=VERSION, base=m.base)
    for m in GGUF_MUTANTS
]
