"""A tokenizer's identity from its files: two sources with equal fingerprints hold the same files
after canonicalisation (JSON parsed and written with sorted keys, tokenizer.json pipeline parts in
tokcheck.sources.canonical form), so every check gives both the same verdict and a run over many
checkpoints checks one of them. Conservative: any other difference in any file tokcheck reads
(a config key, a template byte, a model file) makes them different.

Hashing is cheap (bytes first); a file is parsed only when its bytes are not in the digests the
caller keeps (a run's SnapshotStore), so identical re-saves of a 9 MB tokenizer.json cost one hash each."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.gc_pause import gc_paused
from tokcheck.sources import canonical
from tokcheck.sources.beside import beside_files
from tokcheck.sources.files import KNOWN_FILES, TEMPLATE_DIR
from tokcheck.sources.shapes import check_shapes
from tokcheck.sources.spec import TokenizerSource


def _canonical_tokenizer_json(data: dict[str, Any]) -> dict[str, Any]:
    model = data.get("model") or {}
    pairs, _ = canonical.merges(model)
    return {
        **{key: value for key, value in data.items() if key not in ("model", *canonical.COMPONENTS)},
        "components": canonical.components(data),
        "model": {"type": canonical.model_type(model), "params": canonical.model_params(model),
                  "vocab": model.get("vocab"), "merges": pairs},
    }


def _well_shaped(data: Any) -> bool:
    """Whether a tokenizer.json holds what canonicalising it reads; one that does not is compared
    by its bytes (checked, its snapshot then says what is wrong in one line)."""
    if not isinstance(data, dict):
        return False
    try:
        check_shapes("tokenizer.json", data, "tokenizer.json")
    except TokcheckUsageError:
        return False
    return True


@gc_paused()  # a tokenizer.json parses into hundreds of thousands of lists
def _file_digest(path: Path, known: dict[str, str]) -> str:
    raw = path.read_bytes()
    key = hashlib.sha256(raw).hexdigest()
    if key in known:
        return known[key]
    digest = key
    if path.suffix == ".json":
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None  # compared by its bytes; the snapshot of the checked one reports it
        if path.name == "tokenizer.json" and data is not None:
            data = _canonical_tokenizer_json(data) if _well_shaped(data) else None
        if data is not None:
            text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known[key] = digest
    return digest


def tokenizer_fingerprint(source: TokenizerSource, known: dict[str, str]) -> str:
    """One digest of every file of `source` that tokcheck reads, each in canonical form. `known`:
    canonical digests by the sha256 of a file's bytes, read and filled (a file with the same bytes
    has the same canonical form, so it is parsed once)."""
    if source.bare_file is not None:
        named = [("tokenizer.json", source.bare_file)]
    else:
        named = [(name, source.directory / name) for name in KNOWN_FILES]
        template_dir = source.directory / TEMPLATE_DIR
        if template_dir.is_dir():
            named += [(f"{TEMPLATE_DIR}/{path.name}", path) for path in sorted(template_dir.glob("*.jinja"))]
        named += [(name, source.directory / name) for name in beside_files(source.directory)]
    parts = [f"{name}={_file_digest(path, known)}" for name, path in named if path.is_file()]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
