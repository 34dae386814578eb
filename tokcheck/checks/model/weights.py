"""Model directories on disk: which weight files they hold (single or sharded safetensors,
pytorch_model.bin, a PEFT adapter), the tensors' headers, and where the input embedding and the
output layer are among the many naming schemes. Reads headers and configs only, never rows."""

from __future__ import annotations

import importlib.util
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from tokcheck import zoo
from tokcheck.checks.model.rows import torch_state_dict
from tokcheck.checks.model.safetensors_headers import read_header
from tokcheck.checks.model.tensor import Tensor
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.files import read_object
from tokcheck.sources.hub import cached_snapshot

SAFETENSORS_INDEX = "model.safetensors.index.json"
SAFETENSORS_FILE = "model.safetensors"
BIN_INDEX = "pytorch_model.bin.index.json"
BIN_FILE = "pytorch_model.bin"
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_FILES = ("adapter_model.safetensors", "adapter_model.bin")
# In the order transformers prefers them.
MODEL_FILES = (SAFETENSORS_INDEX, SAFETENSORS_FILE, BIN_INDEX, BIN_FILE)
EXPECTED = "config.json with model.safetensors, model.safetensors.index.json or pytorch_model.bin, or a PEFT adapter"

# Tensor names of the input embedding and the output layer, best first, as they end after any
# prefix (model., transformer., gpt_neox., language_model., base_model.model. of PEFT ...).
INPUT_NAMES = (
    "embed_tokens.weight",  # Llama, Mistral, Qwen, Gemma, OPT, T5 encoder/decoder ...
    "wte.weight",  # GPT-2, GPT-J, Phi-1 (transformer.wte)
    "embed_in.weight",  # GPT-NeoX, Pythia
    "word_embeddings.weight",  # BERT, MiniLM, RoBERTa, BLOOM, ChatGLM
    "tok_embeddings.weight",  # Meta's original Llama layout, InternLM2
    "shared.weight",  # T5
)
OUTPUT_NAMES = (
    "lm_head.weight",
    "embed_out.weight",  # GPT-NeoX
    "output.weight",  # Meta's original layout, InternLM2
)
# Submodels whose embeddings are not the language model's.
_OTHER_TOWERS = {
    "vision_tower", "vision_model", "visual", "vision_encoder", "image_encoder", "audio_tower",
    "audio_model", "audio_encoder", "mm_projector", "multi_modal_projector", "vpm", "speech_encoder",
}
# PEFT wraps a module it trains in full (modules_to_save) or adapts (base_layer); the saved copy of
# the trained module is the one that counts, the untouched original the last resort.
_WRAPPER = re.compile(r"\.(modules_to_save(?:\.[A-Za-z0-9_-]+)?|original_module|base_layer)(?=\.weight$)")
_WRAPPER_RANK = {"modules_to_save": 0, "": 1, "base_layer": 1, "original_module": 2}


class ModelFiles:
    """One model directory: its configs and the headers of its weights (read on first use)."""

    def __init__(self, spec: str, directory: Path, weights: str) -> None:
        self.spec = spec
        self.directory = directory
        self.weights = weights  # the file that names the weights: one of MODEL_FILES or ADAPTER_FILES
        config_path = directory / "config.json"
        self.config: dict[str, Any] = read_object(config_path) if config_path.is_file() else {}
        adapter_path = directory / ADAPTER_CONFIG
        self.adapter_config: dict[str, Any] | None = (
            read_object(adapter_path) if weights in ADAPTER_FILES and adapter_path.is_file() else None
        )

    def __repr__(self) -> str:
        return f"ModelFiles({self.spec!r}, {self.weights})"

    @property
    def is_adapter(self) -> bool:
        return self.weights in ADAPTER_FILES

    @property
    def torch_format(self) -> bool:
        return self.weights.endswith((".bin", ".bin.index.json"))

    @property
    def unreadable(self) -> str | None:
        """Why the weights cannot be read here, or None."""
        if self.torch_format and importlib.util.find_spec("torch") is None:
            return (
                f"{self.spec}: {self.weights} cannot be read without torch; install torch, or save the "
                "model with safe_serialization=True (safetensors), to check its embedding rows"
            )
        return None

    @cached_property
    def files(self) -> list[Path]:
        """The weight files, shards in index order."""
        if not self.weights.endswith(".index.json"):
            return [self.directory / self.weights]
        names = sorted(set(self.weight_map.values()))
        missing = [name for name in names if not (self.directory / name).is_file()]
        if missing:
            raise TokcheckUsageError(f"{self.spec}: {self.weights} names shard {missing[0]}, which is missing")
        return [self.directory / name for name in names]

    @cached_property
    def weight_map(self) -> dict[str, str]:
        data = read_object(self.directory / self.weights)
        mapping = data.get("weight_map")
        if not isinstance(mapping, dict) or not mapping:
            raise TokcheckUsageError(f"{self.spec}: {self.weights} has no weight_map")
        return {str(name): str(file) for name, file in mapping.items()}

    @cached_property
    def tensors(self) -> dict[str, Tensor]:
        """Every tensor's header, by name (for torch files, loaded through torch with mmap)."""
        found: dict[str, Tensor] = {}
        for path in self.files:
            if path.suffix == ".safetensors":
                for name, header in read_header(path).tensors.items():
                    found[name] = Tensor(name, header.dtype, header.shape, path, header.offset)
            else:
                for name, value in torch_state_dict(path).items():
                    found[name] = Tensor(name, str(value.dtype).replace("torch.", ""), tuple(value.shape), path,
                                         values=value)
        return found

    def describe(self) -> str:
        detail = self.weights
        if self.weights.endswith(".index.json"):
            detail += f", {len(self.files)} shards"
        return f"{self.spec} ({detail})"

    def validate(self) -> None:
        """Read what is cheap to read (configs, safetensors headers) so bad files fail early."""
        if not self.torch_format:
            self.tensors  # noqa: B018 - parsing the headers is the validation


def weights_file(directory: Path) -> str | None:
    """The file that names a directory's weights (a model's with config.json, or an adapter's)."""
    if (directory / "config.json").is_file():
        for name in MODEL_FILES:
            if (directory / name).is_file():
                return name
    if (directory / ADAPTER_CONFIG).is_file():
        for name in ADAPTER_FILES:
            if (directory / name).is_file():
                return name
    return None


def find_model(directory: Path, spec: str | None = None) -> ModelFiles | None:
    """The model in `directory` when it holds config.json and weights (or a PEFT adapter), else None."""
    if not directory.is_dir():
        return None
    name = weights_file(directory)
    return ModelFiles(spec or str(directory), directory, name) if name else None


def open_model(spec: str, relative_to: Path | None = None) -> ModelFiles:
    """The model a --tuned-model/--base-model value names, or TokcheckUsageError with one line."""
    if spec.startswith("zoo:"):
        path = zoo.path_for(spec[4:])
    else:
        path = Path(spec).expanduser()
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
    if not path.exists():
        raise TokcheckUsageError(f"{spec}: no such model directory")
    if path.is_file():
        raise TokcheckUsageError(f"{spec}: give the model's directory, not a file in it")
    found = find_model(path, spec)
    if found is None:
        raise TokcheckUsageError(f"{spec}: no model weights in this directory (expected {EXPECTED})")
    return found


def adapter_base(adapter: ModelFiles) -> ModelFiles | None:
    """The local model an adapter was trained on: base_model_name_or_path as a directory
    (absolute, relative to the working directory or to the adapter), or a hub id in the local cache."""
    reference = str((adapter.adapter_config or {}).get("base_model_name_or_path") or "")
    if not reference:
        return None
    path = Path(reference).expanduser()
    for candidate in (path, adapter.directory / path):
        found = find_model(candidate, reference)
        if found is not None and not found.is_adapter:
            return found
    repo_id, _, revision = reference.partition("@")
    if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", repo_id):
        snapshot = cached_snapshot(repo_id, revision or "main")
        found = find_model(snapshot, reference) if snapshot else None
        if found is not None and not found.is_adapter:
            return found
    return None


# --- naming schemes ---------------------------------------------------------------------------


def _rank(name: str, patterns: tuple[str, ...]) -> tuple[int, int, int, int, str] | None:
    parts = name.split(".")
    if _OTHER_TOWERS.intersection(parts):
        return None
    wrapper = _WRAPPER.search(name)
    plain = _WRAPPER.sub("", name)
    if plain.startswith("base_model.model."):  # PEFT's prefix
        plain = plain[len("base_model.model.") :]
    for rank, pattern in enumerate(patterns):
        if plain == pattern or plain.endswith("." + pattern):
            if pattern in ("output.weight", "shared.weight") and plain.count(".") > 2:
                return None  # e.g. attention.output.weight is not the LM head
            kind = wrapper.group(1).split(".")[0] if wrapper else ""
            language = 0 if ("language_model" in parts or "text_model" in parts) else 1
            return (rank, _WRAPPER_RANK[kind], language, len(name), name)
    return None


def _best(tensors: dict[str, Tensor], patterns: tuple[str, ...]) -> Tensor | None:
    ranked = []
    for name, tensor in tensors.items():
        key = _rank(name, patterns)
        if key is not None and len(tensor.shape) == 2:
            ranked.append((key, tensor))
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def input_embedding(tensors: dict[str, Tensor]) -> Tensor | None:
    return _best(tensors, INPUT_NAMES)


def output_layer(tensors: dict[str, Tensor]) -> Tensor | None:
    return _best(tensors, OUTPUT_NAMES)


def text_config(config: dict[str, Any]) -> dict[str, Any]:
    nested = config.get("text_config")
    return nested if isinstance(nested, dict) else {}


def tie_flag(config: dict[str, Any]) -> bool | None:
    """tie_word_embeddings as the config states it (text_config first), or None when absent."""
    for source in (text_config(config), config):
        if isinstance(source.get("tie_word_embeddings"), bool):
            return bool(source["tie_word_embeddings"])
    return None


def generates_text(config: dict[str, Any], adapter_config: dict[str, Any] | None = None) -> bool | None:
    """Whether the model has an output layer over the vocabulary (a causal/seq2seq/masked LM),
    False for a bare encoder such as BertModel, None when the configs do not say."""
    if adapter_config and adapter_config.get("task_type") in ("CAUSAL_LM", "SEQ_2_SEQ_LM"):
        return True
    listed = config.get("architectures")
    architectures = [str(name) for name in listed] if isinstance(listed, list) else []  # as saved: any type (the fuzzer's find)
    if not architectures:
        return None
    heads = ("CausalLM", "LMHead", "ConditionalGeneration", "MaskedLM", "Seq2SeqLM")
    return any(head in name for name in architectures for head in heads)
