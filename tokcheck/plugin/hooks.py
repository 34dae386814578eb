"""tokcheck's own pytest hook (registered by the plugin through pytest_addhooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tokcheck.sources.snapshot_store import SnapshotStore


@pytest.hookspec(firstresult=True)
def pytest_tokcheck_snapshot_store(config: pytest.Config) -> SnapshotStore | None:
    """The SnapshotStore this run reads tokenizer files through; None (every implementation's
    default): a new one for this run. A process that runs tokcheck's suite many times over the same
    files (the self-test's in-process runs) passes each run a plugin that returns one store, so that
    each file is read once; a store only ever answers for files byte for byte the same."""
