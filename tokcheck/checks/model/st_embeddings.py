"""sentence-transformers embeddings, base against tuned (drift class 44), through the library itself
where it is installed (the `st` extra): both sides loaded with SentenceTransformer, on CPU, from the
checkpoint directories only, and a few texts embedded. The module files are compared statically by
the sentence_transformers check; this shows what a consumer that pools gets: a pooling lost or
changed, a Normalize dropped, a max_seq_length cut, show as embeddings that differ.

SentenceTransformer imports each module by the class modules.json names: only the library's own
modules are loaded (sentence_transformers.models.*), never a checkpoint's code."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from tokcheck.findings import Finding, Severity
from tokcheck.session import Side

CHECK = "st_embeddings"
TEXTS = (
    "A man is eating food.",
    "The new movie is awesome, and the actors are great!",
    "Ein Mann isst Essen, 男人在吃饭.",
    # longer than 128 tokens: a max_seq_length halved from 256 cuts it
    " ".join(["Tokenizer drift changes what a fine-tuned model sees."] * 24),
)
COSINE_FLOOR = 0.9999  # the same model on the same CPU: equal up to float rounding
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_OWN_MODULES = "sentence_transformers."


def unavailable(base: Side, tuned: Side) -> str | None:
    """Why the embeddings cannot be compared here, or None."""
    if importlib.util.find_spec("sentence_transformers") is None:
        return "sentence-transformers is not installed (pip install 'tokcheck[st]')"
    for side in (base, tuned):
        source = side.source
        if source.bare_file is not None or source.gguf_file is not None:
            return f"{side.name} is a single file, not a sentence-transformers checkpoint"
        if not any((source.directory / name).is_file() for name in WEIGHTS):
            return f"{side.name} ({source.spec}) has no model weights to embed with"
    modules = base.snapshot.sentence_transformers.get("modules.json")
    if not modules:
        return "base is not a sentence-transformers model (no modules.json)"
    for side in (base, tuned):
        for module in side.snapshot.sentence_transformers.get("modules.json") or []:
            kind = module.get("type", "") if isinstance(module, dict) else ""
            if not kind.startswith(_OWN_MODULES):
                return f"{side.name}'s modules.json names {kind!r}, not a sentence-transformers module: not loaded"
    return None


def _embed(directory: Path) -> Any:
    import logging

    from sentence_transformers import SentenceTransformer

    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)  # "no modules.json: mean pooling" is a finding
    model = SentenceTransformer(str(directory), device="cpu", local_files_only=True, trust_remote_code=False)
    return model.encode(list(TEXTS), convert_to_numpy=True, show_progress_bar=False)


def embedding_findings(base: Side, tuned: Side) -> list[Finding]:
    import numpy as np

    before, after = _embed(base.source.directory), _embed(tuned.source.directory)
    if before.shape != after.shape:
        return [Finding(CHECK, "st-embeddings.dimension-changed", Severity.ERROR,
                        f"sentence-transformers embeds with {before.shape[1]} dimensions for base but {after.shape[1]} "
                        "for tuned: every stored vector and index built with base is unusable",
                        where="modules.json", base=before.shape[1], tuned=after.shape[1])]
    norms = np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1)
    cosines = [float(c) for c in (before * after).sum(axis=1) / np.maximum(norms, 1e-12)]
    lengths = [(float(np.linalg.norm(b)), float(np.linalg.norm(a))) for b, a in zip(before, after)]
    differing = [i for i, cosine in enumerate(cosines) if cosine < COSINE_FLOOR]
    rescaled = [i for i, (b, a) in enumerate(lengths) if abs(b - a) > 1e-3 * max(b, a, 1e-12)]
    if not differing and not rescaled:
        return []
    shown = differing or rescaled
    return [Finding(
        CHECK, "st-embeddings.differ", Severity.ERROR,
        f"sentence-transformers embeds {len(set(differing) | set(rescaled))} of {len(TEXTS)} texts differently for "
        f"tuned than for base (lowest cosine {min(cosines):.4f}; vector lengths {lengths[shown[0]][0]:.3f} -> "
        f"{lengths[shown[0]][1]:.3f}): search, clustering and similarity scores change",
        where="sentence-transformers modules", base=[round(length[0], 4) for length in lengths],
        tuned=[round(length[1], 4) for length in lengths],
        detail="\n".join(f"{TEXTS[i][:60]!r}: cosine {cosines[i]:.6f}, length {lengths[i][0]:.4f} -> {lengths[i][1]:.4f}"
                         for i in range(len(TEXTS))),
        fix="restore base's modules.json and module folders (1_Pooling/, 2_Normalize/ ...) and "
            "sentence_bert_config.json", evidence={"engines": []},
    )]
