"""Snapshots handed from the pytest-xdist controller to its workers: the controller has already read
and validated every side's files when pytest starts, so each worker takes those snapshots instead
of parsing the same tokenizer.json again (about half a CPU second per tokenizer, in every worker),
and the canonical digests of the files it fingerprinted (tokcheck.sources.fingerprint, keyed by the
sha256 of each file's bytes: a quarter of a CPU second per distinct checkpoint tokenizer).

A snapshot is keyed by the exact bytes of every file a snapshot reads, the spec, the flags and the
versions it depends on; a worker whose files differ (changed since, or another host under --tx)
finds no snapshot under its key and reads the files itself, so a handed snapshot is never stale."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from typing import Any

from tokcheck import __version__
from tokcheck.environment import library_version
from tokcheck.sources.files import KNOWN_FILES, TEMPLATE_DIR
from tokcheck.sources.fingerprint import known_digests, learn_digests
from tokcheck.sources.spec import TokenizerSource

_handed: dict[str, Any] = {}  # content key -> TokenizerSnapshot, in this worker


def content_key(source: TokenizerSource, trust_remote_code: bool) -> str | None:
    """What a snapshot of `source` depends on, hashed; None where no snapshot is handed (a GGUF,
    read by its own mmap reader, or a file that cannot be read: the worker says why itself)."""
    if source.gguf_file is not None:
        return None
    digest = hashlib.sha256()
    # tokenizers and transformers: a directory with slow files only is converted by transformers.
    for part in (__version__, library_version("transformers"), library_version("tokenizers"),
                 source.spec, str(source.bare_file is not None), str(trust_remote_code)):
        digest.update(part.encode("utf-8") + b"\0")
    names = list(KNOWN_FILES)
    template_dir = source.directory / TEMPLATE_DIR
    if source.bare_file is None and template_dir.is_dir():
        names += [f"{TEMPLATE_DIR}/{path.name}" for path in sorted(template_dir.glob("*.jinja"))]
    for name in names:
        path = source.file(name) if "/" not in name else source.directory / name
        if path is None:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def pack(sides: Iterable[tuple[TokenizerSource, bool, Any]]) -> bytes:
    """(source, trust_remote_code, snapshot) of every side already read, as bytes for workerinput."""
    keyed = {key: snapshot for source, trust, snapshot in sides
             if (key := content_key(source, trust)) is not None}
    return pickle.dumps({"version": __version__, "snapshots": keyed, "digests": known_digests()},
                        protocol=pickle.HIGHEST_PROTOCOL)


def receive(blob: bytes) -> None:
    """Keep the controller's snapshots for this worker; bytes that do not unpickle here (another
    host's Python or tokcheck) are dropped, and the worker reads its files itself."""
    try:
        payload = pickle.loads(blob)  # bytes from this run's own controller, over xdist's channel
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError):
        return
    if not isinstance(payload, dict) or payload.get("version") != __version__:
        return  # another tokcheck: its snapshots and canonical forms may be made differently
    _handed.update(payload.get("snapshots") or {})
    learn_digests(payload.get("digests") or {})


def handed_over(source: TokenizerSource, trust_remote_code: bool) -> Any:
    """The controller's snapshot of `source` when its files are byte for byte the same here, else None."""
    if not _handed:
        return None
    key = content_key(source, trust_remote_code)
    return _handed.get(key) if key is not None else None


def clear() -> None:
    _handed.clear()
