"""Golden files: what a tokenizer does on a fixed corpus and fixed chat transcripts, recorded as
JSON a person can diff (one entry per line, stable order), and compared on later runs. No pytest:
the plugin's golden mode and `tokcheck golden` both go through GoldenFiles.

A golden directory holds ``encode.json`` and ``chat.json``. Behaviour that differs between
transformers majors is kept in ``<kind>.transformers4.json`` / ``<kind>.transformers5.json``: the
entries that differ on that major, which replace the same entries of ``<kind>.json`` there."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tokcheck.display import describe_ids_mismatch
from tokcheck.environment import library_version
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.inputs import corpus
from tokcheck.inputs.generators import llamacpp_inputs
from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS, Transcript
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.paths import source_holding
from tokcheck.sources.live import render_chat

GOLDEN_FORMAT = 1
KINDS = ("encode", "chat")
PER_FAMILY = 200  # strings per edge-case family of tokcheck.corpus
PER_LONG_FAMILY = 20  # the "long" family's strings run to kilobytes
_SHOWN = 20  # mismatches listed before the rest are counted


TRANSCRIPTS = FIXED_TRANSCRIPTS  # the chat transcripts a golden file records


@lru_cache(maxsize=1)
def golden_corpus() -> tuple[str, ...]:
    """The texts golden files record: llama.cpp's inputs, then every edge-case family."""
    texts = list(llamacpp_inputs())
    for family, members in corpus.by_kind(PER_FAMILY).items():
        texts.extend(members[:PER_LONG_FAMILY] if family == "long" else members)
    return tuple(dict.fromkeys(texts))  # first occurrence wins, order kept


# transformers 5.0 to 5.6 still apply a BPE tokenizer's clean_up_tokenization_spaces when decoding,
# as 4.x does; 5.7 stopped (measured on Llama 3, 5.0.0 to 5.10.1): they decode like the 4.x family.
DECODES_LIKE_4 = (5, 7)


def family() -> str:
    """transformers4 or transformers5: the version family behaviour can differ between."""
    major, minor = (int(part) for part in library_version("transformers").split(".")[:2])
    return "transformers4" if major == 4 or (major, minor) < DECODES_LIKE_4 else f"transformers{major}"


def record(tokenizer: LiveTokenizer, kind: str) -> list[dict[str, Any]]:
    """What `tokenizer` does now, as golden entries of one kind."""
    if kind == "encode":
        texts = list(golden_corpus())
        ids = [list(row) for row in tokenizer(texts, add_special_tokens=False)["input_ids"]]
        decoded = tokenizer.batch_decode(ids)
        entries = []
        for text, row, back in zip(texts, ids, decoded):
            entry: dict[str, Any] = {"text": text, "ids": row}
            if back != text:  # only when the round trip is not exact: keeps the files small
                entry["decoded"] = back
            entries.append(entry)
        return entries
    return [_chat_entry(tokenizer, transcript, prompt) for transcript in TRANSCRIPTS for prompt in (False, True)]


def _chat_entry(tokenizer: LiveTokenizer, transcript: Transcript, add_generation_prompt: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": transcript.name, "add_generation_prompt": add_generation_prompt}
    messages = [dict(message) for message in transcript.messages]
    try:
        text = render_chat(tokenizer, messages, tokenize=False, add_generation_prompt=add_generation_prompt)
        entry["text"] = text
        entry["ids"] = render_chat(tokenizer, messages, tokenize=True, add_generation_prompt=add_generation_prompt)
    except Exception as error:  # templates refuse some transcripts on purpose (raise_exception)
        entry["error"] = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    return entry


def entry_key(kind: str, entry: dict[str, Any]) -> str:
    if kind == "encode":
        return str(entry["text"])
    return f"{entry['name']} (add_generation_prompt={entry['add_generation_prompt']})"


def dumps(kind: str, label: str, entries: Sequence[dict[str, Any]]) -> str:
    """Valid JSON with one entry per line, so a changed id shows as one changed line in a diff."""
    header = json.dumps({"tokcheck_golden": GOLDEN_FORMAT, "kind": kind, "tokenizer": label}, ensure_ascii=False)
    lines = [json.dumps(entry, ensure_ascii=False) for entry in entries]
    return header[:-1] + ', "entries": [\n' + ",\n".join(lines) + "\n]}\n"


def path_for(directory: Path, kind: str) -> Path:
    return directory / f"{kind}.json"


def family_path(directory: Path, kind: str) -> Path:
    return directory / f"{kind}.{family()}.json"


def expected(directory: Path, kind: str) -> list[dict[str, Any]]:
    """The golden entries for the running transformers family: the shared file, with the
    family's own entries in place of the shared ones they override."""
    entries = load(path_for(directory, kind))
    override = family_path(directory, kind)
    if override.exists():
        replaced = {entry_key(kind, entry): entry for entry in load(override)}
        entries = [replaced.get(entry_key(kind, entry), entry) for entry in entries]
    return entries


def family_differences(kind: str, shared: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of `actual` that differ from the shared golden file: a family file's content."""
    recorded = {entry_key(kind, entry): entry for entry in shared}
    return [entry for entry in actual if recorded.get(entry_key(kind, entry)) not in (None, entry)]


def load(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TokcheckUsageError(f"{path}: not a valid golden file (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict) or data.get("tokcheck_golden") != GOLDEN_FORMAT:
        raise TokcheckUsageError(f"{path}: not a tokcheck golden file (format {GOLDEN_FORMAT})")
    return list(data["entries"])


def write(path: Path, kind: str, label: str, entries: Sequence[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(dumps(kind, label, entries), encoding="utf-8")
    temporary.replace(path)


def compare(kind: str, expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]], tokenizer: LiveTokenizer,
            where: str) -> list[Finding]:
    """Findings for every entry whose recorded behaviour changed, and for entries that appeared
    or disappeared (the corpus or transcript set changed: update the golden files)."""
    check = f"golden_{kind}"
    recorded = {entry_key(kind, entry): entry for entry in expected}
    current = {entry_key(kind, entry): entry for entry in actual}
    findings: list[Finding] = []
    for key, now in current.items():
        before = recorded.get(key)
        if before is not None and before != now:
            findings.append(_changed(check, kind, key, before, now, tokenizer, where))
    shown = findings[:_SHOWN]
    if len(findings) > _SHOWN:
        shown.append(Finding(check, f"golden.{kind}-changed", Severity.ERROR,
                             f"... and {len(findings) - _SHOWN:,} more {kind} entries differ from the golden file",
                             where=where))
    missing = [key for key in recorded if key not in current]
    extra = [key for key in current if key not in recorded]
    if missing or extra:
        shown.append(Finding(
            check, "golden.entries-changed", Severity.ERROR,
            f"the golden file has {len(missing)} entries this tokcheck no longer records and lacks {len(extra)} it "
            f"does (first: {(missing or extra)[0]!r}); tokcheck's corpus or transcripts changed",
            where=where, fix="rerun with --tokcheck-update-golden and review the diff",
        ))
    return shown


def _changed(check: str, kind: str, key: str, before: dict[str, Any], now: dict[str, Any], tokenizer: LiveTokenizer,
             where: str) -> Finding:
    if before.get("ids") != now.get("ids") and before.get("ids") is not None and now.get("ids") is not None:
        detail = describe_ids_mismatch(key, before["ids"], now["ids"], tokenizer, tokenizer, labels=("golden", "now"))
        message = f"{kind}: ids for {key!r} differ from the golden file ({len(before['ids'])} ids recorded, {len(now['ids'])} now)"
    else:
        fields = [name for name in sorted(set(before) | set(now)) if before.get(name) != now.get(name)]
        detail = "\n".join(f"  {name}: golden {before.get(name)!r}\n  {' ' * len(name)}  now    {now.get(name)!r}"
                           for name in fields)
        message = f"{kind}: {', '.join(fields)} for {key!r} differ from the golden file"
    return Finding(check, f"golden.{kind}-changed", Severity.ERROR, message, where=where,
                   base=before, tuned=now, detail=detail,
                   fix="if the change is intended (a new transformers or tokenizers release), rerun with "
                   "--tokcheck-update-golden and commit the diff; otherwise pin the version that recorded it")


# --- the record / compare flow of the plugin and the CLI -----------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What recording one kind wrote: the file and how many entries (None: nothing, and no file,
    because this transformers family behaves as the shared file records)."""

    path: Path
    entries: int | None
    replaced: bool  # the file existed before


class GoldenFiles:
    """One golden directory, never inside a tokenizer's own directory (`sources`: what each
    directory is, such as "tuned tokenizer", for the error line)."""

    def __init__(self, directory: Path, sources: Mapping[str, Path] | None = None, *, label: str | None = None) -> None:
        sources = sources or {}
        inside = source_holding(directory, sources.values())
        if inside is not None:
            name = next(name for name, path in sources.items() if path == inside)
            raise TokcheckUsageError(
                f"{label or directory}: inside the {name}'s directory {inside.resolve()}; tokcheck never "
                "writes there, give a directory of your own"
            )
        self.directory = directory

    def path(self, kind: str) -> Path:
        return path_for(self.directory, kind)

    def has(self, kind: str) -> bool:
        return self.path(kind).exists()

    def record(self, kind: str, tokenizer: LiveTokenizer, label: str, *, family_only: bool = False) -> Recorded:
        """Write what `tokenizer` does now; with `family_only`, only the entries this transformers
        family does differently from the shared file (removing the family file when there are none)."""
        actual = record(tokenizer, kind)
        path = self.path(kind)
        if family_only:
            actual = family_differences(kind, load(path), actual)
            path = family_path(self.directory, kind)
            if not actual:
                path.unlink(missing_ok=True)
                return Recorded(path, None, False)
        replaced = path.exists()
        write(path, kind, label, actual)
        return Recorded(path, len(actual), replaced)

    def compare(self, kind: str, tokenizer: LiveTokenizer) -> list[Finding]:
        """Findings for every recorded entry `tokenizer` no longer reproduces."""
        path = self.path(kind)
        if not path.exists():
            raise TokcheckUsageError(f"{path}: no golden file; record one with `tokcheck golden record`")
        return compare(kind, expected(self.directory, kind), record(tokenizer, kind), tokenizer, str(path))
