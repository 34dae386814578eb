"""tokcheck's performance figures on the Llama-3 demo pair (zoo llama3 vs llama3-eom), every ratio
measured in this one run against its baseline. Prints one ``name: value`` line per figure.

    python benchmarks/run.py            # everything (about eight minutes: the suite twice, timings twice)
    python benchmarks/run.py --no-suite # only the in-process figures

Figures: sweep_over_raw_encode_batch (all sweeps over raw ``Tokenizer.encode_batch`` of the same
strings on both tokenizers; target <= 1.5), per_string_loop_over_sweep (llama.cpp's
test-tokenizer-random method over the same strings: per string, encode with both tokenizers and
decode those ids with both; target >= 5; the encode-only loop is printed too),
property_rate_over_bare_hypothesis (transcripts per second the chat property checks over what the
same Hypothesis strategy generates with no check; target >= 0.75), suite_wall_s, suite_wall_s_n2
and suite_peak_rss_mib (the whole default built-in suite, without and with -n 2);
gguf_tokenizer_read_s and gguf_reader_read_s (benchmarks/gguf_figures.py), and the >4 GB GGUF diff.
Never used for timed assertions in tests."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.helpers import (
    BASE,
    TUNED,
    comparison,
    peak_rss_mib,
    per_string_loop,
    raw_encode_batch,
    sweep_texts,
    time_property,
    time_suite,
    time_sweeps,
)


def show(name: str, value: float | int | str) -> None:
    print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-suite", action="store_true", help="skip the three whole-suite figures")
    parser.add_argument("--examples", type=int, default=500, help="Hypothesis examples for the property rate")
    parser.add_argument("--repeat", type=int, default=2,
                        help="time the sweeps, the raw baseline and the loops this many times, interleaved, and keep "
                             "each one's fastest (a shared machine's noise only ever adds time)")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

    show("pair", f"zoo:{BASE} vs zoo:{TUNED}")
    if not args.no_suite:
        # First, while this process is small: a child's peak memory includes what it was forked from.
        show("suite_wall_s", time_suite(workers=0))
        show("suite_peak_rss_mib", peak_rss_mib())
        show("suite_wall_s_n2", time_suite(workers=2))
    pair = comparison()

    texts = sweep_texts(pair, sample=1.0)
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
    gguf_figures(args.repeat)


def gguf_figures(repeat: int) -> None:
    """gguf_tokenizer_read_s (Llama-3 vocab) against GGUFReader in the same run, and the >4 GB diff."""
    import tempfile

    from benchmarks.gguf_figures import gguf_read_times, large_diff, write_sparse_gguf
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
            wall, rss, rc = large_diff(big, base)
            show(f"gguf_big_diff_vs_{base.split(':')[1].replace('-', '_')}_s", wall)
            show(f"gguf_big_diff_vs_{base.split(':')[1].replace('-', '_')}_peak_rss_mib", rss)
            show(f"gguf_big_diff_vs_{base.split(':')[1].replace('-', '_')}_exit", rc)



if __name__ == "__main__":
    main()
