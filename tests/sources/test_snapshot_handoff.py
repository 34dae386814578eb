"""The snapshots the xdist controller hands its workers: taken where the files are byte for byte
the ones the controller read, never where any file (or the spec, or a flag) differs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.toys import edit_json
from tokcheck.session import Settings, Side, SpecSetting
from tokcheck.sources import snapshot_handoff
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve


@pytest.fixture(autouse=True)
def nothing_handed() -> Iterator[None]:
    snapshot_handoff.clear()
    yield
    snapshot_handoff.clear()


def _side(directory: Path, *, trust: bool = False) -> Side:
    return Side("tuned", SpecSetting(str(directory)), Settings(base=None, tuned=None, trust_remote_code=trust))


def _hand_over(directory: Path, *, trust: bool = False) -> object:
    source = resolve(str(directory))
    snapshot = take_snapshot(source)
    snapshot_handoff.receive(snapshot_handoff.pack([(source, trust, snapshot)]))
    return snapshot


def test_a_worker_takes_the_controllers_snapshot_of_the_same_files(tuned_copy: Path) -> None:
    handed = _hand_over(tuned_copy)
    taken = _side(tuned_copy).snapshot
    assert taken == take_snapshot(resolve(str(tuned_copy)))
    assert taken is snapshot_handoff.handed_over(resolve(str(tuned_copy)), False)  # not read again
    assert taken is not handed  # a copy, as a worker's unpickled one is


def test_a_changed_file_or_another_flag_reads_the_files_again(tuned_copy: Path) -> None:
    handed = _hand_over(tuned_copy)
    assert snapshot_handoff.handed_over(resolve(str(tuned_copy)), True) is None  # trust_remote_code differs
    edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>"))
    assert snapshot_handoff.handed_over(resolve(str(tuned_copy)), False) is None
    fresh = _side(tuned_copy).snapshot
    assert fresh.special_roles["eos_token"] == "<|end_of_text|>" != handed.special_roles["eos_token"]  # type: ignore[attr-defined]


def test_a_new_template_file_is_part_of_the_key(tuned_copy: Path) -> None:
    _hand_over(tuned_copy)
    (tuned_copy / "additional_chat_templates").mkdir()
    (tuned_copy / "additional_chat_templates" / "tool_use.jinja").write_text("{{ messages }}")
    assert snapshot_handoff.handed_over(resolve(str(tuned_copy)), False) is None


def test_bytes_that_do_not_unpickle_here_are_dropped(tuned_copy: Path) -> None:
    snapshot_handoff.receive(b"not a pickle")
    assert snapshot_handoff.handed_over(resolve(str(tuned_copy)), False) is None
    assert _side(tuned_copy).snapshot == take_snapshot(resolve(str(tuned_copy)))


def test_the_controllers_fingerprint_digests_are_taken_for_the_same_bytes(tuned_copy: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tokcheck.sources import fingerprint

    expected = fingerprint.tokenizer_fingerprint(resolve(str(tuned_copy)))
    blob = snapshot_handoff.pack([])
    monkeypatch.setattr(fingerprint, "_canonical_by_bytes", {})  # a fresh worker
    import json
    import types

    parsed: list[bytes] = []
    counting = types.SimpleNamespace(loads=lambda raw: parsed.append(raw) or json.loads(raw), dumps=json.dumps)
    monkeypatch.setattr(fingerprint, "json", counting)  # what fingerprint parses, and only that
    snapshot_handoff.receive(blob)
    assert fingerprint.tokenizer_fingerprint(resolve(str(tuned_copy))) == expected and not parsed
    edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>"))
    fingerprint.tokenizer_fingerprint(resolve(str(tuned_copy)))
    assert len(parsed) == 1  # the changed file is parsed here, the others were known by their bytes


def test_another_tokcheck_versions_payload_is_dropped(tuned_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hand_over(tuned_copy)
    snapshot_handoff.clear()
    source = resolve(str(tuned_copy))
    monkeypatch.setattr(snapshot_handoff, "__version__", "0.0.0-other")
    blob = snapshot_handoff.pack([(source, False, take_snapshot(source))])
    monkeypatch.undo()
    snapshot_handoff.receive(blob)
    assert snapshot_handoff.handed_over(source, False) is None
