"""The fuzz harness: a small real checkpoint (tokenizer files saved by the installed transformers,
model configs, safetensors weights, an index, an adapter), one damaged copy of it per example, and
the in-process run of what tokcheck reads from it: the static pipeline (`tokcheck diff`'s), the live
load and the model inspection. Every run must end in findings or one usage-error line, within a wall
limit and a memory limit, with the directory unchanged. tests/fuzz/test_contract.py proves the same
contract (exit codes, one line, no traceback) through subprocesses on a sample."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.toys import build_toy, write_json
from tokcheck import deadline
from tokcheck.checks.static import static_findings
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

WALL_SECONDS = 30  # per example; a hang is a failure, not a slow test
MEMORY_GROWTH_MB = 1024  # peak RSS may not grow by more than this in one example


@dataclass(frozen=True)
class Outcome:
    """How one run ended: `findings` (their count, and whether any fails: exit 1) or `usage` (the line)."""

    findings: int = 0
    fails: bool = False
    usage: str | None = None


def safetensors_bytes(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    from safetensors.numpy import save

    return save(tensors, metadata=metadata)


def build_checkpoint(dest: Path) -> Path:
    """The real checkpoint every example damages one file of: the toy tokenizer (saved by the
    installed transformers), special_tokens_map.json and added_tokens.json as older saves write them,
    the slow files (vocab.json, merges.txt) of the same BPE, config.json/generation_config.json, and
    model.safetensors with rows for every id."""
    build_toy(dest)
    tokenizer = json.loads((dest / "tokenizer.json").read_text(encoding="utf-8"))
    size = max(token["id"] for token in tokenizer["added_tokens"]) + 1
    write_json(dest / "special_tokens_map.json", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"})
    write_json(dest / "added_tokens.json", {t["content"]: t["id"] for t in tokenizer["added_tokens"]})
    write_json(dest / "vocab.json", tokenizer["model"]["vocab"])
    merges = tokenizer["model"]["merges"]
    (dest / "merges.txt").write_text(
        "#version: 0.2\n" + "".join((m if isinstance(m, str) else " ".join(m)) + "\n" for m in merges), encoding="utf-8"
    )
    rng = np.random.default_rng(0)
    weights = {
        "model.embed_tokens.weight": rng.standard_normal((size, 8)).astype(np.float32),
        "lm_head.weight": rng.standard_normal((size, 8)).astype(np.float32),
    }
    (dest / "model.safetensors").write_bytes(safetensors_bytes(weights, {"format": "pt"}))
    return dest


def gguf_export(checkpoint: Path, dest: Path) -> Path:
    """The checkpoint's tokenizer as a llama.cpp GGUF (gguf's own GGUFWriter, key-value section
    only, as a --vocab-only conversion writes it): tokens, types, merges, special ids, template."""
    import gguf

    tokenizer = json.loads((checkpoint / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = dict(tokenizer["model"]["vocab"])
    added = {token["id"]: token for token in tokenizer["added_tokens"]}
    size = max([*vocab.values(), *added]) + 1
    by_id = {index: piece for piece, index in vocab.items()}
    tokens, types = [], []
    for index in range(size):
        if index in added:
            tokens.append(added[index]["content"])
            types.append(gguf.TokenType.CONTROL if added[index]["special"] else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id.get(index, f"[PAD{index}]"))
            types.append(gguf.TokenType.NORMAL if index in by_id else gguf.TokenType.UNUSED)
    dest.mkdir(parents=True)
    writer = gguf.GGUFWriter(dest / "model.gguf", arch="llama")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("llama-bpe")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]])
    ids = {token["content"]: token["id"] for token in tokenizer["added_tokens"]}
    writer.add_bos_token_id(ids["<|begin_of_text|>"])
    writer.add_eos_token_id(ids["<|eot_id|>"])
    writer.add_add_bos_token(True)
    writer.add_chat_template((checkpoint / "chat_template.jinja").read_text(encoding="utf-8"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    return dest


def sharded(checkpoint: Path, dest: Path) -> Path:
    """The checkpoint with its weights as one shard named by model.safetensors.index.json."""
    shutil.copytree(checkpoint, dest)
    shard = "model-00001-of-00001.safetensors"
    (dest / "model.safetensors").rename(dest / shard)
    header = read_safetensors_header((dest / shard).read_bytes())
    write_json(dest / "model.safetensors.index.json", {
        "metadata": {"total_size": (dest / shard).stat().st_size},
        "weight_map": {name: shard for name in header if name != "__metadata__"},
    })
    return dest


def adapter(checkpoint: Path, dest: Path) -> Path:
    """A PEFT adapter over the checkpoint (its base named by path), with modules_to_save rows."""
    dest.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        shutil.copy(checkpoint / name, dest / name)
    write_json(dest / "adapter_config.json", {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": str(checkpoint), "r": 2,
        "lora_alpha": 4, "target_modules": ["q_proj", "v_proj"], "modules_to_save": ["embed_tokens", "lm_head"],
    })
    header = read_safetensors_header((checkpoint / "model.safetensors").read_bytes())
    rows = header["model.embed_tokens.weight"]["shape"][0]
    rng = np.random.default_rng(1)
    (dest / "adapter_model.safetensors").write_bytes(safetensors_bytes({
        "base_model.model.model.embed_tokens.weight": rng.standard_normal((rows, 8)).astype(np.float32),
        "base_model.model.lm_head.weight": rng.standard_normal((rows, 8)).astype(np.float32),
    }))
    return dest


def read_safetensors_header(data: bytes) -> dict[str, Any]:
    (length,) = struct.unpack("<Q", data[:8])
    header: dict[str, Any] = json.loads(data[8 : 8 + length])
    return header


def tree_digest(root: Path) -> str:
    """Every path under root with its kind and bytes (links as their targets' text, never followed)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_symlink():
            digest.update(b"L" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(b"F" + path.read_bytes())
        else:
            digest.update(b"D")
    return digest.hexdigest()


class Hang(BaseException):
    """Raised by the wall-limit alarm (a BaseException, so no broad except in tokcheck can hide it)."""


def wall_limit(seconds: int) -> contextlib.AbstractContextManager[None]:
    return deadline.wall_limit(seconds, lambda: Hang(f"no end within {seconds} s"))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(base: TokenizerSnapshot, tuned_dir: Path, *, live: bool, spec: Path | None = None) -> Outcome:
    """What tokcheck does with a tuned directory, in process: resolve and snapshot it, the static
    checks against base, the live load (``live``), and the model inspection of its weights. `spec`:
    a file inside it given as the spec (a .gguf). A TokcheckUsageError at any stage is the one-line
    outcome; anything else propagates (a crash)."""
    from tokcheck.checks.model.inspection import ModelInspection, ModelPair
    from tokcheck.checks.model.weights import find_model
    from tokcheck.sources.live import load

    try:
        source = resolve(str(spec or tuned_dir))
        snapshot = take_snapshot(source)
        findings = [f for check in static_findings(base, snapshot).values() for f in check]
        if live:
            load(source)
        files = find_model(source.directory, str(tuned_dir))
        if files is not None:
            files.validate()
            inspection = ModelInspection(ModelPair(tuned=files), snapshot, base)
            if inspection.unavailable is None:
                findings += [f for check in inspection.findings.values() for f in check]
    except TokcheckUsageError as error:
        line = str(error)
        assert line and "\n" not in line, f"a usage error must be one line: {line!r}"
        return Outcome(usage=line)
    return Outcome(findings=len(findings), fails=any(f.fails(strict=False) for f in findings))


def run_contained(base: TokenizerSnapshot, tuned_dir: Path, *, live: bool, spec: Path | None = None) -> Outcome:
    """run_pipeline under the wall and memory limits, with the directory hashed before and after."""
    before, rss = tree_digest(tuned_dir), peak_rss_mb()
    with wall_limit(WALL_SECONDS):
        outcome = run_pipeline(base, tuned_dir, live=live, spec=spec)
    assert peak_rss_mb() - rss < MEMORY_GROWTH_MB, f"peak memory grew by {peak_rss_mb() - rss:.0f} MB"
    assert tree_digest(tuned_dir) == before, "tokcheck wrote into the checkpoint"
    return outcome
