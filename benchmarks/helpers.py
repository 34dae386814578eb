"""The measurements behind benchmarks/run.py: the pair, the sweeps and their raw baseline, the
per-string loop, the Hypothesis rates, and whole-suite runs in a fresh empty directory."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.properties import PROPERTIES
from tokcheck.checks.behaviour.runner import run_property, run_settings, storage_in_cache
from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS, chosen_inputs, shards_of
from tokcheck.checks.behaviour.sweeps.run import run_sweep
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.session import Settings, SpecSetting

BASE, TUNED = "llama3", "llama3-eom"
# The suite figures time cold runs: with the disk cache, every run after the first would load the
# base's encodings, and the -n 0 / -n 2 and one-run / separate-runs ratios would compare unlike runs.
NO_CACHE = "--tokcheck-no-encoding-cache"


def comparison() -> PairInputs:
    """The demo pair as the built-in suite builds it (snapshots, views, codecs, inputs), loaded once."""
    session = CheckedSession(Settings(base=SpecSetting(f"zoo:{BASE}"), tuned=SpecSetting(f"zoo:{TUNED}")))
    session.validate()
    pair = PairInputs(Comparison.from_session(session))
    for name in SWEEPS:  # make every sweep's inputs now: generating them is not what is timed
        chosen_inputs(pair, name)
    return pair


def time_sweeps(pair: PairInputs, *, sample: float, full: bool = True) -> tuple[float, int]:
    """Seconds for every sweep as the suite runs them (all shards), and how many strings that is;
    `full`: every input through both tokenizers (the sweep machinery's own speed), else with the
    shortcut the suite takes where only added tokens differ (tokcheck.checks.behaviour.reach)."""
    started = time.perf_counter()
    checked = 0
    for name in SWEEPS:
        shards = shards_of(name, BehaviourSettings().sweep_shards)
        for shard in range(shards):
            checked += run_sweep(pair, name, shard=shard, shards=shards, sample=sample, full=full).checked
    return time.perf_counter() - started, checked


def sweep_texts(pair: PairInputs, *, sample: float) -> list[str]:
    """The strings the sweeps encode: their texts, and the decoded text of each base id."""
    texts: list[str] = []
    for name, spec in SWEEPS.items():
        chosen = chosen_inputs(pair, name, sample=sample)
        texts += pair.comparison.base_codec.decode([[i] for i in chosen]) if spec.ids else chosen
    return texts


def raw_encode_batch(pair: PairInputs, texts: list[str]) -> float:
    """Seconds that tokenizers' own Tokenizer.encode_batch needs for `texts` on both tokenizers."""
    started = time.perf_counter()
    for tokenizer in pair.comparison.tokenizers:
        tokenizer.backend_tokenizer.encode_batch(texts, add_special_tokens=False)
    return time.perf_counter() - started


def per_string_loop(pair: PairInputs, texts: list[str], *, decode: bool) -> float:
    """Seconds for llama.cpp test-tokenizer-random's compare_tokenizers, one string at a time:
    ids from both tokenizers' encode, and (with `decode`) base's ids decoded by both."""
    base, tuned = pair.comparison.tokenizers
    started = time.perf_counter()
    differing = 0
    for text in texts:
        ids = base.encode(text, add_special_tokens=False)
        differing += ids != tuned.encode(text, add_special_tokens=False)
        if decode:
            differing += base.decode(ids) != tuned.decode(ids)
    return time.perf_counter() - started


def time_property(pair: PairInputs, *, examples: int) -> tuple[float, float]:
    """Transcripts per second: Hypothesis generating the chat property's transcripts with no
    check at all, and the chat_render property generating and checking them (exploration and
    batch check; shrinking a difference is not throughput)."""
    from hypothesis import Phase, given

    config = BehaviourSettings(profile="ci", seed=1, examples=examples)
    prop = PROPERTIES["chat_render"]
    strategy = prop.strategy(pair)
    count = [0]

    @run_settings(config, phases=(Phase.generate,))
    @given(strategy)
    def bare(transcript: Any) -> None:
        count[0] += 1

    with storage_in_cache():
        bare()  # warm-up: the first run pays for building the strategy
        count[0] = 0
        started = time.perf_counter()
        bare()
        bare_rate = count[0] / (time.perf_counter() - started)
    outcome = run_property(prop, pair, config)
    property_rate = outcome.generated / (outcome.seconds["explore"] + outcome.seconds["check"])
    return bare_rate, property_rate


def time_suite(*, workers: int, full_sweeps: bool = False) -> float:
    """Wall seconds of `pytest --base-tokenizer zoo:llama3 --tuned zoo:llama3-eom` (the whole default
    built-in suite) from an empty directory; `workers` > 0 adds -n; `full_sweeps` adds
    --tokcheck-full-sweeps (every sweep input through both tokenizers)."""
    return time_pytest([f"zoo:{TUNED}"], workers=workers, extra=("--tokcheck-full-sweeps",) if full_sweeps else ())


def time_base_encoding_cache(pair: PairInputs, texts: list[str]) -> dict[str, float]:
    """The base side's encodings of `texts` through the disk cache, cold (encode and store) then
    warm (key and load) in a fresh cache directory, in one go; the warm ids are checked equal."""
    from tokcheck.checks.encoding_cache import EncodingCache

    codec = pair.comparison.base_codec
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        cold = EncodingCache(Path(directory)).encode_arrays(codec, texts)
        cold_s = time.perf_counter() - started
        warm_cache = EncodingCache(Path(directory))
        started = time.perf_counter()
        warm = warm_cache.encode_arrays(codec, texts)
        warm_s = time.perf_counter() - started
        entry_mib = sum(p.stat().st_size for p in Path(directory).rglob("*.npz")) / 2**20
    assert warm_cache.hits == 1 and (warm.flat, warm.lengths) == (cold.flat, cold.lengths)
    return {"cold_s": cold_s, "warm_s": warm_s, "entry_mib": entry_mib}


def peak_rss_mib() -> float:
    """Peak resident memory of the largest child process so far (the serial suite run)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def time_class_views(*, repeat: int) -> tuple[float, float, int]:
    """The fastest of `repeat` interleaved timings of the demo pair's class views (what
    tokcheck.checks.behaviour.class_views adds to a Comparison) and of the Comparison built
    without them (live tokenizers already loaded, as in the suite), and the views it added."""
    from tokcheck.checks.behaviour.class_views import class_views

    session = CheckedSession(Settings(base=SpecSetting(f"zoo:{BASE}"), tuned=SpecSetting(f"zoo:{TUNED}")))
    session.validate()
    base, tuned = session.pair()
    base.tokenizer, tuned.tokenizer  # noqa: B018 - loading is not what is timed
    extra_s, plain_s, added = [], [], 0
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        plain = Comparison(base.tokenizer, tuned.tokenizer, loaders=Comparison.from_session(session).transformers.loaders,
                           snapshots=(base.snapshot, tuned.snapshot))
        plain_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        added = len(class_views((base, tuned), plain.probes))
        extra_s.append(time.perf_counter() - started)
    return min(extra_s), min(plain_s), added


# --- many checkpoints against one base (issue 15) ------------------------------------------------

CHECKPOINT_DRIFTS = ("llama3-eom", "llama3-no-bos")


def many_checkpoints(root: Path) -> list[Path]:
    """10 tuned checkpoints of zoo:llama3 in `root`: 8 identical re-saves, then 2 drifts."""
    from tokcheck import zoo

    sources = [zoo.path_for("llama3-resaved")] * 8 + [zoo.path_for(name) for name in CHECKPOINT_DRIFTS]
    folders = []
    for step, source in enumerate(sources, start=1):
        folder = root / f"checkpoint-{step * 100}"
        shutil.copytree(source, folder)
        folders.append(folder)
    return folders


def time_pytest(tuned: list[str], *, workers: int = 0, extra: tuple[str, ...] = ()) -> float:
    """Wall seconds of the default built-in suite on zoo:llama3 against `tuned` (each a --tuned),
    from an empty directory; `workers` > 0 adds -n."""
    command = [sys.executable, "-m", "pytest", f"--base-tokenizer=zoo:{BASE}", "-q", "-p", "no:cacheprovider",
               NO_CACHE, *(f"--tuned={spec}" for spec in tuned), *extra]
    if workers:
        command += ["-n", str(workers)]
    with tempfile.TemporaryDirectory() as empty:
        started = time.perf_counter()
        subprocess.run(command, cwd=empty, capture_output=True, text=True, check=False)
        return time.perf_counter() - started


def time_many_checkpoints(*, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """The 10-checkpoint run in one pytest run (-n 0 and -n 2), and as 10 separate runs, measured
    one after the other in one go."""
    with tempfile.TemporaryDirectory() as scratch:
        folders = [str(folder) for folder in many_checkpoints(Path(scratch))]
        one_run = time_pytest(folders, extra=extra)
        separate = sum(time_pytest([folder], extra=extra) for folder in folders)
        one_run_n2 = time_pytest(folders, workers=2, extra=extra)
    return {"one_run_s": one_run, "separate_runs_s": separate, "one_run_n2_s": one_run_n2}
