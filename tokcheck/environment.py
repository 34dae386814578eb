"""What the process environment says: flag strings such as CI=true, Hugging Face's offline
switch, the versions of the libraries tokcheck reports, and transformers imported quietly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from typing import Any

TRUTHY = frozenset({"1", "true", "yes", "on"})


def truthy(value: object) -> bool:
    """True for the strings environment variables and ini files use for yes: 1, true, yes, on."""
    return str(value).strip().lower() in TRUTHY


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return truthy(environ.get("CI", ""))


def hub_offline(environ: Mapping[str, str] = os.environ) -> bool:
    return truthy(environ.get("HF_HUB_OFFLINE", ""))


def library_version(distribution: str, missing: str = "not installed") -> str:
    """The installed version of a distribution, or `missing`."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return missing


def transformers_major() -> int:
    return int(metadata.version("transformers").split(".")[0])


def import_transformers() -> Any:
    """transformers, imported quietly: without torch it prints advice on import, and it logs hints
    meant for library authors on every load; tokcheck reports what matters itself."""
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    import transformers
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    return transformers
