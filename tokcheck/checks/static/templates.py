"""The chat-template check: every place a template can live, compared as effective text, with a
unified diff; a template that only moved between files is reported, not failed."""

from __future__ import annotations

import difflib

from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.template_budget import escape_attempts

CHECK = "chat_template"
RENDERS_DIFFER = "; prompts render differently from what base was trained on"  # until its renders are compared
_DIFF_LINES = 80  # longest diff shown in a report


def unified_diff(before: str, after: str, name: str) -> str:
    lines = list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), f"base/{name}", f"tuned/{name}", lineterm="", n=2
        )
    )
    if len(lines) > _DIFF_LINES:
        lines = [*lines[:_DIFF_LINES], f"... {len(lines) - _DIFF_LINES} more diff lines"]
    return "\n".join(lines)


def _label(name: str) -> str:
    return "chat template" if name == "default" else f"chat template {name!r}"


def check_chat_template(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    if base.bare or tuned.bare:
        return []  # a bare tokenizer.json has no template; the special-roles check says so
    findings: list[Finding] = []
    for name in sorted(set(base.chat_templates) | set(tuned.chat_templates)):
        before, after = base.chat_templates.get(name), tuned.chat_templates.get(name)
        if after is None and before is not None:
            findings.append(
                Finding(
                    CHECK,
                    "template.removed",
                    Severity.ERROR,
                    f"tuned has no {_label(name)}; base has one in {before.location}",
                    where=before.location,
                    fix=f"copy {before.location} from base into the checkpoint",
                )
            )
        elif before is None and after is not None:
            findings.append(
                Finding(
                    CHECK,
                    "template.added",
                    Severity.WARNING,
                    f"tuned adds a {_label(name)} in {after.location}; base has none, so base was never "
                    "trained on this format",
                    where=after.location,
                    detail=after.text[:2000],
                    fix="keep it only if the fine-tune trained on exactly this format",
                )
            )
        elif before is not None and after is not None:
            if before.text != after.text:
                diff = unified_diff(before.text, after.text, after.location.split(":")[0])
                changed = sum(1 for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
                findings.append(
                    Finding(
                        CHECK,
                        "template.changed",
                        Severity.ERROR,
                        f"{_label(name)} differs ({changed} lines changed; base {before.location}, tuned "
                        f"{after.location}){RENDERS_DIFFER}",
                        where=after.location,
                        fix="restore base's chat template, unless the fine-tune trained on the new format "
                        "and every consumer uses it",
                        detail=diff,
                    )
                )
            elif before.location != after.location:
                findings.append(
                    Finding(
                        CHECK,
                        "template.moved",
                        Severity.INFO,
                        f"{_label(name)} is unchanged but moved from {before.location} to {after.location}; "
                        "consumers that read only tokenizer_config.json (older TGI and vLLM) will not find it",
                        where=after.location,
                        base=before.location,
                        tuned=after.location,
                    )
                )
    findings += _conflicting_places(base, tuned)
    findings += _escape_attempts(base, tuned)
    return findings


def _escape_attempts(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """A tuned template that reaches for what published Jinja sandbox escapes reach for. The sandbox
    refuses these at render time; the finding says so before anything renders."""
    findings = []
    for name, entry in sorted(tuned.chat_templates.items()):
        reaches = escape_attempts(entry.text)
        before = base.chat_templates.get(name)
        if reaches and (before is None or escape_attempts(before.text) != reaches):
            findings.append(Finding(
                CHECK, "template.sandbox-escape", Severity.ERROR,
                f"tuned's {_label(name)} reaches for {', '.join(reaches)}, as sandbox-escape payloads do; "
                "tokcheck renders it only in transformers' sandbox, which refuses these",
                where=entry.location,
                fix="do not ship this template: restore base's, and find out who wrote it",
            ))
    return findings


def _conflicts(snapshot: TokenizerSnapshot) -> list[tuple[str, str, str]]:
    """(name, effective location, other location) where a second copy of a template differs."""
    found = []
    for name, entry in snapshot.chat_templates.items():
        for location, templates in snapshot.template_places.items():
            text = templates.get(name)
            if location != entry.location and text is not None and text != entry.text:
                found.append((name, entry.location, location))
    return found


def _conflicting_places(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    known = {(name, other) for name, _, other in _conflicts(base)}
    return [
        Finding(
            CHECK,
            "template.copies-disagree",
            Severity.ERROR,
            f"tuned holds two different copies of its {_label(name)}: transformers uses {used}, while "
            f"consumers that read {other} get the other one",
            where=other,
            fix=f"delete the stale copy in {other}, or make it equal to {used}",
            detail=unified_diff(tuned.template_places[other][name], tuned.chat_templates[name].text, name),
        )
        for name, used, other in _conflicts(tuned)
        if (name, other) not in known
    ]
