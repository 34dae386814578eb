"""The GGUF side of a pair as the GGUF checks compare it: a GGUF's own metadata, or for a Hugging
Face side what llama.cpp's converter would write for it; and the stop ids llama.cpp must honour."""

from __future__ import annotations

from tokcheck.checks.static.gguf import gguf_findings
from tokcheck.checks.static.gguf_expected import expected_gguf
from tokcheck.findings import Finding
from tokcheck.session import Side
from tokcheck.sources.gguf.metadata import GGUFTokenizer


def is_gguf_pair(base: Side, tuned: Side) -> bool:
    return base.snapshot.gguf is not None or tuned.snapshot.gguf is not None


def as_gguf(side: Side) -> GGUFTokenizer:
    if side.snapshot.gguf is not None:
        return side.snapshot.gguf
    return expected_gguf(side.source, side.snapshot, side.tokenizer.encode)


def stop_ids(side: Side, gguf: GGUFTokenizer) -> set[int]:
    """generation_config / config eos ids of a HF side; a GGUF's explicit eos, eot and eom."""
    if side.snapshot.gguf is None:
        return set(side.snapshot.stop_ids())
    return {i for name in ("eos", "eot", "eom") if (i := gguf.special_ids[name]) is not None}


def gguf_pair_findings(base: Side, tuned: Side, check_names: list[str]) -> dict[str, list[Finding]]:
    base_gguf, tuned_gguf = as_gguf(base), as_gguf(tuned)
    hf = base if base.snapshot.gguf is None else tuned if tuned.snapshot.gguf is None else base
    found = gguf_findings(base_gguf, tuned_gguf, stop_ids(hf, as_gguf(hf)), tuned.source.spec)
    return {name: found.get(name, []) for name in check_names}
