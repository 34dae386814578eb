"""Static checks where one side (or both) is a GGUF: the tokenizer metadata llama.cpp will read,
against what llama.cpp's converter writes for the HF side (tokcheck.checks.static.gguf_expected) or
against the other GGUF. Each finding's fix is the exact gguf-new-metadata command or a
re-conversion. Findings go under the names of STATIC_CHECKS, so the built-in suite's tests
conclude them unchanged."""

from __future__ import annotations

import difflib
import shlex
from dataclasses import replace
from typing import Any

from tokcheck.checks.static.gguf_expected import PRE_NOT_RECOGNIZED
from tokcheck.findings import Finding, Severity
from tokcheck.sources.gguf.approximate import effective_add_bos
from tokcheck.sources.gguf.llamacpp import end_of_generation_ids
from tokcheck.sources.gguf.metadata import CONTROL, NORMAL, TOKEN_TYPE_NAMES, USER_DEFINED, GGUFTokenizer

RECONVERT = "re-convert from the HF checkpoint: python convert_hf_to_gguf.py MODEL_DIR (llama.cpp)"
_SHOWN = 5


def _new_metadata(flag: str, *values: str) -> str:
    return "gguf-new-metadata IN.gguf OUT.gguf " + " ".join([flag, *(shlex.quote(v) for v in values)])


def _error(check: str, code: str, message: str, where: str, key: str = "", *, fix: str = RECONVERT,
           **values: Any) -> Finding:
    """A GGUF finding: always an error, at a key of the file (`where` is the file), by default
    fixed by a re-conversion; `values` are the Finding's base, tuned and detail."""
    return Finding(check, code, Severity.ERROR, message, where=f"{where}: {key}" if key else where, fix=fix, **values)


def _name(gguf: GGUFTokenizer, token_id: int | None) -> str:
    return f"{token_id} {gguf.token(token_id)!r}" if token_id is not None else "unset"


def check_gguf_tokens(base: GGUFTokenizer, tuned: GGUFTokenizer, where: str) -> list[Finding]:
    found = []
    if len(base.tokens) != len(tuned.tokens):
        found.append(_error("vocabulary", "gguf.token-count",
                            f"the GGUF has {len(tuned.tokens)} tokens where {base.label} gives {len(base.tokens)}",
                            where, "tokenizer.ggml.tokens", base=len(base.tokens), tuned=len(tuned.tokens)))
    rows = tuned.embedding_rows
    if rows is not None and rows != len(tuned.tokens):
        found.append(_error("vocabulary", "gguf.tokens-vs-embedding",
                            f"the GGUF lists {len(tuned.tokens)} tokens but its token_embd.weight has {rows} rows",
                            where, "token_embd.weight", base=rows, tuned=len(tuned.tokens)))
    differing = [i for i in range(min(len(base.tokens), len(tuned.tokens))) if base.tokens[i] != tuned.tokens[i]]
    extra = list(range(len(base.tokens), len(tuned.tokens)))
    missing = list(range(len(tuned.tokens), len(base.tokens)))
    for ids, text in ((differing, "differs"), (extra, "is beyond the base"), (missing, "is missing")):
        if ids:
            shown = ", ".join(f"{i}: {base.token(i)!r} -> {tuned.token(i)!r}" for i in ids[:_SHOWN])
            found.append(_error("vocabulary", "gguf.token-changed",
                                f"{len(ids)} token(s) {text} in the GGUF ({shown}{', ...' if len(ids) > _SHOWN else ''})",
                                where, "tokenizer.ggml.tokens", base=ids[:_SHOWN], tuned=ids[:_SHOWN]))
    return found


def check_gguf_types(base: GGUFTokenizer, tuned: GGUFTokenizer, stop_ids: set[int], where: str) -> list[Finding]:
    found: list[Finding] = []
    if base.token_types is None or tuned.token_types is None:
        return found
    for token_id in sorted(stop_ids):
        kind = tuned.type_of(token_id)
        if kind in (NORMAL, USER_DEFINED):
            found.append(_error("added_token_flags", "gguf.stop-token-not-control",
                                f"stop token {_name(tuned, token_id)} is typed {TOKEN_TYPE_NAMES[kind]} in the GGUF, "
                                "not CONTROL: llama.cpp matches it as text and prints it",
                                where, f"tokenizer.ggml.token_type[{token_id}]", base="CONTROL",
                                tuned=TOKEN_TYPE_NAMES[kind]))
    changed = [i for i in range(min(len(base.token_types), len(tuned.token_types)))
               if base.token_types[i] != tuned.token_types[i] and i not in stop_ids]
    if changed:
        shown = ", ".join(f"{i} {tuned.token(i)!r}: {TOKEN_TYPE_NAMES.get(base.token_types[i])} -> "
                          f"{TOKEN_TYPE_NAMES.get(tuned.token_types[i])}" for i in changed[:_SHOWN])
        found.append(_error("added_token_flags", "gguf.token-type-changed",
                            f"{len(changed)} token type(s) differ from {base.label} ({shown})",
                            where, "tokenizer.ggml.token_type"))
    return found


def check_gguf_merges(base: GGUFTokenizer, tuned: GGUFTokenizer, where: str) -> list[Finding]:
    found = []
    if base.model != tuned.model:
        found.append(_error("model", "gguf.model-changed",
                            f"tokenizer.ggml.model is {tuned.model!r}, {base.label} gives {base.model!r}",
                            where, "tokenizer.ggml.model", base=base.model, tuned=tuned.model))
    if base.merges is None or base.merges == tuned.merges:
        return found
    if not tuned.merges:
        message = f"the GGUF has no merges ({len(base.merges)} expected): llama.cpp cannot run this BPE vocabulary"
    elif sorted(base.merges) == sorted(tuned.merges):
        first = next(i for i, (a, b) in enumerate(zip(base.merges, tuned.merges)) if a != b)
        message = f"the merges are reordered (first at rank {first}: {base.merges[first]!r} -> {tuned.merges[first]!r})"
    else:
        gone = [m for m in base.merges if m not in set(tuned.merges)]
        message = f"the merges differ: {len(tuned.merges)} in the GGUF, {len(base.merges)} expected ({len(gone)} missing)"
    found.append(_error("model", "gguf.merges-changed", message, where, "tokenizer.ggml.merges",
                        base=len(base.merges), tuned=len(tuned.merges or []),
                        fix=RECONVERT + " with the transformers that saved the checkpoint"))
    return found


def check_gguf_pre(base: GGUFTokenizer, tuned: GGUFTokenizer, where: str) -> list[Finding]:
    if base.pre is None or base.pre == tuned.pre:
        return []
    if base.pre == PRE_NOT_RECOGNIZED:
        return [_error("pre_tokenizer", "gguf.pre-not-recognized",
                       f"llama.cpp's converter does not recognise {base.label}'s pre-tokenizer (chkhsh not in its table) "
                       f"{PRE_NOT_RECOGNIZED}; the GGUF says {tuned.pre!r}", where, "tokenizer.ggml.pre",
                       base=base.pre, tuned=tuned.pre, fix="restore the base's tokenizer.json pre-tokenizer and post-processor")]
    return [_error("pre_tokenizer", "gguf.pre-changed",
                   f"tokenizer.ggml.pre is {tuned.pre!r}; for {base.label} llama.cpp chooses {base.pre!r}",
                   where, "tokenizer.ggml.pre", base=base.pre, tuned=tuned.pre, fix=_new_metadata("--pre-tokenizer", base.pre))]


def check_gguf_special_ids(base: GGUFTokenizer, tuned: GGUFTokenizer, stop_ids: set[int], where: str) -> list[Finding]:
    found = []
    for name, expected in base.special_ids.items():
        actual = tuned.special_ids[name]
        if expected == actual or (expected is None and name in ("eot", "eom")):
            continue  # llama.cpp finds eot/eom by their text when the keys are absent
        key = "seperator" if name == "sep" else {"pad": "padding", "unk": "unknown"}.get(name, name)
        fix = _new_metadata("--special-token", name, base.token(expected) or "") if expected is not None else RECONVERT
        fallback = (" (llama.cpp itself still finds it by its text; runtimes that read the key do not)"
                    if actual is None and name in ("eot", "eom") and expected in end_of_generation_ids(tuned) else "")
        found.append(_error("special_roles", f"gguf.{name}-changed",
                            f"tokenizer.ggml.{key}_token_id is {_name(tuned, actual)}; {base.label} gives "
                            f"{_name(base, expected)}{fallback}", where, f"tokenizer.ggml.{key}_token_id",
                            base=expected, tuned=actual, fix=fix))
    eog = end_of_generation_ids(tuned)
    for token_id in sorted(stop_ids - eog):
        found.append(_error("special_roles", "gguf.stop-not-end-of-generation",
                            f"llama.cpp will not stop generating at {tuned.token(token_id) or base.token(token_id)!r} "
                            f"(id {token_id}): it is not in the GGUF's end-of-generation set {sorted(eog)}",
                            where, "tokenizer.ggml.eos_token_id / eot_token_id", base=token_id, tuned=sorted(eog),
                            fix=_new_metadata("--special-token", "eot", base.token(token_id) or "")))
    return found


def check_gguf_add_tokens(base: GGUFTokenizer, tuned: GGUFTokenizer, where: str) -> list[Finding]:
    if tuned.model == "bert":
        # llama.cpp's WPM tokenizer adds bos and sep whatever add_*_token say (llama-vocab.cpp):
        # for BERT the flags change nothing, and the special-id check covers bos and sep.
        return []
    found = []
    for name, expected, actual in (("bos", effective_add_bos(base), effective_add_bos(tuned)),
                                   ("eos", bool(base.add_eos), bool(tuned.add_eos))):
        if expected != actual:
            found.append(_error("post_processor", f"gguf.add-{name}-changed",
                                f"llama.cpp will {'add' if actual else 'not add'} {name.upper()} "
                                f"(tokenizer.ggml.add_{name}_token {getattr(tuned, 'add_' + name)}); the HF tokenizer "
                                f"{'adds' if expected else 'does not add'} it",
                                where, f"tokenizer.ggml.add_{name}_token", base=expected, tuned=actual))
    bos = tuned.token(tuned.special_ids["bos"])
    template = tuned.chat_templates.get("default", "")
    if effective_add_bos(tuned) and not effective_add_bos(base) and bos and ("bos_token" in template or bos in template):
        found.append(_error("post_processor", "gguf.double-bos",
                            f"double BOS: llama.cpp adds {bos!r} and the chat template emits it too",
                            where, "tokenizer.ggml.add_bos_token"))
    return found


def check_gguf_templates(base: GGUFTokenizer, tuned: GGUFTokenizer, where: str) -> list[Finding]:
    found = []
    for name in sorted(set(base.chat_templates) | set(tuned.chat_templates)):
        expected, actual = base.chat_templates.get(name), tuned.chat_templates.get(name)
        if expected == actual:
            continue
        key = "tokenizer.chat_template" + ("" if name == "default" else f".{name}")
        state = "missing" if actual is None else "added" if expected is None else "differs"
        diff = "\n".join(difflib.unified_diff((expected or "").splitlines(), (actual or "").splitlines(),
                                              base.label, tuned.label, lineterm=""))
        found.append(_error("chat_template", f"gguf.template-{state}", f"the GGUF's chat template {name!r} {state} ({key})",
                            where, key, detail=diff,
                            fix=_new_metadata("--chat-template", "\"$(cat chat_template.jinja)\"") if name == "default"
                            else RECONVERT))
    return found


def template_stop_ids(base: GGUFTokenizer) -> set[int]:
    """End-of-generation tokens the base's default template writes (llama.cpp must stop at them)."""
    template = base.chat_templates.get("default", "")
    return {i for i in end_of_generation_ids(base) if (token := base.token(i)) and token in template}


def gguf_findings(base: GGUFTokenizer, tuned: GGUFTokenizer, hf_stop_ids: set[int], where: str) -> dict[str, list[Finding]]:
    """Every GGUF check, by the STATIC_CHECKS name its findings belong to."""
    stop_ids = {i for i in hf_stop_ids | template_stop_ids(base) if 0 <= i < len(base.tokens)}
    stop_ids |= {i for i in stop_ids if base.type_of(i) == CONTROL}
    notes = [_error("model", "gguf.conversion-note", note, where) for note in base.notes]
    found = {
        "vocabulary": check_gguf_tokens(base, tuned, where),
        "special_roles": check_gguf_special_ids(base, tuned, stop_ids, where),
        "added_token_flags": check_gguf_types(base, tuned, stop_ids, where),
        "pre_tokenizer": check_gguf_pre(base, tuned, where),
        "model": notes + check_gguf_merges(base, tuned, where),
        "post_processor": check_gguf_add_tokens(base, tuned, where),
        "chat_template": check_gguf_templates(base, tuned, where),
    }
    assumed = base.assumed + tuned.assumed
    if not assumed:
        return found
    said = "rests on a guess: " + "; ".join(assumed)
    return {name: [replace(f, detail=f"{f.detail}\n{said}".strip()) for f in findings] for name, findings in found.items()}
