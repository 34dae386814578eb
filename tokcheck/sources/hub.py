"""The local Hugging Face hub cache, located the way huggingface_hub does it, and a download of
the tokenizer files only when the user allows the network."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tokcheck.environment import hub_offline
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.files import TOKENIZER_FILES

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
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, located the way huggingface_hub does it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    hf_home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface"
    )
    return Path(hf_home).expanduser() / "hub"


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


def snapshot_directory(spec: str, repo_id: str, revision: str, *, allow_download: bool) -> Path:
    """The cached snapshot of a hub id, downloaded first when allowed; else one usage-error line."""
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
    return snapshot


def _download(spec: str, repo_id: str, revision: str) -> Path:
    from huggingface_hub import snapshot_download  # the network, only when the user asked for it

    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=list(DOWNLOAD_PATTERNS)))
    except Exception as error:  # network, auth, missing repo: all one line for the user
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TokcheckUsageError(f"{spec}: download of '{repo_id}' failed: {first_line}") from None
