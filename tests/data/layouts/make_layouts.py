"""Regenerate the committed save layouts: the same toy tokenizer saved by the installed transformers.

Run once per transformers major (e.g. `.venv457/bin/python tests/data/layouts/make_layouts.py`); the
directory is named after the transformers version that wrote it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import transformers

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.toys import build_toy

if __name__ == "__main__":
    target = Path(__file__).parent / f"transformers-{transformers.__version__}"
    if target.exists():
        sys.exit(f"{target} exists; delete it first")
    build_toy(target)
    print(f"wrote {target}")
