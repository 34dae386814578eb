"""Spec strings -> TokenizerSource: where one side's files are, read-only.

A spec is a directory written by ``save_pretrained``, a bare ``tokenizer.json``, a ``.gguf`` file, a hub id with an
optional ``@revision`` found in the local Hugging Face cache, or ``zoo:NAME``. Resolving a spec
touches the filesystem only; nothing here writes into a source, and nothing reaches the network
unless the caller passes ``allow_download=True``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from tokcheck import zoo
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources import hub
from tokcheck.sources.files import TOKENIZER_FILES
from tokcheck.sources.gguf import first_shard, require_gguf

ZOO_PREFIX = "zoo:"
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class TokenizerSource:
    """Where one side's tokenizer lives. `directory` holds the files; for a bare tokenizer.json
    spec, `bare_file` is set and no other file in that directory is used."""

    spec: str
    kind: str  # "directory", "file", "hub", "zoo" or "gguf"
    directory: Path
    bare_file: Path | None = None
    gguf_file: Path | None = None  # a .gguf spec (its first shard): no other file is used

    @property
    def path(self) -> Path:
        return self.bare_file or self.gguf_file or self.directory

    def file(self, name: str) -> Path | None:
        """The path of a named file of this source, or None when it has none."""
        if self.gguf_file is not None:
            return None
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
        directory = zoo.path_for(spec[len(ZOO_PREFIX) :])
        if (directory / "tokenizer.gguf").is_file():  # a GGUF entry of the zoo (tokcheck.zoo.gguf)
            return TokenizerSource(spec=spec, kind="gguf", directory=directory, gguf_file=directory / "tokenizer.gguf")
        return TokenizerSource(spec=spec, kind="zoo", directory=directory)
    path = Path(spec).expanduser()
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if path.exists():
        return _resolve_path(spec, path)
    repo_id, _, revision = spec.partition("@")
    if _HUB_ID.match(repo_id) and not spec.startswith((".", "/", "~")):
        snapshot = hub.snapshot_directory(spec, repo_id, revision or "main", allow_download=allow_download)
        return dataclasses.replace(_resolve_path(spec, snapshot), kind="hub")
    raise TokcheckUsageError(f"{spec}: no such file or directory")


def _resolve_path(spec: str, path: Path) -> TokenizerSource:
    if path.is_file():
        if path.suffix == ".gguf":
            require_gguf(spec)
            gguf_file = first_shard(spec, path)
            return TokenizerSource(spec=spec, kind="gguf", directory=gguf_file.parent, gguf_file=gguf_file)
        if path.suffix != ".json":
            raise TokcheckUsageError(
                f"{spec}: not a tokenizer; give the directory that holds it, a tokenizer.json or a .gguf file"
            )
        return TokenizerSource(spec=spec, kind="file", directory=path.parent, bare_file=path)
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        exported = _exported_gguf(spec, path)
        if exported is not None:  # an export folder (the GGUF and its Modelfile): the GGUF is the tokenizer
            return _resolve_path(spec, exported)
        raise TokcheckUsageError(
            f"{spec}: directory has no tokenizer files (expected tokenizer.json, "
            "tokenizer_config.json or tokenizer.model)"
        )
    return TokenizerSource(spec=spec, kind="directory", directory=path)


def _exported_gguf(spec: str, path: Path) -> Path | None:
    """The one GGUF of a directory without tokenizer files (what LLaMA-Factory's and unsloth's
    exports write beside their Modelfile), counting a split GGUF once; None when it has none."""
    models = sorted({first_shard(spec, found) for found in path.glob("*.gguf") if found.is_file()})
    if len(models) > 1:
        names = ", ".join(model.name for model in models)
        raise TokcheckUsageError(f"{spec}: directory holds several GGUF files ({names}): give the one to check")
    return models[0] if models else None
