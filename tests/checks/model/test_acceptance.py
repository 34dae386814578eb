"""The model checks on real layouts: the Llama-3 tokenizer from the zoo with its <|eom_id|> drift
(as LLaMA-Factory makes it) against tiny Llama models saved single-file, sharded, tied, bf16,
padded, and as PEFT adapters; and the real MiniLM weights."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.checks.model import builders
from tests.checks.model.fixtures import Checkpoints
from tokcheck.checks.model.checks import NEAR_ZERO, norm_range
from tokcheck.checks.model.inspection import ModelInspection
from tokcheck.checks.model.rows import read_rows
from tokcheck.findings import Finding, Severity

V = builders.LLAMA3_VOCAB
EOM = V  # LLaMA-Factory appends <|eom_id|> right after the 128256 Llama-3.0 ids
Inspect = Callable[..., ModelInspection]


def everything(inspection: ModelInspection) -> list[Finding]:
    return [finding for found in inspection.findings.values() for finding in found]


def codes(inspection: ModelInspection) -> list[tuple[str, str]]:
    return [(finding.check, finding.code) for finding in everything(inspection)]


# --- the three cases of the issue -------------------------------------------------------------


def test_eom_token_without_rows_fails_naming_the_id_and_the_token(checkpoints: Checkpoints, inspect: Inspect) -> None:
    inspection = inspect(checkpoints.base, checkpoints.eom_unresized)
    rows = inspection.findings["model_rows"]
    assert [(f.code, f.severity) for f in rows] == [("model.ids-without-row", Severity.ERROR)] * 2
    assert rows[0].message == (
        "the tuned tokenizer produces ids up to 128256 but input embedding model.embed_tokens.weight has 128256 rows "
        "(ids 0-128255): id 128256 '<|eom_id|>' has no input embedding row"
    )
    assert "output layer lm_head.weight has 128256 rows" in rows[1].message
    assert "id 128256 '<|eom_id|>' has no output layer row" in rows[1].message
    assert inspection.findings["model_files"] == [] and inspection.findings["model_trained_rows"] == []


def test_resized_with_the_new_row_left_at_zero_flags_it_uninitialised(checkpoints: Checkpoints, inspect: Inspect) -> None:
    inspection = inspect(checkpoints.base, checkpoints.eom_zero_row)
    assert codes(inspection) == [("model_trained_rows", "model.row-zero")] * 2
    embed, head = inspection.findings["model_trained_rows"]
    assert embed.message.startswith(
        "model.embed_tokens.weight row 128256 '<|eom_id|>' (new token) is all zeros: never initialised; "
        "trained rows have norms "
    )
    assert "1st-99th percentile of 1024 sampled rows" in embed.message
    assert head.message.startswith("lm_head.weight row 128256 '<|eom_id|>' (new token) is all zeros")
    assert embed.severity is Severity.ERROR


def test_resized_and_mean_initialised_passes(checkpoints: Checkpoints, inspect: Inspect) -> None:
    inspection = inspect(checkpoints.base, checkpoints.eom_mean_row)
    assert everything(inspection) == []
    # The mean of random rows is far shorter than any trained row: a lower bound at the trained
    # percentiles would flag it, which is why only near-zero rows are flagged below the range.
    tensor = inspection._tuned[1]["input embedding"]
    new_norm = float(np.linalg.norm(read_rows(tensor, [EOM])))
    typical = norm_range(read_rows(tensor, list(range(0, V, 97))))
    assert typical is not None
    assert NEAR_ZERO * typical.low < new_norm < 0.05 * typical.low


def test_every_watched_row_is_known(checkpoints: Checkpoints, inspect: Inspect) -> None:
    facts = inspect(checkpoints.base, checkpoints.eom_zero_row).facts
    assert dict(facts.watched) == {
        128000: "used by the chat template",  # bos_token in the Llama-3 template
        128001: "in the stop set",  # generation_config.json eos_token_id [128001, 128009]
        128006: "used by the chat template",
        128007: "used by the chat template",
        128009: "used by the chat template",
        128256: "new token",
    }
    assert facts.base_length == V and facts.length == V + 1
    assert len(facts.ordinary) == 128000


# --- layouts ----------------------------------------------------------------------------------


def test_sharded_checkpoint_gives_the_same_findings(checkpoints: Checkpoints, inspect: Inspect) -> None:
    sharded = checkpoints.get("eom-zero-sharded", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(checkpoints.trained, V + 1, init="zero"), shards=3))
    assert (sharded / "model.safetensors.index.json").is_file()
    single = inspect(checkpoints.base, checkpoints.eom_zero_row)
    assert [f.message for f in everything(inspect(checkpoints.base, sharded))] == [f.message for f in everything(single)]


def test_bf16_checkpoint_is_read_by_hand(checkpoints: Checkpoints, inspect: Inspect) -> None:
    zero = checkpoints.get("eom-zero-bf16", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(checkpoints.trained, V + 1, init="zero"), bf16=True))
    mean = checkpoints.get("eom-mean-bf16", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(checkpoints.trained, V + 1, init="mean"), bf16=True))
    assert codes(inspect(checkpoints.base, zero)) == [("model_trained_rows", "model.row-zero")] * 2
    assert everything(inspect(checkpoints.base, mean)) == []


def test_tied_model_is_checked_once(checkpoints: Checkpoints, inspect: Inspect) -> None:
    tied = builders.llama_tensors(V, tied=True)
    unresized = checkpoints.get("eom-tied", lambda d: builders.checkpoint(d, checkpoints.eom, tied, tied=True))
    inspection = inspect(checkpoints.base, unresized)
    assert inspection.shape.tied
    (finding,) = inspection.findings["model_rows"]
    assert "input embedding (tied output layer) model.embed_tokens.weight has 128256 rows" in finding.message
    zero = checkpoints.get("eom-tied-zero", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(tied, V + 1, init="zero"), tied=True))
    assert codes(inspect(checkpoints.base, zero)) == [("model_trained_rows", "model.row-zero")]


def test_padding_to_a_multiple_is_info(checkpoints: Checkpoints, inspect: Inspect) -> None:
    padded = checkpoints.get("eom-pad64", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(checkpoints.trained, 128320, init="mean")))
    inspection = inspect(checkpoints.base, padded)
    (finding,) = everything(inspection)
    assert (finding.code, finding.severity) == ("model.padded-rows", Severity.INFO)
    assert finding.message == (
        "model.embed_tokens.weight has 128320 rows for 128257 token ids: 63 spare rows, padding to a multiple "
        "of 64 (resize_token_embeddings pad_to_multiple_of)"
    )


def test_rows_left_over_from_a_reverted_tokenizer_are_a_warning(checkpoints: Checkpoints, inspect: Inspect) -> None:
    # The model was resized for <|eom_id|>, then the base tokenizer was put back (class 28).
    reverted = checkpoints.get("reverted", lambda d: builders.checkpoint(
        d, checkpoints.llama3, builders.resize(checkpoints.trained, V + 1, init="mean")))
    (finding,) = everything(inspect(checkpoints.base, reverted))
    assert (finding.code, finding.severity) == ("model.rows-beyond-tokenizer", Severity.WARNING)


@pytest.mark.parametrize("legacy", [False, True], ids=["peft-0.21-names", "modules_to_save-names"])
def test_peft_adapter_with_modules_to_save(checkpoints: Checkpoints, inspect: Inspect, legacy: bool, tmp_path: Path) -> None:
    zero = builders.adapter(tmp_path / "zero", checkpoints.eom, checkpoints.base,
                            builders.resize(checkpoints.trained, V + 1, init="zero"),
                            modules=["embed_tokens", "lm_head"], legacy=legacy)
    inspection = inspect(checkpoints.llama3, zero)  # the adapter's base comes from adapter_config.json
    assert inspection.models.adapter_base is not None
    assert codes(inspection) == [("model_files", "model.adapter-carries-embeddings")] + [
        ("model_trained_rows", "model.row-zero")] * 2
    assert "adapter_model.safetensors: base_model.model.model.embed_tokens" in inspection.findings["model_trained_rows"][0].where
    mean = builders.adapter(tmp_path / "mean", checkpoints.eom, checkpoints.base,
                            builders.resize(checkpoints.trained, V + 1, init="mean"),
                            modules=["embed_tokens", "lm_head"], legacy=legacy)
    assert codes(inspect(checkpoints.llama3, mean)) == [("model_files", "model.adapter-carries-embeddings")]


def test_qlora_adapter_without_embeddings_uses_the_base_rows(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    # The founding bug's own shape: LLaMA-Factory QLoRA saves an adapter, the tokenizer gains <|eom_id|>.
    lora = builders.adapter(tmp_path / "lora", checkpoints.eom, checkpoints.base, None, modules=[])
    inspection = inspect(checkpoints.llama3, lora)
    assert codes(inspection) == [("model_rows", "model.ids-without-row")] * 2
    assert inspection.findings["model_rows"][0].where == "model.safetensors: model.embed_tokens.weight"


# --- configs and tensors that disagree --------------------------------------------------------


def test_config_vocab_size_must_match_the_rows(checkpoints: Checkpoints, inspect: Inspect) -> None:
    stale = checkpoints.get("stale-config", lambda d: builders.checkpoint(
        d, checkpoints.eom, builders.resize(checkpoints.trained, V + 1, init="mean"), config_vocab=V))
    (finding,) = everything(inspect(checkpoints.base, stale))
    assert finding.code == "model.config-vocab-size-mismatch" and finding.severity is Severity.ERROR
    assert finding.message.startswith("config.json: vocab_size is 128256 but model.embed_tokens.weight has 128257 rows")


def test_multimodal_text_config(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    directory = builders.copy_tokenizer(checkpoints.eom, tmp_path / "vlm")
    tensors = builders.resize(checkpoints.trained, V + 1, init="mean")
    renamed = {"language_model." + name: value for name, value in tensors.items()}  # the v4 Llava layout
    builders.save_safetensors(directory, renamed)
    (directory / "config.json").write_text(json.dumps({
        "architectures": ["LlavaForConditionalGeneration"], "vocab_size": V,
        "text_config": {"model_type": "llama", "vocab_size": V + 1, "tie_word_embeddings": False},
    }))
    inspection = inspect(checkpoints.base, directory)
    (finding,) = everything(inspection)
    assert (finding.code, finding.severity) == ("model.config-vocab-size-mismatch", Severity.WARNING)
    assert finding.where == "config.json: vocab_size"
    assert inspection.shape.input is not None and inspection.shape.input.name == "language_model.model.embed_tokens.weight"


def test_untied_matrices_with_different_rows(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    tensors = builders.resize(checkpoints.trained, V + 1, init="mean")
    tensors["lm_head.weight"] = checkpoints.trained["lm_head.weight"]  # the resize missed lm_head
    directory = builders.checkpoint(tmp_path / "half", checkpoints.eom, tensors)
    assert codes(inspect(checkpoints.base, directory)) == [
        ("model_files", "model.untied-rows-differ"), ("model_rows", "model.ids-without-row")]


def test_untied_config_without_an_output_layer(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    tensors = {k: v for k, v in checkpoints.trained.items() if k != "lm_head.weight"}
    directory = builders.checkpoint(tmp_path / "headless", checkpoints.llama3, tensors, tied=False)
    (finding,) = everything(inspect(checkpoints.base, directory))
    assert (finding.code, finding.severity) == ("model.output-layer-missing", Severity.ERROR)


def test_rows_never_shrink_from_base(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    small = {k: (v[:128000] if k in ("model.embed_tokens.weight", "lm_head.weight") else v) for k, v in checkpoints.trained.items()}
    directory = builders.checkpoint(tmp_path / "shrunk", checkpoints.llama3, small)
    inspection = inspect(checkpoints.base, directory)
    assert ("model_rows", "model.rows-shrank") in codes(inspection)
    assert "ids 128000-128255 lost their rows" in next(f.message for f in everything(inspection) if f.code == "model.rows-shrank")


# --- row values -------------------------------------------------------------------------------


def _with_rows(checkpoints: Checkpoints, tmp_path: Path, rows: dict[int, np.ndarray], *, bf16: bool = False) -> Path:
    tensors = {k: v.astype(np.float32) for k, v in builders.resize(checkpoints.trained, V + 1, init="mean").items()}
    for token_id, value in rows.items():
        tensors["model.embed_tokens.weight"][token_id] = value
    return builders.checkpoint(tmp_path / "rows", checkpoints.eom, tensors, bf16=bf16)


def test_template_token_with_an_untrained_row(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    # Llama-3 base keeps ~1e-23 in rows it never trained, <|start_header_id|> among them (class 34).
    directory = _with_rows(checkpoints, tmp_path, {128006: np.full(16, 1e-23), 128009: np.zeros(16)}, bf16=True)
    found = {f.code: f for f in inspect(checkpoints.base, directory).findings["model_trained_rows"]}
    assert set(found) == {"model.row-zero", "model.row-near-zero"}
    assert found["model.row-near-zero"].message.startswith(
        "model.embed_tokens.weight row 128006 '<|start_header_id|>' (used by the chat template) is near zero: "
        "untrained (norm 3.99")
    assert "row 128009 '<|eot_id|>' (used by the chat template) is all zeros" in found["model.row-zero"].message


def test_huge_and_broken_rows(checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path) -> None:
    # N(0, 1) init in a matrix trained to norms ~0.08, and a NaN.
    huge = np.random.default_rng(9).standard_normal(16)
    broken = np.full(16, np.nan)
    directory = _with_rows(checkpoints, tmp_path, {EOM: huge, 128001: broken})
    found = {f.code: f for f in inspect(checkpoints.base, directory).findings["model_trained_rows"]}
    assert found["model.row-far-above"].severity is Severity.WARNING
    assert "row 128256 '<|eom_id|>' (new token) has norms far above the trained rows (norm " in found["model.row-far-above"].message
    assert found["model.row-not-finite"].message.startswith(
        "model.embed_tokens.weight row 128001 '<|end_of_text|>' (in the stop set) holds NaN or infinite values")


# --- the real MiniLM --------------------------------------------------------------------------


def test_minilm_real_rows_pass_and_a_new_token_has_no_row(minilm: Path, inspect: Inspect, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    assert everything(inspect(minilm, minilm))[0].code == "model.encoder-only"
    tuned = tmp_path / "minilm-new"
    shutil.copytree(minilm, tuned)
    tokenizer = AutoTokenizer.from_pretrained(str(minilm), local_files_only=True)
    tokenizer.add_special_tokens({"additional_special_tokens": ["[NEW]"]})
    tokenizer.save_pretrained(str(tuned))
    inspection = inspect(minilm, tuned)
    (missing,) = inspection.findings["model_rows"]
    assert "embeddings.word_embeddings.weight has 30522 rows (ids 0-30521): id 30522 '[NEW]' has no input embedding row" in missing.message
    assert inspection.findings["model_trained_rows"] == []


def test_minilm_special_rows_are_within_the_trained_range(minilm: Path) -> None:
    # Real trained rows must not be flagged: [PAD] [UNK] [CLS] [SEP] [MASK] against 1024 sampled rows.
    from tokcheck.checks.model import checks
    from tokcheck.checks.model.inspection import tokenizer_facts
    from tokcheck.checks.model.rows import spread
    from tokcheck.checks.model.weights import open_model
    from tokcheck.sources.snapshot import take_snapshot
    from tokcheck.sources.spec import resolve

    snapshot = take_snapshot(resolve(str(minilm)))
    facts = tokenizer_facts(snapshot, snapshot)
    specials = sorted(snapshot.added_tokens)
    assert specials == [0, 100, 101, 102, 103]
    tensor = open_model(str(minilm)).tensors["embeddings.word_embeddings.weight"]
    matrix = checks.Matrix("input embedding", tensor.name, "model.safetensors", tensor.rows, tensor.columns, tensor.dtype)
    trained = read_rows(tensor, spread(list(facts.ordinary), 1024))
    assert checks.check_trained_rows(facts, matrix, specials, read_rows(tensor, specials), trained) == []
    zeroed = read_rows(tensor, specials)
    zeroed[2] = 0
    (finding,) = checks.check_trained_rows(facts, matrix, specials, zeroed, trained)
    assert finding.message.startswith("embeddings.word_embeddings.weight row 101 '[CLS]' is all zeros")


def test_adapter_over_a_bin_base_without_torch_checks_what_the_adapter_carries(
    checkpoints: Checkpoints, inspect: Inspect, tmp_path: Path
) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed: the base's .bin is read")
    base = builders.copy_tokenizer(checkpoints.llama3, tmp_path / "bin-base")
    builders.write_config(base, V)
    (base / "pytorch_model.bin").write_bytes(b"PK\x03\x04")
    adapter = builders.adapter(tmp_path / "ad", checkpoints.eom, base, builders.resize(checkpoints.trained, V + 1, init="zero"),
                               modules=["embed_tokens"])
    inspection = inspect(checkpoints.llama3, adapter)
    assert inspection.models.unavailable() is None  # the adapter carries the input embedding
    assert ("model_trained_rows", "model.row-zero") in codes(inspection)
