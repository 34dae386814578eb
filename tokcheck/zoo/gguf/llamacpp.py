"""llama.cpp's converter and test vocabularies, from the llama-cpp-python source distribution
(vendor/llama.cpp): never committed, fetched with pip into tokcheck's cache by
`python -m tokcheck.zoo.gguf.llamacpp` (CI does this), found there afterwards without network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.paths import user_cache_dir

SDIST = "llama-cpp-python==0.3.36"
COMMIT = "0c1e57098bba43ac29e6e3b677cdceebdd22334f"  # vendor/llama.cpp in that sdist
FETCH_COMMAND = f"{Path(sys.executable).name} -m tokcheck.zoo.gguf.llamacpp"
# What tokcheck uses of the tree: the converter, gguf-py, the test vocabularies, llama-vocab.cpp.
_KEPT = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/", "models/ggml-vocab-", "src/llama-vocab.cpp")


def sources_dir() -> Path:
    return user_cache_dir() / "llamacpp" / SDIST.replace("==", "-")


def unavailable(*, convert: bool = False) -> str | None:
    """Why the llama.cpp sources (and, with `convert`, its converter's torch and the gguf package)
    cannot be used here, or None when they can."""
    import importlib.util

    if importlib.util.find_spec("gguf") is None:
        return "the gguf package is not installed: pip install 'tokcheck[gguf]'"
    if not (sources_dir() / "convert_hf_to_gguf.py").is_file():
        return f"llama.cpp's converter is not in the cache ({sources_dir()}); fetch it with: {FETCH_COMMAND}"
    if convert and importlib.util.find_spec("torch") is None:
        return "llama.cpp's convert_hf_to_gguf.py needs torch: pip install torch==2.13.0"
    return None


def require() -> Path:
    reason = unavailable()
    if reason is not None:
        raise TokcheckUsageError(reason)
    return sources_dir()


def vocab_files() -> list[Path]:
    """The vendored models/ggml-vocab-*.gguf (each with .inp/.out test vectors, most of them)."""
    return sorted((require() / "models").glob("ggml-vocab-*.gguf"))


def fetch() -> Path:
    """Download the sdist with pip and unpack the parts tokcheck uses into the cache."""
    target = sources_dir()
    if unavailable() is None:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                        SDIST, "-d", work], check=True)
        archive = next(Path(work).glob("*.tar.gz"))
        unpacked = Path(work) / "tree"
        with tarfile.open(archive) as tar:
            prefix = tar.getnames()[0].split("/")[0] + "/vendor/llama.cpp/"
            members = [m for m in tar.getmembers() if m.name.startswith(prefix)
                       and m.name[len(prefix):].startswith(_KEPT) and (m.isfile() or m.isdir())]
            for member in members:
                member.name = member.name[len(prefix):]
            tar.extractall(unpacked, members=members, filter="data")
        if target.exists():
            shutil.rmtree(target)
        os.rename(unpacked, target)
    return target


if __name__ == "__main__":  # pragma: no cover
    print(fetch())
