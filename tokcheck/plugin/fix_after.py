"""--tokcheck-fix OUT: after a run that failed, the same repaired copy `tokcheck fix BASE TUNED -o
OUT` writes (tokcheck.fix.command), its report in a terminal section, and the command that checks
the copy. Relative paths are made absolute first, as the plugin reads them (an ini file's relative
to the ini file), since the fix resolves specs against the working directory."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin.options import BASE, FIX, TUNED, TUNED_MODEL, option_or_ini, option_or_ini_list
from tokcheck.session import Settings

EXIT_TESTS_FAILED = 1  # pytest.ExitCode.TESTS_FAILED


def _absolute(spec: str, relative_to: Path) -> str:
    """A path spec made absolute; zoo:NAME and hub ids as they are."""
    if spec.startswith("zoo:"):
        return spec
    path = Path(spec).expanduser()
    if not path.is_absolute() and (relative_to / path).exists():
        return str(relative_to / path)
    return spec


def wanted(config: pytest.Config, exitstatus: int) -> bool:
    return bool(config.getoption(FIX.dest)) and exitstatus == EXIT_TESTS_FAILED


def write_fixed_copy(config: pytest.Config, settings: Settings, terminal: Any) -> None:
    """Run the fix into --tokcheck-fix OUT and write its report as a terminal section."""
    terminal.section("tokcheck fix")
    base = option_or_ini(config, BASE)
    tuned, _ = option_or_ini_list(config, TUNED)
    if base is None or len(tuned) != 1:
        terminal.write_line(f"{FIX.flags[0]}: needs {BASE.flags[0]} and one {TUNED.flags[0]} (a checkpoint or a "
                            "training run directory); nothing written")
        return
    model = option_or_ini(config, TUNED_MODEL)
    out = config.invocation_params.dir / str(config.getoption(FIX.dest))
    args = argparse.Namespace(base=_absolute(*base), tuned=_absolute(*tuned[0]), output=out,
                              tuned_model=None if model is None else _absolute(*model), dry_run=False)
    from tokcheck.fix.command import run_fix  # loads only when a failed run asks for it

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            run_fix(args, strict=settings.strict, accept=settings.accept, allow_download=settings.allow_download)
    except TokcheckUsageError as error:
        terminal.write_line(f"{FIX.flags[0]}: {error}")
        return
    for line in printed.getvalue().splitlines():  # its last line names the `tokcheck diff` that checks the copy
        terminal.write_line(line)
