"""Small helpers shared by the static checks: quoting, capping long lists, JSON differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tokcheck.findings import Finding, Severity

# Past this many findings of one kind, the rest are summarised in one line.
PER_KIND_CAP = 20


def q(text: str | None) -> str:
    """A token or text as the user should read it: quoted, escapes visible."""
    if text is None:
        return "(none)"
    return repr(text)


def id_ranges(ids: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    parts: list[str] = []
    start = previous = None
    for token_id in sorted(ids):
        if start is None:
            start = previous = token_id
        elif previous is not None and token_id == previous + 1:
            previous = token_id
        else:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = previous = token_id
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ", ".join(parts)


def capped(findings: list[Finding], summarize: Callable[[int], Finding]) -> list[Finding]:
    """The first PER_KIND_CAP findings, then one finding that says how many more there are."""
    if len(findings) <= PER_KIND_CAP:
        return findings
    return [*findings[:PER_KIND_CAP], summarize(len(findings) - PER_KIND_CAP)]


def more(check: str, code: str, severity: Severity, what: str) -> Callable[[int], Finding]:
    def summarize(count: int) -> Finding:
        return Finding(check, code, severity, f"... and {count:,} more {what}")

    return summarize


def json_differences(base: Any, tuned: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Paths where two JSON values differ, outermost first: [(path, base value, tuned value)]."""
    if isinstance(base, dict) and isinstance(tuned, dict):
        found: list[tuple[str, Any, Any]] = []
        for key in sorted(set(base) | set(tuned), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in base or key not in tuned:
                found.append((child, base.get(key, "(absent)"), tuned.get(key, "(absent)")))
            elif base[key] != tuned[key]:
                found.extend(json_differences(base[key], tuned[key], child))
        return found
    if isinstance(base, list) and isinstance(tuned, list) and len(base) == len(tuned):
        found = []
        for index, (left, right) in enumerate(zip(base, tuned)):
            if left != right:
                found.extend(json_differences(left, right, f"{path}[{index}]"))
        return found
    return [] if base == tuned else [(path or "(whole)", base, tuned)]
