"""With torch (skipped without it): real LlamaForCausalLM checkpoints saved by transformers and
PEFT agree with the reader and the checks, pytorch_model.bin is read, and the gpu tests' code
path (tokcheck.checks.model.gpu) runs on CPU."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.checks.model import builders
from tests.checks.model.fixtures import Checkpoints
from tokcheck.checks.model.inspection import ModelPair
from tokcheck.checks.model.rows import read_rows
from tokcheck.checks.model.weights import open_model
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch", reason="torch is not installed")
transformers = pytest.importorskip("transformers")

V = builders.LLAMA3_VOCAB


def real_llama(vocab: int = V, *, tied: bool = False, seed: int = 0) -> Any:
    torch.manual_seed(seed)
    config = transformers.LlamaConfig(
        vocab_size=vocab, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, tie_word_embeddings=tied, bos_token_id=128000, eos_token_id=128009,
    )
    return transformers.LlamaForCausalLM(config).eval()


def saved(model: Any, tokenizer: Path, dest: Path, **kwargs: Any) -> Path:
    model.save_pretrained(str(dest), **kwargs)
    builders.copy_tokenizer(tokenizer, dest)
    return dest


@pytest.fixture(scope="module")
def resized(checkpoints: Checkpoints) -> Any:
    """A real Llama resized for <|eom_id|> by transformers (mean_resizing)."""
    model = real_llama()
    model.resize_token_embeddings(V + 1, mean_resizing=True)
    return model


@pytest.mark.parametrize("layout", ["single", "sharded", "bf16"])
def test_reader_agrees_with_save_pretrained(resized: Any, checkpoints: Checkpoints, tmp_path: Path, layout: str) -> None:
    model = resized.to(torch.bfloat16) if layout == "bf16" else resized
    kwargs = {"max_shard_size": "2MB"} if layout == "sharded" else {}
    directory = saved(model, checkpoints.eom, tmp_path / layout, **kwargs)
    files = open_model(str(directory))
    assert files.weights == ("model.safetensors.index.json" if layout == "sharded" else "model.safetensors")
    ids = [0, 5, 128000, 128009, V]
    for name, module in (("model.embed_tokens.weight", model.get_input_embeddings()),
                         ("lm_head.weight", model.get_output_embeddings())):
        expected = module.weight.detach()[ids].float().numpy()
        np.testing.assert_array_equal(read_rows(files.tensors[name], ids), expected)
    resized.float()


def test_mean_resizing_passes_and_a_zeroed_row_fails(resized: Any, checkpoints: Checkpoints, inspect: Any, tmp_path: Path) -> None:
    good = saved(resized, checkpoints.eom, tmp_path / "mean")
    base = saved(real_llama(), checkpoints.llama3, tmp_path / "base")
    assert [f for found in inspect(base, good).findings.values() for f in found] == []
    with torch.no_grad():
        zeroed = real_llama()
        zeroed.resize_token_embeddings(V + 1, mean_resizing=True)
        zeroed.get_input_embeddings().weight[V] = 0
    bad = saved(zeroed, checkpoints.eom, tmp_path / "zero")
    (finding,) = inspect(base, bad).findings["model_trained_rows"]
    assert finding.code == "model.row-zero" and "row 128256 '<|eom_id|>' (new token) is all zeros" in finding.message


def test_pytorch_model_bin_is_read_through_torch(resized: Any, checkpoints: Checkpoints, tmp_path: Path) -> None:
    directory = builders.copy_tokenizer(checkpoints.eom, tmp_path / "bin")
    resized.config.to_json_file(str(directory / "config.json"))
    torch.save(resized.state_dict(), directory / "pytorch_model.bin")
    files = open_model(str(directory))
    assert files.unreadable is None
    np.testing.assert_array_equal(read_rows(files.tensors["lm_head.weight"], [V]),
                                  resized.lm_head.weight.detach()[[V]].numpy())


def test_a_rewritten_pytorch_model_bin_is_read_anew(resized: Any, checkpoints: Checkpoints, tmp_path: Path) -> None:
    # Each open_model reads its own files: nothing kept by path outlives it (a process that checks
    # a checkpoint, then the same path saved again, as a training run or pytester does, sees the new rows).
    directory = builders.copy_tokenizer(checkpoints.eom, tmp_path / "bin")
    resized.config.to_json_file(str(directory / "config.json"))
    state = resized.state_dict()
    torch.save(state, directory / "pytorch_model.bin")
    first = read_rows(open_model(str(directory)).tensors["lm_head.weight"], [V])
    torch.save({**state, "lm_head.weight": state["lm_head.weight"] + 1}, directory / "pytorch_model.bin")
    again = read_rows(open_model(str(directory)).tensors["lm_head.weight"], [V])
    np.testing.assert_array_equal(again, first + 1)


def test_peft_adapter_with_modules_to_save(checkpoints: Checkpoints, inspect: Any, tmp_path: Path) -> None:
    peft = pytest.importorskip("peft", reason="peft is not installed")
    base = saved(real_llama(), checkpoints.llama3, tmp_path / "base")
    model = transformers.AutoModelForCausalLM.from_pretrained(str(base))
    model.resize_token_embeddings(V + 1, mean_resizing=False)
    with torch.no_grad():
        model.get_output_embeddings().weight[V] = 0  # lm_head's new row never initialised
    adapter = peft.get_peft_model(model, peft.LoraConfig(
        r=2, target_modules=["q_proj", "v_proj"], modules_to_save=["embed_tokens", "lm_head"], task_type="CAUSAL_LM"))
    adapter.save_pretrained(str(tmp_path / "adapter"))
    builders.copy_tokenizer(checkpoints.eom, tmp_path / "adapter")
    inspection = inspect(base, tmp_path / "adapter", base_model=base)
    assert [f.code for f in inspection.findings["model_files"]] == ["model.adapter-carries-embeddings"]
    (finding,) = inspection.findings["model_trained_rows"]
    # PEFT saves the trained copy (modules_to_save), the untouched original and a plain copy here.
    assert finding.message.startswith(
        "base_model.model.lm_head.modules_to_save.weight row 128256 '<|eom_id|>' (new token) is all zeros")


# --- the gpu tests' code path, on CPU ---------------------------------------------------------


def live_run(directory: Path, base: Path | None = None) -> Any:
    from tokcheck.checks.model import gpu as live

    models = ModelPair(open_model(str(directory)), open_model(str(base)) if base else None)
    source = resolve(str(directory))
    snapshot = take_snapshot(source)
    tokenizer = load_tokenizer(source)
    model = live.load_model(models, device="cpu")
    ids = live.transcript_ids(tokenizer, snapshot)
    config = models.adapter_base.config if models.tuned.is_adapter and models.adapter_base else models.tuned.config
    result = live.inspect_live(model, ids, config)
    return result, live.live_findings(result, max(len(tokenizer), snapshot.length), snapshot.id_to_token, str(directory))


def test_live_run_of_a_resized_model(resized: Any, checkpoints: Checkpoints, tmp_path: Path) -> None:
    result, findings = live_run(saved(resized, checkpoints.eom, tmp_path / "m"))
    assert findings == {"rows": [], "logits": [], "tying": []}
    assert (result.input_rows, result.output_rows) == (V + 1, V + 1)
    assert {128006, 128007, 128009, 128001, V} <= set(result.ids)  # template tokens, stop set, <|eom_id|>
    assert set(range(128000, V + 1)) <= set(result.ids)  # every added token
    assert result.shares_storage is False


def test_live_run_of_a_tied_model(checkpoints: Checkpoints, tmp_path: Path) -> None:
    model = real_llama(tied=True)
    model.resize_token_embeddings(V + 1)
    result, findings = live_run(saved(model, checkpoints.eom, tmp_path / "tied"))
    assert result.tied_in_config is True and result.shares_storage is True
    assert findings["tying"] == []


def test_live_run_flags_nan_logits_and_missing_rows(checkpoints: Checkpoints, tmp_path: Path) -> None:
    model = real_llama()
    with torch.no_grad():
        model.get_input_embeddings().weight[128009] = float("nan")
    directory = saved(model, checkpoints.eom, tmp_path / "nan")  # 128256 rows for the eom tokenizer
    shutil.copyfile(checkpoints.eom / "tokenizer.json", directory / "tokenizer.json")
    result, findings = live_run(directory)
    assert [f.code for f in findings["rows"]] == ["gpu.rows-below-tokenizer"] * 2
    assert V not in result.ids  # <|eom_id|> has no row: left out of the forward, reported above
    (nan,) = findings["logits"]
    assert "input rows not finite: 128009 '<|eot_id|>'" in nan.message
    # Attention multiplies the NaN value row by zero weights too, so every position is NaN.
    assert f"gives NaN or infinite outputs at {len(result.ids)} of {len(result.ids)} transcript positions" in nan.message


def test_live_run_of_an_adapter(checkpoints: Checkpoints, tmp_path: Path) -> None:
    peft = pytest.importorskip("peft", reason="peft is not installed")
    base = saved(real_llama(), checkpoints.llama3, tmp_path / "base")
    model = transformers.AutoModelForCausalLM.from_pretrained(str(base))
    model.resize_token_embeddings(V + 1)
    adapter = peft.get_peft_model(model, peft.LoraConfig(
        r=2, target_modules=["q_proj"], modules_to_save=["embed_tokens", "lm_head"], task_type="CAUSAL_LM"))
    adapter.save_pretrained(str(tmp_path / "adapter"))
    builders.copy_tokenizer(checkpoints.eom, tmp_path / "adapter")
    result, findings = live_run(tmp_path / "adapter", base)
    assert result.input_rows == V + 1 and findings == {"rows": [], "logits": [], "tying": []}


def test_inspection_of_a_real_save_matches_the_hand_built_one(resized: Any, checkpoints: Checkpoints, tmp_path: Path) -> None:
    # The builders write what save_pretrained writes: same tensor names, shapes and dtypes.
    real = open_model(str(saved(resized, checkpoints.eom, tmp_path / "real")))
    built = open_model(str(checkpoints.eom_mean_row))
    assert {k: v.shape for k, v in real.tensors.items()} == {k: v.shape for k, v in built.tensors.items()}
