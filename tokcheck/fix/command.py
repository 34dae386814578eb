"""`tokcheck fix BASE TUNED -o OUT`: check the pair, plan the repairs, write OUT (or, with
--dry-run, print the repairs as a diff), then check OUT against BASE and say what was fixed and
what remains. Exit codes as the CLI's: 0 nothing that fails remains, 1 findings remain, 2 bad input."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from tokcheck import zoo
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.fix.files import SideFiles, TunedFiles
from tokcheck.fix.plan import Plan, build_plan, to_repair
from tokcheck.fix.proof import absolute_spec, check_pair, suite_findings, summary
from tokcheck.fix.repairs import Repairs
from tokcheck.fix.writer import WEIGHTS, check_out, copy_or_link, dry_run_diff, write_out
from tokcheck.sources.checkpoints import checkpoint_folders, has_tokenizer_files
from tokcheck.sources.spec import TokenizerSource, resolve

EXIT_CLEAN, EXIT_DRIFT = 0, 1
EXIT_NOTHING = -1  # a checkpoint of a run with nothing to fix: the run copies it as it is
MODEL_APART = "model"  # where OUT keeps a --tuned-model directory that is not inside TUNED


def _model_directory(spec: str | None) -> Path | None:
    if spec is None:
        return None
    path = zoo.path_for(spec[4:]) if spec.startswith("zoo:") else Path(spec).expanduser()
    if not path.is_dir():
        raise TokcheckUsageError(f"{spec}: no such model directory")
    return path


def _files_of(directory: Path, left_out: tuple[str, ...] = ()) -> dict[str, Path]:
    files = {path.relative_to(directory).as_posix(): path for path in sorted(directory.rglob("*")) if path.is_file()}
    return {name: path for name, path in files.items() if name.split("/", 1)[0] not in left_out}


def _run_fix_training_run(args: argparse.Namespace, run: Path, *, strict: bool, accept: tuple[str, ...],
                          allow_download: bool) -> int:
    """A training output directory (docs/training-runs.md): each checkpoint-N folder, then the run's
    own final save, fixed into OUT under the same layout; a checkpoint with nothing to fix (or no
    tokenizer files of its own) is copied as it is, weights hard-linked. Exit 1 when any keeps a finding."""
    if args.tuned_model is not None:
        raise TokcheckUsageError("--tuned-model: a training run's checkpoints each hold their own model; give the run alone")
    base_source = resolve(args.base, relative_to=Path.cwd(), allow_download=allow_download)
    out: Path = args.output
    check_out(out, [base_source.directory, run])
    folders = checkpoint_folders(run)
    names = tuple(folder.name for folder in folders)
    parts = [(folder.name, folder) for folder in folders] + ([(".", run)] if has_tokenizer_files(run) else [])
    worst = EXIT_CLEAN
    for name, folder in parts:
        shown = run.name if name == "." else name
        target = out if name == "." else out / name
        print(f"== {shown}")
        if not has_tokenizer_files(folder):
            print(f"no tokenizer files of its own: {'copied as it is' if not args.dry_run else 'nothing to fix'}")
            if not args.dry_run:
                _copy_as_is(_files_of(folder), target)
            continue
        spec = str(folder)
        one = argparse.Namespace(**{**vars(args), "tuned": spec, "output": target})
        code = _fix_checkpoint(one, base_source, resolve(spec, relative_to=Path.cwd()), None, strict=strict,
                               accept=accept, allow_download=allow_download, left_out=names if name == "." else (),
                               in_run=True)
        if code == EXIT_NOTHING:
            code = EXIT_CLEAN
            if not args.dry_run:
                _copy_as_is(_files_of(folder, names if name == "." else ()), target)
        worst = max(worst, code)
    return worst


def _copy_as_is(files: dict[str, Path], target: Path) -> None:
    for name, path in files.items():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(WEIGHTS):
            copy_or_link(path, dest)
        else:
            shutil.copyfile(path, dest)


def run_fix(args: argparse.Namespace, *, strict: bool, accept: tuple[str, ...], allow_download: bool) -> int:
    """`args`: the fix subcommand's own (base, tuned, output, tuned_model, dry_run); the shared options come apart."""
    run = Path(args.tuned).expanduser()
    if not args.tuned.startswith("zoo:") and checkpoint_folders(run):
        return _run_fix_training_run(args, run, strict=strict, accept=accept, allow_download=allow_download)
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
    return _fix_checkpoint(args, base_source, tuned_source, model, strict=strict, accept=accept,
                           allow_download=allow_download)


def _fix_checkpoint(args: argparse.Namespace, base_source: TokenizerSource, tuned_source: TokenizerSource,
                    model: Path | None, *, strict: bool, accept: tuple[str, ...], allow_download: bool,
                    left_out: tuple[str, ...] = (), in_run: bool = False) -> int:
    """One checkpoint directory (or bare tokenizer.json) into args.output; `left_out`: its
    subfolders that are not part of it (a run's checkpoint-N folders, beside its final save)."""
    out: Path = args.output
    sources = ({"tokenizer.json": tuned_source.bare_file} if tuned_source.bare_file is not None
               else _files_of(tuned_source.directory, left_out))
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
        _nothing_to_fix(args, before.findings, "copied as it is" if in_run and not args.dry_run else "wrote nothing")
        return EXIT_NOTHING if in_run else EXIT_CLEAN
    if args.dry_run:
        print(dry_run_diff(files), end="")
        print(f"(dry run: {len(files.log)} change(s) for {len(plan.targets)} finding(s); nothing written)")
        return EXIT_DRIFT if any(finding.fails(strict) for finding in plan.targets) else EXIT_CLEAN
    linked = write_out(out, sources, files)
    tuned_out = out / "tokenizer.json" if tuned_source.bare_file is not None else out
    after = _after(args, str(tuned_out), accept, strict, out / prefix if model is not None else None)
    return _prove(args.base, plan, after, strict, tuned_out, f" ({len(linked)} weight file(s) hard-linked)" if linked else "")


def _after(args: argparse.Namespace, tuned_out: str, accept: tuple[str, ...], strict: bool, model: Path | None) -> list[Finding]:
    """OUT's findings against BASE: the static checks in process, or with --full the default suite."""
    if not getattr(args, "full", False):
        return check_pair(args.base, tuned_out, accept, strict, model).findings
    findings, suite_failed = suite_findings(args.base, tuned_out, accept, strict, model, False)
    if suite_failed and not any(finding.fails(strict) for finding in findings):
        print(f"the default suite failed on the copy without a finding: run pytest --base-tokenizer {args.base} "
              f"--tuned {tuned_out} to see why")
        return [*findings, Finding("suite", "fix.suite-failed", Severity.ERROR, "the default suite failed on the copy",
                                   where=tuned_out)]
    return findings


def _prove(base: str, plan: Plan, after: list[Finding], strict: bool, tuned_out: Path, note: str,
           tuned: tuple[str, ...] = ()) -> int:
    text, failing = summary(plan, after, strict, tuned)
    print(text)
    print(f"wrote {tuned_out}{note}; check it with: tokcheck diff {base} {tuned_out}")
    return EXIT_DRIFT if failing else EXIT_CLEAN


def _nothing_to_fix(args: argparse.Namespace, findings: list[Finding], done: str = "wrote nothing") -> int:
    warnings = len(to_repair(findings))
    print(f"nothing to fix: nothing fails for {args.tuned} against {args.base}"
          + (f" ({warnings} warning(s); pass --strict to repair warnings too)" if warnings else "") + f"; {done}")
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
    after = _after(args, str(tuned_out), accept, strict, None)
    return _prove(args.base, plan, after, strict, tuned_out, "", (args.tuned, str(tuned_out), absolute_spec(str(tuned_out))))
