"""Finding tokcheck's ini keys when pytest looked for its config file in the wrong place.

pytest picks its rootdir and config file from the arguments that are existing paths, option
values included, before any plugin can tell it which options take a value. So
`pytest --tuned /elsewhere/ckpt` run inside a project that pins tokcheck_base_tokenizer in its
pyproject.toml makes pytest search above /elsewhere/ckpt and miss the project's file. This module
finds the config file the way pytest would from the invocation directory alone and reads our keys.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli below 3.11
    import tomli as tomllib


def _pyproject(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    pytest_table = data.get("tool", {}).get("pytest", {})
    if "ini_options" in pytest_table:
        return dict(pytest_table["ini_options"])
    return dict(pytest_table) if pytest_table else None


def _ini(path: Path, section: str) -> dict[str, Any] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    return dict(parser[section]) if parser.has_section(section) else None


def _load(path: Path) -> dict[str, Any] | None:
    if path.name == "pyproject.toml":
        return _pyproject(path)
    if path.name in ("pytest.ini", ".pytest.ini"):
        return _ini(path, "pytest") or {}
    return _ini(path, "pytest" if path.name == "tox.ini" else "tool:pytest")


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The pytest config file pytest would use when run in `start` with no path arguments."""
    for directory in (start, *start.parents):
        for name in ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"):
            candidate = directory / name
            if candidate.is_file():
                values = _load(candidate)
                if values is not None:
                    return candidate, values
    return None
