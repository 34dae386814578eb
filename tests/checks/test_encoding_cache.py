"""The disk cache of the base side's encodings, on real zoo tokenizers: a hit is exactly a fresh
encode, anything the ids depend on that changes misses, a damaged entry is never trusted, and the
verdict on a real drift is the same cold and warm."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.checks.behaviour.conftest import quick_settings, session_for
from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.batch_codecs import BatchCodec, FileCodec, IdArrays
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.encoding_cache import EncodingCache
from tokcheck.sources.spec import resolve


@pytest.fixture(scope="module")
def llama3_json() -> Path:
    source = resolve("zoo:llama3")
    assert source.directory is not None
    return source.directory / "tokenizer.json"


@pytest.fixture(scope="module")
def texts(llama3_json: Path) -> list[str]:
    vocab = json.loads(llama3_json.read_text())["model"]["vocab"]
    words = sorted(vocab)[::40]
    return [*words, *(f"{w} {chr(0x4E00 + i)}é\n\t{i}" for i, w in enumerate(words))]


def same(a: IdArrays, b: IdArrays) -> bool:
    return (a.flat, a.lengths) == (b.flat, b.lengths)


def test_a_hit_gives_exactly_the_ids_of_a_fresh_encode(tmp_path: Path, llama3_json: Path, texts: list[str],
                                                      zoo_tokenizer: Callable[[str], Any]) -> None:
    live = BatchCodec(zoo_tokenizer("llama3"), texts[:50])
    assert live.fast_encode
    for codec in (FileCodec(str(llama3_json)), live):
        for add_special in (False, True):
            fresh = codec.encode_arrays(texts, add_special_tokens=add_special)
            cold = EncodingCache(tmp_path).encode_arrays(codec, texts, add_special_tokens=add_special)
            warm_cache = EncodingCache(tmp_path)
            warm = warm_cache.encode_arrays(codec, texts, add_special_tokens=add_special)
            assert warm_cache.hits == 1 and same(fresh, cold) and same(fresh, warm)
    assert len(list(tmp_path.rglob("*.npz"))) == 4  # file and live view, each flag: entries of their own


def test_changed_inputs_tokenizer_file_or_library_version_miss(tmp_path: Path, llama3_json: Path,
                                                              texts: list[str]) -> None:
    store = tmp_path / "cache"
    codec = FileCodec(str(llama3_json))
    EncodingCache(store).encode_arrays(codec, texts)

    cache = EncodingCache(store)
    changed_texts = [*texts[:-1], texts[-1] + "x"]
    assert same(cache.encode_arrays(codec, changed_texts), codec.encode_arrays(changed_texts))
    assert (cache.hits, cache.misses) == (0, 1)

    edited = tmp_path / "tokenizer.json"
    data = json.loads(llama3_json.read_text())
    data["added_tokens"].append({"id": max(t["id"] for t in data["added_tokens"]) + 1, "content": "é\n\t1",
                                 "special": False, "normalized": False, "lstrip": False, "rstrip": False,
                                 "single_word": False})
    edited.write_text(json.dumps(data))
    edited_codec = FileCodec(str(edited))
    cache = EncodingCache(store)
    result = cache.encode_arrays(edited_codec, texts)
    assert (cache.hits, cache.misses) == (0, 1)
    assert same(result, edited_codec.encode_arrays(texts)) and not same(result, codec.encode_arrays(texts))

    newer = EncodingCache(store, versions=cache.versions.replace("tokenizers=", "tokenizers=9"))
    newer.encode_arrays(codec, texts)
    assert (newer.hits, newer.misses) == (0, 1)


def _entry(store: Path) -> Path:
    (entry,) = store.rglob("*.npz")
    return entry


@pytest.mark.parametrize("damage", ["truncate", "flip_an_id", "garbage"])
def test_a_damaged_entry_is_detected_and_rewritten(tmp_path: Path, llama3_json: Path, texts: list[str],
                                                   damage: str) -> None:
    codec = FileCodec(str(llama3_json))
    fresh = codec.encode_arrays(texts)
    EncodingCache(tmp_path).encode_arrays(codec, texts)
    entry = _entry(tmp_path)
    raw = bytearray(entry.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip_an_id":  # np.savez stores uncompressed: the last bytes are the lengths' data
        raw[len(raw) // 2] ^= 0x01
    else:
        raw = bytearray(b"not an npz at all")
    entry.write_bytes(bytes(raw))

    cache = EncodingCache(tmp_path)
    assert same(cache.encode_arrays(codec, texts), fresh)
    assert (cache.hits, cache.misses) == (0, 1) and cache.notes
    again = EncodingCache(tmp_path)
    assert same(again.encode_arrays(codec, texts), fresh) and again.hits == 1  # rewritten intact


def test_an_unwritable_cache_runs_uncached_and_says_so(tmp_path: Path, llama3_json: Path, texts: list[str]) -> None:
    blocked = tmp_path / "a_file"
    blocked.write_text("")
    codec = FileCodec(str(llama3_json))
    cache = EncodingCache(blocked / "encodings")
    assert same(cache.encode_arrays(codec, texts), codec.encode_arrays(texts))
    assert any("not writable" in note for note in cache.notes)


def test_the_verdict_on_llama3_eom_is_the_same_cold_and_warm(tmp_path: Path) -> None:
    # Batches the memo shares; every input through both (the shortcut leaves base nothing to cache here).
    settings = dataclasses.replace(quick_settings(), sweep_sample=0.1, sweep_shards=1, full_sweeps=True)
    names = ("code_points", "added_tokens", "custom_texts")

    def findings(memo: BaseMemo | None) -> dict[str, list[Any]]:
        run = BehaviourRun(session_for("zoo:llama3", "zoo:llama3-eom"), settings, shared=memo)
        return {name: run.sweep_findings(name) for name in names}

    cold_cache, warm_cache = EncodingCache(tmp_path), EncodingCache(tmp_path)
    cold = findings(BaseMemo(disk=cold_cache))
    warm = findings(BaseMemo(disk=warm_cache))
    assert cold_cache.misses > 0 and warm_cache.hits == cold_cache.misses and warm_cache.misses == 0
    assert cold == warm == findings(None)
    assert any(cold.values())  # the eom drift is found


CACHE_PROBE = """
def test_sweep(tokcheck_behaviour):
    shared = tokcheck_behaviour.shared
    print("DISK", shared.disk.directory if shared is not None and shared.disk is not None else None)
    assert tokcheck_behaviour.sweep_findings("code_points") == []
"""


@pytest.fixture
def probe_pair(pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """The arguments of a run of CACHE_PROBE on the toy pair, with the cache in tmp_path/cache and on."""
    from tokcheck.plugin.options import BASE_OPTION, FULL_SWEEPS_OPTION, NO_SUITE_OPTION, TUNED_OPTION

    monkeypatch.setenv("TOKCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TOKCHECK_NO_ENCODING_CACHE", raising=False)
    pytester.makepyfile(test_probe=CACHE_PROBE)
    # Full sweeps: on an identical pair the shortcut encodes nothing, so nothing would be cached.
    return (BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), NO_SUITE_OPTION, FULL_SWEEPS_OPTION, "-s", "-v")


def test_the_plugin_keeps_encodings_in_the_cache_dir_unless_told_not_to(
        pytester: pytest.Pytester, probe_pair: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tokcheck.plugin.options import NO_ENCODING_CACHE_OPTION

    cold = pytester.runpytest(*probe_pair)
    warm = pytester.runpytest(*probe_pair)
    cold.assert_outcomes(passed=1)
    warm.assert_outcomes(passed=1)
    cold.stdout.fnmatch_lines([f"*DISK {tmp_path / 'cache' / 'encodings'}*", "tokcheck encoding cache: 0 hit(s), * miss(es)*"])
    warm.stdout.fnmatch_lines(["tokcheck encoding cache: * hit(s), 0 miss(es)*"])
    assert "0 hit(s)" not in warm.stdout.str()
    assert list((tmp_path / "cache" / "encodings").rglob("*.npz"))

    off = pytester.runpytest(*probe_pair, NO_ENCODING_CACHE_OPTION)
    off.stdout.fnmatch_lines(["*DISK None*"])
    monkeypatch.setenv("TOKCHECK_NO_ENCODING_CACHE", "1")
    off_by_env = pytester.runpytest(*probe_pair)
    off_by_env.stdout.fnmatch_lines(["*DISK None*"])
    assert "tokcheck encoding cache" not in off.stdout.str() + off_by_env.stdout.str()


def _entries(directory: Path) -> dict[Path, int]:
    return {path: path.stat().st_size for path in directory.rglob("*.npz")}


def test_past_its_size_cap_the_least_recently_used_entries_go(tmp_path: Path, llama3_json: Path,
                                                             texts: list[str]) -> None:
    import os

    codec = FileCodec(str(llama3_json))
    batches = [texts[i::4] for i in range(4)]
    EncodingCache(tmp_path).encode_arrays(codec, batches[0])
    size = next(iter(_entries(tmp_path).values()))
    # room for two entries and a half: writing a third evicts the one least recently used
    cache = EncodingCache(tmp_path, max_bytes=int(size * 2.5))
    cache.encode_arrays(codec, batches[1])
    first, second = sorted(_entries(tmp_path), key=lambda p: p.stat().st_mtime)
    for age, path in ((300, first), (200, second)):  # mtimes far apart, whatever the clock's grain
        os.utime(path, (path.stat().st_atime - age, path.stat().st_mtime - age))
    assert cache.encode_arrays(codec, batches[0]) and cache.hits == 1  # a hit: batches[0] is used now
    cache.encode_arrays(codec, batches[2])
    left = _entries(tmp_path)
    assert second not in left and first in left and len(left) == 2 and cache.evicted == 1
    assert sum(left.values()) <= cache.max_bytes
    # what was evicted is a miss that encodes again, exactly as fresh
    again = EncodingCache(tmp_path, max_bytes=cache.max_bytes)
    assert same(again.encode_arrays(codec, batches[1]), codec.encode_arrays(batches[1])) and again.misses == 1


def test_an_entry_over_the_cap_is_not_written_and_dead_writers_files_go(tmp_path: Path, llama3_json: Path,
                                                                       texts: list[str]) -> None:
    import os

    codec = FileCodec(str(llama3_json))
    nothing = EncodingCache(tmp_path, max_bytes=0)
    assert same(nothing.encode_arrays(codec, texts), codec.encode_arrays(texts))
    assert not _entries(tmp_path) and "over the cache's 0 MiB" in nothing.notes[0]
    (tmp_path / "ab").mkdir()
    dead, live = tmp_path / "ab" / ".x.npz.1.aa.partial", tmp_path / "ab" / ".y.npz.2.bb.partial"
    dead.write_bytes(b"half"), live.write_bytes(b"half")
    os.utime(dead, (1, 1))
    EncodingCache(tmp_path).encode_arrays(codec, texts)
    assert not dead.exists() and live.exists() and len(_entries(tmp_path)) == 1


def test_the_cap_comes_from_the_environment_and_a_bad_value_is_one_line(
        pytester: pytest.Pytester, probe_pair: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In a subprocess: an in-process run would import transformers (and torch) inside pytester,
    # which removes them afterwards, and torch cannot be imported twice in one process.
    monkeypatch.setenv("TOKCHECK_ENCODING_CACHE_MAX_MIB", "0")
    kept_nothing = pytester.runpytest_subprocess(*probe_pair)
    kept_nothing.assert_outcomes(passed=1)
    kept_nothing.stdout.fnmatch_lines(["tokcheck encoding cache: 0 hit(s), * miss(es)* (at most 0 MiB)"])
    assert not list((tmp_path / "cache").rglob("*.npz"))
    monkeypatch.setenv("TOKCHECK_ENCODING_CACHE_MAX_MIB", "lots")
    bad = pytester.runpytest_subprocess(*probe_pair)
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: TOKCHECK_ENCODING_CACHE_MAX_MIB: expected a whole number of MiB, got 'lots'"])
    assert "Traceback" not in bad.stderr.str()
