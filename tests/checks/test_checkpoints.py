"""Many checkpoints against one base: the base side is made once, identical tokenizers are
grouped, and the base's large batches are shared between pairs without changing any result."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from tests.checks.behaviour.conftest import quick_settings
from tests.plugin.test_plugin import make_eom_tuned
from tests.toys import edit_json
from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.checkpoints import CheckpointRun
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.checkpoints import NamedSpec


def test_a_memo_entry_is_found_only_for_equal_inputs() -> None:
    memo = BaseMemo()
    calls: list[list[str]] = []

    def make(texts: list[str]) -> list[int]:
        calls.append(texts)
        return [len(text) for text in texts]

    first = memo.get("k", ["a", "bb"], lambda: make(["a", "bb"]))
    again = memo.get("k", ["a", "bb"], lambda: make(["a", "bb"]))
    other = memo.get("k", ["a", "bc"], lambda: make(["a", "bc"]))
    other_key = memo.get("j", ["a", "bb"], lambda: make(["a", "bb"]))
    assert first == again == other == other_key == [1, 2]
    assert len(calls) == 3 and (memo.hits, memo.misses) == (1, 3)


def test_checkpoints_share_one_base_and_identical_ones_are_grouped(toy_dir: Path, tmp_path: Path) -> None:
    same = Path(shutil.copytree(toy_dir, tmp_path / "same"))
    drifted = Path(shutil.copytree(toy_dir, tmp_path / "drifted"))
    edit_json(drifted / "tokenizer_config.json", lambda c: c.__setitem__("padding_side", "left"))
    run = CheckpointRun.of_checkpoints(Settings(base=SpecSetting(str(toy_dir)), tuned=None),
                                       [NamedSpec("a", str(toy_dir)), NamedSpec("b", str(same)), NamedSpec("c", str(drifted))])
    run.validate()
    assert [(c.id, c.same_as) for c in run.checkpoints] == [("a", None), ("b", "a"), ("c", None)]
    bases = [c.session.pair()[0] for c in run.checked]
    assert bases[0].snapshot is bases[1].snapshot is run.base.snapshot
    assert bases[0].tokenizer is bases[1].tokenizer is run.base.loaded.tokenizer


def test_sweeps_over_a_shared_base_find_what_they_find_alone(toy_dir: Path, tmp_path: Path) -> None:
    drifted = make_eom_tuned(toy_dir, tmp_path / "drifted")
    run = CheckpointRun.of_checkpoints(Settings(base=SpecSetting(str(toy_dir)), tuned=None),
                                       [NamedSpec("same", str(toy_dir)), NamedSpec("drifted", str(drifted))])
    run.validate()
    # Batches large enough to be shared, and every input through both: under the sweep shortcut
    # (tokcheck.checks.behaviour.reach) base encodes only what the drift reaches, and nothing is shared.
    settings = dataclasses.replace(quick_settings(), sweep_sample=1.0, full_sweeps=True)
    shared = [BehaviourRun(c.session, settings, shared=run.base_work) for c in run.checked]
    alone = [BehaviourRun(c.session, settings) for c in run.checked]
    for name in ("code_points", "vocab_ids", "custom_texts", "random_tokens"):
        for with_memo, without in zip(shared, alone):
            assert with_memo.sweep_findings(name) == without.sweep_findings(name), name
    assert alone[1].sweep_findings("custom_texts") and not alone[0].sweep_findings("custom_texts")
    assert run.base_work.hits > 0


def test_a_pair_is_a_run_of_one_checkpoint_that_describes_itself_as_the_pair(toy_dir: Path, tmp_path: Path) -> None:
    tuned = Path(shutil.copytree(toy_dir, tmp_path / "checkpoint-500"))
    session = CheckedSession(Settings(base=SpecSetting(str(toy_dir)), tuned=SpecSetting(str(tuned))))
    run = CheckpointRun.of_pair(session)
    assert [(c.id, c.session) for c in run.checked] == [("tuned", session)] and not run.several and run.has_pair
    assert run.base is session.base and run.base_work is None  # one pair shares nothing: its codecs stay unwrapped
    assert run.describe() == session.describe_sides()
    # a lone checkpoint-N folder's training output directory is the user's too
    assert run.source_directories() == [toy_dir.resolve(), tuned.resolve(), tmp_path.resolve()]


def test_a_golden_run_of_one_side_is_a_run_of_one_without_a_pair(toy_dir: Path) -> None:
    session = CheckedSession(Settings(base=None, tuned=SpecSetting(str(toy_dir))))
    run = CheckpointRun.of_pair(session)
    assert not run.has_pair and run.base is None
    assert run.describe() == session.describe_sides() == {"tuned": session.tuned.source.describe()}
    assert run.source_directories() == [toy_dir.resolve()]
