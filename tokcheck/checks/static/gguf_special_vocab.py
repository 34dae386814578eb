"""gguf-py's SpecialVocab (special ids, add_bos/add_eos, chat templates, merges) for a Hugging Face
side without reading its tokenizer.json a second time: the snapshot has parsed it already, and on
Llama 3 a second parse (and gguf-py's rewrite of 280,000 merges) cost a `tokcheck diff` about
1.5 s and 250 MB. SpecialVocab's own code still does the work, on a temporary directory whose
tokenizer.json holds only the two keys it reads there besides the merges (added_tokens and
post_processor); the merges come from the snapshot, written as gguf-py writes them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tokcheck.sources.gguf import import_gguf
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.spec import TokenizerSource

# The other files SpecialVocab reads from a model directory (gguf/vocab.py, _load and the readers it calls).
_READ_AS_THEY_ARE = (
    "tokenizer_config.json",
    "config.json",
    "chat_template.jinja",
    "chat_template.json",
    "additional_chat_templates",
    "merges.txt",
)


@dataclass(frozen=True)
class SpecialVocab:
    """What the converter takes from SpecialVocab."""

    special_token_ids: dict[str, int]
    add_special_token: dict[str, bool]
    chat_template: Any
    merges: list[str]


def gguf_merges(snapshot: TokenizerSnapshot) -> list[str]:
    """The snapshot's merges as SpecialVocab writes them: saved strings as they are, saved pairs
    joined by a space with any space inside a part written as U+0120 (gguf-py, llama.cpp#9692)."""
    if snapshot.merges_format == "strings":
        return [f"{left} {right}" for left, right in snapshot.merges or ()]
    return [" ".join(part.replace(" ", "\u0120") for part in pair) for pair in snapshot.merges or ()]


def special_vocab(
    source: TokenizerSource, snapshot: TokenizerSnapshot, size: int, merges: bool
) -> SpecialVocab:
    """SpecialVocab of the source's directory, its tokenizer.json taken from the snapshot."""
    if source.file("tokenizer.json") != source.directory / "tokenizer.json" or not snapshot.saved_specials:
        return read_special_vocab(source.spec, source.directory, size, merges)  # nothing parsed to reuse
    with tempfile.TemporaryDirectory(prefix="tokcheck-special-vocab-") as work:
        _slim_directory(source.directory, snapshot, Path(work))
        # Saved merges come from the snapshot; without them SpecialVocab falls back to merges.txt.
        found = read_special_vocab(source.spec, Path(work), size, merges and not snapshot.merges)
    return found if not (merges and snapshot.merges) else replace(found, merges=gguf_merges(snapshot))


def read_special_vocab(spec: str, directory: Path, size: int, merges: bool) -> SpecialVocab:
    """gguf-py's SpecialVocab of a directory, read as the converter reads it."""
    gguf = import_gguf(spec)
    quiet = logging.getLogger("gguf.vocab")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # SpecialVocab logs each key it sets
    try:
        found = gguf.SpecialVocab(directory, load_merges=merges, n_vocab=size)
    finally:
        quiet.setLevel(level)
    return SpecialVocab(
        dict(found.special_token_ids), dict(found.add_special_token), found.chat_template, list(found.merges)
    )


def _slim_directory(directory: Path, snapshot: TokenizerSnapshot, work: Path) -> None:
    (work / "tokenizer.json").write_text(json.dumps(snapshot.saved_specials), encoding="utf-8")
    for name in _READ_AS_THEY_ARE:
        original = directory / name
        if not original.exists():
            continue
        try:
            os.symlink(original, work / name)
        except OSError:  # no symlinks here (Windows without the privilege): copy the small files
            if original.is_dir():
                shutil.copytree(original, work / name)
            else:
                shutil.copyfile(original, work / name)
