"""The serving engines' own source files that tokcheck's rules are cross-checked against
(tests/checks/engines/test_vllm_crosscheck.py), taken from their PyPI releases into tokcheck's
cache by `python -m tests.engine_sources` (tox's model env runs it before its tests; pip keeps the
wheel in its cache). The cross-checks skip, naming this command, where a file is not there. Only
the files named here are kept, and nothing of them is imported as a package: vLLM needs CUDA
builds of torch, so its functions are read from the file itself."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tokcheck.paths import user_cache_dir

VLLM = "vllm==0.34.0"
VLLM_FILES = ("vllm/renderers/hf.py",)
FETCH_COMMAND = f"{Path(sys.executable).name} -m tests.engine_sources"


def vllm_file(name: str) -> Path:
    return user_cache_dir() / "engines" / VLLM.replace("==", "-") / name


def fetch_vllm() -> None:
    """The wheel through pip (no dependencies, nothing installed), and the kept files out of it."""
    if all(vllm_file(name).is_file() for name in VLLM_FILES):
        return
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", VLLM,
                        "-d", work, "-q"], check=True)
        wheel = next(Path(work).glob("vllm-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in VLLM_FILES:
                target = vllm_file(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".partial")
                partial.write_bytes(archive.read(name))
                partial.replace(target)


if __name__ == "__main__":  # pragma: no cover
    fetch_vllm()
    print(vllm_file(VLLM_FILES[0]))
