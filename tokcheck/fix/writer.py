"""OUT: every file of TUNED (model weights hard-linked when on the same filesystem, else copied;
never rewritten), then the edited files written anew in OUT. Or, for --dry-run, the same edits as
a unified diff of the text files. Nothing is ever opened for writing outside OUT."""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.fix.files import ABSENT, TunedFiles

WEIGHTS = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".h5", ".msgpack", ".onnx")
_DIFF_WHOLE = 200_000  # a JSON value serialized past this is diffed key by key (tokenizer.json's vocab)


def check_out(out: Path, inputs: list[Path]) -> None:
    """OUT must be new, or an empty directory, and not inside an input: else one usage line."""
    resolved = out.resolve()
    for directory in inputs:
        if resolved == directory.resolve() or directory.resolve() in resolved.parents:
            raise TokcheckUsageError(f"{out}: inside the input directory {directory}; tokcheck fix never writes there")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TokcheckUsageError(f"{out}: already exists and is not an empty directory; give a new one")


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def copy_or_link(source: Path, dest: Path) -> bool:
    """A weight file into OUT: hard-linked when on the same filesystem (True), else copied."""
    try:
        os.link(source.resolve(), dest)
        return True
    except OSError:
        shutil.copyfile(source, dest)  # another filesystem: a plain copy
        return False


def write_out(out: Path, sources: dict[str, Path], files: TunedFiles) -> list[str]:
    """Copy `sources` (relative name -> file) into OUT, then apply the edits; returns the names hard-linked."""
    linked = []
    edits = files.changed()
    out.mkdir(parents=True, exist_ok=True)
    for name, source in sorted(sources.items()):
        if name in edits or name in files.copied:
            continue
        dest = out / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(WEIGHTS):
            if copy_or_link(source, dest):
                linked.append(name)
            continue
        shutil.copyfile(source, dest)
    for name, source in files.copied.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / name)
    for name, value in edits.items():
        dest = out / name
        if value is ABSENT:
            continue  # left out of OUT
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(value if isinstance(value, str) else dumps(value), encoding="utf-8")
    return linked


def dry_run_diff(files: TunedFiles) -> str:
    """The edits as a unified diff of the text files (a large JSON file key by key)."""
    chunks = []
    for name, value in files.changed().items():
        if name.endswith(".json"):
            before = files.original_json(name)
            chunks += _json_diff(before, value, name, [])
        else:
            chunks.append(_diff(files.original_text(name) or "", "" if value is ABSENT else value, name))
    for name in files.copied:
        chunks.append(f"--- {name}\n+++ {name}\n(binary file replaced by base's)\n")
    return "".join(chunks)


def _json_diff(before: Any, after: Any, name: str, path: list[str]) -> list[str]:
    shown = name + "".join(f" [{key}]" for key in path)
    if before == after:
        return []
    if before is ABSENT or after is ABSENT:
        return [_diff("" if before is ABSENT else dumps(before), "" if after is ABSENT else dumps(after), shown)]
    if isinstance(before, dict) and isinstance(after, dict) and len(dumps(before)) > _DIFF_WHOLE:
        chunks = []
        for key in list(before) + [key for key in after if key not in before]:
            chunks += _json_diff(before.get(key, ABSENT), after.get(key, ABSENT), name, [*path, str(key)])
        return chunks
    return [_diff(dumps(before), dumps(after), shown)]


def _diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))
