"""The pytest plugin (entry point ``tokcheck = tokcheck.plugin``): its hooks, each a few lines over
the modules of this package, which each own one part:

    options.py       every flag and ini key, and reading them back (the CLI uses the same table)
    inifile.py       the ini file pytest would have used, when option values misled it
    state.py         the run decided when pytest starts: session, behaviour settings, golden, models
    behaviour.py     behaviour settings from the options; the seed xdist workers share
    golden.py        the golden-file mode
    model.py         the model files of the pair
    collection.py    which suite file is collected when; the suite from any directory
    pytest_cache.py  pytest's cache kept out of the user's checkpoints
    verdict.py       a check's findings -> a test outcome, attached to the report
    reporter.py      the drift report after the results, and --tokcheck-report
    checkpoint_report.py  the report's part for several tuned checkpoints (which test was which)
    fixtures.py      the fixtures other projects use

Importing it is cheap (no transformers, tokenizers, Hypothesis, numpy or torch): it loads in every
pytest run of every project that has tokcheck installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin import collection
from tokcheck.plugin.behaviour import WORKER_SNAPSHOTS_KEY, XdistHooks, start_refusals
from tokcheck.plugin.fixtures import encoding_cache_lines
from tokcheck.plugin.options import (  # re-exported: the names tests and other plugins use
    ACCEPT_INI,
    ACCEPT_OPTION,
    ALLOW_DOWNLOAD_OPTION,
    BASE_INI,
    BASE_MODEL_INI,
    BASE_MODEL_OPTION,
    BASE_OPTION,
    EXAMPLES_OPTION,
    GOLDEN_INI,
    GOLDEN_OPTION,
    NO_SUITE_OPTION,
    PROFILE_OPTION,
    QUICK_OPTION,
    REPORT_OPTION,
    STRICT_INI,
    STRICT_OPTION,
    SWEEP_SAMPLE_OPTION,
    SWEEP_SHARDS_OPTION,
    TRUST_REMOTE_CODE_OPTION,
    TUNED_ALIAS,
    TUNED_INI,
    TUNED_MODEL_INI,
    TUNED_MODEL_OPTION,
    TUNED_OPTION,
    UPDATE_GOLDEN_OPTION,
    add_to_pytest,
)
from tokcheck.plugin.pytest_cache import keep_pytest_cache_out_of
from tokcheck.plugin.reporter import REPORTER_NAME, DriftReporter
from tokcheck.plugin.state import RUN_KEY, configure_run
from tokcheck.sources.snapshot_store import SnapshotStore

pytest_plugins = ["tokcheck.plugin.fixtures"]

MARKERS = {
    "static": "tokcheck check that compares the saved tokenizer files of base and tuned",
    "behaviour": "tokcheck check that runs base and tuned side by side (Hypothesis properties and sweeps)",
    "sweep": "tokcheck behaviour check that sweeps a whole input space in batches (vocabulary, code points ...)",
    "model": "tokcheck check of the tuned model's embedding and output rows, read on CPU from the weight files",
    "gpu": "tokcheck check that loads the tuned model on a CUDA GPU (skipped without torch or CUDA)",
    "golden": "tokcheck check that compares a tokenizer with its golden files (--tokcheck-golden DIR)",
}
SUITE_DIR = collection.SUITE_DIR

__all__ = [
    "ACCEPT_INI", "ACCEPT_OPTION", "ALLOW_DOWNLOAD_OPTION", "BASE_INI", "BASE_MODEL_INI", "BASE_MODEL_OPTION",
    "BASE_OPTION", "EXAMPLES_OPTION", "GOLDEN_INI", "GOLDEN_OPTION", "MARKERS", "NO_SUITE_OPTION", "PROFILE_OPTION",
    "QUICK_OPTION", "REPORT_OPTION", "STRICT_INI", "STRICT_OPTION", "SUITE_DIR", "SWEEP_SAMPLE_OPTION",
    "SWEEP_SHARDS_OPTION", "TRUST_REMOTE_CODE_OPTION", "TUNED_ALIAS", "TUNED_INI", "TUNED_MODEL_INI",
    "TUNED_MODEL_OPTION", "TUNED_OPTION", "UPDATE_GOLDEN_OPTION",
]  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    add_to_pytest(parser)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from tokcheck.plugin import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    store = config.hook.pytest_tokcheck_snapshot_store(config=config) or SnapshotStore()
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKER_SNAPSHOTS_KEY in workerinput:  # the controller read these files
        store.receive(workerinput[WORKER_SNAPSHOTS_KEY])
    start_refusals(config)
    try:
        run = configure_run(config, store)
    except TokcheckUsageError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[RUN_KEY] = run
    keep_pytest_cache_out_of(config, run.checkpoints.source_directories())
    collection.add_builtin_suite(config, run)
    if not hasattr(config, "workerinput"):  # the xdist controller or a plain run
        config.pluginmanager.register(DriftReporter(config, run), REPORTER_NAME)
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(XdistHooks(run.behaviour, run.store.pack), "tokcheck-behaviour-xdist")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    return True if collection.ignored(collection_path, config, config.stash.get(RUN_KEY, None)) else None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    return collection.suite_module(module_path, parent, offered=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    return collection.suite_module(file_path, parent, offered=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    collection.parametrize_checkpoints(metafunc)
    collection.parametrize_shards(metafunc)


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.checkpoint().session.sides:
        return []
    return [f"tokcheck: {line}" for line in run.report_context().header_lines()]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if config.option.verbose > 0:  # under xdist each worker has its own, not shown here
        for line in encoding_cache_lines(config):
            terminalreporter.write_line(line)
