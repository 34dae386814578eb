"""Meta-Llama-3-8B-Instruct and Llama-3.1-8B-Instruct, rebuilt from the Llama 3 BPE ranks that
quicktok-v1 ships (128,000 ranks + 256 specials)."""

from __future__ import annotations

import struct
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, models, pre_tokenizers, processors

from tokcheck.zoo import packages
from tokcheck.zoo.bytelevel import byte_level_decoder, merges_all_splits, token_string
from tokcheck.zoo.saving import chat_template, save_tokenizer, write_model_configs

PACKAGE = "quicktok-v1"
# The pre-tokenizer regex of the official tokenizer.json (tiktoken's Llama 3 pattern).
PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
NUM_RANKS = 128_000
BOS, END_OF_TEXT, EOT = "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"
# Ids that carry a name in 3.0; every other id in 128000..128255 is <|reserved_special_token_K|>,
# K counting up from 0 over the unnamed ids (quicktok's llama3.special, checked on every build).
NAMED_3_0 = {
    128000: BOS,
    128001: END_OF_TEXT,
    128006: "<|start_header_id|>",
    128007: "<|end_header_id|>",
    128009: EOT,
}
# 3.1 names three more and renumbers the reserved ones around them, so its last id 128255 is
# <|reserved_special_token_247|> (3.0: _250); see OFFLINE-TOKENIZERS.md and the 3.1 tokenizer.json.
NAMED_3_1 = {**NAMED_3_0, 128004: "<|finetune_right_pad_id|>", 128008: "<|eom_id|>", 128010: "<|python_tag|>"}


def read_ranks(path: Path) -> dict[bytes, int]:
    """quicktok's .vocab: u32 count, then per token u16 length, the bytes, u32 rank (little-endian)."""
    blob = path.read_bytes()
    (count,) = struct.unpack_from("<I", blob, 0)
    offset, ranks = 4, {}
    for _ in range(count):
        (length,) = struct.unpack_from("<H", blob, offset)
        token = blob[offset + 2 : offset + 2 + length]
        (rank,) = struct.unpack_from("<I", blob, offset + 2 + length)
        ranks[token] = rank
        offset += 2 + length + 4
    if offset != len(blob) or sorted(ranks.values()) != list(range(count)):
        raise ValueError(f"{path} is not a complete, gap-free quicktok rank file")
    return ranks


def read_specials(path: Path) -> dict[int, str]:
    """quicktok's .special: u32 count, then per token u32 id, u16 length, utf-8 text."""
    blob = path.read_bytes()
    (count,) = struct.unpack_from("<I", blob, 0)
    offset, specials = 4, {}
    for _ in range(count):
        token_id, length = struct.unpack_from("<IH", blob, offset)
        specials[token_id] = blob[offset + 6 : offset + 6 + length].decode("utf-8")
        offset += 6 + length
    return specials


def special_names(named: dict[int, str]) -> dict[int, str]:
    """All 256 special tokens: the named ones, reserved slots numbered around them."""
    result, reserved = {}, 0
    for token_id in range(NUM_RANKS, NUM_RANKS + 256):
        if token_id in named:
            result[token_id] = named[token_id]
        else:
            result[token_id] = f"<|reserved_special_token_{reserved}|>"
            reserved += 1
    return result


def llama3_tokenizer(ranks: dict[bytes, int], specials: dict[int, str]) -> Tokenizer:
    """The pipeline of the official tokenizer.json: Split(regex) + ByteLevel, BPE with
    ignore_merges, BOS from a TemplateProcessing post-processor."""
    vocab = {token_string(token): rank for token, rank in ranks.items()}
    tokenizer = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges_all_splits(ranks),
            fuse_unk=False,
            byte_fallback=False,
            ignore_merges=True,
        )
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
        ]
    )
    tokenizer.decoder = byte_level_decoder(add_prefix_space=True, trim_offsets=True, use_regex=True)
    # add_special_tokens gives each the next free id, so add them in id order from 128000.
    assert tokenizer.get_vocab_size() == min(specials)
    tokenizer.add_special_tokens(
        [AddedToken(specials[i], special=True, normalized=False) for i in sorted(specials)]
    )
    tokenizer.post_processor = processors.Sequence(
        [
            processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
            processors.TemplateProcessing(
                single=f"{BOS} $A", pair=f"{BOS} $A {BOS}:1 $B:1", special_tokens=[(BOS, NUM_RANKS)]
            ),
        ]
    )
    return tokenizer


def _ranks_and_specials(zoo_name: str, named: dict[int, str]) -> tuple[dict[bytes, int], dict[int, str]]:
    ranks = read_ranks(packages.data_file(PACKAGE, "data/llama3.vocab", zoo_name))
    shipped = read_specials(packages.data_file(PACKAGE, "data/llama3.special", zoo_name))
    if len(ranks) != NUM_RANKS or shipped != special_names(NAMED_3_0):
        raise ValueError(f"{PACKAGE}'s llama3 files are not the Llama 3 vocabulary this builder knows")
    return ranks, special_names(named)


# config.json of meta-llama/Meta-Llama-3-8B-Instruct as published (ids cross-checked: bos 128000,
# eos 128009 = <|eot_id|>, vocab_size 128256 = 128000 ranks + 256 specials, untied embeddings).
CONFIG_3_0 = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 128000,
    "eos_token_id": 128009,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 8192,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": None,
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.40.0.dev0",
    "use_cache": True,
    "vocab_size": 128256,
}
# generation_config.json of Meta-Llama-3-8B-Instruct: stops on <|end_of_text|> and <|eot_id|>.
GENERATION_3_0 = {
    "bos_token_id": 128000,
    "do_sample": True,
    "eos_token_id": [128001, 128009],
    "max_length": 4096,
    "temperature": 0.6,
    "top_p": 0.9,
    "transformers_version": "4.40.0.dev0",
}
# config.json of meta-llama/Llama-3.1-8B-Instruct: three eos ids (end_of_text, eom, eot), llama3
# rope scaling to 128k context, still untied and 128256 rows.
CONFIG_3_1 = {
    **CONFIG_3_0,
    "eos_token_id": [128001, 128008, 128009],
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "rope_scaling": {
        "factor": 8.0,
        "high_freq_factor": 4.0,
        "low_freq_factor": 1.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "transformers_version": "4.43.0.dev0",
}
# generation_config.json of Llama-3.1-8B-Instruct.
GENERATION_3_1 = {
    "bos_token_id": 128000,
    "do_sample": True,
    "eos_token_id": [128001, 128008, 128009],
    "temperature": 0.6,
    "top_p": 0.9,
    "transformers_version": "4.42.3",
}


def build_llama3_0(dest: Path) -> None:
    ranks, specials = _ranks_and_specials("llama3", NAMED_3_0)
    # tokenizer_config.json values of the official repo (eos <|eot_id|> since the May 2024 fix).
    save_tokenizer(
        llama3_tokenizer(ranks, specials),
        dest,
        class_name="PreTrainedTokenizerFast",
        template=chat_template("llama3_0_instruct.jinja"),
        bos_token=BOS,
        eos_token=EOT,
        clean_up_tokenization_spaces=True,
        model_input_names=["input_ids", "attention_mask"],
        model_max_length=1000000000000000019884624838656,
    )
    write_model_configs(dest, CONFIG_3_0, GENERATION_3_0)


def build_llama3_1(dest: Path) -> None:
    ranks, specials = _ranks_and_specials("llama3.1", NAMED_3_1)
    save_tokenizer(
        llama3_tokenizer(ranks, specials),
        dest,
        class_name="PreTrainedTokenizerFast",
        # llama.cpp's copy of the Llama 3.3 template, which is the 3.1 template (tools, ipython,
        # <|eom_id|>, "Cutting Knowledge Date"); the reference page names it as the stand-in.
        template=chat_template("llama3_1_instruct.jinja"),
        bos_token=BOS,
        eos_token=EOT,
        clean_up_tokenization_spaces=True,
        model_input_names=["input_ids", "attention_mask"],
        model_max_length=131072,
    )
    write_model_configs(dest, CONFIG_3_1, GENERATION_3_1)
