"""Special-token checks: the roles (bos, eos, pad ...), the extra special-token lists, and the
flags of added tokens (special, normalized, lstrip, rstrip, single_word)."""

from __future__ import annotations

from tokcheck.checks.static.common import capped, more, q
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.tokens import ADDED_TOKEN_FLAGS, SPECIAL_ROLES, AddedToken, token_content

ROLES_CHECK = "special_roles"
FLAGS_CHECK = "added_token_flags"

_ROLE_EFFECT = {
    "bos_token": "every prompt starts with it",
    "eos_token": "generation stops at it and training teaches the model to emit it",
    "unk_token": "text outside the vocabulary maps to it",
    "sep_token": "it separates sequence pairs",
    "cls_token": "classification heads read its position",
    "mask_token": "masked-language objectives predict at it",
}
_FLAG_EFFECT = {
    ("special", False): "decode(skip_special_tokens=True) now keeps it in the output text, and "
    "split_special_tokens no longer applies to it",
    ("special", True): "decode(skip_special_tokens=True), the default of vLLM and many servers, now drops it "
    "from the output text",
    ("lstrip", True): "it now swallows the whitespace on its left",
    ("lstrip", False): "it no longer swallows the whitespace on its left",
    ("rstrip", True): "it now swallows the whitespace on its right (e.g. the newline after a chat header)",
    ("rstrip", False): "it no longer swallows the whitespace on its right",
    ("normalized", True): "it is now matched after normalization, so text must match its normalized form",
    ("normalized", False): "it is now matched on the raw text, before normalization",
    ("single_word", True): "it now matches only as a whole word",
    ("single_word", False): "it now matches inside words too",
}


def check_special_roles(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if not (base.has_tokenizer_config and tuned.has_tokenizer_config):
        if base.has_tokenizer_config != tuned.has_tokenizer_config:
            missing = "base" if not base.has_tokenizer_config else "tuned"
            bare = " (a bare tokenizer.json: chat templates and model configs are not compared either)"
            return [
                Finding(
                    ROLES_CHECK,
                    "roles.not-compared",
                    Severity.INFO,
                    f"special-token roles not compared: {missing} has no tokenizer_config.json "
                    "or special_tokens_map.json" + (bare if base.bare or tuned.bare else ""),
                )
            ]
        return []
    findings = [
        finding
        for role in SPECIAL_ROLES
        if (finding := _role_change(base, tuned, role)) is not None
    ]
    findings += _missing_role_tokens(base, tuned)
    findings += _extra_list_changes(base, tuned)
    findings += _role_file_conflicts(base, tuned)
    return findings


def _role_change(base: TokenizerSnapshot, tuned: TokenizerSnapshot, role: str) -> Finding | None:
    before, after = base.special_roles[role], tuned.special_roles[role]
    if before == after:
        return None
    where = f"tokenizer_config.json: {role}"
    if role == "pad_token":
        if after is not None and after == tuned.special_roles["eos_token"]:
            return Finding(
                ROLES_CHECK,
                "roles.pad-is-eos",
                Severity.ERROR,
                f"tuned sets pad_token to the eos token {q(after)} ({_base_pad(before)}); collators that mask "
                "padding in the labels then mask every eos too, and the model learns never to stop",
                where=where,
                base=before,
                tuned=after,
                fix="use a dedicated pad token (e.g. an unused reserved special token) or keep base's pad_token, "
                "and check that eos positions keep their labels",
            )
        if before is None and after is not None and _unused_special(base, tuned, after):
            return Finding(
                ROLES_CHECK,
                "roles.pad-set",
                Severity.INFO,
                f"tuned pads with {q(after)}, a special token base already has and gives no role (base has no "
                "pad_token): the dedicated pad token the pad-is-eos advice asks for",
                where=where,
                base=before,
                tuned=after,
            )
        return Finding(
            ROLES_CHECK,
            "roles.pad-changed",
            Severity.ERROR,
            f"pad_token is {q(before)} in base but {q(after)} in tuned; padded positions and the labels "
            "collators mask now use another token",
            where=where,
            base=before,
            tuned=after,
            fix="keep base's pad_token unless the new one has a trained embedding row and the training code expects it",
        )
    role_name = role.removesuffix("_token")
    return Finding(
        ROLES_CHECK,
        f"roles.{role_name}-changed",
        Severity.ERROR,
        f"{role} is {q(before)} in base but {q(after)} in tuned; {_ROLE_EFFECT[role]}",
        where=where,
        base=before,
        tuned=after,
        fix=f"restore {role} from base's tokenizer_config.json, or make every consumer (generation_config.json, "
        "serving stop lists, chat template) agree with the new one",
    )


def _unused_special(base: TokenizerSnapshot, tuned: TokenizerSnapshot, content: str) -> bool:
    """A special token base has (same id in tuned, inside base's vocabulary) that no other role of tuned names."""
    token_id = base.token_id(content)
    added = base.added_tokens.get(token_id) if token_id is not None else None
    others = {value for role, value in tuned.special_roles.items() if role != "pad_token"}
    return (token_id is not None and added is not None and added.special and token_id < base.length
            and tuned.token_id(content) == token_id and content not in others)


def _base_pad(before: str | None) -> str:
    return "base has no pad_token" if before is None else f"base pads with {q(before)}"


def _missing_role_tokens(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """A role naming a token the vocabulary does not have: encode never yields it."""
    findings = []
    for role in SPECIAL_ROLES:
        content = tuned.special_roles[role]
        if content is None or tuned.token_id(content) is not None:
            continue
        if base.special_roles[role] == content and base.token_id(content) is None:
            continue  # base has the same defect; not drift
        findings.append(
            Finding(
                ROLES_CHECK,
                "roles.token-missing",
                Severity.ERROR,
                f"tuned's {role} {q(content)} is not a token of tuned's vocabulary",
                where=f"tokenizer_config.json: {role}",
                tuned=content,
                fix=f"set {role} to a token the vocabulary has (base uses {q(base.special_roles[role])})",
            )
        )
    return findings


def _extra_list_changes(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings = []
    where = "tokenizer_config.json: additional_special_tokens / extra_special_tokens"
    for content in base.extra_special_tokens:
        if content not in tuned.extra_special_tokens:
            findings.append(
                Finding(
                    ROLES_CHECK,
                    "roles.extra-removed",
                    Severity.ERROR,
                    f"tuned no longer lists {q(content)} as an additional special token; tools that build "
                    "stop or skip lists from that list lose it",
                    where=where,
                    base=list(base.extra_special_tokens),
                    tuned=list(tuned.extra_special_tokens),
                    fix="append instead of replacing: add_special_tokens(..., replace_additional_special_tokens=False) "
                    "(replace_extra_special_tokens in transformers 5)",
                )
            )
    for content in tuned.extra_special_tokens:
        if content not in base.extra_special_tokens:
            findings.append(
                Finding(
                    ROLES_CHECK,
                    "roles.extra-added",
                    Severity.WARNING,
                    f"tuned lists {q(content)} as an additional special token; base does not",
                    where=where,
                    base=list(base.extra_special_tokens),
                    tuned=list(tuned.extra_special_tokens),
                    fix="if a framework added it as a stop word, restore base's list and keep the stop word "
                    "in generation_config.json instead",
                )
            )
    for name in sorted(set(base.named_extra_special_tokens) | set(tuned.named_extra_special_tokens)):
        before = base.named_extra_special_tokens.get(name)
        after = tuned.named_extra_special_tokens.get(name)
        if before != after:
            findings.append(
                Finding(
                    ROLES_CHECK,
                    "roles.named-extra-changed",
                    Severity.WARNING,
                    f"named special token {name} is {q(before)} in base but {q(after)} in tuned",
                    where=f"tokenizer_config.json: extra_special_tokens.{name}",
                    base=before,
                    tuned=after,
                    fix=f"restore {name} from base's tokenizer_config.json",
                )
            )
    return findings


def _role_conflicts(snapshot: TokenizerSnapshot) -> dict[str, tuple[str | None, str | None]]:
    conflicts = {}
    for role in SPECIAL_ROLES:
        if role in snapshot.tokenizer_config and role in snapshot.special_tokens_map:
            in_config = token_content(snapshot.tokenizer_config[role])
            in_map = token_content(snapshot.special_tokens_map[role])
            if in_config != in_map:
                conflicts[role] = (in_config, in_map)
    return conflicts


def _role_file_conflicts(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    base_conflicts = _role_conflicts(base)
    return [
        Finding(
            ROLES_CHECK,
            "roles.files-disagree",
            Severity.WARNING,
            f"tuned's files disagree on {role}: tokenizer_config.json says {q(in_config)}, "
            f"special_tokens_map.json says {q(in_map)}; loaders differ in which one wins",
            where=f"special_tokens_map.json: {role}",
            tuned={"tokenizer_config.json": in_config, "special_tokens_map.json": in_map},
            fix="make both files name the same token (re-save with save_pretrained)",
        )
        for role, (in_config, in_map) in _role_conflicts(tuned).items()
        if role not in base_conflicts
    ]


def check_added_token_flags(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings: list[Finding] = []
    for token_id in sorted(base.added_tokens):
        before = base.added_tokens[token_id]
        after = tuned.added_tokens.get(token_id)
        if tuned.id_to_token.get(token_id) != before.content:
            continue  # renamed, moved or dropped: the vocabulary check reports it
        if after is None:
            findings.append(
                Finding(
                    FLAGS_CHECK,
                    "flags.no-longer-added",
                    Severity.ERROR,
                    f"{q(before.content)} (id {token_id}) is no longer an added token in tuned: it is now "
                    "found only by the model after pre-tokenization, so text around it splits differently",
                    where=f"tokenizer.json: added_tokens[id={token_id}]",
                    base=before.flags(),
                    fix="restore the added_tokens entry from base's tokenizer.json",
                )
            )
            continue
        findings += [_flag_change(before, after, flag) for flag in ADDED_TOKEN_FLAGS if before.flags()[flag] != after.flags()[flag]]
    findings += [
        Finding(
            FLAGS_CHECK,
            "flags.vocab-token-now-added",
            Severity.ERROR,
            f"tuned makes the existing token {q(added.content)} (id {token_id}) an added token: it is now cut "
            "out of text before pre-tokenization, even inside longer words",
            where=f"tokenizer.json: added_tokens[id={token_id}]",
            tuned=added.flags(),
            fix="remove the entry from tuned's added_tokens (add_tokens on a token the vocabulary already has)",
        )
        for token_id, added in sorted(tuned.added_tokens.items())
        if token_id not in base.added_tokens and base.id_to_token.get(token_id) == added.content
    ]
    findings += _decoder_disagreements(base, tuned)
    return findings


def _flag_change(before: AddedToken, after: AddedToken, flag: str) -> Finding:
    new_value = after.flags()[flag]
    return Finding(
        FLAGS_CHECK,
        f"flags.{flag}-changed",
        Severity.ERROR,
        f"{q(before.content)} (id {before.id}): {flag} is {str(before.flags()[flag]).lower()} in base but "
        f"{str(new_value).lower()} in tuned; {_FLAG_EFFECT[(flag, new_value)]}",
        where=f"tokenizer.json: added_tokens[id={before.id}].{flag}",
        base=before.flags()[flag],
        tuned=new_value,
        fix="restore the added_tokens entry from base's tokenizer.json (and added_tokens_decoder in "
        "tokenizer_config.json)",
    )


def _decoder_disagreements(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """transformers 4 keeps a second copy of the flags in tokenizer_config.json; when tuned's two
    copies disagree (and base's did not), loaders and converters see different tokens."""

    def disagreeing(snapshot: TokenizerSnapshot) -> dict[int, AddedToken]:
        if "tokenizer.json" not in snapshot.files:
            return {}
        return {
            token_id: entry
            for token_id, entry in snapshot.config_added_tokens.items()
            if snapshot.added_tokens.get(token_id) not in (None, entry)
        }

    known = disagreeing(base)
    findings = [
        Finding(
            FLAGS_CHECK,
            "flags.files-disagree",
            Severity.WARNING,
            f"tuned's files disagree on {q(entry.content)} (id {token_id}): tokenizer.json has "
            f"{tuned.added_tokens[token_id].flags()}, tokenizer_config.json added_tokens_decoder has {entry.flags()}",
            where=f"tokenizer_config.json: added_tokens_decoder[{token_id}]",
            fix="re-save the tokenizer so that both files carry the same flags",
        )
        for token_id, entry in sorted(disagreeing(tuned).items())
        if token_id not in known
    ]
    return capped(findings, more(FLAGS_CHECK, "flags.files-disagree", Severity.WARNING, "disagreeing entries"))
