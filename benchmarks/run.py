"""tokcheck's performance figures on the Llama-3 demo pair (zoo llama3 vs llama3-eom), every ratio
measured in this one run against its baseline. Prints one ``name: value`` line per figure.

    python benchmarks/run.py               # everything (about eight minutes: the suite twice, timings twice)
    python benchmarks/run.py --no-suite    # only the in-process figures
    python benchmarks/run.py --only-suite  # the suite -n 0 and -n 2, raw encode_batch: suite_speedup_n2
                                           # and suite_over_raw_floor (about two minutes)

Figures: sweep_over_raw_encode_batch (all sweeps over raw ``Tokenizer.encode_batch`` of the same
strings on both tokenizers; target <= 1.5), per_string_loop_over_sweep (llama.cpp's
test-tokenizer-random method over the same strings: per string, encode with both tokenizers and
decode those ids with both; target >= 5; the encode-only loop is printed too),
property_rate_over_bare_hypothesis (transcripts per second the chat property checks over what the
same Hypothesis strategy generates with no check; target >= 0.75), suite_wall_s, suite_wall_s_n2
and suite_peak_rss_mib (the whole default built-in suite, without and with -n 2), suite_speedup_n2
(the first over the second; target >= 1.6 on two cores), suite_over_raw_floor (the suite's wall
time over raw ``encode_batch`` of every sweep input through both tokenizers, the physical floor;
the few hundred property examples add nothing measurable; target <= 2),
many_checkpoints_over_separate_runs (10 tuned checkpoints, 8 identical re-saves and 2 drifts, in
one run over 10 separate runs, measured in one go; target <= 0.3), many_checkpoints_speedup_n2, and
base_encoding_cache_hit_over_encode (the base's encodings of every sweep string loaded from the
disk cache over encoding and storing them, cold then warm in one go; the suite figures run with
the cache off, so they stay cold runs),
class_views_over_comparison (what building the model-specific class views adds to the pair's
Comparison, over building it without them; none are built for this pair on transformers 5),
gguf_tokenizer_read_s and gguf_reader_read_s (benchmarks/gguf_figures.py), the >4 GB GGUF diff (wall,
CPU, peak RSS), and the CPU seconds the llama.cpp view adds to the quick behaviour checks.
Never used for timed assertions in tests."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.helpers import (
    BASE,
    TUNED,
    comparison,
    peak_rss_mib,
    per_string_loop,
    raw_encode_batch,
    sweep_texts,
    time_base_encoding_cache,
    time_class_views,
    time_many_checkpoints,
    time_property,
    time_suite,
    time_sweeps,
)


def show(name: str, value: float | int | str) -> None:
    print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-suite", action="store_true", help="skip the whole-suite figures")
    parser.add_argument("--only-checkpoints", action="store_true",
                        help="only the two many-checkpoint figures (12 suite runs)")
    parser.add_argument("--only-suite", action="store_true",
                        help="only the whole-suite figures and the raw encode_batch floor (suite_speedup_n2, "
                             "suite_over_raw_floor)")
    parser.add_argument("--only-encoding-cache", action="store_true",
                        help="only base_encoding_cache_hit_over_encode (loads the pair, encodes every sweep string once)")
    parser.add_argument("--examples", type=int, default=500, help="Hypothesis examples for the property rate")
    parser.add_argument("--repeat", type=int, default=2,
                        help="time the sweeps, the raw baseline and the loops this many times, interleaved, and keep "
                             "each one's fastest (a shared machine's noise only ever adds time)")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

    show("pair", f"zoo:{BASE} vs zoo:{TUNED}")
    if args.only_checkpoints:
        show_many_checkpoints()
        return
    suite_s = suite_n2_s = suite_full_s = None
    if not args.no_suite and not args.only_encoding_cache:
        # First, while this process is small: a child's peak memory includes what it was forked from.
        suite_s = time_suite(workers=0)
        show("suite_wall_s", suite_s)
        show("suite_peak_rss_mib", peak_rss_mib())
        suite_n2_s = time_suite(workers=2)
        show("suite_wall_s_n2", suite_n2_s)
        show("suite_speedup_n2", suite_s / suite_n2_s)
        # The same with every sweep input run through both tokenizers (--tokcheck-full-sweeps).
        suite_full_s = time_suite(workers=0, full_sweeps=True)
        show("suite_wall_s_full_sweeps", suite_full_s)
        suite_full_n2_s = time_suite(workers=2, full_sweeps=True)
        show("suite_wall_s_full_sweeps_n2", suite_full_n2_s)
        show("suite_speedup_n2_full_sweeps", suite_full_s / suite_full_n2_s)
    pair = comparison()

    texts = sweep_texts(pair, sample=1.0)
    if args.only_suite:
        assert suite_s is not None and suite_full_s is not None
        raw_s = min(raw_encode_batch(pair, texts) for _ in range(max(1, args.repeat)))
        show("raw_encode_batch_s", raw_s)
        show("suite_over_raw_floor", suite_s / raw_s)
        show("suite_over_raw_floor_full_sweeps", suite_full_s / raw_s)
        return
    show_encoding_cache(pair, texts)
    if args.only_encoding_cache:
        return
    runs: dict[str, list[float]] = {"sweep": [], "raw": [], "loop": [], "encode_only": []}
    for _ in range(max(1, args.repeat)):
        sweep_s, strings = time_sweeps(pair, sample=1.0)
        runs["sweep"].append(sweep_s)
        runs["raw"].append(raw_encode_batch(pair, texts))
        runs["loop"].append(per_string_loop(pair, texts, decode=True))
        runs["encode_only"].append(per_string_loop(pair, texts, decode=False))
    sweep_s, raw_s, loop_s, encode_only_s = (min(runs[key]) for key in ("sweep", "raw", "loop", "encode_only"))
    show("timing_repeats", len(runs["sweep"]))
    show("sweep_strings", strings)
    show("sweep_s", sweep_s)
    show("raw_encode_batch_s", raw_s)
    show("sweep_over_raw_encode_batch", sweep_s / raw_s)
    show("per_string_loop_s", loop_s)
    show("per_string_loop_over_sweep", loop_s / sweep_s)
    show("per_string_loop_over_raw_encode_batch", loop_s / raw_s)  # the ceiling of the figure above
    show("per_string_encode_only_loop_s", encode_only_s)
    show("per_string_encode_only_loop_over_sweep", encode_only_s / sweep_s)

    bare_rate, property_rate = time_property(pair, examples=args.examples)
    show("transcripts_per_s_bare", bare_rate)
    show("transcripts_per_s_property", property_rate)
    show("property_rate_over_bare_hypothesis", property_rate / bare_rate)

    class_views_s, comparison_s, added = time_class_views(repeat=max(3, args.repeat))
    show("class_views_added", added)
    show("class_views_s", class_views_s)
    show("class_views_over_comparison", class_views_s / comparison_s)
    if suite_s is not None and suite_full_s is not None:
        show("suite_over_raw_floor", suite_s / raw_s)
        show("suite_over_raw_floor_full_sweeps", suite_full_s / raw_s)
        show_many_checkpoints()
    gguf_figures(args.repeat)


def gguf_figures(repeat: int) -> None:
    """gguf_tokenizer_read_s (Llama-3 vocab) against GGUFReader in the same run, and the >4 GB diff."""
    import tempfile

    from benchmarks.gguf_figures import gguf_read_times, large_diff, llamacpp_view_cpu, write_sparse_gguf
    from tokcheck.sources.gguf import llamacpp_runtime
    from tokcheck.zoo.gguf import llamacpp

    if llamacpp.unavailable():
        show("gguf_figures", f"skipped: {llamacpp.unavailable()}")
        return
    ours, theirs = gguf_read_times(repeat)
    show("gguf_tokenizer_read_s", ours)
    show("gguf_reader_read_s", theirs)
    show("gguf_reader_over_tokcheck_reader", theirs / ours)
    with tempfile.TemporaryDirectory() as work:
        big = write_sparse_gguf(Path(work) / "big.gguf")
        show("gguf_big_file_gib", big.stat().st_size / 2**30)
        for base in ("zoo:llama3-gguf", "zoo:llama3"):
            wall, rss, rc, cpu = large_diff(big, base)
            name = f"gguf_big_diff_vs_{base.split(':')[1].replace('-', '_')}"
            show(f"{name}_s", wall)
            show(f"{name}_cpu_s", cpu)
            show(f"{name}_peak_rss_mib", rss)
            show(f"{name}_exit", rc)
    if llamacpp_runtime.unavailable() is None:
        with_view, without = llamacpp_view_cpu("zoo:llama3", "zoo:llama3-gguf")
        show("gguf_quick_behaviour_cpu_s", without)
        show("gguf_llamacpp_view_adds_cpu_s", with_view - without)


def show_encoding_cache(pair: Any, texts: list[str]) -> None:
    times = time_base_encoding_cache(pair, texts)
    show("base_encoding_cache_strings", len(texts))
    show("base_encoding_cache_cold_s", times["cold_s"])
    show("base_encoding_cache_warm_s", times["warm_s"])
    show("base_encoding_cache_entry_mib", times["entry_mib"])
    show("base_encoding_cache_hit_over_encode", times["warm_s"] / times["cold_s"])


def show_many_checkpoints() -> None:
    times = time_many_checkpoints()
    show("many_checkpoints_one_run_s", times["one_run_s"])
    show("many_checkpoints_separate_runs_s", times["separate_runs_s"])
    show("many_checkpoints_over_separate_runs", times["one_run_s"] / times["separate_runs_s"])
    show("many_checkpoints_one_run_s_n2", times["one_run_n2_s"])
    show("many_checkpoints_speedup_n2", times["one_run_s"] / times["one_run_n2_s"])


if __name__ == "__main__":
    main()
