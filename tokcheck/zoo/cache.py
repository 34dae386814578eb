"""Built zoo directories: building one into a fresh directory, and the per-user cache that makes a
second use cost a load, safely shared by concurrent processes (pytest-xdist workers)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tokcheck.environment import library_version
from tokcheck.errors import TokcheckUsageError
from tokcheck.paths import user_cache_dir
from tokcheck.zoo import packages, registry

_TEMP_SUFFIX = ".partial"
_log = logging.getLogger(__name__)


def cache_root() -> Path:
    """``$TOKCHECK_CACHE_DIR``, else ``${XDG_CACHE_HOME:-~/.cache}/tokcheck``."""
    return user_cache_dir()


def cache_key(name: str) -> str:
    """Hash of everything the built files depend on: each entry's version and builder source along
    the lineage, the data package versions, and the transformers and tokenizers that serialize the
    result. The source is hashed as well as the hand-bumped version, so an edited builder whose
    version nobody bumped still gets a fresh build instead of tests checking a stale one."""
    parts: dict[str, object] = {
        "transformers": library_version("transformers", missing="absent"),
        "tokenizers": library_version("tokenizers", missing="absent"),
        "zoo-source": _zoo_package_digest(),
        "lineage": [
            {
                "name": e.name,
                "version": e.version,
                "builder": _builder_digest(e.make),
                "packages": {d: packages.version(d, name) for d in e.packages},
            }
            for e in registry.lineage(name)
        ],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _zoo_package_digest() -> str:
    """The zoo's own builders, helpers and data files (read once a process: they are the installed
    package, which does not change under a running process)."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _builder_digest(make: Callable[[Path], None]) -> str:
    """The source file of the function that makes an entry (a registered entry may live outside the
    zoo package), or "" where it has none (a builtin)."""
    target = getattr(make, "func", make)  # a functools.partial builds with its function
    try:
        source = inspect.getsourcefile(target)
    except TypeError:  # a builtin or C function: no source to hash; its name and version still count
        return ""
    return hashlib.sha256(Path(source).read_bytes()).hexdigest() if source and Path(source).is_file() else ""


def _new_work_dir(parent: Path, stem: str) -> Path:
    """An empty hidden sibling to build in. Made with os.mkdir (not mkdtemp, whose 0700 mode would
    end up on the cache entry) so the entry gets the permissions the umask gives any directory."""
    work = parent / f".{stem}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
    os.mkdir(work)
    return work


def _fill(name: str, dest: Path, base_dir: Path | None) -> None:
    """Make zoo:name inside the existing empty ``dest``; a mutant starts from a copy of base_dir."""
    entry = registry.entry(name)
    if entry.base is not None:
        assert base_dir is not None
        shutil.copytree(base_dir, dest, dirs_exist_ok=True)
    entry.make(dest)


def build(name: str, dest: Path) -> Path:
    """Build zoo:name from scratch into the new directory ``dest`` (absent or empty); the cache is
    neither read nor written. The files appear there all at once, or not at all."""
    entry = registry.entry(name)
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TokcheckUsageError(
            f"cannot build zoo:{name} into {dest}: it exists and is not an empty directory"
        )
    for e in registry.lineage(name):  # fail on a missing data package before any work
        for distribution in e.packages:
            packages.version(distribution, name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = _new_work_dir(dest.parent, dest.name)
    try:
        if entry.base is None:
            _fill(name, work, None)
        else:
            base_work = _new_work_dir(dest.parent, f"{dest.name}.base")
            try:
                build(entry.base, base_work / "base")
                _fill(name, work, base_work / "base")
            finally:
                shutil.rmtree(base_work, ignore_errors=True)
        if dest.exists():
            dest.rmdir()
        os.rename(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on lock_path; without fcntl (Windows), hold nothing and
    rely on the atomic rename alone (work may then be duplicated, never half-visible)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def path_for(name: str) -> Path:
    """The cached directory of zoo:name, built on first use.

    Only complete directories ever carry the final name: each is built in a temporary sibling and
    renamed into place, under a per-entry file lock so that concurrent callers wait for one build
    instead of repeating it."""
    entry = registry.entry(name)
    zoo_dir = cache_root() / "zoo"
    target = zoo_dir / f"{name}-{cache_key(name)}"
    if target.is_dir():
        return target
    base_dir = path_for(entry.base) if entry.base is not None else None
    zoo_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(zoo_dir / f".{target.name}.lock"):
        if target.is_dir():
            return target
        # Under the lock, any temporary directory for this target is a leftover of a killed build.
        for stale in zoo_dir.glob(f".{target.name}.*{_TEMP_SUFFIX}"):
            shutil.rmtree(stale, ignore_errors=True)
        work = _new_work_dir(zoo_dir, target.name)
        started = time.perf_counter()
        try:
            _fill(name, work, base_dir)
            os.rename(work, target)
            seconds = time.perf_counter() - started
            # CI's time table sums these (tests/ci_times.py): a warm cache shows as no builds at all.
            _log.info("built zoo:%s in %.1f s", name, seconds, extra={"seconds": seconds})
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            if not target.is_dir():  # lost a lock-free race (no fcntl): the winner's copy is as good
                raise
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return target
