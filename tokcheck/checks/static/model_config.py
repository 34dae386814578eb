"""The model-config check: special ids in config.json and generation_config.json (bos, eos and the
stop set, pad, decoder start), the sampling defaults engines take from generation_config.json,
vocab_size against the tokenizer, and tied embeddings."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.engines.sampling import check_sampling_defaults
from tokcheck.checks.engines.stop_sets import engine_effect, running_past
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.model_configs import snapshot_configs
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "model_config"
_ID_KEYS = ("bos_token_id", "pad_token_id", "decoder_start_token_id")


def _text_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """Multimodal configs keep the language model's keys under text_config."""
    if not config:
        return {}
    nested = config.get("text_config")
    return {**(nested if isinstance(nested, dict) else {}), **{k: v for k, v in config.items() if v is not None}}


def _named(snapshot: TokenizerSnapshot, ids: tuple[int, ...]) -> str:
    return "[" + ", ".join(f"{token_id} {snapshot.id_to_token.get(token_id, '?')!r}" for token_id in ids) + "]"


def check_model_config(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.bare or tuned.bare:
        return []
    findings: list[Finding] = []
    for name, before, after in (
        ("config.json", base.model_config, tuned.model_config),
        ("generation_config.json", base.generation_config, tuned.generation_config),
    ):
        if before is not None and after is None:
            # Static checks see only the tokenizer directories; a model directory's configs are
            # the model stop-set test's (tokcheck.checks.model.stop_set), so say where they go.
            findings.append(
                Finding(CHECK, "model-config.file-missing", Severity.INFO,
                        f"tuned's tokenizer directory has no {name}, so this check does not compare the "
                        f"special ids in it; the model stop-set test compares the {name} of tuned's model "
                        "directory (--tuned-model DIR, or a PEFT adapter's base) when that directory has one",
                        where=name)
            )
        if before is None or after is None:
            continue
        findings += _id_changes(name, _text_config(before), _text_config(after))
    findings += _stop_set_change(base, tuned)
    findings += check_sampling_defaults(snapshot_configs(base, f"base tokenizer {base.label}"),
                                        snapshot_configs(tuned, f"tuned tokenizer {tuned.label}"), CHECK)
    findings += _vocab_size(base, tuned)
    findings += _tied_embeddings(base, tuned)
    return findings


def _id_changes(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[Finding]:
    findings = []
    for key in _ID_KEYS:
        if before.get(key) == after.get(key) or (key not in before and key not in after):
            continue
        nulled = before.get(key) is not None and after.get(key) is None
        findings.append(
            Finding(
                CHECK,
                f"model-config.{key.replace('_', '-')}-changed",
                Severity.ERROR,
                f"{name} {key} is {compact(before.get(key))} in base but {compact(after.get(key))} in tuned"
                + ("; a Trainer that aligns special tokens writes null when the tokenizer has no such token" if nulled else ""),
                where=f"{name}: {key}",
                base=before.get(key),
                tuned=after.get(key),
                fix=f"restore {key} from base's {name}",
            )
        )
    return findings


def _stop_set_change(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    base_stop, tuned_stop = base.config_stop_ids(), tuned.config_stop_ids()
    findings: list[Finding] = []
    if base_stop is not None and tuned_stop is not None and set(base_stop.ids) != set(tuned_stop.ids):
        grows = set(base_stop.ids) < set(tuned_stop.ids)
        findings.append(
            Finding(
                CHECK,
                "model-config.stop-set-grows" if grows else "model-config.stop-set-changed",
                Severity.WARNING if grows else Severity.ERROR,
                f"generation stops at {_named(base, base_stop.ids)} in base ({base_stop.where}) but at "
                f"{_named(tuned, tuned_stop.ids)} in tuned ({tuned_stop.where})"
                + ("" if grows else "; " + _will_not_stop(base, tuned, set(base_stop.ids) - set(tuned_stop.ids))),
                where=f"{tuned_stop.where}: eos_token_id",
                base=list(base_stop.ids),
                tuned=list(tuned_stop.ids),
                fix="restore eos_token_id from base (a list keeps every end-of-turn token)",
                evidence=None if grows else running_past(set(base_stop.ids) - set(tuned_stop.ids), tuned,
                                                         snapshot_configs(tuned, "tuned")),
            )
        )
    for snapshot in (base, tuned):
        snapshot_stop = snapshot.config_stop_ids()
        eos = snapshot.token_id(snapshot.special_roles.get("eos_token"))
        if snapshot is tuned and snapshot_stop and eos is not None and eos not in snapshot_stop.ids:
            base_eos = base.token_id(base.special_roles.get("eos_token"))
            base_stop_now = base.config_stop_ids()
            if base_stop_now and base_eos is not None and base_eos not in base_stop_now.ids:
                continue  # base has the same mismatch (e.g. Qwen base models); not drift
            findings.append(
                Finding(
                    CHECK,
                    "model-config.eos-not-a-stop",
                    Severity.ERROR,
                    f"tuned's eos_token {snapshot.special_roles.get('eos_token')!r} (id {eos}) is not among the ids "
                    f"generation stops at, {_named(tuned, snapshot_stop.ids)} ({snapshot_stop.where}): a model "
                    "trained to end with it never stops" + engine_effect(eos, tuned, snapshot_configs(tuned, "tuned")),
                    where=f"{snapshot_stop.where}: eos_token_id",
                    tuned=list(snapshot_stop.ids),
                    fix=f"add {eos} to eos_token_id in {snapshot_stop.where}, or restore base's eos_token",
                    evidence=running_past([eos], tuned, snapshot_configs(tuned, "tuned")),
                )
            )
    return findings


def _will_not_stop(base: TokenizerSnapshot, tuned: TokenizerSnapshot, removed: set[int]) -> str:
    if not removed:
        return "the model may stop at the wrong token"
    configs = snapshot_configs(tuned, "tuned")
    return "generation will not stop at " + ", ".join(
        f"{base.id_to_token.get(i, '?')!r} ({i}){engine_effect(i, tuned, configs)}" for i in sorted(removed))


def _vocab_size(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before = _text_config(base.model_config).get("vocab_size")
    after = _text_config(tuned.model_config).get("vocab_size")
    findings = []
    if before is not None and after is not None and before != after:
        findings.append(
            Finding(
                CHECK,
                "model-config.vocab-size-changed",
                Severity.WARNING,
                f"config.json vocab_size is {before:,} in base but {after:,} in tuned: the embeddings were "
                "resized (the model checks read the weights to see whether new rows were trained)",
                where="config.json: vocab_size",
                base=before,
                tuned=after,
            )
        )
    if isinstance(after, int) and tuned.length > after and not (isinstance(before, int) and base.length > before):
        beyond = sorted(token_id for token_id in tuned.id_to_token if token_id >= after)
        names = ", ".join(f"{token_id} {tuned.id_to_token[token_id]!r}" for token_id in beyond[:5])
        findings.append(
            Finding(
                CHECK,
                "model-config.ids-beyond-vocab-size",
                Severity.ERROR,
                f"tuned has {len(beyond)} token ids at or past config.json vocab_size {after:,} ({names}): "
                "the model has no embedding or output row for them",
                where="config.json: vocab_size",
                base=before,
                tuned=after,
                fix="restore the base tokenizer files, or resize_token_embeddings(len(tokenizer)) and train "
                "the new rows",
            )
        )
    return findings


# Architectures with an output embedding (an LM head) that tie_word_embeddings can tie to the input one;
# an encoder (BertModel) or a classifier has none, and transformers 5 writes the key on every re-save.
_LM_HEADS = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration", "ForMaskedLM", "WithLMHead",
             "ForPreTraining", "ForSeq2SeqLM", "ForImageTextToText", "ForSpeechSeq2Seq")


def has_output_embedding(config: dict[str, Any]) -> bool:
    """Whether the architectures config.json names have an LM head (unknown ones are assumed to)."""
    architectures = config.get("architectures")
    if not isinstance(architectures, list) or not architectures:
        return True
    return any(isinstance(a, str) and a.endswith(_LM_HEADS) for a in architectures)


def class_default(config: dict[str, Any], key: str) -> Any:
    """What the config class of config.json's model_type sets `key` to when the file leaves it out,
    or None where transformers does not know the model type."""
    model_type = config.get("model_type")
    if not isinstance(model_type, str):
        return None
    try:
        from transformers import AutoConfig

        return getattr(AutoConfig.for_model(model_type), key, None)
    except (ValueError, KeyError, TypeError, ImportError):  # an unknown or custom model type
        return None


def _tied(config: dict[str, Any]) -> tuple[Any, str]:
    """tie_word_embeddings as the model class reads it (null or absent: its config class's default)."""
    value = config.get("tie_word_embeddings")
    if value is not None:
        return value, compact(value)
    value = class_default(config, "tie_word_embeddings")
    return value, f"absent ({compact(value)}, the {config.get('model_type')} default)" if value is not None else "absent"


def _tied_embeddings(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.model_config is None or tuned.model_config is None:
        return []
    base_config, tuned_config = _text_config(base.model_config), _text_config(tuned.model_config)
    if not (has_output_embedding(base_config) and has_output_embedding(tuned_config)):
        return []
    (before, before_shown), (after, after_shown) = _tied(base_config), _tied(tuned_config)
    if before == after:
        return []
    return [
        Finding(
            CHECK,
            "model-config.tie-word-embeddings-changed",
            Severity.ERROR,
            f"config.json tie_word_embeddings is {before_shown} in base but {after_shown} in tuned: the "
            "output layer is another matrix",
            where="config.json: tie_word_embeddings",
            base=before,
            tuned=after,
            fix="restore tie_word_embeddings from base's config.json",
        )
    ]
