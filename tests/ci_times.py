"""Where CI's time goes: each tox env's phases, printed as one table at the end of every `.ci/run`.

Recorded by this pytest plugin (``-p tests.ci_times``) when ``TOKCHECK_CI_TIMES`` names a directory:
one JSON line per top-level pytest run with its start, the moment every worker had collected, its
end, the zoo builds it waited for (seconds the zoo cache logged, summed over the workers) and the
tests the tiers left out. ``python -m tests.ci_times speed`` times a fixed loop (`.ci/run` keeps it
in DIR/speed-at-start). Printed by ``python -m tests.ci_times DIR STARTED`` (`.ci/run` runs it on
exit, pass or fail) from those lines and tox's own result JSON (``TOX_RESULT_JSON``): the venv and
install time per env, the pytest runs split into start-up and collection, and tests. Before the
table, the output of every command tox did not show (``tox -p`` shows only a failed env's), so that
each env's pytest output, catch lines included, is in the log.

Nothing here imports tokcheck: the table is printed by a bare Python after tox has finished."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

TIMES_ENV = "TOKCHECK_CI_TIMES"
NESTED_ENV = "TOKCHECK_CI_TIMES_NESTED"  # set in the recording process: its workers and children only add
RUNS_FILE = "pytest.jsonl"
SPEED_FILE = "speed-at-start"
ZOO_LOGGER = "tokcheck.zoo.cache"
WORKER_OUTPUT = "tokcheck_zoo_build_seconds"

_started = time.time()


class _ZooBuildSeconds(logging.Handler):
    """Sums the seconds of the zoo builds this process made (the zoo cache logs each one)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        self.seconds += float(getattr(record, "seconds", 0.0))


_builds = _ZooBuildSeconds()


class _Recorder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.collected: float | None = None
        self.worker_zoo_seconds = 0.0

    def pytest_collection_finish(self) -> None:
        self.collected = time.time()

    def pytest_unconfigure(self, config: Any) -> None:
        from tests.tiers import left_out

        stats = config.pluginmanager.get_plugin("terminalreporter")
        outcomes = {k: len(v) for k, v in getattr(stats, "stats", {}).items() if k in ("passed", "failed", "skipped", "error")}
        line = {
            "env": os.environ.get("TOX_ENV_NAME", ""),
            "args": [str(arg) for arg in config.invocation_params.args],
            "start": _started,
            "collected": self.collected,
            "end": time.time(),
            "zoo_build_s": round(_builds.seconds + self.worker_zoo_seconds, 2),
            "left_out": left_out(config),
            "outcomes": outcomes,
        }
        with open(self.directory / RUNS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


def _xdist_hooks(recorder: _Recorder) -> object:
    import pytest

    class XdistHooks:
        @pytest.hookimpl(optionalhook=True)
        def pytest_xdist_node_collection_finished(self, node: Any, ids: Any) -> None:
            recorder.collected = time.time()  # the last worker to finish wins

        @pytest.hookimpl(optionalhook=True)
        def pytest_testnodedown(self, node: Any, error: Any) -> None:
            recorder.worker_zoo_seconds += float(getattr(node, "workeroutput", {}).get(WORKER_OUTPUT, 0.0))

    return XdistHooks()


def pytest_configure(config: Any) -> None:
    directory = os.environ.get(TIMES_ENV)
    if not directory:
        return
    zoo_log = logging.getLogger(ZOO_LOGGER)
    zoo_log.addHandler(_builds)
    zoo_log.setLevel(logging.INFO)
    if os.environ.get(NESTED_ENV) == "1":  # an xdist worker, or a pytest a test started
        return
    os.environ[NESTED_ENV] = "1"
    recorder = _Recorder(Path(directory))
    config.pluginmanager.register(recorder, "tokcheck-ci-times")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_xdist_hooks(recorder), "tokcheck-ci-times-xdist")


def pytest_sessionfinish(session: Any) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT] = _builds.seconds


# --- the table -------------------------------------------------------------------------------------


def _env_rows(tox_result: dict[str, Any], runs: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for env, journal in tox_result.get("testenvs", {}).items():
        if env.startswith(".pkg") or "result" not in journal:  # the package build; an env not run
            continue
        duration = float(journal.get("result", {}).get("duration", 0.0))
        commands = journal.get("test", [])
        pre = sum(c["elapsed"] for c in commands if c["run_id"].startswith("commands_pre"))
        pytest_s = sum(c["elapsed"] for c in commands if "pytest" in " ".join(c["command"]))
        other = sum(c["elapsed"] for c in commands) - pre - pytest_s
        mine = [r for r in runs if r["env"] == env]
        tests = sum(r["end"] - (r["collected"] or r["start"]) for r in mine)
        zoo = sum(r["zoo_build_s"] for r in mine)
        outcome = "ok" if journal.get("result", {}).get("success") else "FAIL"
        rows.append([env, f"{duration - sum(c['elapsed'] for c in commands):.0f}", f"{pre + other:.0f}",
                     f"{pytest_s - tests:.0f}", f"{tests:.0f}", f"{zoo:.0f}", f"{duration:.0f}", outcome])
    return rows


def unshown_output(tox_result: dict[str, Any]) -> str:
    """What each env's commands printed where tox did not show it (an env that passed under tox -p)."""
    parts = []
    for env, journal in tox_result.get("testenvs", {}).items():
        for command in journal.get("test", []):
            if command.get("show_on_standard") is False and (command.get("output") or command.get("err")):
                parts.append(f"\n===== {env}: {' '.join(command.get('command', []))}\n"
                             f"{command.get('output', '')}{command.get('err', '')}")
    return "".join(parts)


def speed() -> float:
    """Seconds one core takes for a fixed pure-Python loop: the machines CI runs on differ in speed
    (and one machine from hour to hour, by 40% measured), so each table says how fast this one was."""
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - started


def table(directory: Path, started: float, now: float) -> str:
    tox_result_path = Path(os.environ.get("TOX_RESULT_JSON", directory / "tox.json"))
    tox_result = json.loads(tox_result_path.read_text(encoding="utf-8")) if tox_result_path.is_file() else {}
    runs_path = directory / RUNS_FILE
    runs = [json.loads(line) for line in runs_path.read_text(encoding="utf-8").splitlines()] if runs_path.is_file() else []
    header = ["env", "venv+install", "other cmds", "start+collect", "tests", "zoo builds*", "env wall", ""]
    rows = _env_rows(tox_result, runs)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["", "CI TIME (seconds; *: CPU seconds the tests waited for zoo builds, inside tests)"]
    lines += ["  " + "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
              for r in [header, *rows]]
    envs_total = sum(float(r[6]) for r in rows)
    if envs_total <= now - started:
        lines.append(f"  total {now - started:.0f} s ({(now - started) / 60:.1f} min): envs {envs_total:.0f} s, "
                     f"the rest (pip install tox, apt, tox's package build) {now - started - envs_total:.0f} s")
    else:  # tox -p: the envs ran side by side, each slower than alone
        lines.append(f"  total {now - started:.0f} s ({(now - started) / 60:.1f} min): the envs ran side by side "
                     f"(tox -p), their walls sum to {envs_total:.0f} s")
    speed_start = directory / SPEED_FILE
    if speed_start.is_file():
        lines.append(f"  machine speed: a fixed loop took {float(speed_start.read_text()):.2f} s at the start, "
                     f"{speed():.2f} s at the end")
    slow = max((r["left_out"].get("slow", 0) for r in runs), default=0)
    if slow:
        lines.append(f"  the slow tier did not run ({slow} tests in the largest env): "
                     "tox -e full runs every tier in every env")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["speed"]:
        print(f"{speed():.3f}")
        return 0
    directory, started = Path(argv[0]), float(argv[1])
    try:
        tox_result_path = Path(os.environ.get("TOX_RESULT_JSON", directory / "tox.json"))
        if tox_result_path.is_file():
            print(unshown_output(json.loads(tox_result_path.read_text(encoding="utf-8"))))
        print(table(directory, started, time.time()))
    except (OSError, ValueError, KeyError, TypeError) as error:  # the table must never fail a CI run
        print(f"CI time table unavailable: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
