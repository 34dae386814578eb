"""The pytest plugin: options and ini keys, the built-in suite's collection, fixtures for other
projects, and the drift report. Importing it is cheap (no transformers, no torch): it loads in
every pytest run of every project that has tokcheck installed."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.inifile import find_config
from tokcheck.paths import user_cache_dir
from tokcheck.session import Settings, Side, SpecSetting, TokcheckSession, TokenizerPair
from tokcheck.verdict import FINDINGS_PROPERTY, Verdict

BASE_OPTION = "--base-tokenizer"
TUNED_OPTION = "--tuned"
TUNED_ALIAS = "--tuned-tokenizer"
REPORT_OPTION = "--tokcheck-report"
STRICT_OPTION = "--tokcheck-strict"
TRUST_REMOTE_CODE_OPTION = "--trust-remote-code"
ALLOW_DOWNLOAD_OPTION = "--tokcheck-allow-download"
NO_SUITE_OPTION = "--tokcheck-no-suite"
ACCEPT_OPTION = "--tokcheck-accept"
BASE_INI = "tokcheck_base_tokenizer"
TUNED_INI = "tokcheck_tuned_tokenizer"
STRICT_INI = "tokcheck_strict"
ACCEPT_INI = "tokcheck_accept"

MARKERS = {
    "static": "tokcheck check that compares the saved tokenizer files of base and tuned",
}

# Feature parts of the plugin, each with its own options, markers and fixtures; pytest loads them
# with this module. Their pytest_configure hooks run `trylast` so the session below exists.
pytest_plugins: list[str] = ["tokcheck.plugin_golden", "tokcheck.plugin_model", "tokcheck.plugin_behaviour"]

SESSION_KEY = pytest.StashKey[TokcheckSession]()
REPORTER_NAME = "tokcheck-drift-reporter"
SUITE_DIR = Path(__file__).parent / "suite"
# Suite modules that compare base with tuned; a one-sided run (golden files) skips them.
PAIR_SUITE = tuple(
    SUITE_DIR / name for name in ("test_static.py", "test_loading.py", "test_behaviour.py", "test_sweeps.py")
)
# Options of other parts that make sense with one tokenizer only.
ONE_SIDED_OPTIONS = ("tokcheck_golden",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tokcheck", "tokcheck: tokenizer drift between a base model and a tuned checkpoint")
    group.addoption(
        BASE_OPTION,
        dest="tokcheck_base",
        metavar="SPEC",
        default=None,
        help="base tokenizer: a save_pretrained directory, a tokenizer.json, a hub id[@revision] from the "
        "local Hugging Face cache, or zoo:NAME.",
    )
    group.addoption(
        TUNED_OPTION,
        TUNED_ALIAS,
        dest="tokcheck_tuned",
        metavar="SPEC",
        default=None,
        help="tuned (fine-tuned) tokenizer to compare with the base; same forms as --base-tokenizer.",
    )
    group.addoption(
        REPORT_OPTION,
        dest="tokcheck_report",
        metavar="PATH",
        default=None,
        help="also write the drift report to PATH: JSON, or Markdown when PATH ends in .md.",
    )
    group.addoption(
        STRICT_OPTION,
        dest="tokcheck_strict",
        action="store_true",
        default=False,
        help="warnings fail too, not only errors.",
    )
    group.addoption(
        TRUST_REMOTE_CODE_OPTION,
        dest="tokcheck_trust_remote_code",
        action="store_true",
        default=False,
        help="allow tokenizers that ship their own Python code (auto_map); off by default.",
    )
    group.addoption(
        ALLOW_DOWNLOAD_OPTION,
        dest="tokcheck_allow_download",
        action="store_true",
        default=False,
        help="download hub ids that are not in the local Hugging Face cache (network; off by default).",
    )
    group.addoption(
        NO_SUITE_OPTION,
        dest="tokcheck_no_suite",
        action="store_true",
        default=False,
        help="do not collect tokcheck's built-in regression suite; only the fixtures are provided.",
    )
    group.addoption(
        ACCEPT_OPTION,
        dest="tokcheck_accept",
        metavar="CODE[:TEXT]",
        action="append",
        default=[],
        help="accept intended drift: findings whose code matches (wildcards allowed) and whose message "
        "contains TEXT are reported as accepted and do not fail. Repeatable.",
    )
    parser.addini(BASE_INI, "base tokenizer spec (relative paths are relative to the ini file).", default=None)
    parser.addini(TUNED_INI, "tuned tokenizer spec (relative paths are relative to the ini file).", default=None)
    parser.addini(STRICT_INI, "warnings fail too (true/false).", type="bool", default=False)
    parser.addini(ACCEPT_INI, "accepted drift, one CODE[:TEXT] pattern per line.", type="linelist", default=[])


def option_or_ini(config: pytest.Config, dest: str, ini: str) -> tuple[str, Path] | None:
    """A path-like setting and the directory it is relative to: the flag (relative to the
    invocation directory) wins over the ini key (relative to its file)."""
    flag = config.getoption(dest)
    if flag:
        return str(flag), config.invocation_params.dir
    value, ini_dir = ini_value(config, ini)
    if value:
        return str(value).strip(), ini_dir
    return None


def _spec(config: pytest.Config, dest: str, ini: str) -> tuple[SpecSetting | None, bool]:
    """The spec for one side and whether it came from the command line."""
    found = option_or_ini(config, dest, ini)
    if found is None:
        return None, False
    return SpecSetting(*found), bool(config.getoption(dest))


def ini_value(config: pytest.Config, name: str) -> tuple[Any, Path]:
    """An ini value and the directory of the file it came from; read from the invocation
    directory's config file when pytest missed it (see _config_pytest_missed)."""
    value = config.getini(name)
    if value:
        return value, config.inipath.parent if config.inipath else config.rootpath
    found = _config_pytest_missed(config)
    if found is None or name not in found[1]:
        return value, config.rootpath
    raw = found[1][name]
    if isinstance(value, list):  # linelist
        raw = raw if isinstance(raw, list) else [line.strip() for line in str(raw).splitlines() if line.strip()]
    elif isinstance(value, bool):
        raw = raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
    return raw, found[0].parent


def _config_pytest_missed(config: pytest.Config) -> tuple[Path, dict[str, Any]] | None:
    """The config file of the invocation directory, when pytest chose another one (or none)
    because an option value such as `--tuned /elsewhere/ckpt` looked like a path to it."""
    found = find_config(config.invocation_params.dir)
    if found is None or found[0] == config.inipath:
        return None
    return found


def read_settings(config: pytest.Config) -> tuple[Settings, bool]:
    """Settings from flags and ini keys, and whether the pair was given on the command line."""
    base, base_flag = _spec(config, "tokcheck_base", BASE_INI)
    tuned, tuned_flag = _spec(config, "tokcheck_tuned", TUNED_INI)
    settings = Settings(
        base=base,
        tuned=tuned,
        trust_remote_code=config.getoption("tokcheck_trust_remote_code"),
        allow_download=config.getoption("tokcheck_allow_download"),
        strict=config.getoption("tokcheck_strict") or bool(ini_value(config, STRICT_INI)[0]),
        accept=(*ini_value(config, ACCEPT_INI)[0], *config.getoption("tokcheck_accept")),
    )
    return settings, base_flag or tuned_flag


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    settings, from_flags = read_settings(config)
    one_sided = any(getattr(config.option, dest, None) for dest in ONE_SIDED_OPTIONS)
    if from_flags and not one_sided and (settings.base is None) != (settings.tuned is None):
        given, missing = (BASE_OPTION, TUNED_OPTION) if settings.tuned is None else (TUNED_OPTION, BASE_OPTION)
        raise pytest.UsageError(f"{given} needs {missing} too: tokcheck compares a tuned tokenizer with its base")
    try:
        session = TokcheckSession(settings)
        session.validate()
    except TokcheckUsageError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SESSION_KEY] = session
    _keep_pytest_cache_out_of_sources(config, session)
    if (session.has_pair or (one_sided and from_flags)) and not config.getoption("tokcheck_no_suite"):
        _collect_builtin_suite(config, only_suite=from_flags)
    if not hasattr(config, "workerinput"):  # the xdist controller or a plain run
        suite_expected = session.has_pair and not config.getoption("tokcheck_no_suite")
        config.pluginmanager.register(DriftReporter(config, session, suite_expected), REPORTER_NAME)


def _keep_pytest_cache_out_of_sources(config: pytest.Config, session: TokcheckSession) -> None:
    """pytest takes existing paths among the arguments, option values included, as candidates for
    its rootdir and writes .pytest_cache there: with `--tuned /x/ckpt` that is the checkpoint
    itself, with two far-apart paths the filesystem root. Put the cache where pytest would have
    put it without our option values (the invocation directory), and never inside a source."""
    cache = getattr(config, "cache", None)
    if cache is None:  # -p no:cacheprovider
        return
    sources = [side.source.directory.resolve() for side in (session.base, session.tuned) if side is not None]
    cache_name = os.path.expandvars(config.getini("cache_dir"))
    target = (config.rootpath / cache_name).resolve()
    rootdir_from_our_paths = config.inipath is None and any(
        config.rootpath == source or config.rootpath in source.parents for source in sources
    )
    if rootdir_from_our_paths:
        target = (config.invocation_params.dir / cache_name).resolve()
    if any(target == source or source in target.parents for source in sources):
        target = user_cache_dir() / "pytest-cache" / hashlib.sha256(str(target).encode()).hexdigest()[:16]
    if target != (config.rootpath / cache_name).resolve():
        config.cache = type(cache)(target, config, _ispytest=True)


def _collect_builtin_suite(config: pytest.Config, *, only_suite: bool) -> None:
    """Run from any directory, `pytest --base-tokenizer X --tuned Y` collects the suite shipped in the
    package, and only that unless the user names paths too (or pinned the pair in an ini file, where
    the project's own tests keep running)."""
    suite = str(SUITE_DIR)
    named_paths = config.args_source == pytest.Config.ArgsSource.ARGS
    if only_suite and not named_paths:
        config.args = [suite]
    elif suite not in config.args:
        config.args = [*config.args, suite]


class SuiteModule(pytest.Module):
    """A built-in suite module, collected whatever python_files/python_functions the project sets."""

    def funcnamefilter(self, name: str) -> bool:
        return name.startswith("test_")

    def classnamefilter(self, name: str) -> bool:
        return name.startswith("Test")


def _in_suite(path: Path) -> bool:
    return path.suffix == ".py" and path.name.startswith("test_") and SUITE_DIR in path.parents


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if _in_suite(module_path):
        return SuiteModule.from_parent(parent, path=module_path)
    return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    session = config.stash.get(SESSION_KEY, None)
    if collection_path in PAIR_SUITE and (session is None or not session.has_pair):
        return True
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    # The python plugin offers suite files to pytest_pycollect_makemodule only when they match
    # the project's python_files; collect them here when they do not.
    if _in_suite(file_path) and not parent.session.isinitpath(file_path):
        patterns = parent.config.getini("python_files")
        if not any(file_path.match(pattern) for pattern in patterns):
            return SuiteModule.from_parent(parent, path=file_path)
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = config.stash.get(SESSION_KEY, None)
    if session is None or (session.base is None and session.tuned is None):
        return []
    return [f"tokcheck: {line}" for line in session.context().header_lines()]


class DriftReporter:
    """Gathers the findings that tests attach to their reports (which also travel from xdist
    workers), prints the drift report after the results, and writes --tokcheck-report."""

    def __init__(self, config: pytest.Config, session: TokcheckSession, suite_expected: bool) -> None:
        self.config = config
        self.session = session
        self.suite_expected = suite_expected
        self.findings: list[Finding] = []
        self.outcomes: Counter[str] = Counter()
        self.ran_checks = False

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[report.outcome] += 1
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == FINDINGS_PROPERTY:
                self.ran_checks = True
                self.findings.extend(Finding.from_dict(item) for item in cast(list, value))

    def _context(self) -> Any:
        return self.session.context()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.ran_checks and not self.suite_expected:
            return
        from tokcheck.report import render_terminal

        terminalreporter.section("tokcheck drift report")
        if not self.ran_checks:
            terminalreporter.write_line("no tokcheck checks ran (deselected, or collection stopped early)")
            return
        for line in render_terminal(self.findings, self._context()).splitlines():
            terminalreporter.write_line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("tokcheck_report")
        if not path:
            return
        from tokcheck.report import render_file

        target = self.config.invocation_params.dir / path
        try:
            target.write_text(render_file(str(path), self.findings, self._context(), dict(self.outcomes)), encoding="utf-8")
        except OSError as error:
            raise pytest.UsageError(f"{REPORT_OPTION} {path}: cannot write ({error.strerror})") from None


# --- fixtures -------------------------------------------------------------------------------


def _session(config: pytest.Config) -> TokcheckSession:
    return config.stash[SESSION_KEY]


def _side_or_skip(config: pytest.Config, name: str) -> Side:
    session = _session(config)
    side = session.base if name == "base" else session.tuned
    if side is None:
        option, ini = (BASE_OPTION, BASE_INI) if name == "base" else (TUNED_OPTION, TUNED_INI)
        pytest.skip(f"no {name} tokenizer configured: pass {option} SPEC or set {ini} in the ini file")
    return side


def _loaded(side: Side) -> Any:
    try:
        return side.tokenizer
    except TokcheckUsageError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def base_tokenizer(pytestconfig: pytest.Config) -> Any:
    """The base tokenizer (transformers), loaded once per session; set by --base-tokenizer SPEC
    or the tokcheck_base_tokenizer ini key, else tests using it are skipped. Example:
        def test_prompt_starts_with_bos(base_tokenizer):
            assert base_tokenizer("Hello")["input_ids"][0] == base_tokenizer.bos_token_id

    Loaded from local files only, once per xdist worker.
    """
    return _loaded(_side_or_skip(pytestconfig, "base"))


@pytest.fixture(scope="session")
def tuned_tokenizer(pytestconfig: pytest.Config) -> Any:
    """The tuned (fine-tuned) tokenizer, loaded once per session; set by --tuned SPEC or the
    tokcheck_tuned_tokenizer ini key, else tests using it are skipped. Example:
        from tokcheck.assertions import assert_single_token
        def test_eot_is_one_token(tuned_tokenizer):
            assert_single_token(tuned_tokenizer, "<|eot_id|>")

    Loaded from local files only, once per xdist worker.
    """
    return _loaded(_side_or_skip(pytestconfig, "tuned"))


@pytest.fixture(scope="session")
def tokenizer_pair(pytestconfig: pytest.Config) -> TokenizerPair:
    """Base and tuned together (.base, .tuned, .base_source, .tuned_source); skipped unless both
    are configured. Example, with tokcheck's assertion helpers:
        from tokcheck.assertions import assert_same_ids
        def test_system_prompt_unchanged(tokenizer_pair):
            assert_same_ids(tokenizer_pair, "You are a helpful assistant.")
    """
    base = _side_or_skip(pytestconfig, "base")
    tuned = _side_or_skip(pytestconfig, "tuned")
    return TokenizerPair(base=_loaded(base), tuned=_loaded(tuned), base_source=base.source, tuned_source=tuned.source)


@pytest.fixture(scope="session")
def tokcheck_session(pytestconfig: pytest.Config) -> TokcheckSession:
    """The comparison tokcheck runs: .base and .tuned (source, snapshot, tokenizer) and .static
    (the static findings by check). Example:
        def test_no_new_tokens(tokcheck_session):
            assert not tokcheck_session.static["vocabulary"]
    """
    session = _session(pytestconfig)
    if not session.has_pair:
        pytest.skip(f"tokcheck needs both {BASE_OPTION} and {TUNED_OPTION} (or their ini keys)")
    return session


@pytest.fixture
def tokcheck_verdict(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Verdict:
    """Records a check's findings in the drift report and fails the test on errors (and on
    warnings with --tokcheck-strict), for projects adding their own checks. Example:
        from tokcheck import Finding, Severity
        def test_my_check(tokcheck_verdict):
            tokcheck_verdict.conclude([Finding("mine", "mine.code", Severity.WARNING, "what differs")])
    """
    settings = _session(pytestconfig).settings
    return Verdict(request.node, strict=settings.strict, accept=settings.accept)
