"""Running llama.cpp's convert_hf_to_gguf.py --vocab-only on a zoo directory (it needs torch and a
config.json with architectures and vocab_size, which the zoo's bases have)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.zoo.gguf import llamacpp

GGUF_NAME = "tokenizer.gguf"


def convert(model_dir: Path, out: Path) -> Path:
    sources = llamacpp.require()
    env = {**os.environ, "PYTHONPATH": str(sources / "gguf-py"), "NO_LOCAL_GGUF": ""}
    result = subprocess.run(
        [sys.executable, str(sources / "convert_hf_to_gguf.py"), "--vocab-only", "--outfile", str(out), str(model_dir)],
        capture_output=True, text=True, env=env, check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise TokcheckUsageError(f"convert_hf_to_gguf.py failed on {model_dir}: {last}")
    return out
