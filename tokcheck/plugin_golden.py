"""The golden-file part of the plugin: `pytest --tuned Y --tokcheck-golden DIR` records Y's
behaviour the first time (and fails, saying so), compares it on later runs, and
`--tokcheck-update-golden` rewrites the files (and still fails, so nothing is accepted silently)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tokcheck.plugin import SESSION_KEY, SUITE_DIR, option_or_ini
from tokcheck.session import Side, TokcheckSession
from tokcheck.verdict import Verdict

GOLDEN_OPTION = "--tokcheck-golden"
UPDATE_GOLDEN_OPTION = "--tokcheck-update-golden"
GOLDEN_INI = "tokcheck_golden"
MARKERS = {"golden": "tokcheck check that compares a tokenizer with its golden files (--tokcheck-golden DIR)"}
GOLDEN_SUITE = SUITE_DIR / "test_golden.py"


@dataclass(frozen=True)
class GoldenRun:
    """Where the golden files live, which side they record, and whether to rewrite them."""

    directory: Path
    side: Side
    update: bool

    def check(self, kind: str, verdict: Verdict) -> None:
        from tokcheck import golden

        tokenizer = self.side.tokenizer
        actual = golden.record(tokenizer, kind)
        path = golden.path_for(self.directory, kind)
        if self.update or not path.exists():
            verb = "updated" if path.exists() else "created"
            golden.write(path, kind, self.side.source.spec, actual)
            pytest.fail(
                f"{verb} golden file {path} ({len(actual)} {kind} entries of {self.side.source.spec}); "
                f"review it and rerun without {UPDATE_GOLDEN_OPTION} to compare",
                pytrace=False,
            )
        verdict.conclude(golden.compare(kind, golden.expected(self.directory, kind), actual, tokenizer, str(path)))


GOLDEN_KEY = pytest.StashKey[GoldenRun | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tokcheck")
    group.addoption(
        GOLDEN_OPTION,
        dest="tokcheck_golden",
        metavar="DIR",
        default=None,
        help="compare the tuned tokenizer (or the base, when only it is given) with the golden files in DIR, "
        "recording them on the first run; no base is needed.",
    )
    group.addoption(
        UPDATE_GOLDEN_OPTION,
        dest="tokcheck_update_golden",
        action="store_true",
        default=False,
        help="rewrite the golden files from the current tokenizer (the run still fails: review the diff).",
    )
    parser.addini(GOLDEN_INI, "golden-file directory (relative to the ini file).", default=None)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.stash[GOLDEN_KEY] = None
    setting = option_or_ini(config, "tokcheck_golden", GOLDEN_INI)
    session: TokcheckSession | None = config.stash.get(SESSION_KEY, None)
    if setting is None or session is None:
        return
    side = session.tuned or session.base
    if side is None:
        raise pytest.UsageError(f"{GOLDEN_OPTION} needs a tokenizer to record: pass --tuned SPEC")
    directory = (setting[1] / setting[0]).resolve()
    for other in (session.base, session.tuned):
        if other is None:
            continue
        source = other.source.directory.resolve()
        if directory == source or source in directory.parents:
            raise pytest.UsageError(
                f"{GOLDEN_OPTION} {setting[0]}: inside the {other.name} tokenizer's directory {source}; tokcheck "
                "never writes there, give a directory of your own"
            )
    config.stash[GOLDEN_KEY] = GoldenRun(directory, side, bool(config.getoption("tokcheck_update_golden")))
    session.report_settings["golden"] = f"{directory} ({side.source.spec})"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == GOLDEN_SUITE and config.stash.get(GOLDEN_KEY, None) is None:
        return True
    return None


@pytest.fixture(scope="session")
def tokcheck_golden(pytestconfig: pytest.Config) -> GoldenRun:
    """The golden-file run of --tokcheck-golden DIR; skipped when no golden directory is given. Example:
        def test_encode_golden(tokcheck_golden, tokcheck_verdict):
            tokcheck_golden.check("encode", tokcheck_verdict)
    """
    run = pytestconfig.stash.get(GOLDEN_KEY, None)
    if run is None:
        pytest.skip(f"no golden directory configured: pass {GOLDEN_OPTION} DIR or set {GOLDEN_INI}")
    return run

