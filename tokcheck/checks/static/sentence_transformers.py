"""The sentence-transformers check (drift class 44): modules.json and each module's config
(Pooling, Normalize, Dense), sentence_bert_config.json's do_lower_case and
config_sentence_transformers.json's prompts and similarity function, base against tuned.

Lost or changed pooling is an error (FlagEmbedding#1326: a save that lost 1_Pooling/config.json
mean-pools a CLS model, and every embedding changes), and so are a changed Dense layer and
lower-casing; a lost Normalize, changed prompts or similarity function are warnings (scores change
for dot-product users and for prompted queries). max_seq_length is the context-length check's.
A checkpoint with no modules.json on either side is not a sentence-transformers model: no finding.

Defaults, for keys a save leaves out, are sentence-transformers' own (v3-v5):
models/Pooling.py (pooling_mode_mean_tokens True, the other modes False, include_prompt True),
SentenceTransformer.py (prompts {}, default_prompt_name None, similarity_fn_name None = cosine),
models/Transformer.py (do_lower_case False); a checkpoint without modules.json loads as a new
Transformer + mean Pooling, without Normalize (SentenceTransformer._load_auto_model)."""

from __future__ import annotations

from typing import Any

from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.beside import ST_MODULES
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "sentence_transformers"
POOLING_FLAGS = {
    "pooling_mode_cls_token": ("cls", False),
    "pooling_mode_mean_tokens": ("mean", True),
    "pooling_mode_max_tokens": ("max", False),
    "pooling_mode_mean_sqrt_len_tokens": ("mean_sqrt_len_tokens", False),
    "pooling_mode_weightedmean_tokens": ("weightedmean", False),
    "pooling_mode_lasttoken": ("lasttoken", False),
}
ST_CONFIG = "config_sentence_transformers.json"


def _kind(module: dict[str, Any]) -> str:
    """The module's class name ("sentence_transformers.models.Pooling" -> "Pooling")."""
    return str(module.get("type", "")).rpartition(".")[2]


def _modules(snapshot: TokenizerSnapshot) -> list[tuple[str, dict[str, Any] | None, str]]:
    """(kind, config or None when the file is missing, its folder) of each module in modules.json."""
    st = snapshot.sentence_transformers
    found = []
    for module in st.get(ST_MODULES, []):
        if isinstance(module, dict):
            folder = str(module.get("path") or "")
            found.append((_kind(module), st.get(f"{folder}/config.json") if folder else {}, folder))
    return found


def pooling(config: dict[str, Any]) -> dict[str, Any]:
    """A Pooling config as the module reads it: the modes it pools with and include_prompt."""
    mode = config.get("pooling_mode")
    if isinstance(mode, str):
        modes = [mode.lower()]
    elif isinstance(mode, list):
        modes = [str(m).lower() for m in mode]
    else:
        modes = [name for key, (name, default) in POOLING_FLAGS.items() if config.get(key, default)]
    return {"modes": sorted(modes), "include_prompt": config.get("include_prompt", True)}


def check_sentence_transformers(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before, after = base.sentence_transformers, tuned.sentence_transformers
    if ST_MODULES not in before and ST_MODULES not in after:
        return []
    if ST_MODULES not in after:
        return [Finding(
            CHECK, "sentence-transformers.modules-missing", Severity.ERROR,
            f"tuned has no {ST_MODULES}: sentence-transformers (and vLLM, TEI) load it as a bare transformer "
            f"with mean pooling and no normalization, where base pools with {_pipeline(base)}",
            where=ST_MODULES, base=[m[0] for m in _modules(base)],
            fix="copy base's modules.json and its module folders (1_Pooling/, 2_Normalize/ ...) into tuned",
        )]
    if ST_MODULES not in before:
        return [Finding(
            CHECK, "sentence-transformers.modules-added", Severity.INFO,
            f"tuned is a sentence-transformers model ({_pipeline(tuned)}); base has no {ST_MODULES}",
            where=ST_MODULES, tuned=[m[0] for m in _modules(tuned)],
        )]
    return (_pooling(base, tuned) + _other_modules(base, tuned) + _lower_case(base, tuned)
            + _prompts(base, tuned))


def _pipeline(snapshot: TokenizerSnapshot) -> str:
    parts = []
    for kind, config, _ in _modules(snapshot):
        if kind == "Pooling" and config is not None:
            parts.append(f"Pooling({'+'.join(pooling(config)['modes'])})")
        elif kind != "Transformer":
            parts.append(kind)
    return " -> ".join(parts) or "no modules after the transformer"


def _of_kind(snapshot: TokenizerSnapshot, kind: str) -> list[tuple[str, dict[str, Any] | None, str]]:
    return [module for module in _modules(snapshot) if module[0] == kind]


def _pooling(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before, after = _of_kind(base, "Pooling"), _of_kind(tuned, "Pooling")
    if not before or before[0][1] is None:
        return []
    base_pooling = pooling(before[0][1])
    if not after or after[0][1] is None:
        folder = after[0][2] if after else before[0][2]
        lost = f"{folder}/config.json is missing" if after else "modules.json has no Pooling module"
        return [Finding(
            CHECK, "sentence-transformers.pooling-lost", Severity.ERROR,
            f"tuned's pooling is lost ({lost}); base pools token embeddings with {'+'.join(base_pooling['modes'])}, "
            "so every embedding of tuned differs from what the model was trained to produce",
            where=f"{folder}/config.json", base=base_pooling,
            fix=f"copy base's {before[0][2]}/ folder and its modules.json entry into tuned",
        )]
    tuned_pooling = pooling(after[0][1])
    if tuned_pooling == base_pooling:
        return []
    return [Finding(
        CHECK, "sentence-transformers.pooling-changed", Severity.ERROR,
        f"pooling is {compact(base_pooling)} in base but {compact(tuned_pooling)} in tuned "
        f"({after[0][2]}/config.json): every embedding changes",
        where=f"{after[0][2]}/config.json", base=base_pooling, tuned=tuned_pooling,
        fix=f"restore {before[0][2]}/config.json from base unless the model was trained with the new pooling",
    )]


def _other_modules(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings = []
    had, has = bool(_of_kind(base, "Normalize")), bool(_of_kind(tuned, "Normalize"))
    if had != has:
        findings.append(Finding(
            CHECK, "sentence-transformers.normalize-lost" if had else "sentence-transformers.normalize-added",
            Severity.WARNING,
            f"base's embeddings are {'' if had else 'not '}normalized to unit length, tuned's are{' not' if had else ''} "
            "(a Normalize module in modules.json): cosine scores stay, dot-product and euclidean scores change",
            where=ST_MODULES, base=had, tuned=has,
            fix="restore modules.json from base",
        ))
    dense_before = [m[1] for m in _of_kind(base, "Dense")]
    dense_after = [m[1] for m in _of_kind(tuned, "Dense")]
    if dense_before != dense_after:
        findings.append(Finding(
            CHECK, "sentence-transformers.dense-changed", Severity.ERROR,
            f"the Dense layers after pooling are {compact(dense_before)} in base but {compact(dense_after)} in "
            "tuned: embeddings have another projection or size",
            where=ST_MODULES, base=dense_before, tuned=dense_after,
            fix="restore the Dense module folders and modules.json from base",
        ))
    kinds_before = [m[0] for m in _modules(base) if m[0] not in ("Pooling", "Normalize", "Dense")]
    kinds_after = [m[0] for m in _modules(tuned) if m[0] not in ("Pooling", "Normalize", "Dense")]
    if kinds_before != kinds_after:
        findings.append(Finding(
            CHECK, "sentence-transformers.modules-changed", Severity.WARNING,
            f"modules.json lists {kinds_before} in base but {kinds_after} in tuned (besides pooling, "
            "normalization and dense layers)",
            where=ST_MODULES, base=kinds_before, tuned=kinds_after, fix="restore modules.json from base",
        ))
    return findings


def _lower_case(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    name = "sentence_bert_config.json"
    before = bool((base.sentence_transformers.get(name) or {}).get("do_lower_case", False))
    after = bool((tuned.sentence_transformers.get(name) or {}).get("do_lower_case", False))
    if before == after:
        return []
    return [Finding(
        CHECK, "sentence-transformers.lower-case-changed", Severity.ERROR,
        f"{name} do_lower_case is {before} in base but {after} in tuned: sentence-transformers "
        f"{'no longer lower-cases' if before else 'lower-cases'} every text before tokenizing it",
        where=f"{name}: do_lower_case", base=before, tuned=after, fix=f"restore do_lower_case from base's {name}",
    )]


def _st_settings(snapshot: TokenizerSnapshot) -> dict[str, Any]:
    config = snapshot.sentence_transformers.get(ST_CONFIG) or {}
    return {
        "prompts": config.get("prompts") or {},
        "default_prompt_name": config.get("default_prompt_name"),
        "similarity_fn_name": config.get("similarity_fn_name") or "cosine",
    }


def _prompts(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before, after = _st_settings(base), _st_settings(tuned)
    findings = []
    for key in ("prompts", "default_prompt_name"):
        if before[key] != after[key]:
            findings.append(Finding(
                CHECK, "sentence-transformers.prompts-changed", Severity.WARNING,
                f"{ST_CONFIG} {key} is {compact(before[key])} in base but {compact(after[key])} in tuned: "
                "texts encoded with a prompt name (or by default) get another prefix",
                where=f"{ST_CONFIG}: {key}", base=before[key], tuned=after[key],
                fix=f"restore {key} from base's {ST_CONFIG} unless the model was trained with the new prompts",
            ))
    if before["similarity_fn_name"] != after["similarity_fn_name"]:
        findings.append(Finding(
            CHECK, "sentence-transformers.similarity-changed", Severity.WARNING,
            f"{ST_CONFIG} similarity_fn_name is {before['similarity_fn_name']!r} in base but "
            f"{after['similarity_fn_name']!r} in tuned: model.similarity() scores differently",
            where=f"{ST_CONFIG}: similarity_fn_name", base=before["similarity_fn_name"],
            tuned=after["similarity_fn_name"], fix=f"restore similarity_fn_name from base's {ST_CONFIG}",
        ))
    return findings
