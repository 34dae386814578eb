"""`tokcheck fix BASE TUNED -o OUT`: check the pair, plan the repairs, write OUT (or, with
--dry-run, print the repairs as a diff), then check OUT against BASE and say what was fixed and
what remains. Exit codes as the CLI's: 0 nothing that fails remains, 1 findings remain, 2 bad input."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tokcheck import zoo
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.fix.files import SideFiles, TunedFiles
from tokcheck.fix.plan import Plan, build_plan, to_repair
from tokcheck.fix.proof import check_pair, summary
from tokcheck.fix.repairs import Repairs
from tokcheck.fix.writer import check_out, copy_or_link, dry_run_diff, write_out
from tokcheck.sources.spec import TokenizerSource, resolve

EXIT_CLEAN, EXIT_DRIFT = 0, 1
MODEL_APART = "model"  # where OUT keeps a --tuned-model directory that is not inside TUNED


def _model_directory(spec: str | None) -> Path | None:
    if spec is None:
        return None
    path = zoo.path_for(spec[4:]) if spec.startswith("zoo:") else Path(spec).expanduser()
    if not path.is_dir():
        raise TokcheckUsageError(f"{spec}: no such model directory")
    return path


def _files_of(directory: Path) -> dict[str, Path]:
    return {path.relative_to(directory).as_posix(): path for path in sorted(directory.rglob("*")) if path.is_file()}


def run_fix(args: argparse.Namespace, *, strict: bool, accept: tuple[str, ...], allow_download: bool) -> int:
    """`args`: the fix subcommand's own (base, tuned, output, tuned_model, dry_run); the shared options come apart."""
    base_source = resolve(args.base, relative_to=Path.cwd(), allow_download=allow_download)
    tuned_source = resolve(args.tuned, relative_to=Path.cwd(), allow_download=allow_download)
    if tuned_source.gguf_file is not None:
        return _run_gguf_fix(args, base_source, tuned_source, strict=strict, accept=accept, allow_download=allow_download)
    if base_source.gguf_file is not None:
        raise TokcheckUsageError(f"{args.base}: a GGUF BASE repairs only a GGUF TUNED; give the HF checkpoint it was "
                                 "converted from as BASE")
    model = _model_directory(args.tuned_model)
    out: Path = args.output
    check_out(out, [d for d in (base_source.directory, tuned_source.directory, model) if d is not None])

    sources = ({"tokenizer.json": tuned_source.bare_file} if tuned_source.bare_file is not None
               else _files_of(tuned_source.directory))
    prefix = ""
    if model is not None:
        inside = tuned_source.bare_file is None and tuned_source.directory.resolve() in model.resolve().parents
        prefix = (model.resolve().relative_to(tuned_source.directory.resolve()).as_posix() if inside else MODEL_APART) + "/"
        if not inside:
            sources.update({prefix + name: path for name, path in _files_of(model).items()})

    before = check_pair(args.base, args.tuned, accept, strict, model, allow_download)
    base_side, tuned_side = before.session.pair()
    files = TunedFiles(tuned_source.directory, model, prefix)
    repairs = Repairs(base_side.snapshot, tuned_side.snapshot, SideFiles(base_source.directory), files, prefix,
                      before.model_rows)
    plan = build_plan(before.findings, repairs, strict)
    if plan.nothing_to_fix:
        return _nothing_to_fix(args, before.findings)
    if args.dry_run:
        print(dry_run_diff(files), end="")
        print(f"(dry run: {len(files.log)} change(s) for {len(plan.targets)} finding(s); nothing written)")
        return EXIT_DRIFT if any(finding.fails(strict) for finding in plan.targets) else EXIT_CLEAN
    linked = write_out(out, sources, files)
    tuned_out = out / "tokenizer.json" if tuned_source.bare_file is not None else out
    after = check_pair(args.base, str(tuned_out), accept, strict, out / prefix if model is not None else None)
    return _prove(args.base, plan, after.findings, strict, tuned_out,
                  f" ({len(linked)} weight file(s) hard-linked)" if linked else "")


def _prove(base: str, plan: Plan, after: list[Finding], strict: bool, tuned_out: Path, note: str,
           tuned: tuple[str, ...] = ()) -> int:
    text, failing = summary(plan, after, strict, tuned)
    print(text)
    print(f"wrote {tuned_out}{note}; check it with: tokcheck diff {base} {tuned_out}")
    return EXIT_DRIFT if failing else EXIT_CLEAN


def _nothing_to_fix(args: argparse.Namespace, findings: list[Finding]) -> int:
    warnings = len(to_repair(findings))
    print(f"nothing to fix: nothing fails for {args.tuned} against {args.base}"
          + (f" ({warnings} warning(s); pass --strict to repair warnings too)" if warnings else "") + "; wrote nothing")
    return EXIT_CLEAN


def _run_gguf_fix(args: argparse.Namespace, base_source: TokenizerSource, tuned_source: TokenizerSource, *,
                  strict: bool, accept: tuple[str, ...], allow_download: bool) -> int:
    """A GGUF TUNED: its metadata repaired into OUT/<same name>.gguf (tokcheck.fix.gguf), the tensors copied."""
    from tokcheck.checks.static.gguf_pair import as_gguf
    from tokcheck.fix.gguf import GGUFRepairs, edits_diff, order, write_gguf
    from tokcheck.sources.gguf.reader import read_gguf

    gguf_file = tuned_source.gguf_file
    assert gguf_file is not None
    if args.tuned_model is not None:
        raise TokcheckUsageError("--tuned-model: a GGUF holds its own model; give TUNED.gguf alone")
    if re.search(r"-\d{5}-of-\d{5}\.gguf$", gguf_file.name):
        raise TokcheckUsageError(f"{args.tuned}: a split GGUF; merge it first (llama-gguf-split --merge), then fix the one file")
    out: Path = args.output
    check_out(out, [d for d in (base_source.directory, tuned_source.directory) if d is not None])
    before = check_pair(args.base, args.tuned, accept, strict, None, allow_download)
    base_side, tuned_side = before.session.pair()
    tuned_gguf = tuned_side.snapshot.gguf
    assert tuned_gguf is not None
    contents = read_gguf(gguf_file, tensors=False)
    repairs = GGUFRepairs(as_gguf(base_side, tuned_side), tuned_gguf, gguf_file.name, TunedFiles(gguf_file.parent),
                          contents.field_types)
    plan = build_plan(order(before.findings), repairs, strict)
    if plan.nothing_to_fix:
        return _nothing_to_fix(args, before.findings)
    if args.dry_run:
        print(edits_diff(repairs, contents.fields), end="")
        print(f"(dry run: {len(repairs.edits)} key(s) for {len(plan.targets)} finding(s); nothing written)")
        return EXIT_DRIFT if any(finding.fails(strict) for finding in plan.targets) else EXIT_CLEAN
    out.mkdir(parents=True, exist_ok=True)
    tuned_out = out / gguf_file.name
    if repairs.edits:
        write_gguf(gguf_file, tuned_out, repairs.edits, args.tuned)
    else:
        copy_or_link(gguf_file, tuned_out)
    after = check_pair(args.base, str(tuned_out), accept, strict, None)
    return _prove(args.base, plan, after.findings, strict, tuned_out, "", (args.tuned, str(tuned_out)))
