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
