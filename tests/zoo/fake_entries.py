"""Cheap zoo entries for testing the cache and the registry without building a real tokenizer.
Importable from subprocesses (run from the repository root), which register them themselves."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tokcheck import zoo

BASE = "test-fake-base"
MUTANT = "test-fake-mutant"
FILES = ("a.json", "b.json", "c.json")
LOG_ENV = "TOKCHECK_TEST_BUILD_LOG"  # each build appends one line here
DELAY_ENV = "TOKCHECK_TEST_BUILD_DELAY"  # seconds to wait between files, to widen the race window


def make_base(dest: Path) -> None:
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    for name in FILES:
        time.sleep(float(os.environ.get(DELAY_ENV, "0")))
        (dest / name).write_text(f'{{"file": "{name}"}}\n', encoding="utf-8")


def make_mutant(dest: Path) -> None:
    (dest / "a.json").write_text('{"file": "a.json", "mutated": true}\n', encoding="utf-8")
    (dest / "added.txt").write_text("mutant\n", encoding="utf-8")


def entries(version: str = "1") -> list[zoo.ZooEntry]:
    return [
        zoo.ZooEntry(name=BASE, description="a fake base", make=make_base, version=version),
        zoo.ZooEntry(name=MUTANT, description="a fake mutant", make=make_mutant, version="1", base=BASE),
    ]


def register_all(version: str = "1") -> None:
    for entry in entries(version):
        zoo.register(entry)


def unregister_all() -> None:
    for entry in reversed(entries()):
        zoo.unregister(entry.name)


if __name__ == "__main__":
    # python -m tests.zoo.fake_entries NAME: build NAME through the cache, print the directory.
    register_all()
    print(zoo.path_for(sys.argv[1]), flush=True)
