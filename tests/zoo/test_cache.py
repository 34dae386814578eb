"""The zoo cache: where it lives, what its key depends on, one build for concurrent callers, and no
half-written directory ever visible under the final name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.zoo import fake_entries
from tokcheck import zoo
from tokcheck.errors import TokcheckUsageError
from tokcheck.paths import CACHE_ENV
from tokcheck.zoo import cache, packages

REPO = Path(__file__).parent.parent.parent


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    return directory


@pytest.fixture
def fakes(cache_dir: Path) -> Iterator[None]:
    fake_entries.register_all()
    yield
    fake_entries.unregister_all()


def spawn(name: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.zoo.fake_entries", name],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def leftovers(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in (cache_dir / "zoo").iterdir() if p.name.endswith(".partial"))


def test_cache_root_follows_tokcheck_cache_dir_then_xdg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOKCHECK_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert zoo.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("TOKCHECK_CACHE_DIR")
    assert zoo.cache_root() == tmp_path / "xdg" / "tokcheck"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert zoo.cache_root() == Path.home() / ".cache" / "tokcheck"


def test_path_for_builds_once_then_loads(
    fakes: None, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "builds.log"
    monkeypatch.setenv(fake_entries.LOG_ENV, str(log))
    first = zoo.path_for(fake_entries.BASE)
    second = zoo.path_for(fake_entries.BASE)
    assert first == second == cache_dir / "zoo" / f"{fake_entries.BASE}-{zoo.cache_key(fake_entries.BASE)}"
    assert sorted(p.name for p in first.iterdir()) == sorted(fake_entries.FILES)
    assert len(log.read_text().splitlines()) == 1
    # Nothing but the entry and its lock file is written, and only inside the cache directory.
    assert sorted(p.name for p in cache_dir.rglob("*") if p.parent == cache_dir / "zoo") == sorted(
        [first.name, f".{first.name}.lock"]
    )


def test_key_changes_with_entry_version_data_packages_and_libraries(
    fakes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = zoo.cache_key(fake_entries.BASE)
    mutant_key = zoo.cache_key(fake_entries.MUTANT)
    real = cache.library_version
    monkeypatch.setattr(cache, "library_version", lambda d, missing: "9.9.9" if d == "transformers" else real(d, missing))
    assert zoo.cache_key(fake_entries.BASE) != key
    monkeypatch.setattr(cache, "library_version", lambda d, missing: "9.9.9" if d == "tokenizers" else real(d, missing))
    assert zoo.cache_key(fake_entries.BASE) != key
    monkeypatch.setattr(cache, "library_version", real)
    assert zoo.cache_key(fake_entries.BASE) == key

    fake_entries.unregister_all()
    fake_entries.register_all(version="2")
    assert zoo.cache_key(fake_entries.BASE) != key
    assert zoo.cache_key(fake_entries.MUTANT) != mutant_key  # a mutant follows its base

    llama_key = zoo.cache_key("llama3")
    monkeypatch.setattr(packages, "version", lambda distribution, name: "0.0.1")
    assert zoo.cache_key("llama3") != llama_key


def test_key_changes_when_a_builder_is_edited_without_a_version_bump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "edited_builder.py"
    module.write_text("def make(dest):\n    (dest / 'a.json').write_text('{}')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import edited_builder

    zoo.register(zoo.ZooEntry(name="test-edited", description="an edited builder", make=edited_builder.make, version="1"))
    try:
        key = zoo.cache_key("test-edited")
        assert zoo.cache_key("test-edited") == key  # stable while nothing changes
        module.write_text("def make(dest):\n    (dest / 'a.json').write_text('{\"edited\": 1}')\n", encoding="utf-8")
        assert zoo.cache_key("test-edited") != key
    finally:
        zoo.unregister("test-edited")


def test_concurrent_processes_get_one_complete_directory_from_one_build(
    fakes: None, cache_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "builds.log"
    env = {CACHE_ENV: str(cache_dir), fake_entries.LOG_ENV: str(log), fake_entries.DELAY_ENV: "0.3"}
    workers = [spawn(fake_entries.BASE, env) for _ in range(4)]
    target = cache_dir / "zoo" / f"{fake_entries.BASE}-{zoo.cache_key(fake_entries.BASE)}"
    # While they run, the final name is either absent or complete.
    while any(w.poll() is None for w in workers):
        if target.exists():
            assert sorted(p.name for p in target.iterdir()) == sorted(fake_entries.FILES)
        time.sleep(0.02)
    outputs = [w.communicate() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], outputs
    assert {out.strip() for out, _ in outputs} == {str(target)}
    assert len(log.read_text().splitlines()) == 1  # the others waited on the lock
    assert sorted(p.name for p in target.iterdir()) == sorted(fake_entries.FILES)
    assert leftovers(cache_dir) == []


def test_a_killed_build_leaves_nothing_under_the_final_name_and_is_cleaned_up(
    fakes: None, cache_dir: Path, tmp_path: Path
) -> None:
    env = {CACHE_ENV: str(cache_dir), fake_entries.DELAY_ENV: "30"}
    worker = spawn(fake_entries.BASE, env)
    deadline = time.monotonic() + 60
    while not (cache_dir / "zoo").is_dir() or not leftovers(cache_dir):
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert len(leftovers(cache_dir)) == 1
    assert not [p for p in (cache_dir / "zoo").iterdir() if p.name.startswith(fake_entries.BASE)]
    built = zoo.path_for(fake_entries.BASE)  # the lock died with the process
    assert sorted(p.name for p in built.iterdir()) == sorted(fake_entries.FILES)
    assert leftovers(cache_dir) == []


def test_a_failing_build_leaves_no_directory(cache_dir: Path) -> None:
    def explode(dest: Path) -> None:
        (dest / "half.json").write_text("{", encoding="utf-8")
        raise RuntimeError("builder failed")

    zoo.register(zoo.ZooEntry(name="test-failing", description="fails", make=explode, version="1"))
    try:
        with pytest.raises(RuntimeError, match="builder failed"):
            zoo.path_for("test-failing")
        assert [p.name for p in (cache_dir / "zoo").iterdir() if not p.name.endswith(".lock")] == []
    finally:
        zoo.unregister("test-failing")


def test_a_mutant_is_a_copy_of_its_cached_base_then_edited(fakes: None, cache_dir: Path) -> None:
    mutant = zoo.path_for(fake_entries.MUTANT)
    base = zoo.path_for(fake_entries.BASE)
    assert sorted(p.name for p in mutant.iterdir()) == sorted([*fake_entries.FILES, "added.txt"])
    assert '"mutated": true' in (mutant / "a.json").read_text(encoding="utf-8")
    assert '"mutated"' not in (base / "a.json").read_text(encoding="utf-8")  # the base is untouched
    assert zoo.describe(fake_entries.MUTANT) == f"a fake mutant (mutant of zoo:{fake_entries.BASE})"


def test_build_writes_only_the_new_directory(fakes: None, cache_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "mutant"
    assert zoo.build(fake_entries.MUTANT, dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted([*fake_entries.FILES, "added.txt"])
    assert not cache_dir.exists()  # build() neither reads nor writes the cache
    assert [p.name for p in dest.parent.iterdir()] == ["mutant"]  # no temporary siblings left


def test_build_refuses_a_non_empty_destination(fakes: None, tmp_path: Path) -> None:
    (tmp_path / "taken.txt").write_text("x", encoding="utf-8")
    with pytest.raises(TokcheckUsageError, match="not an empty directory"):
        zoo.build(fake_entries.BASE, tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert sorted(p.name for p in zoo.build(fake_entries.BASE, empty).iterdir()) == sorted(fake_entries.FILES)


def test_concurrent_processes_share_one_real_zoo_build(cache_dir: Path) -> None:
    code = "import sys; from tokcheck import zoo; print(zoo.path_for('minilm'))"
    env = {**os.environ, CACHE_ENV: str(cache_dir)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    paths = {out.strip() for out, _ in outputs}
    assert len(paths) == 1
    entries = [p.name for p in (cache_dir / "zoo").iterdir() if not p.name.startswith(".")]
    assert entries == [Path(paths.pop()).name]
    assert leftovers(cache_dir) == []
    built = cache_dir / "zoo" / entries[0]
    assert {"tokenizer.json", "tokenizer_config.json", "model.safetensors", "config.json"} <= {
        p.name for p in built.iterdir()
    }


def test_every_file_of_the_package_ships_in_the_wheel() -> None:
    """The zoo's cache key hashes every file of the zoo package: a file the wheel leaves out gives an
    installed tokcheck another key than a checkout, so a test's subprocess (which imports the
    installed one) rebuilt the whole zoo beside its parent's (a LLaMA-Factory README did, found by
    CI's gguf env). Every file is a module or matches pyproject.toml's package-data."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the files are the same on 3.10
    from pathlib import PurePosixPath

    root = Path(zoo.__file__).resolve().parents[1]
    pyproject = tomllib.loads((root.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = [PurePosixPath(p) for p in pyproject["tool"]["setuptools"]["package-data"]["tokcheck"]]
    files = [PurePosixPath(p.relative_to(root).as_posix()) for p in root.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")]
    assert files
    unshipped = [str(f) for f in files if not any(len(f.parts) == len(p.parts) and f.match(str(p)) for p in patterns)]
    assert not unshipped, f"not in [tool.setuptools.package-data]: {unshipped}"
