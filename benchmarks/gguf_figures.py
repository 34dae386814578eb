"""GGUF figures: tokcheck's reader against gguf's GGUFReader on the Llama-3 vocabulary (zoo
llama3-gguf, made by llama.cpp's converter), interleaved in one run; and `tokcheck diff` on a
sparse GGUF over 4 GB (wall time, CPU time and peak RSS of the child process); and what the
llama.cpp behaviour view adds to the quick behaviour checks of the Llama-3 pair (CPU seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tokcheck.sources.spec import resolve

BIG_ROWS, BIG_WIDTH = 128256, 8448  # token_embd.weight, float32: 4.3 GB


def gguf_read_times(repeat: int) -> tuple[float, float]:
    """(tokcheck reader s, GGUFReader s + reading the tokens), each the fastest of `repeat`."""
    import gguf

    from tokcheck.sources.gguf.metadata import read_tokenizer

    path = resolve("zoo:llama3-gguf").path
    ours, theirs = [], []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        read_tokenizer(path, "llama3-gguf")
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        reader = gguf.GGUFReader(path)
        reader.fields["tokenizer.ggml.tokens"].contents()
        reader.fields["tokenizer.ggml.merges"].contents()
        theirs.append(time.perf_counter() - start)
    return min(ours), min(theirs)


def write_sparse_gguf(out: Path) -> Path:
    """The faithful llama3 conversion's metadata plus a token_embd.weight tensor of 4.3 GB whose data
    is a hole in a sparse file (nothing is written but the header)."""
    import gguf
    import numpy as np

    source = gguf.GGUFReader(resolve("zoo:llama3-gguf").path)
    writer = gguf.GGUFWriter(out, arch=source.fields["general.architecture"].contents())
    for field in source.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        kind = field.types[0]
        writer.add_key_value(field.name, field.contents(), kind,
                             sub_type=field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None)
    nbytes = BIG_ROWS * BIG_WIDTH * 4
    writer.add_tensor_info("token_embd.weight", (BIG_ROWS, BIG_WIDTH), np.dtype(np.float32), nbytes)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    with out.open("r+b") as handle:
        handle.truncate(out.stat().st_size + nbytes)
    return out


# The child's own peak RSS: /proc/self/status VmHWM, which starts afresh at exec. wait4's ru_maxrss
# would not do: Linux carries the forking parent's peak into the child at exec, and this process has
# read whole GGUFs by then.
DIFF_CHILD = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"peak_rss_kib={kib}\\n")
atexit.register(peak)
from tokcheck.cli import main
sys.exit(main(sys.argv[1:]))
"""


def large_diff(big: Path, base: str) -> tuple[float, float, int, float]:
    """(wall s, peak RSS MiB, exit code, CPU s) of `tokcheck diff BASE big.gguf` as a user runs it:
    a fresh child from interpreter start, BASE as given (a zoo: spec too). wait4 gives the child's
    CPU time (user+sys, less load-sensitive than the wall); the child reports its own peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", DIFF_CHILD, "diff", base, str(big)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ)
    assert child.stderr is not None
    errors = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = [int(line.split("=")[1]) for line in errors.splitlines() if line.startswith("peak_rss_kib=")]
    return wall, (peak[-1] / 1024 if peak else float("nan")), child.returncode, usage.ru_utime + usage.ru_stime


LLAMACPP_VIEW_RUN = """
import sys
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS, shards_of
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.gguf import llamacpp_runtime
if sys.argv[3] == "off":
    llamacpp_runtime.unavailable = lambda: "switched off"
settings = BehaviourSettings(profile="ci", examples=30, sweep_sample=0.05)  # --tokcheck-quick
run = BehaviourRun(CheckedSession(Settings(base=SpecSetting(sys.argv[1]), tuned=SpecSetting(sys.argv[2]))), settings)
for name in ("ids", "round_trip", "decode", "special_literals", "chat_render"):
    run.property_findings(name)
for name in SWEEPS:
    for shard in range(shards_of(name, settings.sweep_shards)):
        run.sweep_findings(name, shard)
"""


def llamacpp_view_cpu(base: str, tuned: str) -> tuple[float, float]:
    """CPU seconds (user+sys) of the quick behaviour checks of a pair in a fresh child, with the
    llama.cpp view and without it (llama_cpp switched off), one after the other in the same run."""
    found = []
    for mode in ("on", "off"):
        child = subprocess.Popen([sys.executable, "-c", LLAMACPP_VIEW_RUN, base, tuned, mode],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
        _, _, usage = os.wait4(child.pid, 0)
        found.append(usage.ru_utime + usage.ru_stime)
    return found[0], found[1]
