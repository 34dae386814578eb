"""The GGUF side of a pair as the GGUF checks compare it: a GGUF's own metadata, or for a Hugging
Face side what llama.cpp's converter would write for it; and the stop ids llama.cpp must honour."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from tokcheck.checks.static.chkhsh_tokenizer import chkhsh_encode
from tokcheck.checks.static.gguf import gguf_findings
from tokcheck.checks.static.gguf_expected import expected_gguf
from tokcheck.findings import Finding
from tokcheck.session import Side
from tokcheck.sources.gguf.metadata import GGUFTokenizer


def is_gguf_pair(base: Side, tuned: Side) -> bool:
    return base.snapshot.gguf is not None or tuned.snapshot.gguf is not None


def chkhsh_encoder(side: Side) -> Callable[[str], Sequence[int]]:
    """What encodes chktxt for the chkhsh: the side's tokenizer.json through the tokenizers library
    (what AutoTokenizer.encode runs for a fast tokenizer, without importing transformers, and so
    torch, for a static diff), rebuilt from the snapshot where it can be; else the live tokenizer."""
    path = side.source.file("tokenizer.json")
    if path is None or side.snapshot.tokenizer_json_origin != "tokenizer.json":
        return cast(Callable[[str], Sequence[int]], side.tokenizer.encode)
    return chkhsh_encode(side.snapshot, path)


def as_gguf(side: Side, other: Side) -> GGUFTokenizer:
    """The side's GGUF, or what the converter writes for it (what it cannot know without a
    config.json taken from the other side's GGUF)."""
    if side.snapshot.gguf is not None:
        return side.snapshot.gguf
    return expected_gguf(side.source, side.snapshot, chkhsh_encoder(side), other.snapshot.gguf)


def stop_ids(side: Side, gguf: GGUFTokenizer) -> set[int]:
    """generation_config / config eos ids of a HF side; a GGUF's explicit eos, eot and eom."""
    if side.snapshot.gguf is None:
        return set(side.snapshot.stop_ids())
    return {i for name in ("eos", "eot", "eom") if (i := gguf.special_ids[name]) is not None}


def gguf_pair_findings(base: Side, tuned: Side, check_names: list[str]) -> dict[str, list[Finding]]:
    base_gguf, tuned_gguf = as_gguf(base, tuned), as_gguf(tuned, base)
    hf, hf_gguf = ((base, base_gguf) if base.snapshot.gguf is None else
                   (tuned, tuned_gguf) if tuned.snapshot.gguf is None else (base, base_gguf))
    found = gguf_findings(base_gguf, tuned_gguf, stop_ids(hf, hf_gguf), tuned.source.spec)
    return {name: found.get(name, []) for name in check_names}
