"""The serving engines' own source files that tokcheck's rules are cross-checked against
(tests/checks/engines/test_*_crosscheck.py), taken from their PyPI releases into tokcheck's cache by
`python -m tests.engine_sources` (tox's model env runs it before its tests; pip keeps the wheels in
its cache). The cross-checks skip, naming this command, where a file is not there. Only the files
named here are kept, and nothing of them is imported as a package: vLLM needs CUDA builds of torch
and SGLang its own kernels, so their functions are read from the files themselves."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tokcheck.paths import user_cache_dir

VLLM = "vllm==0.34.0"
SGLANG = "sglang==0.5.23"
FILES: dict[str, tuple[str, ...]] = {
    VLLM: ("vllm/renderers/hf.py",),
    SGLANG: ("sglang/srt/parser/jinja_template_utils.py",),
}
FETCH_COMMAND = f"{Path(sys.executable).name} -m tests.engine_sources"


def engine_file(release: str, name: str) -> Path:
    return user_cache_dir() / "engines" / release.replace("==", "-") / name


def vllm_file(name: str) -> Path:
    return engine_file(VLLM, name)


def fetch(release: str) -> None:
    """The wheel through pip (no dependencies, nothing installed), and the kept files out of it."""
    if all(engine_file(release, name).is_file() for name in FILES[release]):
        return
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", release,
                        "-d", work, "-q"], check=True)
        wheel = next(Path(work).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES[release]:
                target = engine_file(release, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".partial")
                partial.write_bytes(archive.read(name))
                partial.replace(target)


if __name__ == "__main__":  # pragma: no cover
    for release in FILES:
        fetch(release)
        print(*(engine_file(release, name) for name in FILES[release]))
