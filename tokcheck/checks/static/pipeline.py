"""Pipeline checks: normalizer, pre-tokenizer, post-processor and decoder, and the model itself
(type, parameters such as byte_fallback and ignore_merges, merges content and order, scores)."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.static.common import json_differences, q
from tokcheck.display import compact, first_difference
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

_COMPONENT_EFFECT = {
    "normalizer": "text is rewritten differently before tokenization (Unicode forms, case, spaces)",
    "pre_tokenizer": "text is split into words differently before the model sees it",
    "post_processor": "the special tokens added around every encoded text (BOS/EOS) differ",
    "decoder": "ids decode to different text",
}
_PARAM_EFFECT = {
    "byte_fallback": "characters outside the vocabulary become byte tokens in one and unk in the other",
    "ignore_merges": "words that are whole vocabulary entries are looked up directly in one and merged "
    "piece by piece in the other (e.g. ' Việt')",
    "dropout": "BPE dropout makes tokenization random",
    "unk_token": "text outside the vocabulary maps to a different token",
    "fuse_unk": "runs of unknown characters become one unk or many",
    "continuing_subword_prefix": "word pieces are looked up with a different prefix",
    "end_of_word_suffix": "word ends are looked up with a different suffix",
    "max_input_chars_per_word": "long words become unk at a different length",
    "unk_id": "text outside the vocabulary maps to a different token",
}
_SHOWN = 5  # differing paths or merges listed per finding


def check_component(name: str, base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before, after = base.components.get(name), tuned.components.get(name)
    if before == after:
        return []
    differences = json_differences(before, after)
    shown = "; ".join(
        f"{path}: base {compact(left)}, tuned {compact(right)}" for path, left, right in differences[:_SHOWN]
    )
    if len(differences) > _SHOWN:
        shown += f"; ... {len(differences) - _SHOWN} more"
    summary = _template_summary(before, after) if name == "post_processor" else ""
    return [
        Finding(
            name,
            f"pipeline.{name.replace('_', '-')}-changed",
            Severity.ERROR,
            f"{name} differs ({summary or shown}); {_COMPONENT_EFFECT[name]}",
            where=f"tokenizer.json: {name}",
            base=before,
            tuned=after,
            fix=f"restore {name} from base's tokenizer.json (if a library upgrade rewrote it, pin the version "
            "that saved base, or re-save base with the new one and compare again)",
            detail=shown if summary else "",
        )
    ]


def _template_summary(before: Any, after: Any) -> str:
    """'base adds <bos> $A, tuned adds $A' for TemplateProcessing post-processors."""
    left, right = _single_template(before), _single_template(after)
    if left is None or right is None or left == right:
        return ""
    return f"single sequences: base {left!r}, tuned {right!r}"


def _single_template(component: Any) -> str | None:
    if component is None:
        return "$A"
    if not isinstance(component, dict):
        return None
    if component.get("type") == "Sequence":
        processors = component.get("processors")
        parts = [_single_template(item) for item in processors] if isinstance(processors, list) else [None]
        templates = [part for part in parts if part not in (None, "$A")]
        return templates[-1] if templates else "$A"
    if component.get("type") != "TemplateProcessing":
        return None
    single = component.get("single")
    if not isinstance(single, list):
        return None
    pieces = []
    for piece in single:  # as saved: a damaged file may hold anything here (the fuzzer's find)
        special = piece.get("SpecialToken") if isinstance(piece, dict) else None
        sequence = piece.get("Sequence") if isinstance(piece, dict) else None
        if isinstance(special, dict):
            pieces.append(str(special.get("id")))
        elif isinstance(sequence, dict):
            pieces.append("$" + str(sequence.get("id")))
        else:
            return None
    return " ".join(pieces)


def check_model(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.model_type != tuned.model_type:
        return [
            Finding(
                "model",
                "model.type-changed",
                Severity.ERROR,
                f"the tokenizer model is {base.model_type} in base but {tuned.model_type} in tuned: "
                "this is a different tokenizer",
                where="tokenizer.json: model.type",
                base=base.model_type,
                tuned=tuned.model_type,
                fix="restore base's tokenizer.json",
            )
        ]
    findings = [
        Finding(
            "model",
            f"model.{key.replace('_', '-')}-changed",
            Severity.ERROR,
            f"model.{key} is {compact(base.model_params.get(key))} in base but "
            f"{compact(tuned.model_params.get(key))} in tuned; {_PARAM_EFFECT.get(key, 'tokenization may differ')}",
            where=f"tokenizer.json: model.{key}",
            base=base.model_params.get(key),
            tuned=tuned.model_params.get(key),
            fix=f"restore model.{key} from base's tokenizer.json",
        )
        for key in sorted(set(base.model_params) | set(tuned.model_params))
        if base.model_params.get(key) != tuned.model_params.get(key)
    ]
    findings += _merge_changes(base, tuned)
    findings += _score_changes(base, tuned)
    return findings


def _merge_changes(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.merges is None or tuned.merges is None or base.merges == tuned.merges:
        return []
    base_set, tuned_set = set(base.merges), set(tuned.merges)
    added = [merge for merge in tuned.merges if merge not in base_set]
    removed = [merge for merge in base.merges if merge not in tuned_set]
    if added or removed:
        examples = ", ".join(f"+{' '.join(m)!r}" for m in added[:_SHOWN])
        examples += (", " if examples and removed else "") + ", ".join(f"-{' '.join(m)!r}" for m in removed[:_SHOWN])
        return [
            Finding(
                "model",
                "model.merges-changed",
                Severity.ERROR,
                f"merges differ: tuned adds {len(added):,} and drops {len(removed):,} of base's "
                f"{len(base.merges):,} merges ({examples}); words containing them tokenize differently",
                where="tokenizer.json: model.merges",
                base=len(base.merges),
                tuned=len(tuned.merges),
                fix="restore model.merges from base's tokenizer.json",
            )
        ]
    rank = first_difference(base.merges, tuned.merges) or 0  # same merges, so a position where both have one
    moved = sum(1 for left, right in zip(base.merges, tuned.merges) if left != right)
    return [
        Finding(
            "model",
            "model.merges-reordered",
            Severity.ERROR,
            f"merges are reordered: {moved:,} of {len(base.merges):,} have another rank, first at rank {rank:,} "
            f"(base {' '.join(base.merges[rank])!r}, tuned {' '.join(tuned.merges[rank])!r}); BPE applies "
            "merges by rank, so some words tokenize differently",
            where=f"tokenizer.json: model.merges[{rank}]",
            base=" ".join(base.merges[rank]),
            tuned=" ".join(tuned.merges[rank]),
            fix="restore model.merges from base's tokenizer.json (order matters)",
        )
    ]


def _score_changes(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.unigram_scores is None or tuned.unigram_scores is None:
        return []
    shared = min(len(base.unigram_scores), len(tuned.unigram_scores))
    changed = [i for i in range(shared) if base.unigram_scores[i] != tuned.unigram_scores[i]]
    if not changed:
        return []
    first = changed[0]
    return [
        Finding(
            "model",
            "model.scores-changed",
            Severity.ERROR,
            f"Unigram scores differ for {len(changed):,} pieces, first {q(tuned.id_to_token.get(first))} (id {first}: "
            f"base {base.unigram_scores[first]}, tuned {tuned.unigram_scores[first]}); segmentation changes",
            where=f"tokenizer.json: model.vocab[{first}]",
            fix="restore model.vocab from base's tokenizer.json",
        )
    ]
