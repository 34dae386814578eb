"""CI's time table (tests/ci_times.py): recorded by a pytest plugin, printed at the end of .ci/run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import ci_times


def tox_env(duration: float, *commands: tuple[str, str, float], success: bool = True) -> dict[str, object]:
    """One env of tox's --result-json, in the shape tox 4's journal writes."""
    return {
        "test": [{"run_id": run_id, "command": command.split(), "elapsed": elapsed} for run_id, command, elapsed in commands],
        "result": {"success": success, "exit_code": 0 if success else 1, "duration": duration},
    }


def test_the_table_splits_each_env_into_setup_collection_tests_and_zoo_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOX_RESULT_JSON", str(tmp_path / "tox.json"))
    (tmp_path / "tox.json").write_text(json.dumps({"testenvs": {
        ".pkg": {"result": {"duration": 9.0}},
        "fuzz-thorough": {},  # listed by tox, not run
        "tf5": tox_env(100.0, ("commands_pre[0]", "python -m pip install x", 2.0),
                       ("commands[0]", "python -m pytest -n 2", 70.0)),
        "model": tox_env(50.0, ("commands[0]", "python -c import torch", 1.0),
                         ("commands[1]", "python -m pytest -n 2 -m torch", 30.0), success=False),
    }}))
    runs = [
        {"env": "tf5", "start": 1000.0, "collected": 1004.0, "end": 1069.0, "zoo_build_s": 12.5, "left_out": {"slow": 12}},
        {"env": "model", "start": 2000.0, "collected": 2003.0, "end": 2029.0, "zoo_build_s": 0.0, "left_out": {}},
    ]
    (tmp_path / ci_times.RUNS_FILE).write_text("".join(json.dumps(run) + "\n" for run in runs))
    (tmp_path / ci_times.SPEED_FILE).write_text("0.610\n")
    lines = ci_times.table(tmp_path, started=0.0, now=200.0).splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith("  ") and not line.startswith("  total")}
    # setup = duration - commands; other cmds = commands_pre and non-pytest commands;
    # start+collect = the pytest command's elapsed less its tests (end - collected)
    assert rows["tf5"] == ["28", "2", "5", "65", "12", "100", "ok"]
    assert rows["model"] == ["19", "1", "4", "26", "0", "50", "FAIL"]
    assert ".pkg" not in rows and "fuzz-thorough" not in rows
    assert "  total 200 s (3.3 min): envs 150 s, the rest (pip install tox, apt, tox's package build) 50 s" in lines
    assert any(line.startswith("  machine speed: a fixed loop took 0.61 s at the start, ") for line in lines)
    assert lines[-1] == "  the slow tier did not run (12 tests in the largest env): tox -e full runs every tier in every env"


def test_a_missing_or_damaged_record_never_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ci_times.RUNS_FILE).write_text("{not json\n")
    assert ci_times.main([str(tmp_path), "0"]) == 0
    assert capsys.readouterr().out.startswith("CI time table unavailable: ")


def test_envs_run_side_by_side_say_so_and_their_unshown_output_is_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TOX_RESULT_JSON", str(tmp_path / "tox.json"))
    passed = tox_env(120.0, ("commands[0]", "python -m pytest -n 2", 110.0))
    passed["test"][0].update(output="caught 47/48 drift mutants\n", err="", show_on_standard=False)  # type: ignore[index]
    failed = tox_env(100.0, ("commands[0]", "python -m pytest -n 2 -m torch", 90.0), success=False)
    failed["test"][0].update(output="1 failed\n", err="", show_on_standard=True)  # type: ignore[index]
    (tmp_path / "tox.json").write_text(json.dumps({"testenvs": {"tf5": passed, "model": failed}}))
    assert ci_times.main([str(tmp_path), "0"]) == 0
    out = capsys.readouterr().out
    # tox -p showed the failed env's output itself; the passed env's comes from its journal
    assert "===== tf5: python -m pytest -n 2\ncaught 47/48 drift mutants\n" in out and "1 failed" not in out
    total = ci_times.table(tmp_path, started=0.0, now=150.0).splitlines()
    assert "  total 150 s (2.5 min): the envs ran side by side (tox -p), their walls sum to 220 s" in total
