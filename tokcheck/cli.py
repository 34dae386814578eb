"""The `tokcheck` command: the static drift report without pytest, a saved JSON report rendered
again (`tokcheck report drift.json -o drift.html`), golden files, and the zoo. Its
flags for the settings pytest also has come from the plugin's option table.

Exit codes: 0 no failing drift, 1 drift, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tokcheck import zoo
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import apply_accepted
from tokcheck.plugin.options import (
    ACCEPT,
    ALLOW_DOWNLOAD,
    MODELFILE,
    REPORT,
    STRICT,
    TRUST_REMOTE_CODE,
    add_to_argparse,
)
from tokcheck.report.context import ReportContext, content_hash
from tokcheck.report.output import write_report
from tokcheck.report.run_report import RunReport, read_report
from tokcheck.report.terminal import render_terminal
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.spec import resolve
from tokcheck.zoo import training_runs

EXIT_CLEAN, EXIT_DRIFT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokcheck", description="Catch tokenizer drift between a base model and a tuned checkpoint."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    diff = commands.add_parser("diff", help="compare the saved tokenizer files of BASE and TUNED (static checks)")
    diff.add_argument("base", metavar="BASE", help="directory, tokenizer.json, hub id[@revision] or zoo:NAME")
    diff.add_argument("tuned", metavar="TUNED", help="the tuned tokenizer, same forms as BASE")
    add_to_argparse(diff, (REPORT, STRICT, TRUST_REMOTE_CODE, ALLOW_DOWNLOAD, ACCEPT, MODELFILE))

    fix = commands.add_parser("fix", help="write a repaired copy of TUNED into OUT, and check the copy against BASE")
    fix.add_argument("base", metavar="BASE", help="directory, tokenizer.json, hub id[@revision] or zoo:NAME")
    fix.add_argument("tuned", metavar="TUNED", help="the tuned checkpoint, same forms as BASE (never written)")
    fix.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                     help="a new (or empty) directory for the repaired copy")
    fix.add_argument("--tuned-model", metavar="DIR", help="the tuned model directory, when apart from TUNED")
    fix.add_argument("--dry-run", action="store_true", help="write nothing; print the repairs as a unified diff")
    fix.add_argument("--full", action="store_true", help="prove the copy with the default pytest suite (behaviour "
                     "checks included), not only the static checks")
    add_to_argparse(fix, (STRICT, TRUST_REMOTE_CODE, ALLOW_DOWNLOAD, ACCEPT))

    report = commands.add_parser("report", help="render a saved JSON report again: HTML, Markdown or JSON by -o's suffix")
    report.add_argument("saved", metavar="REPORT.json", type=Path, help="a report written with --tokcheck-report PATH.json")
    report.add_argument("-o", "--output", metavar="PATH", type=Path, required=True, action="append",
                        help="where to write it: .html (one self-contained page), .md or .json; repeatable")

    golden = commands.add_parser("golden", help="golden files: record a tokenizer's behaviour, or check it")
    golden_commands = golden.add_subparsers(dest="golden_command", required=True, metavar="GOLDEN_COMMAND")
    for name, text in (("record", "write SPEC's golden files into DIR"), ("check", "compare SPEC with DIR")):
        command = golden_commands.add_parser(name, help=text)
        command.add_argument("spec", metavar="SPEC")
        command.add_argument("directory", metavar="DIR", type=Path)
        if name == "record":
            command.add_argument("--family", action="store_true",
                                 help="write <kind>.transformersN.json, for behaviour only this major has")

    zoo = commands.add_parser("zoo", help="real tokenizers rebuilt offline, and drift mutants of them")
    zoo_commands = zoo.add_subparsers(dest="zoo_command", required=True, metavar="ZOO_COMMAND")
    zoo_commands.add_parser("list", help="list the zoo's tokenizers")
    build = zoo_commands.add_parser("build", help="build NAME into a new directory DIR")
    build.add_argument("name", metavar="NAME")
    build.add_argument("directory", metavar="DIR", type=Path)
    return parser


def run_diff(args: argparse.Namespace) -> int:
    strict = getattr(args, STRICT.dest)
    settings = Settings(
        base=SpecSetting(args.base, Path.cwd()),
        tuned=SpecSetting(args.tuned, Path.cwd()),
        trust_remote_code=getattr(args, TRUST_REMOTE_CODE.dest),
        allow_download=getattr(args, ALLOW_DOWNLOAD.dest),
        strict=strict,
        accept=tuple(getattr(args, ACCEPT.dest)),
        modelfile=SpecSetting(modelfile, Path.cwd()) if (modelfile := getattr(args, MODELFILE.dest)) else None,
    )
    session = CheckedSession(settings)
    findings = apply_accepted([finding for check in session.static.values() for finding in check], settings.accept)
    context = ReportContext(sides=session.describe_sides(), strict=strict,
                            hashes={side.name: content_hash(side.source, side.snapshot) for side in session.sides})
    report = RunReport(findings, context)
    print(render_terminal(report))
    for path in getattr(args, REPORT.dest):
        write_report(Path(path), report, label=f"{REPORT.cli} {path}")
    return EXIT_DRIFT if report.failing else EXIT_CLEAN


def run_report(args: argparse.Namespace) -> int:
    saved = read_report(args.saved, str(args.saved))
    for path in args.output:
        write_report(path, saved, label=f"-o {path}")
        print(f"wrote {path} ({len(saved.findings)} findings)")
    return EXIT_CLEAN


def run_golden(args: argparse.Namespace) -> int:
    from tokcheck.checks.golden import KINDS, GoldenFiles, family  # Hypothesis: only golden needs it

    source = resolve(args.spec, relative_to=Path.cwd())
    files = GoldenFiles(args.directory, {"tokenizer": source.directory}, label=str(args.directory))
    tokenizer = load_tokenizer(source)
    if args.golden_command == "record":
        for kind in KINDS:
            recorded = files.record(kind, tokenizer, args.spec, family_only=args.family)
            print(f"{kind}: no differences on {family()}" if recorded.entries is None
                  else f"wrote {recorded.path} ({recorded.entries} entries)")
        return EXIT_CLEAN
    findings = [finding for kind in KINDS for finding in files.compare(kind, tokenizer)]
    print(render_terminal(RunReport(findings, ReportContext(sides={"tokenizer": source.describe()}))))
    return EXIT_DRIFT if findings else EXIT_CLEAN


def run_zoo(args: argparse.Namespace) -> int:
    if args.zoo_command == "list":
        names = zoo.names()
        width = max(len(name) for name in names)
        for name in names:
            print(f"{name:<{width}}  {zoo.describe(name)}")
        for name, run in training_runs.RUNS.items():  # built with `zoo build NAME DIR` too
            print(f"{name:<{width}}  training run directory: {run.description} (against zoo:{run.base})")
        for name, tokenizer in training_runs.BASE_MODELS.items():
            print(f"{name:<{width}}  model directory: a tiny base model (hidden size 16) with zoo:{tokenizer}'s rows")
        return EXIT_CLEAN
    if args.directory.exists():
        raise TokcheckUsageError(f"{args.directory}: already exists; give a new directory")
    if args.name in training_runs.RUNS:
        built = training_runs.build_run(args.name, args.directory)
    elif args.name in training_runs.BASE_MODELS:
        built = training_runs.build_base_model(args.name, args.directory)
    else:
        built = zoo.build(args.name, args.directory)
    print(f"built zoo:{args.name} into {built}")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "diff":
            return run_diff(args)
        if args.command == "fix":
            from tokcheck.fix.command import run_fix  # loads only for `fix`

            return run_fix(args, strict=getattr(args, STRICT.dest), accept=tuple(getattr(args, ACCEPT.dest)),
                           allow_download=getattr(args, ALLOW_DOWNLOAD.dest))
        if args.command == "golden":
            return run_golden(args)
        if args.command == "report":
            return run_report(args)
        return run_zoo(args)
    except TokcheckUsageError as error:
        print(f"tokcheck: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
