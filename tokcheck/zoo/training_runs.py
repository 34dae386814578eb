"""Synthetic training output directories made of zoo tokenizers, laid out the way HF Trainer and
LLaMA-Factory leave them (``checkpoint-N/`` folders, then the final save in the directory itself):
identical re-saves, a drift that appears mid-run, one that a later checkpoint reverts, a LoRA
adapter checkpoint, and a checkpoint folder that holds weights but no tokenizer files.

    tokcheck zoo build llama3-run DIR          # the drifted run
    pytest --base-tokenizer zoo:llama3 --tuned DIR
"""

from __future__ import annotations

import json
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.zoo.cache import path_for
from tokcheck.zoo.mutations import reserialize_json

FINAL = "."  # the run directory's own save


@dataclass(frozen=True)
class Folder:
    """One save of a run: its folder, the zoo tokenizer it holds (None: no tokenizer files), and
    how it was saved on top (re-serialized JSON, a LoRA adapter next to it)."""

    name: str
    tokenizer: str | None
    reserialized: bool = False
    adapter: bool = False


@dataclass(frozen=True)
class TrainingRun:
    name: str
    base: str
    description: str
    folders: tuple[Folder, ...]
    # What the suite must say: finding code -> (first checkpoint, checkpoint that reverts it or None).
    expect: tuple[tuple[str, str, str | None], ...] = ()


RUNS: dict[str, TrainingRun] = {
    run.name: run
    for run in (
        TrainingRun(
            "llama3-run", "llama3",
            "a Llama-3 SFT run: re-saves, <|eom_id|> added at 1500 and reverted at 2000, BOS dropped from 2500 on",
            (
                Folder("checkpoint-500", "llama3-resaved"),
                Folder("checkpoint-1000", "llama3-resaved", reserialized=True),  # same after canonicalisation
                Folder("checkpoint-1500", "llama3-eom"),
                Folder("checkpoint-2000", "llama3-resaved"),
                Folder("checkpoint-2500", "llama3-no-bos"),
                Folder("checkpoint-3000", "llama3-no-bos", adapter=True),
                Folder("checkpoint-3500", None),
                Folder(FINAL, "llama3-no-bos"),
            ),
            expect=(
                ("vocab.added-beyond-base", "checkpoint-1500", "checkpoint-2000"),
                ("pipeline.post-processor-changed", "checkpoint-2500", None),
            ),
        ),
        TrainingRun(
            "llama3-run-benign", "llama3",
            "a Llama-3 SFT run where every save keeps the base tokenizer (re-saves, an adapter)",
            (
                Folder("checkpoint-500", "llama3-resaved"),
                Folder("checkpoint-1000", "llama3-resaved", reserialized=True),
                Folder("checkpoint-1500", "llama3"),
                Folder("checkpoint-2000", "llama3-resaved", adapter=True),
                Folder(FINAL, "llama3-resaved"),
            ),
        ),
    )
}


def _write_adapter(folder: Path, base_name: str) -> None:
    """A PEFT LoRA adapter as peft saves it: adapter_config.json and adapter_model.safetensors
    (two small rank-2 matrices of one layer's q_proj, float32 zeros)."""
    config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"],
              "base_model_name_or_path": base_name, "modules_to_save": None, "inference_mode": True}
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    shapes = {"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": [2, 8],
              "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": [8, 2]}
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in shapes.items():
        size = shape[0] * shape[1] * 4
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    (folder / "adapter_model.safetensors").write_bytes(struct.pack("<Q", len(encoded)) + encoded + bytes(offset))


def build_run(name: str, dest: Path) -> Path:
    """Write training run `name` into the new directory `dest`."""
    if name not in RUNS:
        raise TokcheckUsageError(f"unknown zoo training run {name!r}; known: {', '.join(sorted(RUNS))}")
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise TokcheckUsageError(f"{dest}: already exists and is not empty; give a new directory")
    dest.mkdir(parents=True, exist_ok=True)
    run = RUNS[name]
    for folder in run.folders:
        target = dest if folder.name == FINAL else dest / folder.name
        target.mkdir(exist_ok=True)
        if folder.tokenizer is not None:
            shutil.copytree(path_for(folder.tokenizer), target, dirs_exist_ok=True)
            if folder.reserialized:
                reserialize_json(target)
        else:  # a Trainer save without a processing class: weights and trainer state only
            (target / "trainer_state.json").write_text('{"global_step": 0}\n', encoding="utf-8")
        if folder.adapter:
            _write_adapter(target, f"zoo:{run.base}")
    return dest
