"""Spec strings -> TokenizerSource (files on disk, read-only), and live tokenizers from sources.

A spec is a directory written by ``save_pretrained``, a bare ``tokenizer.json``, a hub id with an
optional ``@revision`` found in the local Hugging Face cache, or ``zoo:NAME``. Resolving a spec
touches the filesystem only; nothing here writes into a source, and nothing reaches the network
unless the caller passes ``allow_download=True``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError

# Files that make a directory a tokenizer directory (any one is enough).
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "tokenizer.model",
    "vocab.json",
    "vocab.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tekken.json",
)
# What a hub download needs: tokenizer files, templates, and the model configs with special ids.
DOWNLOAD_PATTERNS = (
    *TOKENIZER_FILES,
    "merges.txt",
    "special_tokens_map.json",
    "added_tokens.json",
    "chat_template.jinja",
    "chat_template.json",
    "additional_chat_templates/*.jinja",
    "config.json",
    "generation_config.json",
)
ZOO_PREFIX = "zoo:"
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class TokenizerSource:
    """Where one side's tokenizer lives. `directory` holds the files; for a bare tokenizer.json
    spec, `bare_file` is set and no other file in that directory is used."""

    spec: str
    kind: str  # "directory", "file", "hub" or "zoo"
    directory: Path
    bare_file: Path | None = None

    @property
    def path(self) -> Path:
        return self.bare_file or self.directory

    def file(self, name: str) -> Path | None:
        """The path of a named file of this source, or None when it has none."""
        if self.bare_file is not None:
            return self.bare_file if name == "tokenizer.json" else None
        candidate = self.directory / name
        return candidate if candidate.is_file() else None

    def describe(self) -> str:
        return self.spec if str(self.path) == self.spec else f"{self.spec} ({self.path})"


def resolve(spec: str, *, relative_to: Path | None = None, allow_download: bool = False) -> TokenizerSource:
    """Turn a spec string into a TokenizerSource, or raise TokcheckUsageError with one line."""
    spec = spec.strip()
    if not spec:
        raise TokcheckUsageError("empty tokenizer spec: give a directory, a tokenizer.json, a hub id or zoo:NAME")
    if spec.startswith(ZOO_PREFIX):
        return _resolve_zoo(spec)
    path = Path(spec).expanduser()
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if path.exists():
        return _resolve_path(spec, path)
    repo_id, _, revision = spec.partition("@")
    if _HUB_ID.match(repo_id) and not spec.startswith((".", "/", "~")):
        return _resolve_hub(spec, repo_id, revision or "main", allow_download=allow_download)
    raise TokcheckUsageError(f"{spec}: no such file or directory")


def _resolve_path(spec: str, path: Path) -> TokenizerSource:
    if path.is_file():
        if path.suffix != ".json":
            raise TokcheckUsageError(
                f"{spec}: not a tokenizer; give the directory that holds it or a tokenizer.json file"
            )
        return TokenizerSource(spec=spec, kind="file", directory=path.parent, bare_file=path)
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise TokcheckUsageError(
            f"{spec}: directory has no tokenizer files (expected tokenizer.json, "
            "tokenizer_config.json or tokenizer.model)"
        )
    return TokenizerSource(spec=spec, kind="directory", directory=path)


def _resolve_zoo(spec: str) -> TokenizerSource:
    from tokcheck import zoo  # the zoo imports its data packages lazily, per builder

    name = spec[len(ZOO_PREFIX) :]
    return TokenizerSource(spec=spec, kind="zoo", directory=zoo.path_for(name))


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, located the way huggingface_hub does it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    hf_home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface"
    )
    return Path(hf_home).expanduser() / "hub"


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def cached_snapshot(repo_id: str, revision: str) -> Path | None:
    """The snapshot directory of repo_id@revision in the local cache, or None (no network)."""
    repo_dir = hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    if _COMMIT.match(revision):
        commit = revision
    else:
        ref = repo_dir / "refs" / revision
        if not ref.is_file():
            return None
        commit = ref.read_text(encoding="utf-8").strip()
    snapshot = repo_dir / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def _resolve_hub(spec: str, repo_id: str, revision: str, *, allow_download: bool) -> TokenizerSource:
    snapshot = cached_snapshot(repo_id, revision)
    if snapshot is None and allow_download and not hub_offline():
        snapshot = _download(spec, repo_id, revision)
    if snapshot is None:
        reason = "HF_HUB_OFFLINE is set" if hub_offline() else "downloads are off"
        raise TokcheckUsageError(
            f"{spec}: no such directory, and hub repo '{repo_id}' (revision {revision}) is not in the "
            f"local Hugging Face cache {hub_cache_dir()} ({reason}); download it first "
            f"(`hf download {repo_id}`) or pass --tokcheck-allow-download"
        )
    return dataclasses.replace(_resolve_path(spec, snapshot), kind="hub")


def _download(spec: str, repo_id: str, revision: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(
            snapshot_download(repo_id, revision=revision, allow_patterns=list(DOWNLOAD_PATTERNS))
        )
    except Exception as error:  # network, auth, missing repo: all one line for the user
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TokcheckUsageError(f"{spec}: download of '{repo_id}' failed: {first_line}") from None


def read_json(path: Path, *, label: str | None = None) -> Any:
    """Parse a JSON file or raise TokcheckUsageError naming the file and the position."""
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise TokcheckUsageError(
            f"{label or path}: not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"
        ) from None
    except UnicodeDecodeError as error:
        raise TokcheckUsageError(f"{label or path}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise TokcheckUsageError(f"{label or path}: cannot read ({error.strerror})") from None


def remote_code_reference(tokenizer_config: dict[str, Any]) -> str | None:
    """The custom class a tokenizer_config asks transformers to import (``auto_map``), if any."""
    auto_map = tokenizer_config.get("auto_map")
    if isinstance(auto_map, dict):
        reference = auto_map.get("AutoTokenizer")
    elif isinstance(auto_map, (list, tuple)):  # the old format: a bare [slow, fast] pair
        reference = auto_map
    else:
        return None
    if isinstance(reference, (list, tuple)):
        reference = next((item for item in reference if item), None)
    return str(reference) if reference else None


def check_remote_code(source: TokenizerSource, tokenizer_config: dict[str, Any], trust_remote_code: bool) -> None:
    reference = remote_code_reference(tokenizer_config)
    if reference and not trust_remote_code:
        raise TokcheckUsageError(
            f"{source.spec}: tokenizer needs remote code ({reference} from auto_map in "
            "tokenizer_config.json); pass --trust-remote-code if you trust its source"
        )


def load_tokenizer(source: TokenizerSource, *, trust_remote_code: bool = False) -> Any:
    """A live transformers tokenizer for a source, loaded from local files only."""
    return load_tokenizer_noting_fallback(source, trust_remote_code=trust_remote_code)[0]


def load_tokenizer_noting_fallback(source: TokenizerSource, *, trust_remote_code: bool = False) -> tuple[Any, str | None]:
    """The tokenizer, and why it had to be read from tokenizer.json directly (None when
    AutoTokenizer loaded it as saved): e.g. transformers 4.x and a transformers 5 save."""
    transformers = import_transformers()
    try:
        if source.bare_file is not None:
            return transformers.PreTrainedTokenizerFast(tokenizer_file=str(source.bare_file)), None
        return transformers.AutoTokenizer.from_pretrained(
            str(source.directory), local_files_only=True, trust_remote_code=trust_remote_code
        ), None
    except Exception as error:
        message = " ".join(str(error).split())[:300] or type(error).__name__
        if source.file("tokenizer.json") is not None:
            from tokcheck.crossload import load_directly

            try:
                return load_directly(source, transformers), message
            except Exception:
                pass  # report the original error: it names what AutoTokenizer disliked
        raise TokcheckUsageError(
            f"{source.spec}: transformers {transformers.__version__} cannot load this tokenizer: {message}"
        ) from error


def import_transformers() -> Any:
    """transformers, imported quietly: without torch it prints advice on import, and it logs hints
    meant for library authors on every load; tokcheck reports what matters itself."""
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    import transformers
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    return transformers
