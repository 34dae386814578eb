"""GGUF figures: tokcheck's reader against gguf's GGUFReader on the Llama-3 vocabulary (zoo
llama3-gguf, made by llama.cpp's converter), interleaved in one run; and `tokcheck diff` on a
sparse GGUF over 4 GB (wall time and peak RSS of the child process)."""

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


def large_diff(big: Path, base: str) -> tuple[float, float, int]:
    """(wall s, peak RSS MiB, exit code) of `tokcheck diff BASE big.gguf` in a fresh child, BASE
    given as its resolved path (a zoo: spec would add the zoo catalog's imports). The peak is the
    child's VmHWM, which exec resets (ru_maxrss would include this process's own peak)."""
    base_path = str(resolve(base).path)
    code = ("import time; t = time.perf_counter(); from tokcheck.cli import main; "
            f"rc = main(['diff', {base_path!r}, {str(big)!r}]); wall = time.perf_counter() - t; "
            "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]; "
            "print('FIGURES', wall, hwm, rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=False)
    line = next(line for line in result.stdout.splitlines() if line.startswith("FIGURES"))
    _, wall, rss_kib, rc = line.split()
    return float(wall), int(rss_kib) / 1024, int(rc)
