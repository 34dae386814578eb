"""The snapshots, loaded tokenizers and canonical file digests a run has made, keyed by content: one
SnapshotStore, which the run makes and passes down to every side it reads and to the fingerprints
of its checkpoints.

- A run over many checkpoints reads the shared base once and fingerprints each distinct file once.
- A pytest-xdist worker starts from its controller's store (pack, receive): the controller has
  already read and validated every side's files when pytest starts, so no worker parses the same
  tokenizer.json again (about half a CPU second per tokenizer, in every worker), nor canonicalises
  a checkpoint's files again (a quarter of a CPU second per distinct checkpoint tokenizer).
- A process that runs tokcheck many times over the same files (the self-test's in-process runs)
  may give every run one store through the pytest_tokcheck_snapshot_store hook, so that each base
  is read and loaded once.

A snapshot is keyed by the exact bytes of every file a snapshot reads, the spec, the flags and the
versions it depends on; a side whose files differ (changed since, or another host under --tx) finds
no snapshot under its key and reads the files itself, so a stored snapshot is never stale. Snapshots
are read-only: every check reads them, none writes."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from typing import TypeVar

from tokcheck import __version__
from tokcheck.environment import library_version
from tokcheck.sources.beside import beside_files
from tokcheck.sources.files import KNOWN_FILES, TEMPLATE_DIR
from tokcheck.sources.fingerprint import tokenizer_fingerprint
from tokcheck.sources.live import LoadedTokenizer, load
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import TokenizerSource

T = TypeVar("T")


def content_key(source: TokenizerSource, trust_remote_code: bool) -> str | None:
    """What a snapshot of `source` depends on, hashed; None where no snapshot is stored (a GGUF,
    read by its own mmap reader, or a file that cannot be read: the side says why when it reads it)."""
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
    if source.bare_file is None:
        names += beside_files(source.directory)
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


def _kept(kept: dict[str, T], key: str | None, make: Callable[[], T]) -> T:
    """kept[key], made and kept when absent; made every time where there is no key."""
    if key is None:
        return make()
    if key not in kept:
        kept[key] = make()
    return kept[key]


class SnapshotStore:
    """Snapshots and loaded tokenizers by content key, and canonical digests by the sha256 of a
    file's bytes."""

    def __init__(self) -> None:
        self._snapshots: dict[str, TokenizerSnapshot] = {}
        self._loaded: dict[str, LoadedTokenizer] = {}  # this process only: never packed
        self._digests: dict[str, str] = {}

    def snapshot(self, source: TokenizerSource, trust_remote_code: bool) -> TokenizerSnapshot:
        """The snapshot of `source`: the stored one of the same files, else read now (and stored).
        Bad files raise TokcheckUsageError, and nothing is stored for them."""
        return _kept(self._snapshots, content_key(source, trust_remote_code),
                     lambda: take_snapshot(source, trust_remote_code=trust_remote_code))

    def loaded(self, source: TokenizerSource, trust_remote_code: bool) -> LoadedTokenizer:
        """The tokenizer of `source` as it loads (tokcheck.sources.live.load): the one already loaded
        from the same files, else loaded now. The checks leave a live tokenizer as they found it
        (the base of a run over many checkpoints is one object for all of them)."""
        return _kept(self._loaded, content_key(source, trust_remote_code),
                     lambda: load(source, trust_remote_code=trust_remote_code))

    def fingerprint(self, source: TokenizerSource) -> str:
        """tokcheck.sources.fingerprint's digest of `source`, canonicalising only bytes not seen before."""
        return tokenizer_fingerprint(source, self._digests)

    def copy(self) -> SnapshotStore:
        """A new store that starts with this one's snapshots, tokenizers and digests (the same
        objects: the checks only read them), and keeps what it reads after to itself."""
        copied = SnapshotStore()
        copied._snapshots.update(self._snapshots)
        copied._loaded.update(self._loaded)
        copied._digests.update(self._digests)
        return copied

    def pack(self) -> bytes:
        """Every snapshot and digest made so far, as bytes for an xdist worker's workerinput."""
        return pickle.dumps({"version": __version__, "snapshots": self._snapshots, "digests": self._digests},
                            protocol=pickle.HIGHEST_PROTOCOL)

    def receive(self, blob: bytes) -> None:
        """Take the controller's snapshots and digests; bytes that do not unpickle here (another
        host's Python or tokcheck) are dropped, and this process reads its files itself."""
        try:
            payload = pickle.loads(blob)  # bytes from this run's own controller, over xdist's channel
        except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError):
            return
        if not isinstance(payload, dict) or payload.get("version") != __version__:
            return  # another tokcheck: its snapshots and canonical forms may be made differently
        snapshots, digests = payload.get("snapshots"), payload.get("digests")
        if isinstance(snapshots, dict):
            self._snapshots.update({k: v for k, v in snapshots.items()
                                    if isinstance(k, str) and isinstance(v, TokenizerSnapshot)})
        if isinstance(digests, dict):
            self._digests.update({k: v for k, v in digests.items() if isinstance(k, str) and isinstance(v, str)})
