"""One root cause, one entry: the findings that share a cause (the same added or changed token,
the same pipeline part) grouped under the static finding that explains them, with the behaviour
checks and sweeps that saw the same drift as "also seen by". Presentation only: the findings, the
verdict and every test's outcome stay as they are; a drift only a behaviour check sees, with no
static finding to explain it, stays its own entry."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tokcheck.checks.registry import check_rank, sorted_findings
from tokcheck.findings import Finding, Severity
from tokcheck.report.token_boxes import token_rows

# Where a behaviour drift with no named token comes from, by what it saw: the static checks of the
# pipeline parts that can cause it, in the order the pipeline runs them.
ENCODE_PARTS = ("normalizer", "pre_tokenizer", "model", "added_token_flags", "post_processor", "tokenizer_config")
DECODE_PARTS = ("decoder", "normalizer", "pre_tokenizer", "model", "added_token_flags", "tokenizer_config")
CHAT_PARTS = ("chat_template",)

_QUOTED = re.compile(r"'([^'\s][^']{1,80})'")
_ID = re.compile(r"\bids? (\d+)\b")


def is_behaviour(finding: Finding) -> bool:
    """Found by running both tokenizers (a property or a sweep), not by reading their files."""
    return finding.check.startswith(("behaviour.", "sweep."))


@dataclass
class Entry:
    """One cause: the `head` finding that names it, other static findings of the same cause
    (`related`), and the behaviour findings that saw it (`seen_by`); `cause` says what they share."""

    head: Finding
    related: list[Finding] = field(default_factory=list)
    seen_by: list[Finding] = field(default_factory=list)
    cause: str = ""
    keys: set[Any] = field(default_factory=set, repr=False)

    @property
    def members(self) -> list[Finding]:
        return [self.head, *self.related, *self.seen_by]

    @property
    def severity(self) -> Severity:
        return min((finding.severity for finding in self.members), key=lambda severity: severity.rank)

    @property
    def grouped(self) -> bool:
        return bool(self.related or self.seen_by)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in ("content", "token"):
            if isinstance(value.get(key), str):
                yield value[key]
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (str, dict)):
                yield from _strings(item)


def _ids_named(value: Any) -> Iterable[int]:
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        yield value["id"]
    elif isinstance(value, list):
        for item in value:
            yield from _ids_named(item)


def _token_key(text: str) -> str | None:
    """A string worth matching on: a token-like text, not a letter or a sentence."""
    return text if 2 <= len(text) <= 80 and text.strip() and len(text.split()) == 1 else None


def static_keys(finding: Finding) -> set[Any]:
    """The tokens (strings) and ids a static finding names."""
    texts = [*_strings(finding.base), *_strings(finding.tuned), *_QUOTED.findall(finding.message)]
    keys: set[Any] = {key for key in map(_token_key, texts) if key}
    keys.update(("id", token_id) for token_id in [*_ids_named(finding.base), *_ids_named(finding.tuned)])
    keys.update(("id", int(token_id)) for token_id in _ID.findall(finding.message))
    return keys


def behaviour_keys(finding: Finding) -> set[Any]:
    """The tokens and ids where a behaviour finding's two sides differ, and the tokens its message
    quotes."""
    keys: set[Any] = {key for key in map(_token_key, _QUOTED.findall(finding.message)) if key}
    rows = token_rows(finding)
    if rows is not None:
        for box in (*rows.base, *rows.tuned):
            if box.differs:
                keys.update(key for key in (_token_key(box.token), _token_key(box.piece)) if key)
                keys.add(("id", box.token_id))
    return keys


def _parts(finding: Finding) -> tuple[str, ...]:
    if "chat" in finding.check or "chat" in finding.code:
        return CHAT_PARTS
    if "decode" in finding.code or "round-trip" in finding.code:
        return DECODE_PARTS
    return ENCODE_PARTS


def _cause(keys: set[Any], head: Finding) -> str:
    named = sorted(key for key in keys if isinstance(key, str) and f"'{key}'" in head.message)
    return f"'{named[0]}'" if named else head.check


def group_findings(findings: Iterable[Finding]) -> list[Entry]:
    """The entries of a report, most severe first, then in check order."""
    ordered = sorted_findings(findings)
    entries: list[Entry] = []
    by_static: list[tuple[Finding, Entry]] = []
    for finding in ordered:
        if is_behaviour(finding) or finding.severity is Severity.INFO or finding.check.startswith("golden"):
            continue
        keys = {key for key in static_keys(finding)}
        token_keys = {key for key in keys if isinstance(key, str)}
        joined = next((entry for entry in entries if token_keys & entry.keys), None)
        if joined is None:
            joined = Entry(finding, keys=set(keys))
            entries.append(joined)
        else:
            joined.related.append(finding)
        by_static.append((finding, joined))
    for entry in entries:
        entry.cause = _cause(entry.keys, entry.head) if entry.keys else entry.head.check
    for finding in ordered:
        if not is_behaviour(finding):
            if finding.severity is Severity.INFO or finding.check.startswith("golden"):
                entries.append(Entry(finding))
            continue
        keys = behaviour_keys(finding)
        home = next((entry for static, entry in by_static if keys & static_keys(static)), None)
        if home is None and finding.severity is not Severity.INFO:
            for part in _parts(finding):
                home = next((entry for static, entry in by_static if static.check == part), None)
                if home is not None:
                    break
        if home is None:
            entries.append(Entry(finding))
        else:
            home.seen_by.append(finding)
    position = {id(finding): index for index, finding in enumerate(ordered)}
    entries.sort(key=lambda entry: (entry.severity.rank, check_rank(entry.head.check), position[id(entry.head)]))
    return entries


def seen_by_summary(entry: Entry) -> str:
    """'behaviour.ids, behaviour.special_literals (2), sweep.added_tokens' for an entry."""
    names: dict[str, int] = {}
    for finding in entry.seen_by:
        names[finding.check] = names.get(finding.check, 0) + 1
    return ", ".join(f"{name} ({count})" if count > 1 else name for name, count in names.items())


def same_examples(findings: Iterable[Finding]) -> list[tuple[list[Finding], Finding]]:
    """Behaviour findings with the same input and the same two outputs, folded into one example
    (the checks that found it, and the first of them)."""
    folded: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.where, repr(finding.base), repr(finding.tuned), finding.code if not finding.where else "")
        folded.setdefault(key, []).append(finding)
    return [(group, group[0]) for group in folded.values()]
