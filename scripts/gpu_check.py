"""One-shot GPU check for a lent GPU machine: runs every `gpu` test of tokcheck's suite and prints a
summary. Installs nothing; it says what is missing (torch, CUDA, peft) instead.

    python scripts/gpu_check.py                       # demo checkpoints built here (tiny Llama, zoo:llama3)
    python scripts/gpu_check.py --base-tokenizer B --tuned T [--tuned-model M] [--base-model BM]

Exit status: 0 when every case ran on CUDA and came out as expected, 1 when one did not, 2 when
nothing could run on a GPU (no torch or no CUDA).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GPU_SUITE = ROOT / "tokcheck" / "suite" / "test_gpu.py"


@dataclass
class Case:
    name: str
    args: list[str]
    expect_failure: bool = False  # a broken checkpoint the gpu tests must fail on


def environment() -> list[str]:
    lines = [f"python {sys.version.split()[0]}"]
    if importlib.util.find_spec("torch") is None:
        return [*lines, "torch: not installed"]
    import torch

    lines.append(f"torch {torch.__version__} (CUDA build {torch.version.cuda or 'none'})")
    if torch.cuda.is_available():
        lines += [f"cuda:{index} {torch.cuda.get_device_name(index)}" for index in range(torch.cuda.device_count())]
    else:
        lines.append("CUDA: not available")
    for package in ("transformers", "peft"):
        lines.append(f"{package}: {'installed' if importlib.util.find_spec(package) else 'not installed'}")
    return lines


def demo_cases(workdir: Path) -> list[Case]:
    """Tiny Llama checkpoints with the zoo's Llama-3 tokenizer and its <|eom_id|> drift."""
    from tests.checks.model import builders
    from tokcheck import zoo

    llama3 = zoo.path_for("llama3")
    eom = builders.add_eom_like_llamafactory(llama3, workdir / "eom-tokenizer")
    trained = builders.llama_tensors(builders.LLAMA3_VOCAB)
    grown = builders.resize(trained, builders.LLAMA3_VOCAB + 1, init="mean")
    tied = builders.resize(builders.llama_tensors(builders.LLAMA3_VOCAB, tied=True), builders.LLAMA3_VOCAB + 1, init="mean")
    base = builders.checkpoint(workdir / "base", llama3, trained)
    nan = {name: value.copy() for name, value in grown.items()}
    nan["model.embed_tokens.weight"][128009] = float("nan")
    made = {
        "resized-untied": builders.checkpoint(workdir / "resized-untied", eom, grown),
        "resized-tied": builders.checkpoint(workdir / "resized-tied", eom, tied, tied=True),
        "resized-bf16-sharded": builders.checkpoint(workdir / "bf16", eom, grown, bf16=True, shards=3),
        "unresized (must fail)": builders.checkpoint(workdir / "unresized", eom, trained),
        "nan row (must fail)": builders.checkpoint(workdir / "nan", eom, nan),
    }
    return [
        Case(name, ["--base-tokenizer", str(base), "--tuned", str(path)], expect_failure="must fail" in name)
        for name, path in made.items()
    ]


def run_case(case: Case, workdir: Path) -> dict[str, object]:
    report = workdir / f"report-{abs(hash(case.name))}.json"
    command = [sys.executable, "-m", "pytest", str(GPU_SUITE), *case.args, "-m", "gpu", "-p", "no:cacheprovider", "-rA", "-q",
               "--tokcheck-report", str(report)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    data = json.loads(report.read_text()) if report.is_file() else {}
    skips = sorted({line.split(": ", 1)[-1] for line in done.stdout.splitlines() if line.startswith("SKIPPED")})
    return {"returncode": done.returncode, "outcome": data.get("outcome", {}), "findings": data.get("findings", []),
            "skips": skips, "seconds": time.monotonic() - started, "output": done.stdout + done.stderr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in ("--base-tokenizer", "--tuned", "--tuned-model", "--base-model"):
        parser.add_argument(flag)
    parser.add_argument("--verbose", action="store_true", help="print each pytest run's output")
    options = parser.parse_args(argv)
    print("tokcheck gpu check")
    for line in environment():
        print(f"  {line}")
    with tempfile.TemporaryDirectory(prefix="tokcheck-gpu-") as temporary:
        workdir = Path(temporary)
        if options.tuned:
            args = [f"--{key.replace('_', '-')}={value}" for key, value in vars(options).items()
                    if value and key != "verbose"]
            cases = [Case("given pair", args)]
        else:
            cases = demo_cases(workdir)
        ran_on_gpu, all_as_expected = False, True
        for case in cases:
            result = run_case(case, workdir)
            outcome = result["outcome"] if isinstance(result["outcome"], dict) else {}
            failed = bool(outcome.get("failed")) or result["returncode"] not in (0, 1)
            ran = bool(outcome.get("passed")) or bool(outcome.get("failed"))
            ran_on_gpu |= ran
            expected = ran and failed == case.expect_failure
            all_as_expected &= expected or not ran
            counts = ", ".join(f"{count} {name}" for name, count in sorted(outcome.items())) or f"exit {result['returncode']}"
            verdict = "as expected" if expected else ("NOT RUN" if not ran else "UNEXPECTED")
            print(f"\n[{verdict}] {case.name}: {counts} ({result['seconds']:.1f}s)")
            for skip in result["skips"]:  # type: ignore[attr-defined]
                print(f"    skipped: {skip}")
            for finding in result["findings"]:  # type: ignore[attr-defined]
                print(f"    {finding['severity']} [{finding['check']}] {finding['message'][:300]}")
            if options.verbose or (not ran and not result["skips"]):
                print(result["output"])
    if not ran_on_gpu:
        print("\nnothing ran on a GPU (see the skip reasons above)")
        return 2
    print("\nall cases as expected" if all_as_expected else "\nsome cases were not as expected")
    return 0 if all_as_expected else 1


if __name__ == "__main__":
    sys.exit(main())
