"""What every report starts with: the sides compared, the library versions, the settings that
reproduce the run (seed, profile ...), whether warnings fail; and the tallies and verdict line
every format shares."""

from __future__ import annotations

import hashlib
import platform
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tokcheck.environment import library_version
from tokcheck.findings import Finding, Severity
from tokcheck.sources.beside import beside_files
from tokcheck.sources.files import KNOWN_FILES
from tokcheck.sources.spec import TokenizerSource

if TYPE_CHECKING:
    from tokcheck.sources.snapshot import TokenizerSnapshot


@dataclass
class ReportContext:
    """What was compared, with which libraries: every report starts with this."""

    sides: dict[str, str] = field(default_factory=dict)  # "base" -> "spec (resolved path)"
    settings: dict[str, str] = field(default_factory=dict)  # e.g. hypothesis seed and profile
    strict: bool = False
    hashes: dict[str, str] = field(default_factory=dict)  # "base" -> content hash of its tokenizer files
    recorded_versions: dict[str, str] | None = None  # a report read back from JSON: the versions it ran with

    @property
    def versions(self) -> dict[str, str]:
        if self.recorded_versions is not None:
            return self.recorded_versions
        found = {"python": platform.python_version()}
        found.update({package: library_version(package) for package in ("tokcheck", "transformers", "tokenizers", "hypothesis")})
        return found

    def header_lines(self) -> list[str]:
        lines = [f"{side}: {described}" for side, described in self.sides.items()]
        versions = self.versions
        lines.append(
            f"transformers {versions.get('transformers', '?')}, tokenizers {versions.get('tokenizers', '?')}, "
            f"tokcheck {versions.get('tokcheck', '?')}"
        )
        if self.hashes:
            lines.append("content sha256: " + ", ".join(f"{side} {digest}" for side, digest in self.hashes.items()))
        if self.settings:
            lines.append(", ".join(f"{key} {value}" for key, value in self.settings.items()))
        return lines


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    tally = Counter(finding.severity.value for finding in findings)
    return {severity.value: tally.get(severity.value, 0) for severity in Severity}


def summary_line(findings: list[Finding], strict: bool) -> str:
    tally = counts(findings)
    failing = sum(1 for finding in findings if finding.fails(strict))
    verdict = "DRIFT" if failing else "no failing drift"
    parts = [f"{tally['error']} error(s)", f"{tally['warning']} warning(s)", f"{tally['info']} info"]
    return f"{verdict}: {', '.join(parts)}" + (" (strict: warnings fail)" if strict else "")


def content_hash(source: TokenizerSource, snapshot: TokenizerSnapshot | None = None) -> str:
    """A short sha256 over the tokenizer files a source has (those a snapshot digests), so that a
    report says which exact files were compared; for a GGUF, over its header and key-value section."""
    if snapshot is not None and snapshot.gguf is not None:
        return snapshot.gguf.metadata_sha256[:16]
    digest = hashlib.sha256()
    beside = beside_files(source.directory) if source.bare_file is None else []
    for name in (*KNOWN_FILES, *beside):
        path = source.file(name) if "/" not in name else source.directory / name
        if path is not None and path.is_file():
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
