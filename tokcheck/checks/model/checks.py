"""Model checks as pure functions: the shapes of the embedding matrices against the tuned
tokenizer and the configs, and rows already read against the trained rows' norms -> Findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tokcheck.findings import Finding, Severity

CHECK_FILES = "model_files"
CHECK_ROWS = "model_rows"
CHECK_TRAINED_ROWS = "model_trained_rows"
MODEL_CHECKS = (CHECK_FILES, CHECK_ROWS, CHECK_TRAINED_ROWS)

_SHOWN = 8  # ids named in a message; the detail lists the rest
_DETAIL_IDS = 200
# A row far below every trained row is untrained (Llama 3 base keeps ~1e-23 in its reserved rows);
# rows made as the mean of the trained rows (transformers' mean_resizing, unsloth) are small but
# far above this, so there is no other lower bound.
NEAR_ZERO = 1e-4  # times the 1st percentile of the trained norms
FAR_ABOVE = 4.0  # times the 99th percentile (e.g. N(0, 1) init in a matrix trained to norms ~1)
MIN_SAMPLE = 32  # trained rows needed before norms are compared at all
RESIZE_FIX = (
    "resize the model to the tokenizer (model.resize_token_embeddings(len(tokenizer)), e.g. LLaMA-Factory "
    "resize_vocab: true) and train or initialise the new rows; or restore the base tokenizer files"
)


@dataclass(frozen=True)
class Matrix:
    """An embedding matrix as the headers give it."""

    role: str  # "input embedding", "output layer", or "input embedding (tied output layer)"
    name: str
    where: str
    rows: int
    columns: int
    dtype: str
    from_adapter: bool = False


@dataclass(frozen=True)
class ModelShape:
    label: str
    input: Matrix | None
    output: Matrix | None  # None when tied, for an encoder, or when missing
    tie_flag: bool | None  # tie_word_embeddings as the config states it
    generates: bool | None  # has an LM head per the config (False: an encoder such as BertModel)
    vocab_sizes: dict[str, int] = field(default_factory=dict)  # "config.json: vocab_size" -> value
    adapter: bool = False

    @property
    def tied(self) -> bool:
        return self.output is None and self.tie_flag is not False and self.generates is not False

    def matrices(self) -> list[Matrix]:
        """Each matrix a token id is looked up in (the tied one once)."""
        return [matrix for matrix in (self.input, self.output) if matrix is not None]


@dataclass(frozen=True)
class TokenizerFacts:
    """What the model checks need from the tuned (and base) tokenizer snapshots."""

    length: int  # one past the highest id the tuned tokenizer can produce
    id_to_token: Mapping[int, str]
    base_length: int | None = None
    watched: Mapping[int, str] = field(default_factory=dict)  # id -> why its row matters
    ordinary: tuple[int, ...] = ()  # plain vocabulary ids shared with base: the trained rows

    def named(self, ids: list[int], *, reasons: bool = False) -> str:
        shown = [self._one(token_id, reasons) for token_id in ids[:_SHOWN]]
        more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
        return ", ".join(shown) + more

    def _one(self, token_id: int, reasons: bool) -> str:
        text = f"{token_id} {self.id_to_token.get(token_id, '?')!r}"
        return f"{text} ({self.watched[token_id]})" if reasons and token_id in self.watched else text

    def detail(self, ids: list[int], values: Mapping[int, str] | None = None) -> str:
        if len(ids) <= _SHOWN and values is None:
            return ""
        lines = [
            f"{token_id} {self.id_to_token.get(token_id, '?')!r}" + (f": {values[token_id]}" if values else "")
            for token_id in ids[:_DETAIL_IDS]
        ]
        if len(ids) > _DETAIL_IDS:
            lines.append(f"... {len(ids) - _DETAIL_IDS} more")
        return "\n".join(lines)


def _role(shape: ModelShape, matrix: Matrix) -> str:
    return f"{matrix.role} (tied output layer)" if matrix is shape.input and shape.tied else matrix.role


# --- model_files: configs and tensors agree with each other -----------------------------------


def check_files(tuned: ModelShape) -> list[Finding]:
    if tuned.input is None:
        return [Finding(CHECK_FILES, "model.no-input-embedding", Severity.ERROR,
                        f"found no input embedding among the tensors of {tuned.label}",
                        fix="pass the model directory with --tuned-model; tokcheck looks for embed_tokens, wte, "
                            "embed_in, word_embeddings, tok_embeddings or shared tensors")]
    findings = _vocab_sizes(tuned, tuned.input) + _tying(tuned, tuned.input)
    if tuned.adapter and any(matrix.from_adapter for matrix in tuned.matrices()):
        carried = " and ".join(f"{matrix.name} ({matrix.rows} rows)" for matrix in tuned.matrices() if matrix.from_adapter)
        findings.append(Finding(
            CHECK_FILES, "model.adapter-carries-embeddings", Severity.INFO,
            f"the adapter carries its own {carried} (modules_to_save or saved embedding layers): load it onto a "
            f"base resized to {tuned.input.rows} rows; vLLM does not serve adapters with modules_to_save",
            where=tuned.input.where,
        ))
    return findings


def _vocab_sizes(shape: ModelShape, embedding: Matrix) -> list[Finding]:
    findings = []
    nested = any("text_config" in where for where in shape.vocab_sizes)
    for where, size in shape.vocab_sizes.items():
        if size == embedding.rows:
            continue
        if shape.adapter and embedding.from_adapter:
            continue  # the base's config: the adapter-carries-embeddings finding says what to do
        stale_top = nested and "text_config" not in where
        findings.append(Finding(
            CHECK_FILES,
            "model.config-vocab-size-mismatch",
            Severity.WARNING if stale_top else Severity.ERROR,
            f"{where} is {size} but {embedding.name} has {embedding.rows} rows"
            + ("; the text model reads text_config, other tools may read this key" if stale_top
               else "; from_pretrained fails with a size mismatch, and converters (GGUF) use vocab_size"),
            where=where,
            tuned={"vocab_size": size, "rows": embedding.rows},
            fix=f"set {where.split(': ')[-1]} to {embedding.rows}",
        ))
    return findings


def _tying(shape: ModelShape, embedding: Matrix) -> list[Finding]:
    output = shape.output
    if output is None:
        if shape.tie_flag is False and shape.generates is not False:
            return [Finding(CHECK_FILES, "model.output-layer-missing", Severity.ERROR,
                            f"config sets tie_word_embeddings false but {shape.label} has no output layer "
                            "(lm_head.weight): transformers initialises it randomly at load",
                            where="config.json: tie_word_embeddings",
                            fix="save the trained lm_head too, or set tie_word_embeddings true if it was tied")]
        if shape.generates is False:
            return [Finding(CHECK_FILES, "model.encoder-only", Severity.INFO,
                            f"{shape.label} is an encoder without an output layer over the vocabulary; only its "
                            f"input embedding ({embedding.name}) is checked", where=embedding.where)]
        return []
    findings = []
    if output.columns != embedding.columns:
        findings.append(Finding(CHECK_FILES, "model.hidden-size-differs", Severity.ERROR,
                                f"{embedding.name} has {embedding.columns} columns but {output.name} has {output.columns}",
                                where=output.where, tuned={"input columns": embedding.columns, "output columns": output.columns}))
    if shape.tie_flag is True:
        severity = Severity.INFO if output.rows == embedding.rows else Severity.WARNING
        findings.append(Finding(CHECK_FILES, "model.output-ignored-when-tied", severity,
                                f"config ties the output layer to the input embedding, so transformers ignores "
                                f"{output.name} ({output.rows} rows) and uses {embedding.name} ({embedding.rows} rows)",
                                where=output.where,
                                fix="" if severity is Severity.INFO else "set tie_word_embeddings false if lm_head was trained apart"))
    elif output.rows != embedding.rows:
        findings.append(Finding(CHECK_FILES, "model.untied-rows-differ", Severity.ERROR,
                                f"untied {embedding.name} has {embedding.rows} rows but {output.name} has "
                                f"{output.rows}: a resize reached one matrix and not the other",
                                where=output.where, tuned={"input rows": embedding.rows, "output rows": output.rows},
                                fix="resize both with model.resize_token_embeddings(len(tokenizer)) before saving"))
    return findings


# --- model_rows: every id the tuned tokenizer can produce has a row ---------------------------


def check_rows(facts: TokenizerFacts, tuned: ModelShape, base: ModelShape | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for matrix in tuned.matrices():
        missing = sorted(token_id for token_id in facts.id_to_token if token_id >= matrix.rows)
        if missing:
            role = _role(tuned, matrix)
            findings.append(Finding(
                CHECK_ROWS, "model.ids-without-row", Severity.ERROR,
                f"the tuned tokenizer produces ids up to {facts.length - 1} but {role} {matrix.name} has "
                f"{matrix.rows} rows (ids 0-{matrix.rows - 1}): {_noun(missing, 'id')} {facts.named(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no {role.split(' (')[0]} row",
                where=matrix.where, tuned={"rows": matrix.rows, "ids without a row": missing[:_DETAIL_IDS]}, fix=RESIZE_FIX,
                detail=facts.detail(missing),
            ))
    if tuned.input is not None and tuned.input.rows > facts.length:
        findings.append(_spare_rows(facts, tuned.input))
    if base is not None and base.input is not None and tuned.input is not None and tuned.input.rows < base.input.rows:
        findings.append(Finding(
            CHECK_ROWS, "model.rows-shrank", Severity.ERROR,
            f"{tuned.input.name} has {tuned.input.rows} rows in tuned but {base.input.rows} in base: ids "
            f"{tuned.input.rows}-{base.input.rows - 1} lost their rows",
            where=tuned.input.where, base=base.input.rows, tuned=tuned.input.rows,
            fix="resize to at least the base's rows (resize_token_embeddings never needs to shrink)",
        ))
    return findings


def _noun(ids: list[int], word: str) -> str:
    return word if len(ids) == 1 else f"{len(ids)} {word}s"


def _spare_rows(facts: TokenizerFacts, matrix: Matrix) -> Finding:
    spare = matrix.rows - facts.length
    multiple = matrix.rows & -matrix.rows  # the largest power of two dividing the row count
    if multiple >= 8 and spare < max(multiple, 1024):
        return Finding(CHECK_ROWS, "model.padded-rows", Severity.INFO,
                       f"{matrix.name} has {matrix.rows} rows for {facts.length} token ids: {spare} spare rows, "
                       f"padding to a multiple of {multiple} (resize_token_embeddings pad_to_multiple_of)",
                       where=matrix.where, tuned={"rows": matrix.rows, "token ids": facts.length})
    return Finding(CHECK_ROWS, "model.rows-beyond-tokenizer", Severity.WARNING,
                   f"{matrix.name} has {matrix.rows} rows but the tuned tokenizer has only {facts.length} ids, "
                   f"and {matrix.rows} is no padded multiple: was the tokenizer reverted after the model was resized?",
                   where=matrix.where, tuned={"rows": matrix.rows, "token ids": facts.length},
                   fix="ship the tokenizer the model was trained with")


# --- model_trained_rows: new and template rows are initialised ---------------------------------


@dataclass(frozen=True)
class NormRange:
    """Norms of the sampled trained rows."""

    low: float  # 1st percentile
    median: float
    high: float  # 99th percentile
    sampled: int

    def text(self) -> str:
        return (f"trained rows have norms {self.low:.4g}-{self.high:.4g} (median {self.median:.4g}; "
                f"1st-99th percentile of {self.sampled} sampled rows)")


def norm_range(trained: np.ndarray) -> NormRange | None:
    norms = np.linalg.norm(trained.astype(np.float64), axis=1)
    norms = norms[np.isfinite(norms) & (norms > 0)]
    if len(norms) < MIN_SAMPLE:
        return None
    low, median, high = np.percentile(norms, [1, 50, 99])
    return NormRange(float(low), float(median), float(high), len(norms))


def check_trained_rows(
    facts: TokenizerFacts, matrix: Matrix, ids: list[int], rows: np.ndarray, trained: np.ndarray
) -> list[Finding]:
    """Rows `ids` (read as `rows`) of one matrix against the norms of its `trained` sample rows."""
    if not ids:
        return []
    typical = norm_range(trained)
    finite = np.isfinite(rows).all(axis=1)
    zero = finite & (rows == 0).all(axis=1)
    norms = np.where(finite, np.linalg.norm(np.where(np.isfinite(rows), rows, 0).astype(np.float64), axis=1), np.nan)
    groups: dict[str, list[int]] = {"not-finite": [], "zero": [], "near-zero": [], "far-above": []}
    for index, token_id in enumerate(ids):
        if not finite[index]:
            groups["not-finite"].append(token_id)
        elif zero[index]:
            groups["zero"].append(token_id)
        elif typical is not None and norms[index] < NEAR_ZERO * typical.low:
            groups["near-zero"].append(token_id)
        elif typical is not None and norms[index] > FAR_ABOVE * typical.high:
            groups["far-above"].append(token_id)
    norm_of = {token_id: f"norm {norms[index]:.4g}" for index, token_id in enumerate(ids)}
    context = f"; {typical.text()}" if typical else ""
    evidence = norm_evidence(facts, ids, norms, groups, trained, typical)
    findings = []
    for kind, found in groups.items():
        if not found:
            continue
        what = {
            "not-finite": ("hold NaN or infinite values", Severity.ERROR),
            "zero": ("are all zeros: never initialised", Severity.ERROR),
            "near-zero": ("are near zero: untrained", Severity.ERROR),
            "far-above": ("have norms far above the trained rows", Severity.WARNING),
        }[kind]
        norms_shown = "" if kind in ("not-finite", "zero") else (
            " (" + ", ".join(norm_of[token_id] for token_id in found[:_SHOWN]) + ")")
        verb = what[0] if len(found) > 1 else what[0].replace("are ", "is ").replace("hold ", "holds ").replace("have ", "has ")
        findings.append(Finding(
            CHECK_TRAINED_ROWS, f"model.row-{kind}", what[1],
            f"{matrix.name} {'rows' if len(found) > 1 else 'row'} {facts.named(found, reasons=True)} "
            f"{verb}{norms_shown}{context}",
            where=matrix.where,
            tuned=found[:_DETAIL_IDS],
            fix="initialise new rows (e.g. resize_token_embeddings(..., mean_resizing=True)) and train them "
                "(add embed_tokens and lm_head to modules_to_save with LoRA)",
            detail=facts.detail(found, {token_id: norm_of[token_id] for token_id in found}) if len(found) > _SHOWN else "",
            evidence=evidence,
        ))
    return findings


def _rounded(value: float) -> float | None:
    return float(f"{value:.4g}") if np.isfinite(value) else None


def norm_evidence(facts: TokenizerFacts, ids: list[int], norms: np.ndarray, groups: Mapping[str, list[int]],
                  trained: np.ndarray, typical: NormRange | None) -> dict[str, object]:
    """What the reports draw for a row check: the sampled trained rows' norms, each watched row's
    norm and verdict, and both thresholds."""
    kind_of = {token_id: kind for kind, found in groups.items() for token_id in found}
    trained_norms = np.sort(np.linalg.norm(trained.astype(np.float64), axis=1))
    return {"norms": {
        "trained": [_rounded(value) for value in trained_norms],
        "rows": [{"id": token_id, "token": facts.id_to_token.get(token_id, "?"), "norm": _rounded(norms[index]),
                  "kind": kind_of.get(token_id, "ok"), "why": facts.watched.get(token_id, "")}
                 for index, token_id in enumerate(ids[:_DETAIL_IDS])],
        "thresholds": {} if typical is None else {"near-zero": _rounded(NEAR_ZERO * typical.low),
                                                  "far-above": _rounded(FAR_ABOVE * typical.high)},
    }}
