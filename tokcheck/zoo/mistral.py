"""Mistral-7B-Instruct-v0.3 (SentencePiece BPE, 32,768) and Mistral-Nemo-Instruct-2407 (tekken,
131,072), rebuilt from the tokenizer files that mistral-common ships."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

from tokcheck.zoo import packages
from tokcheck.zoo.bytelevel import byte_level_decoder, merges_all_splits, token_string
from tokcheck.zoo.saving import chat_template, save_tokenizer, write_model_configs

PACKAGE = "mistral-common"
# Mistral-7B-v0.3's tokenizer.model: mistral-common keeps it as the "v2" file (ids 10..770 are
# [control_8]..[control_768], as in the v0.3 repo; its "v3" file is Codestral's, with [IMG],
# [PREFIX]...). The v0.3 repo tokenizes it with v3 instruct rules.
SPM_FILE = "data/mistral_instruct_tokenizer_240216.model.v2"
TEKKEN_FILE = "data/tekken_240718.json"  # Mistral-Nemo-Instruct-2407 (July 2024)
BOS, EOS, UNK = "<s>", "</s>", "<unk>"
VERY_LARGE_INTEGER = 1000000000000000019884624838656  # transformers' "no limit" model_max_length


def spm_merges(pieces: list[tuple[str, float]]) -> list[tuple[str, str]]:
    """Merges from a SentencePiece BPE vocabulary, as transformers' SentencePieceExtractor derives
    them: every split of a piece into two pieces, by score (highest first), then piece id, then
    the parts' ids. Gives the 58,980 merges of the official tokenizer.json."""
    vocab = {piece: i for i, (piece, _) in enumerate(pieces)}
    merges: list[tuple[float, int, int, int, str, str]] = []
    for merged_id, (merged, score) in enumerate(pieces):
        for cut in range(1, len(merged)):
            left, right = merged[:cut], merged[cut:]
            if left in vocab and right in vocab:
                merges.append((-score, merged_id, vocab[left], vocab[right], left, right))
    merges.sort(key=lambda m: m[:4])
    return [(m[4], m[5]) for m in merges]


def spm_tokenizer(model_file: Path) -> Tokenizer:
    """The pipeline of Mistral-7B-Instruct-v0.3's tokenizer.json (converted with legacy=false):
    no normalizer, Metaspace(prepend_scheme="first", split=False), byte-fallback BPE, <s> added by
    the post-processor, the 771 control pieces as special added tokens."""
    import sentencepiece  # optional (the zoo extra); a missing package is named by the registry first

    processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
    pieces = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    controls = [i for i in range(len(pieces)) if processor.is_control(i) or processor.is_unknown(i)]
    if controls != list(range(771)) or len(pieces) != 32768:
        raise ValueError(f"{model_file} is not the Mistral v0.3 vocabulary (771 control pieces, then 32,768)")
    tokenizer = Tokenizer(
        models.BPE(
            vocab={piece: i for i, (piece, _) in enumerate(pieces)},
            merges=spm_merges(pieces),
            unk_token=UNK,
            fuse_unk=True,
            byte_fallback=True,
        )
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tokenizer.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    tokenizer.add_special_tokens([AddedToken(pieces[i][0], special=True, normalized=False) for i in controls])
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS}:1 $B:1", special_tokens=[(BOS, 1)]
    )
    return tokenizer


# The special tokens of the official Mistral-Nemo tokenizer.json: mistral-common's list of July
# 2024 (14 names, <pad> at 10), then fillers <SPECIAL_14>..<SPECIAL_999>. mistral-common 1.13
# lists [IMG] at 10 and <pad> at 11 for the same file; ids 0..9 agree.
NEMO_SPECIALS = (
    UNK, BOS, EOS, "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
    "[/TOOL_RESULTS]", "[TOOL_CALLS]", "<pad>", "[PREFIX]", "[MIDDLE]", "[SUFFIX]",
)  # fmt: skip


def tekken_tokenizer(tekken_file: Path) -> Tokenizer:
    """Mistral-Nemo's tokenizer.json: tekken's regex + ByteLevel, byte-level BPE over the first
    130,072 ranks with ignore_merges, ids shifted past 1,000 special tokens, <s> prepended."""
    raw = json.loads(tekken_file.read_text(encoding="utf-8"))
    config = raw["config"]
    num_special = config["default_num_special_tokens"]
    kept = raw["vocab"][: config["default_vocab_size"] - num_special]
    ranks = {base64.b64decode(item["token_bytes"]): item["rank"] for item in kept}
    if sorted(ranks.values()) != list(range(len(kept))) or num_special != 1000:
        raise ValueError(f"{tekken_file} is not the tekken layout this builder knows")
    vocab = {token_string(token): rank + num_special for token, rank in ranks.items()}
    specials = [*NEMO_SPECIALS, *(f"<SPECIAL_{i}>" for i in range(len(NEMO_SPECIALS), num_special))]
    vocab.update({token: i for i, token in enumerate(specials)})
    merges = merges_all_splits(ranks)
    tokenizer = Tokenizer(
        models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False, ignore_merges=True)
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(config["pattern"]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
        ]
    )
    tokenizer.decoder = byte_level_decoder(add_prefix_space=True, trim_offsets=True, use_regex=True)
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in specials])
    # BOS by post-processor: the official GGUF conversion of this repo records add_bos_token=True.
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS}:1 $B:1", special_tokens=[(BOS, 1)]
    )
    return tokenizer


# config.json of mistralai/Mistral-7B-Instruct-v0.3 as published: bos 1, eos 2, no pad,
# 32768 rows = the whole spm vocabulary, untied.
CONFIG_V3 = {
    "architectures": ["MistralForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 32768,
    "model_type": "mistral",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.42.0.dev0",
    "use_cache": True,
    "vocab_size": 32768,
}
GENERATION_V3 = {
    "_from_model_config": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "transformers_version": "4.42.0.dev0",
}
# config.json of mistralai/Mistral-Nemo-Instruct-2407: bos 1, eos 2, 131072 rows = tekken's
# default_vocab_size (matching the repo's GGUF metadata), head_dim 128 with hidden 5120, untied.
CONFIG_NEMO = {
    "architectures": ["MistralForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 5120,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 1024000,
    "model_type": "mistral",
    "num_attention_heads": 32,
    "num_hidden_layers": 40,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0",
    "use_cache": True,
    "vocab_size": 131072,
}
GENERATION_NEMO = {
    "_from_model_config": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "transformers_version": "4.43.0.dev0",
}


def build_mistral_v3(dest: Path) -> None:
    model_file = packages.data_file(PACKAGE, SPM_FILE, "mistral-v3")
    # tokenizer_config.json values of the official repo (LlamaTokenizer, legacy=false). With
    # legacy=false both majors' LlamaTokenizer keep the Metaspace pipeline of tokenizer.json (5.x
    # rebuilds the same one on load: equal ids on the whole corpus, checked in tests/zoo).
    save_tokenizer(
        spm_tokenizer(model_file),
        dest,
        class_name="LlamaTokenizerFast",
        template=chat_template("mistral_v0_3_instruct.jinja"),
        vocab_file=str(model_file),
        legacy=False,
        add_bos_token=True,
        add_eos_token=False,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        pad_token=None,
        clean_up_tokenization_spaces=False,
        model_max_length=VERY_LARGE_INTEGER,
        spaces_between_special_tokens=False,
        use_default_system_prompt=False,
    )
    # The repo ships the SentencePiece model too; transformers 4 copies it, 5 does not.
    if not (dest / "tokenizer.model").exists():
        shutil.copyfile(model_file, dest / "tokenizer.model")
    write_model_configs(dest, CONFIG_V3, GENERATION_V3)


def build_mistral_tekken(dest: Path) -> None:
    # No tekken.json in the directory (the repo has one): with mistral-common installed,
    # transformers 5 would load a directory holding it through MistralCommonBackend instead.
    tokenizer = tekken_tokenizer(packages.data_file(PACKAGE, TEKKEN_FILE, "mistral-tekken"))
    save_tokenizer(
        tokenizer,
        dest,
        class_name="PreTrainedTokenizerFast",
        template=chat_template("mistral_nemo_instruct.jinja"),
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        clean_up_tokenization_spaces=False,
        model_max_length=VERY_LARGE_INTEGER,
    )
    write_model_configs(dest, CONFIG_NEMO, GENERATION_NEMO)
