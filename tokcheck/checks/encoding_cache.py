"""A disk cache of the base side's large sweep encodings, so a repeated CI run loads them (0.5 s
for zoo:llama3's 1.08 M strings) instead of encoding them again (31 s).

Safe by construction: an entry's name hashes everything its ids depend on (the exact bytes of the
tokenizer pipeline that encodes them, which pipeline that is and its flags, every input string in
order, and the tokcheck, tokenizers and transformers versions), so any change misses. Only the
Rust pipeline is cached (a tokenizer.json file, or a live tokenizer whose encode is its backend's);
a transformers encode loop is not, its results depend on more than bytes tokcheck can hash. An
entry also stores its key and a digest of its arrays, checked on every load: a corrupt, truncated
or foreign entry is ignored and rewritten. Entries are numpy arrays (never pickle), written to a
temporary file and renamed, so concurrent workers never see half an entry.

Bounded: after each write, the least recently used entries (a hit touches its entry's mtime) are
removed until all of them take at most `max_bytes` (TOKCHECK_ENCODING_CACHE_MAX_MIB, default
tokcheck.paths.DEFAULT_ENCODING_CACHE_MAX_MIB); an entry larger than that is not written at all."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import struct
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tokcheck.checks.behaviour.batch_codecs import BatchCodec, Codec, FileCodec, IdArrays
from tokcheck.environment import library_version
from tokcheck.paths import DEFAULT_ENCODING_CACHE_MAX_MIB, user_cache_dir

_FORMAT = "tokcheck-encodings-1"
_SUBDIR = "encodings"
_STALE_PARTIAL_S = 3600  # a temporary file this old belongs to a writer that died


def library_versions() -> str:
    return ";".join(f"{name}={library_version(name, missing='absent')}" for name in ("tokcheck", "tokenizers", "transformers"))


def pipeline_identity(codec: Codec) -> str | None:
    """A digest of the exact pipeline `codec` encodes with, or None where it cannot be cached."""
    if isinstance(codec, FileCodec):
        return "file:" + hashlib.sha256(Path(codec.path).read_bytes()).hexdigest()
    if isinstance(codec, BatchCodec) and codec.fast_encode and codec.backend is not None:
        # The live backend's own serialization: what transformers rebuilt, not only what is on disk.
        return "backend:" + hashlib.sha256(codec.backend.to_str().encode("utf-8")).hexdigest()
    return None


def inputs_digest(texts: Sequence[str]) -> str:
    """One digest of every string in order: each one's length in code points and all of them
    joined, which together name exactly one list (computed in C, not a loop per string)."""
    h = hashlib.sha256()
    h.update(struct.pack("<Q", len(texts)))
    h.update(np.fromiter(map(len, texts), dtype=np.uint64, count=len(texts)).tobytes())
    h.update("".join(texts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _arrays_digest(flat: np.ndarray, lengths: np.ndarray) -> str:
    h = hashlib.sha256()
    for array in (flat, lengths):
        h.update(str(array.shape).encode())
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


class EncodingCache:
    """Entries under `directory` (default: <tokcheck user cache dir>/encodings). `versions` is
    there so tests can show a changed library version misses. `notes` says what went wrong
    (an unwritable directory, a corrupt entry), for -v."""

    def __init__(self, directory: Path | None = None, *, versions: str | None = None,
                 max_bytes: int = DEFAULT_ENCODING_CACHE_MAX_MIB * 2**20) -> None:
        self.directory = directory if directory is not None else user_cache_dir() / _SUBDIR
        self.versions = versions if versions is not None else library_versions()
        self.max_bytes = max_bytes
        self.evicted = 0
        self.hits = 0
        self.misses = 0
        self.notes: list[str] = []
        self._writable = True

    def key(self, pipeline: str, add_special_tokens: bool, texts: Sequence[str]) -> str:
        parts = [_FORMAT, self.versions, pipeline, f"add_special_tokens={add_special_tokens}", inputs_digest(texts)]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def encode_arrays(self, codec: Codec, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays:
        """`codec.encode_arrays(texts)`, from the disk where an intact entry for it exists."""
        make: Callable[[], IdArrays] = lambda: codec.encode_arrays(texts, add_special_tokens=add_special_tokens)  # noqa: E731
        pipeline = pipeline_identity(codec)
        if pipeline is None:
            return make()
        key = self.key(pipeline, add_special_tokens, texts)
        path = self.directory / key[:2] / f"{key}.npz"
        found = self._load(path, key)
        if found is not None:
            self.hits += 1
            with contextlib.suppress(OSError):  # used now: the last entry to be evicted
                os.utime(path)
            return found
        self.misses += 1
        value = make()
        self._store(path, key, value)
        return value

    def _load(self, path: Path, key: str) -> IdArrays | None:
        try:
            with np.load(path, allow_pickle=False) as entry:
                stored_key, digest = str(entry["key"]), str(entry["digest"])
                flat, lengths = entry["flat"], entry["lengths"]
        except FileNotFoundError:
            return None
        except Exception as error:  # any unreadable entry: a miss, rewritten below
            self.notes.append(f"encoding cache: ignored unreadable entry {path.name} ({type(error).__name__})")
            return None
        if stored_key != key or digest != _arrays_digest(flat, lengths) or int(lengths.sum()) != len(flat):
            self.notes.append(f"encoding cache: ignored corrupt entry {path.name}")
            return None
        return IdArrays(flat.tolist(), lengths.tolist())

    def _store(self, path: Path, key: str, value: IdArrays) -> None:
        if not self._writable:
            return
        flat = np.asarray(value.flat, dtype=np.uint32)  # tokenizers' ids are u32
        lengths = np.asarray(value.lengths, dtype=np.uint32)
        buffer = io.BytesIO()
        np.savez(buffer, key=np.array(key), digest=np.array(_arrays_digest(flat, lengths)), flat=flat, lengths=lengths)
        if buffer.tell() > self.max_bytes:
            self.notes.append(f"encoding cache: not written, an entry of {buffer.tell() / 2**20:.1f} MiB is over "
                              f"the cache's {self.max_bytes / 2**20:.0f} MiB")
            return
        temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(buffer.getvalue())
            os.replace(temp, path)
        except OSError as error:  # a read-only CI cache: run uncached, say so at -v
            self._writable = False
            self.notes.append(f"encoding cache: not written, {self.directory} is not writable ({error.strerror})")
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            return
        self._evict(keep=path)

    def _evict(self, *, keep: Path) -> None:
        """Remove the least recently used entries (oldest mtime first) until the entries take at
        most max_bytes, never `keep` (just written); and temporary files of writers that died."""
        entries: list[tuple[float, int, Path]] = []
        now = time.time()
        for path in self.directory.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile by another worker
                continue
            if path.name.endswith(".partial"):
                if now - stat.st_mtime > _STALE_PARTIAL_S:
                    with contextlib.suppress(OSError):
                        path.unlink()
            elif path.suffix == ".npz":
                entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                self.evicted += 1
            total -= size
