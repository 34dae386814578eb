"""Synthetic training output directories made of zoo tokenizers, laid out the way HF Trainer and
LLaMA-Factory leave them (``checkpoint-N/`` folders, then the final save in the directory itself):
identical re-saves, a drift that appears mid-run, one that a later checkpoint reverts, LoRA
adapter checkpoints (one carrying embed_tokens and lm_head through modules_to_save, drift class 27),
a final save with full weights, and a checkpoint folder that holds weights but no tokenizer files.
The weights are tiny (hidden size 16) with the Llama-3 vocabulary's rows; `llama3-model` is such a
base model, for the adapters' --base-model.

    tokcheck zoo build llama3-run DIR          # the drifted run
    tokcheck zoo build llama3-model BASE       # the base model its adapters apply to
    pytest --base-tokenizer zoo:llama3 --tuned DIR --base-model BASE
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
BASE_MODELS = {"llama3-model": "llama3"}  # tiny base models (`zoo build NAME DIR`) -> the zoo tokenizer they fit
_HIDDEN = 16
_SMALL = {"hidden_size": _HIDDEN, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
          "num_key_value_heads": 1}


@dataclass(frozen=True)
class Folder:
    """One save of a run: its folder, the zoo tokenizer it holds (None: no tokenizer files), and
    how it was saved on top: re-serialized JSON, a LoRA adapter next to it (with `adapter_rows`,
    one whose modules_to_save carries embed_tokens and lm_head with that many rows), full tiny
    weights (`weights`), or config.json as the tiny model's (`small_config`, implied by weights)."""

    name: str
    tokenizer: str | None
    reserialized: bool = False
    adapter: bool = False
    adapter_rows: int | None = None
    weights: bool = False
    small_config: bool = False


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
                # <|eom_id|> added (id 128256) but the adapter's embeddings not resized: 128256 rows
                Folder("checkpoint-1500", "llama3-eom", adapter=True, adapter_rows=128256),
                Folder("checkpoint-2000", "llama3-resaved"),
                Folder("checkpoint-2500", "llama3-no-bos", small_config=True),
                Folder("checkpoint-3000", "llama3-no-bos", adapter=True, small_config=True),
                Folder("checkpoint-3500", None),
                Folder(FINAL, "llama3-no-bos", weights=True),  # the merged export
            ),
            expect=(
                ("vocab.added-beyond-base", "checkpoint-1500", "checkpoint-2000"),
                # gone at the next checkpoint with weights (with --base-model for its adapter)
                ("model.ids-without-row", "checkpoint-1500", "checkpoint-3000"),
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


def _write_adapter(folder: Path, base_name: str, rows: int | None = None) -> None:
    """A PEFT LoRA adapter as peft saves it: adapter_config.json and adapter_model.safetensors
    (two small rank-2 matrices of one layer's q_proj, float32 zeros); with `rows`, also the full
    embed_tokens and lm_head (hidden 16) that modules_to_save makes PEFT 0.21 save, under its names."""
    modules = ["embed_tokens", "lm_head"] if rows is not None else None
    config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"],
              "base_model_name_or_path": base_name, "modules_to_save": modules, "inference_mode": True}
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    tensors: dict[str, tuple[str, list[int], bytes]] = {
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": ("F32", [2, _HIDDEN], bytes(2 * _HIDDEN * 4)),
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": ("F32", [_HIDDEN, 2], bytes(2 * _HIDDEN * 4)),
    }
    if rows is not None:
        for name, seed in (("base_model.model.model.embed_tokens.weight", 1), ("base_model.model.lm_head.weight", 2)):
            tensors[name] = ("F16", [rows, _HIDDEN], _rows(rows, seed))
    _write_safetensors(folder / "adapter_model.safetensors", tensors)


def _rows(rows: int, seed: int) -> bytes:
    """`rows` embedding rows of width 16 as float16 bytes, drawn like a trained model's (N(0, 0.02))."""
    import numpy as np

    return (np.random.default_rng(seed).standard_normal((rows, _HIDDEN)) * 0.02).astype("<f2").tobytes()


def _write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int], bytes]]) -> None:
    """name -> (dtype, shape, raw little-endian bytes) as a safetensors file (8-byte header length,
    JSON header padded to 8 bytes, then the data)."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)) + encoded)
        for _, _, data in tensors.values():
            handle.write(data)


def _small_config(folder: Path) -> int:
    """Make the folder's config.json the tiny model's (hidden size 16, one layer); its row count."""
    path = folder / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(_SMALL)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return int(config["vocab_size"])


def _write_weights(folder: Path) -> None:
    """Full tiny weights next to the tokenizer: embed_tokens and lm_head, one row per config vocab_size."""
    rows = _small_config(folder)
    _write_safetensors(folder / "model.safetensors", {
        "model.embed_tokens.weight": ("F16", [rows, _HIDDEN], _rows(rows, 3)),
        "lm_head.weight": ("F16", [rows, _HIDDEN], _rows(rows, 4)),
    })


def build_base_model(name: str, dest: Path) -> Path:
    """Write tiny base model `name` (BASE_MODELS: the zoo tokenizer's config.json, hidden size 16,
    full weights) into the new directory `dest`."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    shutil.copyfile(path_for(BASE_MODELS[name]) / "config.json", dest / "config.json")
    _write_weights(dest)
    return dest


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
        if folder.weights:
            _write_weights(target)
        elif folder.small_config:
            _small_config(target)
        if folder.adapter:
            _write_adapter(target, f"zoo:{run.base}", folder.adapter_rows)
    return dest
