"""A tuned model (and its base) against the tuned tokenizer: builds the shapes and facts the pure
checks take, reads the few rows they need, and returns the model findings by check."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tokcheck.checks.engines.sampling import check_sampling_defaults
from tokcheck.checks.model.checks import (
    CHECK_FILES,
    CHECK_ROWS,
    CHECK_TRAINED_ROWS,
    MODEL_CHECKS,
    Matrix,
    ModelShape,
    TokenizerFacts,
    check_files,
    check_rows,
    check_trained_rows,
)
from tokcheck.checks.model.rows import UnreadableRows, read_rows, readable, spread
from tokcheck.checks.model.stop_set import check_stop_set
from tokcheck.checks.model.tensor import Tensor
from tokcheck.checks.model.weights import (
    ModelFiles,
    adapter_base,
    generates_text,
    input_embedding,
    output_layer,
    text_config,
    tie_flag,
)
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.model_configs import ModelConfigs, read_model_configs, snapshot_configs
from tokcheck.sources.snapshot import TokenizerSnapshot

SAMPLE_ROWS = 1024  # trained rows read per matrix to learn its norms


@dataclass(frozen=True)
class ModelPair:
    """The model files of the pair: `tuned` (a model or a PEFT adapter), `base` (the base model when
    known), and `adapter_base` (the model a tuned adapter applies to, when it is one)."""

    tuned: ModelFiles
    base: ModelFiles | None = None

    @cached_property
    def adapter_base(self) -> ModelFiles | None:
        if not self.tuned.is_adapter:
            return None
        return self.base if self.base is not None and not self.base.is_adapter else adapter_base(self.tuned)

    def config_jsons(self) -> tuple[tuple[str, dict[str, Any]] | None, tuple[str, dict[str, Any]] | None]:
        """Base's and tuned's model directory config.json with a label (an adapter's is its base
        model's; None where there is none), for the class views' model_type."""
        def labelled(role: str, files: ModelFiles | None) -> tuple[str, dict[str, Any]] | None:
            return (f"{role} model {files.spec}", files.config) if files is not None and files.config else None

        adapter = self.tuned.is_adapter
        return (labelled("base", self.adapter_base if adapter else self.base),
                labelled("adapter's base" if adapter else "tuned", self.adapter_base if adapter else self.tuned))

    def unavailable(self) -> str | None:
        """Why the tuned model's rows cannot be checked here, or None. A weight file that cannot be
        read (a shard the index names is missing) is such a reason, said in its one line."""
        try:
            return self._unavailable()
        except TokcheckUsageError as error:
            return str(error)

    def _unavailable(self) -> str | None:
        reason = self.tuned.unreadable
        if reason:
            return reason
        if self.tuned.is_adapter:
            found = input_embedding(self.tuned.tensors)
            base = self.adapter_base
            if found is None and base is None:
                reference = (self.tuned.adapter_config or {}).get("base_model_name_or_path") or "(not named)"
                return (f"{self.tuned.spec}: the adapter does not carry the embeddings and its base model "
                        f"{reference} is not a local directory or in the Hugging Face cache; pass --base-model PATH")
            if base is not None and found is None:
                return base.unreadable
        return None

    def describe(self) -> str:
        return self.tuned.describe()


def _matrix(role: str, tensor: Tensor, files: ModelFiles, from_adapter: bool = False) -> Matrix:
    return Matrix(role, tensor.name, tensor.where(files.directory), tensor.rows, tensor.columns, tensor.dtype, from_adapter)


def model_shape(files: ModelFiles, adapter_on: ModelFiles | None = None) -> tuple[ModelShape, dict[str, Tensor]]:
    """The shape of a model, or of an adapter over `adapter_on`, and the tensors behind its matrices."""
    config = adapter_on.config if files.is_adapter and adapter_on is not None else files.config
    tensors: dict[str, Tensor] = {}
    matrices: dict[str, Matrix] = {}
    for role, finder in (("input embedding", input_embedding), ("output layer", output_layer)):
        own = finder(files.tensors)
        if own is not None:
            tensors[role], matrices[role] = own, _matrix(role, own, files, files.is_adapter)
        elif files.is_adapter and adapter_on is not None and (other := finder(adapter_on.tensors)) is not None:
            tensors[role], matrices[role] = other, _matrix(role, other, adapter_on)
    sizes = {}
    if isinstance(config.get("vocab_size"), int):
        sizes["config.json: vocab_size"] = int(config["vocab_size"])
    if isinstance(text_config(config).get("vocab_size"), int):
        sizes["config.json: text_config.vocab_size"] = int(text_config(config)["vocab_size"])
    shape = ModelShape(
        label=files.spec,
        input=matrices.get("input embedding"),
        output=matrices.get("output layer"),
        tie_flag=tie_flag(config),
        generates=generates_text(config, files.adapter_config),
        vocab_sizes=sizes,
        adapter=files.is_adapter,
    )
    return shape, tensors


def tokenizer_facts(tuned: TokenizerSnapshot, base: TokenizerSnapshot | None = None) -> TokenizerFacts:
    base_length = base.length if base is not None else None
    watched: dict[int, str] = {}
    for token_id in sorted(tuned.id_to_token):
        if base_length is not None and token_id >= base_length:
            watched[token_id] = "new token"
    for entry in tuned.chat_templates.values():
        for token_id, added in tuned.added_tokens.items():
            if len(added.content) > 1 and added.content in entry.text:
                watched.setdefault(token_id, "used by the chat template")
        for role in ("bos_token", "eos_token"):
            role_id = tuned.token_id(tuned.special_roles.get(role))
            if role in entry.text and role_id is not None:
                watched.setdefault(role_id, "used by the chat template")
    stops = tuned.config_stop_ids()
    for token_id in stops.ids if stops else ():
        watched.setdefault(token_id, "in the stop set")
    special = set(tuned.added_tokens) | (set(base.added_tokens) if base is not None else set())
    limit = base_length if base_length is not None else tuned.length
    ordinary = tuple(sorted(
        token_id for token, token_id in tuned.vocab.items()
        if token_id < limit and token_id not in special
        and (base is None or base.id_to_token.get(token_id) == token)
    ))
    return TokenizerFacts(
        length=tuned.length,
        id_to_token=tuned.id_to_token,
        base_length=base_length,
        watched=dict(sorted(watched.items())),
        ordinary=ordinary,
    )

CHECK_SAMPLING = "model_sampling"


def generation_configs(
    models: ModelPair, base: TokenizerSnapshot | None, base_spec: str = "base"
) -> tuple[ModelConfigs | None, ModelConfigs]:
    """The configs generate() reads for base and for tuned: each model directory's own (an
    adapter's are its base model's); base without a model directory falls back to its tokenizer
    directory's (None when there is no base snapshot either)."""
    adapter_base = models.adapter_base
    if models.tuned.is_adapter and adapter_base is not None:
        tuned = read_model_configs(adapter_base.directory, f"base model of the adapter {adapter_base.spec}")
    else:
        tuned = read_model_configs(models.tuned.directory, f"tuned model {models.tuned.spec}")
    if models.base is not None and not models.base.is_adapter:
        return read_model_configs(models.base.directory, f"base model {models.base.spec}"), tuned
    if adapter_base is not None:
        return read_model_configs(adapter_base.directory, f"base model of the adapter {adapter_base.spec}"), tuned
    return (snapshot_configs(base, f"base tokenizer {base_spec}") if base is not None else None), tuned


def end_of_turn_id(tokenizer: LiveTokenizer) -> int | None:
    """The id a live tokenizer's chat template closes an assistant turn with (None: no template)."""
    from tokcheck.inputs.transcripts import Transcript, renders_chat
    from tokcheck.inputs.turn_end import closing_token, with_final_needle

    if not renders_chat(tokenizer):
        return None
    return closing_token(tokenizer, with_final_needle(Transcript([{"role": "user", "content": "Hi"}])))[0]


class ModelInspection:
    """The model findings of one pair, computed once. `live`: the base and tuned tokenizers, whose
    chat templates say which token ends a turn (the stop-set check needs it in the stop set)."""

    def __init__(
        self, models: ModelPair, tuned: TokenizerSnapshot, base: TokenizerSnapshot | None = None,
        live: tuple[LiveTokenizer, LiveTokenizer] | None = None,
    ) -> None:
        self.models = models
        self.facts = tokenizer_facts(tuned, base)
        self._snapshots = (base, tuned)
        self._live = live

    @cached_property
    def stop_set(self) -> list[Finding]:
        """The model directories' stop set and special ids against base's and the tokenizer's
        (read from the configs, whether or not the weights can be read)."""
        base, tuned = self._snapshots
        base_configs, tuned_configs = generation_configs(self.models, base, base.label if base is not None else "base")
        if base is None or base_configs is None:
            return []
        ends = (end_of_turn_id(self._live[0]), end_of_turn_id(self._live[1])) if self._live is not None else (None, None)
        return check_stop_set((base, base_configs), (tuned, tuned_configs), ends)

    @cached_property
    def sampling(self) -> list[Finding]:
        """The model directories' sampling defaults against base's, where they are not the
        tokenizer directories' configs the static model-config check already compared."""
        base, tuned = self._snapshots
        base_configs, tuned_configs = generation_configs(self.models, base, base.label if base is not None else "base")
        if base is None or base_configs is None:
            return []
        compared = (base.model_config, base.generation_config, tuned.model_config, tuned.generation_config)
        if (base_configs.config, base_configs.generation_config, tuned_configs.config, tuned_configs.generation_config) == compared:
            return []
        return check_sampling_defaults(base_configs, tuned_configs, CHECK_SAMPLING)

    @cached_property
    def unavailable(self) -> str | None:
        """Why the tuned model's rows cannot be read here (the model tests skip with it), or None."""
        return self.models.unavailable()

    @cached_property
    def _tuned(self) -> tuple[ModelShape, dict[str, Tensor]]:
        base = self.models.adapter_base
        return model_shape(self.models.tuned, base if base is not None and not base.unreadable else None)

    @cached_property
    def _base(self) -> ModelShape | None:
        base = self.models.adapter_base if self.models.tuned.is_adapter else self.models.base
        if base is None or base.is_adapter or base.unreadable:
            return None
        return model_shape(base)[0]

    @property
    def shape(self) -> ModelShape:
        return self._tuned[0]

    @cached_property
    def findings(self) -> dict[str, list[Finding]]:
        shape = self.shape
        result = {name: [] for name in MODEL_CHECKS}  # type: dict[str, list[Finding]]
        result[CHECK_FILES] = check_files(shape)
        if shape.input is None:
            return result
        result[CHECK_ROWS] = check_rows(self.facts, shape, self._base)
        for matrix in shape.matrices():
            result[CHECK_TRAINED_ROWS] += self._row_values(matrix)
        return result

    def _row_values(self, matrix: Matrix) -> list[Finding]:
        tensor = self._tuned[1]["input embedding" if matrix is self.shape.input else "output layer"]
        ids = [token_id for token_id in self.facts.watched if 0 <= token_id < tensor.rows]  # -1: "no id" in some configs
        if not ids:
            return []
        if not readable(tensor):
            return [Finding(CHECK_TRAINED_ROWS, "model.rows-not-decoded", Severity.INFO,
                            f"{matrix.name} is stored as {tensor.dtype}; its rows are not checked", where=matrix.where)]
        sample = spread([token_id for token_id in self.facts.ordinary if token_id < tensor.rows], SAMPLE_ROWS)
        try:
            rows = read_rows(tensor, ids)
            trained = read_rows(tensor, sample)
        except UnreadableRows as error:
            return [Finding(CHECK_TRAINED_ROWS, "model.rows-not-decoded", Severity.INFO, str(error), where=matrix.where)]
        return check_trained_rows(self.facts, matrix, ids, rows, trained)
