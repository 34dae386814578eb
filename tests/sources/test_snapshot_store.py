"""The run's SnapshotStore: a snapshot is taken from it where the files are byte for byte the ones
it read (the xdist controller's, handed to its workers; a shared base; the self-test's runs), never
where any file, the spec or a flag differs; and no store outlives the run that made it unless
someone hands it on."""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.toys import edit_json
from tokcheck.plugin import BASE_OPTION, TUNED_OPTION
from tokcheck.session import Settings, Side, SpecSetting, TokcheckSession
from tokcheck.sources import fingerprint, snapshot_store
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.snapshot_store import SnapshotStore
from tokcheck.sources.spec import TokenizerSource, resolve


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The specs whose files a store read (took a snapshot of), in order."""
    taken: list[str] = []
    monkeypatch.setattr(snapshot_store, "take_snapshot", _counting(taken))
    return taken


def _counting(taken: list[str]) -> Callable[..., TokenizerSnapshot]:
    def counting(source: TokenizerSource, **kwargs: bool) -> TokenizerSnapshot:
        taken.append(source.spec)
        return take_snapshot(source, **kwargs)

    return counting


def _side(directory: Path, store: SnapshotStore, *, trust: bool = False) -> Side:
    return Side("tuned", SpecSetting(str(directory)), Settings(base=None, tuned=None, trust_remote_code=trust), store=store)


def _worker_store(directory: Path, *, trust: bool = False) -> SnapshotStore:
    """A worker's store: what the controller's store packed after reading `directory`."""
    controller = SnapshotStore()
    controller.snapshot(resolve(str(directory)), trust)
    worker = SnapshotStore()
    worker.receive(controller.pack())
    return worker


def test_a_worker_takes_the_controllers_snapshot_of_the_same_files(tuned_copy: Path, reads: list[str]) -> None:
    worker = _worker_store(tuned_copy)
    reads.clear()
    taken = _side(tuned_copy, worker).snapshot
    assert taken == take_snapshot(resolve(str(tuned_copy))) and not reads  # not read again


def test_a_changed_file_or_another_flag_reads_the_files_again(tuned_copy: Path, reads: list[str]) -> None:
    worker = _worker_store(tuned_copy)
    reads.clear()
    _side(tuned_copy, worker, trust=True).snapshot  # noqa: B018 - trust_remote_code differs
    assert reads == [str(tuned_copy)]
    handed = _side(tuned_copy, worker).snapshot
    edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>"))
    fresh = _side(tuned_copy, worker).snapshot
    assert len(reads) == 2
    assert fresh.special_roles["eos_token"] == "<|end_of_text|>" != handed.special_roles["eos_token"]


def test_a_new_template_file_is_part_of_the_key(tuned_copy: Path, reads: list[str]) -> None:
    worker = _worker_store(tuned_copy)
    (tuned_copy / "additional_chat_templates").mkdir()
    (tuned_copy / "additional_chat_templates" / "tool_use.jinja").write_text("{{ messages }}")
    reads.clear()
    assert "tool_use" in _side(tuned_copy, worker).snapshot.chat_templates and reads == [str(tuned_copy)]


def test_bytes_that_do_not_unpickle_here_are_dropped(tuned_copy: Path, reads: list[str]) -> None:
    store = SnapshotStore()
    store.receive(b"not a pickle")
    assert _side(tuned_copy, store).snapshot == take_snapshot(resolve(str(tuned_copy))) and reads == [str(tuned_copy)]


def test_the_controllers_fingerprint_digests_are_taken_for_the_same_bytes(tuned_copy: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    controller = SnapshotStore()
    expected = controller.fingerprint(resolve(str(tuned_copy)))
    worker = SnapshotStore()
    worker.receive(controller.pack())
    parsed: list[bytes] = []
    counting = types.SimpleNamespace(loads=lambda raw: parsed.append(raw) or json.loads(raw), dumps=json.dumps)
    monkeypatch.setattr(fingerprint, "json", counting)  # what fingerprint parses, and only that
    assert worker.fingerprint(resolve(str(tuned_copy))) == expected and not parsed
    edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>"))
    assert worker.fingerprint(resolve(str(tuned_copy))) != expected
    assert len(parsed) == 1  # the changed file is parsed here, the others were known by their bytes


def test_another_tokcheck_versions_payload_is_dropped(tuned_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                                       reads: list[str]) -> None:
    controller = SnapshotStore()
    monkeypatch.setattr(snapshot_store, "__version__", "0.0.0-other")
    controller.snapshot(resolve(str(tuned_copy)), False)
    blob = controller.pack()
    monkeypatch.undo()  # this process's tokcheck again
    monkeypatch.setattr(snapshot_store, "take_snapshot", _counting(reads))
    worker = SnapshotStore()
    worker.receive(blob)
    reads.clear()
    _side(tuned_copy, worker).snapshot  # noqa: B018
    assert reads == [str(tuned_copy)]


def test_sessions_share_only_the_store_they_are_given(toy_dir: Path, tuned_copy: Path, reads: list[str]) -> None:
    settings = Settings(base=SpecSetting(str(toy_dir)), tuned=SpecSetting(str(tuned_copy)))
    for session in (TokcheckSession(settings), TokcheckSession(settings)):  # each its own store
        session.validate()
    assert reads == [str(toy_dir), str(tuned_copy)] * 2
    reads.clear()
    store = SnapshotStore()
    for session in (TokcheckSession(settings, store=store), TokcheckSession(settings, store=store)):
        session.validate()
    assert reads == [str(toy_dir), str(tuned_copy)]


class _OneStore:
    def __init__(self, store: SnapshotStore) -> None:
        self.store = store

    def pytest_tokcheck_snapshot_store(self, config: pytest.Config) -> SnapshotStore:
        return self.store


def test_runs_given_one_store_through_the_hook_read_each_file_once(
    pytester: pytest.Pytester, toy_dir: Path, tuned_copy: Path, reads: list[str]
) -> None:
    args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tuned_copy), "-m", "static", "-p", "no:randomly"]
    shared = _OneStore(SnapshotStore())
    first = pytester.runpytest(*args, plugins=[shared])
    second = pytester.runpytest(*args, plugins=[shared])
    assert first.ret == second.ret == 0 and first.parseoutcomes() == second.parseoutcomes()
    assert reads == [str(toy_dir), str(tuned_copy)]
    pytester.runpytest(*args)  # no store given: the run reads its own files
    assert reads == [str(toy_dir), str(tuned_copy)] * 2


def test_sessions_given_one_store_load_each_tokenizer_once(toy_dir: Path, tuned_copy: Path) -> None:
    settings = Settings(base=SpecSetting(str(toy_dir)), tuned=SpecSetting(str(tuned_copy)))
    alone = TokcheckSession(settings).pair()[0].loaded
    assert alone is not TokcheckSession(settings).pair()[0].loaded
    store = SnapshotStore()
    first = TokcheckSession(settings, store=store)
    base = first.pair()[0].loaded
    second = TokcheckSession(settings, store=store.copy())  # a copy made after: it holds what was loaded
    assert second.pair()[0].loaded is base and first.pair()[1].loaded is not base
    edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>"))
    third = TokcheckSession(settings, store=store)
    assert third.pair()[1].loaded is not first.pair()[1].loaded  # other files: loaded anew
    assert third.pair()[1].tokenizer.eos_token == "<|end_of_text|>"
