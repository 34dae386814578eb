"""The tuned model run with torch, for the `gpu` tests (the same code runs on CPU by hand): load it
in bf16 from local files, feed a transcript holding every special token the chat template uses and
every added token, and report what the loaded modules say about rows and tying -> Findings. torch,
transformers' model classes and peft are optional (the gpu extra): each is imported in the
function that needs it, so this module imports where they are missing and says why tests skip."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from tokcheck.checks.model.inspection import ModelPair, tokenizer_facts
from tokcheck.checks.model.weights import generates_text, input_embedding, tie_flag
from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.live import render_chat
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK_GPU = "model_gpu"
CHUNK = 1024  # positions per forward pass
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is 2 + 2?"},
    {"role": "assistant", "content": "2 + 2 = 4."},
    {"role": "user", "content": "And 3 + 3?"},
]


def torch_missing() -> str | None:
    return "torch is not installed" if importlib.util.find_spec("torch") is None else None


def cuda_missing() -> str | None:
    import torch

    if torch.cuda.is_available():
        return None
    build = f"torch {torch.__version__}" + ("" if torch.version.cuda else ", a build without CUDA")
    return f"CUDA is not available ({build})"


def load_model(models: ModelPair, *, device: str, dtype: str = "bfloat16", trust_remote_code: bool = False) -> Any:
    """The tuned model (or adapter over its base) on `device`, from local files only, in eval mode."""
    import torch
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    dtype_key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": trust_remote_code,
                              dtype_key: getattr(torch, dtype)}
    tuned = models.tuned
    if tuned.is_adapter:
        from peft import PeftModel

        base = models.adapter_base
        if base is None:
            raise LookupError(models.unavailable() or f"{tuned.spec}: the adapter's base model is not found")
        model: Any = transformers.AutoModelForCausalLM.from_pretrained(str(base.directory), **kwargs)
        carried = input_embedding(tuned.tensors)
        if carried is not None and carried.rows != model.get_input_embeddings().num_embeddings:
            model.resize_token_embeddings(carried.rows)  # as the trainer did before saving the adapter
        model = PeftModel.from_pretrained(model, str(tuned.directory), **{dtype_key: getattr(torch, dtype)})
    else:
        auto = transformers.AutoModelForCausalLM if generates_text(tuned.config) is not False else transformers.AutoModel
        model = auto.from_pretrained(str(tuned.directory), **kwargs)
    return model.to(device).eval()


def transcript_ids(tokenizer: LiveTokenizer, tuned: TokenizerSnapshot) -> list[int]:
    """A rendered chat (or plain text when there is no template), then every token the template
    names, every added token and every stop id, each once."""
    if getattr(tokenizer, "chat_template", None):
        ids = list(render_chat(tokenizer, MESSAGES, tokenize=True, add_generation_prompt=True))
    else:
        ids = list(tokenizer.encode("What is 2 + 2? 2 + 2 = 4.", add_special_tokens=True))
    extra = [*tokenizer_facts(tuned).watched, *sorted(tuned.added_tokens)]
    return ids + [token_id for token_id in dict.fromkeys(extra) if token_id not in ids]


@dataclass(frozen=True)
class LiveModel:
    """What the loaded modules say: row counts, tying, and the logits over a transcript."""

    input_rows: int
    output_rows: int | None
    tied_in_config: bool | None
    shares_storage: bool | None  # output and input weights are one tensor (None: no output layer)
    bad_positions: tuple[int, ...]  # positions whose logits (or hidden states) are not all finite
    ids: tuple[int, ...]  # the transcript fed: ids without an input row are left out (rows finding)
    bad_rows: tuple[int, ...] = ()  # transcript ids whose input rows are not all finite


def inspect_live(model: Any, ids: list[int], config: dict[str, Any]) -> LiveModel:
    import torch

    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    embedding = inner.get_input_embeddings()
    output = inner.get_output_embeddings() if hasattr(inner, "get_output_embeddings") else None
    device = embedding.weight.device
    # An id past the matrix is an IndexError on CPU and a device-side assert that poisons the
    # CUDA context on a GPU; the rows finding reports those ids, the rest still run.
    ids = [token_id for token_id in ids if token_id < embedding.num_embeddings]
    bad: list[int] = []
    with torch.no_grad():
        unique = sorted(set(ids))
        finite_rows = torch.isfinite(embedding.weight[torch.tensor(unique, device=device)].float()).all(dim=-1)
    bad_rows = tuple(token_id for token_id, finite in zip(unique, finite_rows.tolist()) if not finite)
    limit = min(CHUNK, int(getattr(inner.config, "max_position_embeddings", CHUNK) or CHUNK))
    with torch.no_grad():
        for start in range(0, len(ids), limit):
            chunk = torch.tensor([ids[start : start + limit]], device=device)
            result = model(input_ids=chunk)
            values = getattr(result, "logits", None)
            if values is None:
                values = result.last_hidden_state
            finite = torch.isfinite(values.float()).all(dim=-1)[0]
            bad += [start + int(position) for position in torch.nonzero(~finite).flatten().tolist()]
    return LiveModel(
        input_rows=int(embedding.num_embeddings),
        output_rows=int(output.weight.shape[0]) if output is not None else None,
        tied_in_config=tie_flag(config),
        shares_storage=(output.weight.data_ptr() == embedding.weight.data_ptr()) if output is not None else None,
        bad_positions=tuple(bad),
        ids=tuple(ids),
        bad_rows=bad_rows,
    )


def live_findings(live: LiveModel, tokenizer_length: int, id_to_token: dict[int, str], label: str) -> dict[str, list[Finding]]:
    """Findings by test: "rows", "logits", "tying"."""
    rows = []
    for role, count in (("input embedding", live.input_rows), ("output layer", live.output_rows)):
        if count is not None and count < tokenizer_length:
            rows.append(Finding(CHECK_GPU, "gpu.rows-below-tokenizer", Severity.ERROR,
                                f"loaded {role} of {label} has {count} rows but the tuned tokenizer has {tokenizer_length} ids",
                                base=count, tuned=tokenizer_length))
    logits = []
    if live.bad_positions:
        shown = ", ".join(f"{position} ({live.ids[position]} {id_to_token.get(live.ids[position], '?')!r})"
                          for position in live.bad_positions[:8])
        # One NaN row spreads to every position through attention, so name the rows too.
        rows_named = ", ".join(f"{token_id} {id_to_token.get(token_id, '?')!r}" for token_id in live.bad_rows[:8])
        logits.append(Finding(CHECK_GPU, "gpu.logits-not-finite", Severity.ERROR,
                              f"{label} gives NaN or infinite outputs at {len(live.bad_positions)} of {len(live.ids)} "
                              f"transcript positions: {shown}"
                              + (f"; input rows not finite: {rows_named}" if rows_named else ""),
                              fix="check the rows of these tokens (model_trained_rows) and the dtype the model was saved in"))
    tying = []
    if live.tied_in_config is True and live.shares_storage is False:
        tying.append(Finding(CHECK_GPU, "gpu.not-tied", Severity.ERROR,
                             f"config ties the word embeddings but the loaded output layer of {label} is a separate tensor",
                             fix="check tie_word_embeddings and the saved lm_head"))
    return {"rows": rows, "logits": logits, "tying": tying}


def peft_missing() -> bool:
    return importlib.util.find_spec("peft") is None


@dataclass(frozen=True)
class GpuRun:
    """The tuned model run once on the GPU: what the loaded modules say, and the findings by test
    ("rows", "logits", "tying")."""

    live: LiveModel
    findings: dict[str, list[Finding]]


def gpu_unavailable(models: ModelPair | None, no_model: str) -> str | None:
    """Why the gpu tests cannot run here (torch, CUDA, a model, peft for an adapter), or None."""
    reason = torch_missing() or cuda_missing()
    if reason is None and models is None:
        reason = no_model
    if reason is None and models is not None:
        reason = models.unavailable()
    if reason is None and models is not None and models.tuned.is_adapter and peft_missing():
        reason = "peft is not installed (needed to load the tuned PEFT adapter)"
    return reason


def run_on_gpu(models: ModelPair, tokenizer: LiveTokenizer, snapshot: TokenizerSnapshot, *, trust_remote_code: bool) -> GpuRun:
    """Load the tuned model on cuda in bf16 and run the transcript through it once."""
    model = load_model(models, device="cuda", trust_remote_code=trust_remote_code)
    ids = transcript_ids(tokenizer, snapshot)
    config = models.adapter_base.config if models.tuned.is_adapter and models.adapter_base else models.tuned.config
    live = inspect_live(model, ids, config)
    length = max(len(tokenizer), snapshot.length)
    return GpuRun(live, live_findings(live, length, snapshot.id_to_token, models.tuned.spec))
