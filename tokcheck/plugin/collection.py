"""Collecting the built-in suite (tokcheck/suite): the kind of check each suite file runs (from
tokcheck.checks.registry) and when it is collected (one table),
adding the suite to the run from any directory, collecting its files whatever python_files the
project sets, the shard parameter of the sharded sweeps, and the checkpoint parameter of a run
over several tuned checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tokcheck.checks import registry
from tokcheck.plugin.state import PluginRun, plugin_run

SUITE_DIR = Path(__file__).parent.parent / "suite"


def _named_on_command_line(path: Path, config: pytest.Config) -> bool:
    named = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
    return path.resolve() in named


def _with_a_pair(run: PluginRun, path: Path, config: pytest.Config) -> bool:
    return run.checkpoints.has_pair


def _with_a_model_or_named(run: PluginRun, path: Path, config: pytest.Config) -> bool:
    return bool(run.models) or _named_on_command_line(path, config)


def _with_golden_files(run: PluginRun, path: Path, config: pytest.Config) -> bool:
    return run.golden is not None


# Each kind's suite file (tokcheck.checks.registry), and when it is collected.
COLLECTED_WHEN: dict[str, Callable[[PluginRun, Path, pytest.Config], bool]] = {
    registry.STATIC.name: _with_a_pair,
    registry.LOADING.name: _with_a_pair,
    registry.BEHAVIOUR.name: _with_a_pair,
    registry.SWEEPS.name: _with_a_pair,
    registry.MODEL.name: _with_a_model_or_named,
    registry.GPU.name: _with_a_model_or_named,
    registry.GOLDEN.name: _with_golden_files,
}


def in_suite(path: Path) -> bool:
    # Called for every file of every project pytest collects: string checks only, no file system.
    return path.suffix == ".py" and path.name.startswith("test_") and path.parent == SUITE_DIR


def suite_kind(path: Path) -> str:
    """The kind of check a test file runs: its suite kind, or PROJECT_KIND for a project's own."""
    return registry.kind_of_suite_file(path.name) if in_suite(path) else registry.PROJECT_KIND


def ignored(path: Path, config: pytest.Config, run: PluginRun | None) -> bool:
    """Whether a suite file is left out of this run."""
    collected_when = COLLECTED_WHEN.get(suite_kind(path))
    if collected_when is None:
        return False
    return run is None or not collected_when(run, path, config)


def add_builtin_suite(config: pytest.Config, run: PluginRun) -> None:
    """Run from any directory, `pytest --base-tokenizer X --tuned Y` collects the suite shipped in the
    package, and only that unless the user names paths too (or pinned the pair in an ini file, where
    the project's own tests keep running)."""
    if not run.suite_wanted:
        return
    suite = str(SUITE_DIR)
    named_paths = config.args_source == pytest.Config.ArgsSource.ARGS
    if run.from_flags and not named_paths:
        config.args = [suite]
    elif suite not in config.args:
        config.args = [*config.args, suite]


class SuiteModule(pytest.Module):
    """A built-in suite module, collected whatever python_files/python_functions the project sets."""

    def funcnamefilter(self, name: str) -> bool:
        return name.startswith("test_")

    def classnamefilter(self, name: str) -> bool:
        return name.startswith("Test")


def suite_module(path: Path, parent: pytest.Collector, *, offered: bool) -> pytest.Module | None:
    """The suite module for `path`. The python plugin offers suite files to
    pytest_pycollect_makemodule (`offered`) only when they match the project's python_files; the
    others are collected from pytest_collect_file."""
    if not in_suite(path):
        return None
    if not offered and (
        parent.session.isinitpath(path) or any(path.match(pattern) for pattern in parent.config.getini("python_files"))
    ):
        return None  # pytest_pycollect_makemodule gets it
    return SuiteModule.from_parent(parent, path=path)


def parametrize_shards(metafunc: pytest.Metafunc) -> None:
    """A suite test taking `shard` runs once per shard of its sweep (--tokcheck-sweep-shards). The
    ids come from a sorted range, so every xdist worker collects the same tests."""
    if "shard" in metafunc.fixturenames and in_suite(metafunc.definition.path):
        shards = plugin_run(metafunc.config).behaviour.sweep_shards
        metafunc.parametrize("shard", list(range(shards)), ids=[f"shard{i + 1}of{shards}" for i in range(shards)])


CHECKPOINT_FIXTURE = "tokcheck_checkpoint"
# Fixtures of the model files: a test using one runs for every checkpoint with weights, since
# checkpoints that share a tokenizer still have weights of their own.
MODEL_FIXTURES = ("model_files", "tokcheck_model_checks", "tokcheck_gpu_run")


def parametrize_checkpoints(metafunc: pytest.Metafunc) -> None:
    """With several tuned checkpoints, a test using the tuned side runs once per checkpoint, its
    id the checkpoint's (`-k checkpoint-1500`): every checkpoint whose tokenizer is checked (the
    first of each group of identical ones), or, for model tests, every one with weights. Each
    checkpoint's tests share an xdist group, so with `--dist loadgroup` one worker loads it."""
    if CHECKPOINT_FIXTURE not in metafunc.fixturenames:
        return
    run = plugin_run(metafunc.config)
    if not run.checkpoints.several:
        return
    if any(name in metafunc.fixturenames for name in MODEL_FIXTURES) and run.models:
        ids = [checkpoint.id for checkpoint in run.checkpoints.checkpoints if checkpoint.id in run.models]
    else:
        ids = [checkpoint.id for checkpoint in run.checkpoints.checked]
    metafunc.parametrize(
        CHECKPOINT_FIXTURE,
        [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in ids],
        indirect=True,
        scope="session",
    )
