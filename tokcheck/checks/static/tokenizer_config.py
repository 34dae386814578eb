"""The tokenizer_config.json check: keys that change encoding, decoding or batching, the tokenizer
class, and loader arguments that transformers 5 persists (info only); and the batching tokenizer.json
saves (truncation, padding), which every call of the tokenizers library applies."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.static.common import json_differences
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import SAVED_BATCHING, TokenizerSnapshot
from tokcheck.sources.tokens import SPECIAL_ROLES

CHECK = "tokenizer_config"

# Keys that change the ids text encodes to.
ENCODING_KEYS = (
    "add_bos_token",
    "add_eos_token",
    "legacy",
    "add_prefix_space",
    "split_special_tokens",
    "do_lower_case",
    "strip_accents",
    "tokenize_chinese_chars",
    "do_basic_tokenize",
    "never_split",
    "trim_offsets",
    "sp_model_kwargs",
    "fix_mistral_regex",
)
# Keys that change decoded text only.
DECODING_KEYS = ("clean_up_tokenization_spaces", "spaces_between_special_tokens")
# Keys that change which end of a batch gets padding or truncation: the ids a model sees change.
SIDE_KEYS = ("padding_side", "truncation_side")
# Keys that change lengths and inputs.
BATCHING_KEYS = ("model_max_length", "model_input_names")
# Loader arguments and bookkeeping that transformers writes back; never tokenization.
LOADER_KEYS = (
    "is_local",
    "local_files_only",
    "name_or_path",
    "_commit_hash",
    "cache_dir",
    "force_download",
    "token",
    "revision",
    "subfolder",
    "trust_remote_code",
    "use_fast",
    "_from_auto",
    "from_slow",
    "tokenizer_file",
    "vocab_file",
    "merges_file",
    "processor_class",
    "backend",
)
# Keys other checks own.
_ELSEWHERE = (
    *SPECIAL_ROLES,
    "additional_special_tokens",
    "extra_special_tokens",
    "added_tokens_decoder",
    "chat_template",
)
# Values a key has when it is absent, where that is the same on every transformers version.
DEFAULTS: dict[str, Any] = {
    "split_special_tokens": False,
    "clean_up_tokenization_spaces": False,
    "spaces_between_special_tokens": True,
    "padding_side": "right",
    "truncation_side": "right",
    "model_max_length": None,
}
# transformers' "no limit" sentinel for model_max_length (int(1e30)).
_NO_LIMIT = 10**20
# Class names that mean "load tokenizer.json as it is" on one major or the other.
_GENERIC_CLASSES = {"PreTrainedTokenizerFast", "PreTrainedTokenizer", "TokenizersBackend"}


def check_tokenizer_config(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings = _saved_batching(base, tuned)
    if not (base.has_tokenizer_config and tuned.has_tokenizer_config):
        return findings
    return findings + _config_keys(base, tuned)


def _saved_batching(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """tokenizer.json's truncation and padding (a sentence-transformers trainer save persists them)."""
    if not (base.saved_batching and tuned.saved_batching):
        return []  # a side without a tokenizer.json saves none
    findings = []
    for key in SAVED_BATCHING:
        before, after = base.saved_batching.get(key), tuned.saved_batching.get(key)
        if before == after:
            continue
        changed = "; ".join(f"{key if path in ('', '(whole)') else f'{key}.{path}'}: base {compact(left)}, tuned {compact(right)}"
                            for path, left, right in json_differences(before, after)[:5])
        findings.append(Finding(
            CHECK, f"config.saved-{key}-changed", Severity.WARNING,
            f"tokenizer.json's {key} differs ({changed}); the tokenizers library, TEI and sentence-transformers "
            f"apply it on every call, so inputs are {'cut' if key == 'truncation' else 'padded'} differently",
            where=f"tokenizer.json: {key}", base=before, tuned=after,
            fix=f"restore {key} from base's tokenizer.json (tokenizer.no_{key}() before saving removes it)",
        ))
    return findings


def _config_keys(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    # A key set to null reads as an absent key in every class (trl and axolotl save add_prefix_space: null).
    before, after = (_set_keys(snapshot.tokenizer_config) for snapshot in (base, tuned))
    findings = _class_change(before.get("tokenizer_class"), after.get("tokenizer_class"))
    findings += _remote_code_change(before.get("auto_map"), after.get("auto_map"))
    for key in sorted(set(before) | set(after)):
        if key in _ELSEWHERE or key in ("tokenizer_class", "auto_map"):
            continue
        finding = _key_change(key, before, after)
        if finding is not None:
            findings.append(finding)
    return findings


def _set_keys(config: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in config.items() if value is not None}


def _effective(key: str, config: dict[str, Any]) -> Any:
    value = config.get(key, DEFAULTS.get(key))
    if key == "model_max_length" and isinstance(value, (int, float)) and value >= _NO_LIMIT:
        return None
    return value


def _key_change(key: str, before: dict[str, Any], after: dict[str, Any]) -> Finding | None:
    where = f"tokenizer_config.json: {key}"
    if key in LOADER_KEYS:
        if before.get(key) == after.get(key):
            return None
        return Finding(
            CHECK,
            "config.loader-key",
            Severity.INFO,
            f"{key} is {_shown(key, before)} in base but {_shown(key, after)} in tuned; a loader argument "
            "that transformers 5 saves back, it does not change tokenization",
            where=where,
            base=before.get(key),
            tuned=after.get(key),
        )
    if key in DEFAULTS:
        if _effective(key, before) == _effective(key, after):
            return None
    elif key in before and key in after:
        if before[key] == after[key]:
            return None
    else:
        present, side = (after, "tuned") if key in after else (before, "base")
        if key in ENCODING_KEYS and side == "tuned":
            return Finding(
                CHECK,
                f"config.{key.replace('_', '-')}-set",
                Severity.WARNING,
                f"tuned sets {key} = {compact(present[key])}, which base leaves to the tokenizer's default; "
                "ids change wherever a tokenizer class reads it (the behaviour checks run in AutoTokenizer's class "
                "and in each class tokenizer_class or config.json model_type names, where its built pipeline "
                "differs; a class the installed transformers does not have is not run)",
                where=where,
                tuned=present[key],
                fix=f"remove {key} from tuned's tokenizer_config.json unless the change is intended",
            )
        return Finding(
            CHECK,
            "config.key-presence",
            Severity.INFO,
            f"{key} is saved only in {side} ({compact(present[key])}); transformers 5 no longer saves some keys",
            where=where,
            base=before.get(key),
            tuned=after.get(key),
        )
    code = f"config.{key.replace('_', '-')}-changed"
    message = f"{key} is {_shown(key, before)} in base but {_shown(key, after)} in tuned"
    if key in ENCODING_KEYS:
        return Finding(CHECK, code, Severity.ERROR, message + "; text encodes to different ids", where=where,
                       base=before.get(key), tuned=after.get(key), fix=f"restore {key} from base's tokenizer_config.json")
    if key in DECODING_KEYS:
        return Finding(CHECK, code, Severity.ERROR, message + "; ids decode to different text (transformers 5 "
                       "ignores clean_up_tokenization_spaces for BPE tokenizers; 4.x, vLLM and TGI apply it)", where=where,
                       base=before.get(key), tuned=after.get(key), fix=f"restore {key} from base's tokenizer_config.json")
    if key in SIDE_KEYS:
        effect = (
            "pad tokens move to the other end of batched inputs (right padding in batched generation puts "
            "them between prompt and answer)"
            if key == "padding_side"
            else "long inputs lose their other end"
        )
        return Finding(CHECK, code, Severity.ERROR, f"{message}; {effect}", where=where,
                       base=before.get(key), tuned=after.get(key),
                       fix=f"restore {key} from base's tokenizer_config.json (loaders such as LLaMA-Factory "
                       "save their own arguments back)")
    if key in BATCHING_KEYS:
        effect = {
            "model_max_length": "inputs are truncated (or warned about) at another length; transformers "
            "versions before the one that saved it may refuse to load it",
            "model_input_names": "the model receives other inputs",
        }[key]
        return Finding(CHECK, code, Severity.WARNING, f"{message}; {effect}", where=where,
                       base=before.get(key), tuned=after.get(key),
                       fix=f"restore {key} from base's tokenizer_config.json (loaders such as LLaMA-Factory "
                       "save their own arguments back)")
    return Finding(CHECK, "config.other-key", Severity.INFO, message, where=where,
                   base=before.get(key), tuned=after.get(key))


def _shown(key: str, config: dict[str, Any]) -> str:
    return compact(config[key]) if key in config else f"absent (default {compact(DEFAULTS.get(key))})" if key in DEFAULTS else "absent"


def _family(name: str | None) -> str | None:
    if name is None:
        return None
    return "generic" if name in _GENERIC_CLASSES else name.removesuffix("Fast")


def _class_change(before: str | None, after: str | None) -> list[Finding]:
    if before == after:
        return []
    where = "tokenizer_config.json: tokenizer_class"
    if after == "TokenizersBackend":
        return [
            Finding(
                CHECK,
                "config.class-v5-only",
                Severity.WARNING,
                f"tokenizer_class is {before!r} in base but 'TokenizersBackend' in tuned: transformers < 5 "
                "cannot load tuned (servers and converters pinned to 4.x fail with 'Tokenizer class "
                "TokenizersBackend does not exist')",
                where=where,
                base=before,
                tuned=after,
                fix=f"set tokenizer_class back to {before!r}; both majors load that",
            )
        ]
    if _family(before) == _family(after):
        return [
            Finding(
                CHECK,
                "config.class-renamed",
                Severity.INFO,
                f"tokenizer_class is {before!r} in base but {after!r} in tuned, the same tokenizer under "
                "another transformers major",
                where=where,
                base=before,
                tuned=after,
            )
        ]
    generic = "generic" in (_family(before), _family(after))
    return [
        Finding(
            CHECK,
            "config.class-changed",
            Severity.WARNING if generic else Severity.ERROR,
            f"tokenizer_class is {before!r} in base but {after!r} in tuned; "
            + (
                "transformers 5 model classes rebuild the pipeline themselves instead of reading "
                "tokenizer.json, so ids may change"
                if generic
                else "AutoTokenizer builds another tokenizer class, with its own pipeline and defaults"
            ),
            where=where,
            base=before,
            tuned=after,
            fix=f"restore tokenizer_class {before!r} from base's tokenizer_config.json",
        )
    ]


def _remote_code_change(before: Any, after: Any) -> list[Finding]:
    if before == after:
        return []
    return [
        Finding(
            CHECK,
            "config.auto-map-changed",
            Severity.ERROR,
            f"auto_map (custom tokenizer code) is {compact(before)} in base but {compact(after)} in tuned; "
            "loading tuned runs other code",
            where="tokenizer_config.json: auto_map",
            base=before,
            tuned=after,
            fix="restore auto_map and the tokenization_*.py files from base",
        )
    ]
