"""Finding the weights and the embedding tensors: real tensor names that transformers and PEFT
save (recorded in data/tensor_names.json), directory layouts, and the errors for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.checks.model import builders
from tokcheck.checks.model.inspection import ModelPair, model_shape
from tokcheck.checks.model.weights import (
    ModelFiles,
    Tensor,
    adapter_base,
    find_model,
    input_embedding,
    open_model,
    output_layer,
)
from tokcheck.errors import TokcheckUsageError

RECORDED = json.loads((Path(__file__).parent / "data" / "tensor_names.json").read_text())["models"]

# What transformers' modules are called (get_input_embeddings / get_output_embeddings), written
# down from the model classes, not from tokcheck: (input, output or None, tied).
EXPECTED = {
    "llama-untied": ("model.embed_tokens.weight", "lm_head.weight", False),
    "llama-tied": ("model.embed_tokens.weight", None, True),
    "qwen2-tied": ("model.embed_tokens.weight", None, True),
    "gpt2": ("transformer.wte.weight", None, True),
    "gpt-neox": ("gpt_neox.embed_in.weight", "embed_out.weight", False),
    "bert": ("embeddings.word_embeddings.weight", None, False),
    "bert-mlm": ("bert.embeddings.word_embeddings.weight", None, True),
    "opt": ("model.decoder.embed_tokens.weight", None, True),
    "bloom": ("transformer.word_embeddings.weight", None, True),
    "t5": ("shared.weight", None, True),
    "llava": ("language_model.model.embed_tokens.weight", "language_model.lm_head.weight", False),
    "peft-modules-to-save": ("base_model.model.model.embed_tokens.weight", "base_model.model.lm_head.weight", False),
    "peft-modules-to-save-loaded": ("base_model.model.model.embed_tokens.modules_to_save.weight",
                                    "base_model.model.lm_head.modules_to_save.weight", False),
    "peft-lora-embedding-saved": ("base_model.model.model.embed_tokens.base_layer.weight", None, None),
    "peft-lora-only": (None, None, None),
}


def recorded_tensors(name: str) -> dict[str, Tensor]:
    return {
        tensor: Tensor(tensor, entry["dtype"], tuple(entry["shape"]), Path("model.safetensors"), 0)
        for tensor, entry in RECORDED[name]["tensors"].items()
    }


def test_every_recorded_model_has_an_expectation() -> None:
    assert set(RECORDED) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_tensor_names_are_located(name: str) -> None:
    tensors = recorded_tensors(name)
    expected_input, expected_output, _ = EXPECTED[name]
    found_input, found_output = input_embedding(tensors), output_layer(tensors)
    assert (found_input.name if found_input else None) == expected_input
    assert (found_output.name if found_output else None) == expected_output


class FakeFiles(ModelFiles):
    """ModelFiles over recorded names and configs (no files)."""

    def __init__(self, name: str) -> None:
        entry: dict[str, Any] = RECORDED[name]
        self.spec, self.directory = name, Path(".")
        self.weights = "adapter_model.safetensors" if "adapter_config" in entry else "model.safetensors"
        self.config = entry["config"]
        self.adapter_config = entry.get("adapter_config")
        self.__dict__["tensors"] = recorded_tensors(name)


@pytest.mark.parametrize("name", sorted(name for name in EXPECTED if not name.startswith("peft")))
def test_tying_and_vocab_size_come_out_of_the_real_configs(name: str) -> None:
    shape, _ = model_shape(FakeFiles(name))
    assert shape.tied is EXPECTED[name][2]
    assert list(shape.vocab_sizes.values()) == [1000]
    where = "config.json: text_config.vocab_size" if name == "llava" else "config.json: vocab_size"
    assert list(shape.vocab_sizes) == [where]
    assert shape.generates is (name != "bert")


def test_adapter_matrices_override_the_base_model() -> None:
    shape, tensors = model_shape(FakeFiles("peft-modules-to-save"), FakeFiles("llama-untied"))
    assert shape.input is not None and shape.output is not None
    assert (shape.input.rows, shape.output.rows) == (1001, 1001)
    assert shape.input.from_adapter and shape.output.from_adapter
    only_lora, _ = model_shape(FakeFiles("peft-lora-only"), FakeFiles("llama-untied"))
    assert only_lora.input is not None and only_lora.input.rows == 1000 and not only_lora.input.from_adapter
    assert tensors["input embedding"].name == "base_model.model.model.embed_tokens.weight"


@pytest.mark.parametrize(
    ("names", "expected_input", "expected_output"),
    [
        # PEFT before the keys lost their wrapper: modules_to_save beats the untouched original.
        (["base_model.model.model.embed_tokens.original_module.weight",
          "base_model.model.model.embed_tokens.modules_to_save.weight",
          "base_model.model.lm_head.modules_to_save.default.weight"],
         "base_model.model.model.embed_tokens.modules_to_save.weight",
         "base_model.model.lm_head.modules_to_save.default.weight"),
        # transformers >= 4.52 multimodal layout, with a vision tower that has its own embeddings.
        (["model.language_model.embed_tokens.weight", "lm_head.weight",
          "model.vision_tower.embeddings.word_embeddings.weight"],
         "model.language_model.embed_tokens.weight", "lm_head.weight"),
        # Meta's original layout.
        (["tok_embeddings.weight", "output.weight", "layers.0.attention.wq.weight"], "tok_embeddings.weight", "output.weight"),
        # A layer's "output.weight" is no LM head.
        (["embed_tokens.weight", "layers.0.attention.output.weight"], "embed_tokens.weight", None),
    ],
)
def test_naming_variants(names: list[str], expected_input: str, expected_output: str | None) -> None:
    tensors = {name: Tensor(name, "F16", (10, 4), Path("x"), 0) for name in names}
    found_input, found_output = input_embedding(tensors), output_layer(tensors)
    assert found_input is not None and found_input.name == expected_input
    assert (found_output.name if found_output else None) == expected_output


# --- directories ------------------------------------------------------------------------------


def small_model(dest: Path, *, shards: int = 1, vocab: int = 300) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    builders.write_config(dest, vocab)
    builders.save_safetensors(dest, builders.llama_tensors(vocab), shards=shards)
    return dest


def test_sharded_index_reads_every_shard(tmp_path: Path) -> None:
    files = open_model(str(small_model(tmp_path / "m", shards=3)))
    assert files.weights == "model.safetensors.index.json"
    assert len(files.files) == 3
    assert files.tensors["lm_head.weight"].shape == (300, 16)
    assert files.describe().endswith("(model.safetensors.index.json, 3 shards)")


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    directory = small_model(tmp_path / "m", shards=2)
    (directory / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(TokcheckUsageError, match=re.escape("names shard model-00002-of-00002.safetensors, which is missing")):
        open_model(str(directory)).validate()


def test_directories_without_weights_and_files_are_refused(tmp_path: Path, llama3: Path) -> None:
    with pytest.raises(TokcheckUsageError, match="no model weights in this directory"):
        open_model(str(llama3))
    with pytest.raises(TokcheckUsageError, match="no such model directory"):
        open_model(str(tmp_path / "absent"))
    model = small_model(tmp_path / "m")
    with pytest.raises(TokcheckUsageError, match="give the model's directory, not a file in it"):
        open_model(str(model / "model.safetensors"))
    assert find_model(llama3) is None


def test_weights_without_config_are_not_a_model(tmp_path: Path) -> None:
    directory = small_model(tmp_path / "m")
    (directory / "config.json").unlink()
    assert find_model(directory) is None


def test_relative_paths_and_zoo_specs(tmp_path: Path, minilm: Path) -> None:
    small_model(tmp_path / "m")
    assert open_model("m", relative_to=tmp_path).directory == tmp_path / "m"
    assert open_model("zoo:minilm").directory == minilm


def test_bin_without_torch_says_so_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    if _has_torch():
        pytest.skip("torch is installed here; the .bin is read (see test_torch.py)")
    directory = tmp_path / "bin"
    directory.mkdir()
    builders.write_config(directory, 300)
    (directory / "pytorch_model.bin").write_bytes(b"PK\x03\x04 not read")
    files = open_model(str(directory))
    files.validate()  # headers of a .bin are not read up front
    assert files.unreadable == (
        f"{directory}: pytorch_model.bin cannot be read without torch; install torch, or save the model with "
        "safe_serialization=True (safetensors), to check its embedding rows"
    )
    assert ModelPair(files).unavailable() == files.unreadable


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def test_adapter_base_is_found_from_the_adapter_config(tmp_path: Path, llama3: Path) -> None:
    base = small_model(tmp_path / "base")
    tensors = builders.llama_tensors(300)
    absolute = builders.adapter(tmp_path / "abs", llama3, base, tensors, modules=[])
    found = adapter_base(open_model(str(absolute)))
    assert found is not None and found.directory == base
    relative = builders.adapter(tmp_path / "rel", llama3, Path("../base"), tensors, modules=[])
    found = adapter_base(open_model(str(relative)))
    assert found is not None and found.directory.resolve() == base.resolve()
    missing = builders.adapter(tmp_path / "hub", llama3, Path("meta-llama/Meta-Llama-3-8B"), tensors, modules=[])
    assert adapter_base(open_model(str(missing))) is None
    reason = ModelPair(open_model(str(missing))).unavailable()
    assert reason is not None and "its base model meta-llama/Meta-Llama-3-8B is not a local directory" in reason


def test_adapter_base_from_the_hugging_face_cache(tmp_path: Path, llama3: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "hub"
    snapshot = cache / "models--org--tiny" / "snapshots" / ("a" * 40)
    small_model(snapshot)
    (cache / "models--org--tiny" / "refs").mkdir(parents=True)
    (cache / "models--org--tiny" / "refs" / "main").write_text("a" * 40)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    adapter_dir = builders.adapter(tmp_path / "ad", llama3, Path("org/tiny"), None, modules=[])
    found = adapter_base(open_model(str(adapter_dir)))
    assert found is not None and found.directory == snapshot
    assert np.array_equal(found.tensors["lm_head.weight"].shape, (300, 16))
