"""The stop set and special ids of the model directories: what generate() reads from a model's
config.json and generation_config.json (given with --tuned-model/--base-model, or the base of a
PEFT adapter), against base's and against the side's own tokenizer. A stop id that base has and
tuned lost means generation runs past that token; the template's end-of-turn token and the
tokenizer's eos must be in the stop set. Pure: configs and snapshots in, Findings out."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.engines.stop_sets import engine_effect, running_past
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.model_configs import ModelConfigs
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "model_stop_set"
_ID_KEYS = ("bos_token_id", "pad_token_id")
_ROLE_OF = {"bos_token_id": "bos_token", "pad_token_id": "pad_token"}


def _token(snapshot: TokenizerSnapshot, token_id: int) -> str:
    return repr(snapshot.id_to_token.get(token_id, "?"))


def check_stop_set(
    base: tuple[TokenizerSnapshot, ModelConfigs],
    tuned: tuple[TokenizerSnapshot, ModelConfigs],
    end_of_turn: tuple[int | None, int | None] = (None, None),
) -> list[Finding]:
    """Base's and tuned's configs (each side's tokenizer snapshot with the configs generation
    reads for it) compared, and each side's configs against its own tokenizer. `end_of_turn`:
    the id each side's chat template closes an assistant turn with (None: no template)."""
    (base_tokenizer, base_configs), (tuned_tokenizer, tuned_configs) = base, tuned
    findings: list[Finding] = []
    base_stop, tuned_stop = base_configs.stop_ids(), tuned_configs.stop_ids()
    if base_stop is not None and tuned_stop is not None:
        for token_id in sorted(set(base_stop.ids) - set(tuned_stop.ids)):
            token = _token(base_tokenizer, token_id)
            findings.append(Finding(
                CHECK, "model-config.stop-id-removed", Severity.ERROR,
                f"generation will not stop at {token} (id {token_id}): base's eos_token_id has it "
                f"({base_configs.label}: {base_stop.where}), tuned's does not ({tuned_configs.label}: {tuned_stop.where})"
                + engine_effect(token_id, tuned_tokenizer, tuned_configs),
                where=f"{tuned_configs.label}: {tuned_stop.where}: eos_token_id",
                base=list(base_stop.ids), tuned=list(tuned_stop.ids),
                fix=f"restore eos_token_id {compact(list(base_stop.ids))} from base's {base_stop.where}",
                evidence=running_past([token_id], tuned_tokenizer, tuned_configs),
            ))
    for key in _ID_KEYS:
        before, after = base_configs.special_id(key), tuned_configs.special_id(key)
        if before is not None and after is not None and before[0] != after[0]:
            findings.append(Finding(
                CHECK, f"model-config.{key.replace('_', '-')}-changed", Severity.ERROR,
                f"{key} is {_shown(base_tokenizer, before[0])} in base ({base_configs.label}: {before[1]}) but "
                f"{_shown(tuned_tokenizer, after[0])} in tuned ({tuned_configs.label}: {after[1]})",
                where=f"{tuned_configs.label}: {after[1]}: {key}", base=before[0], tuned=after[0],
                fix=f"restore {key} from base's {before[1]}",
            ))
    findings += _against_own_tokenizer(base, tuned, end_of_turn)
    return findings


def _shown(snapshot: TokenizerSnapshot, value: Any) -> str:
    return f"{value} ({_token(snapshot, value)})" if isinstance(value, int) else compact(value)


def _own_problems(tokenizer: TokenizerSnapshot, configs: ModelConfigs, end_of_turn: int | None) -> dict[str, tuple[str, Any]]:
    """What a side's configs get wrong about its own tokenizer, by code: an eos or end-of-turn id
    outside the stop set, a bos/pad id that is not its tokenizer's bos/pad token."""
    problems: dict[str, tuple[str, Any]] = {}
    stop = configs.stop_ids()
    if stop is not None:
        stops = set(stop.ids)
        eos_content = tokenizer.special_roles.get("eos_token")
        eos = tokenizer.token_id(eos_content)
        if eos is not None and eos not in stops:
            problems["model-config.eos-not-a-stop"] = (
                f"the tokenizer's eos_token {eos_content!r} (id {eos}) is not among the ids generation stops at, "
                f"{compact(list(stop.ids))} ({configs.label}: {stop.where}): a model trained to end with it never stops",
                eos)
        if end_of_turn is not None and end_of_turn not in stops:
            problems["model-config.end-of-turn-not-a-stop"] = (
                f"the chat template closes assistant turns with {_token(tokenizer, end_of_turn)} (id {end_of_turn}), "
                f"which is not among the ids generation stops at, {compact(list(stop.ids))} ({configs.label}: "
                f"{stop.where}): generation will not stop at the end of a turn"
                + engine_effect(end_of_turn, tokenizer, configs), end_of_turn)
    for key in _ID_KEYS:
        found = configs.special_id(key)
        role_id = tokenizer.token_id(tokenizer.special_roles.get(_ROLE_OF[key]))
        if found is not None and isinstance(found[0], int) and role_id is not None and found[0] != role_id:
            problems[f"model-config.{key.replace('_', '-')}-not-the-tokenizers"] = (
                f"{key} is {_shown(tokenizer, found[0])} in {configs.label}: {found[1]}, but the tokenizer's "
                f"{_ROLE_OF[key]} is {tokenizer.special_roles.get(_ROLE_OF[key])!r} (id {role_id})", found[0])
    return problems


def _against_own_tokenizer(
    base: tuple[TokenizerSnapshot, ModelConfigs],
    tuned: tuple[TokenizerSnapshot, ModelConfigs],
    end_of_turn: tuple[int | None, int | None],
) -> list[Finding]:
    """Tuned's configs against tuned's tokenizer; a problem base has too (Qwen base models stop
    at another token than their eos) is how the model was made, not drift."""
    if not tuned[1].present:
        return []
    base_problems = _own_problems(base[0], base[1], end_of_turn[0]) if base[1].present else {}
    findings = []
    for code, (message, value) in _own_problems(tuned[0], tuned[1], end_of_turn[1]).items():
        if code in base_problems:
            continue
        stops = code in ("model-config.eos-not-a-stop", "model-config.end-of-turn-not-a-stop")
        findings.append(Finding(CHECK, code, Severity.ERROR, message, where=tuned[1].label, tuned=value,
                                fix="make the model's generation_config.json agree with its tokenizer, as base's does",
                                evidence=running_past([value], tuned[0], tuned[1]) if stops else None))
    return findings
