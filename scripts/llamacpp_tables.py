"""Regenerate tokcheck/sources/gguf/data/llamacpp.json from a llama.cpp source tree (the one
vendored in the llama-cpp-python sdist): the chkhsh -> pre-tokenizer table and chktxt of
convert_hf_to_gguf.py's get_vocab_base_pre, and the end-of-generation token texts of
src/llama-vocab.cpp. Usage: python scripts/llamacpp_tables.py LLAMA_CPP_DIR COMMIT"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tokcheck" / "sources" / "gguf" / "data" / "llamacpp.json"


def main(root: Path, commit: str) -> None:
    base = (root / "conversion" / "base.py").read_text(encoding="utf-8")
    body = base[base.index("def get_vocab_base_pre"): base.index("# Marker: End get_vocab_base_pre")]
    found = re.search(r"^\s*chktxt = (.*)$", body, re.M)
    assert found is not None, "no chktxt in get_vocab_base_pre"
    chktxt = ast.literal_eval(found[1])
    table = dict(re.findall(r'if chkhsh == "([0-9a-f]{64})":\s*\n(?:\s*#.*\n)*\s*res = "([^"]+)"', body))
    vocab = (root / "src" / "llama-vocab.cpp").read_text(encoding="utf-8")
    eog_block = vocab[vocab.index("special_eog_ids.clear();"): vocab.index("// sanity checks")]
    eog = re.findall(r't\.first == "((?:[^"\\]|\\.)*)"', eog_block)
    eog = [t for t in eog if t not in ("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")]
    OUT.write_text(json.dumps({
        "source": f"llama.cpp {commit} (vendored in llama-cpp-python 0.3.36): conversion/base.py get_vocab_base_pre, "
                  "src/llama-vocab.cpp special_eog_ids",
        "chktxt": chktxt, "chkhsh": table, "eog_texts": eog,
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(table)} hashes, {len(eog)} end-of-generation texts")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
