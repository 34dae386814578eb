"""The `tokcheck` command: the static drift report without pytest, golden files, and the zoo.

Exit codes: 0 no failing drift, 1 drift, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tokcheck.errors import TokcheckUsageError

EXIT_CLEAN, EXIT_DRIFT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokcheck", description="Catch tokenizer drift between a base model and a tuned checkpoint."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    diff = commands.add_parser("diff", help="compare the saved tokenizer files of BASE and TUNED (static checks)")
    diff.add_argument("base", metavar="BASE", help="directory, tokenizer.json, hub id[@revision] or zoo:NAME")
    diff.add_argument("tuned", metavar="TUNED", help="the tuned tokenizer, same forms as BASE")
    diff.add_argument("--report", metavar="PATH", help="also write the report to PATH (JSON, or Markdown for .md)")
    diff.add_argument("--strict", action="store_true", help="warnings fail too")
    diff.add_argument("--trust-remote-code", action="store_true", help="allow tokenizers with custom code")
    diff.add_argument("--allow-download", action="store_true", help="download hub ids missing from the cache")
    diff.add_argument("--accept", metavar="CODE[:TEXT]", action="append", default=[],
                      help="accept intended drift matching CODE (wildcards) and TEXT; repeatable")

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
    from tokcheck.accept import apply_accepted
    from tokcheck.report import render_file, render_terminal
    from tokcheck.session import Settings, SpecSetting, TokcheckSession

    settings = Settings(
        base=SpecSetting(args.base, Path.cwd()),
        tuned=SpecSetting(args.tuned, Path.cwd()),
        trust_remote_code=args.trust_remote_code,
        allow_download=args.allow_download,
        strict=args.strict,
        accept=tuple(args.accept),
    )
    session = TokcheckSession(settings)
    findings = apply_accepted([finding for check in session.static.values() for finding in check], settings.accept)
    context = session.context()
    print(render_terminal(findings, context))
    if args.report:
        try:
            Path(args.report).write_text(render_file(args.report, findings, context), encoding="utf-8")
        except OSError as error:
            raise TokcheckUsageError(f"--report {args.report}: cannot write ({error.strerror})") from None
    return EXIT_DRIFT if any(finding.fails(args.strict) for finding in findings) else EXIT_CLEAN


def run_golden(args: argparse.Namespace) -> int:
    from tokcheck import golden
    from tokcheck.loading import load_tokenizer, resolve
    from tokcheck.report import ReportContext, render_terminal

    source = resolve(args.spec, relative_to=Path.cwd())
    if args.directory.resolve() == source.directory.resolve() or source.directory.resolve() in args.directory.resolve().parents:
        raise TokcheckUsageError(f"{args.directory}: inside the tokenizer's directory; tokcheck never writes there")
    tokenizer = load_tokenizer(source)
    findings = []
    for kind in golden.KINDS:
        actual = golden.record(tokenizer, kind)
        path = golden.path_for(args.directory, kind)
        if args.golden_command == "record":
            if args.family:  # only what this major does differently from the shared file
                actual = golden.family_differences(kind, golden.load(path), actual)
                path = golden.family_path(args.directory, kind)
                if not actual:
                    path.unlink(missing_ok=True)
                    print(f"{kind}: no differences on {golden.family()}")
                    continue
            golden.write(path, kind, args.spec, actual)
            print(f"wrote {path} ({len(actual)} entries)")
        else:
            if not path.exists():
                raise TokcheckUsageError(f"{path}: no golden file; record one with `tokcheck golden record`")
            findings += golden.compare(kind, golden.expected(args.directory, kind), actual, tokenizer, str(path))
    if args.golden_command == "check":
        print(render_terminal(findings, ReportContext(sides={"tokenizer": source.describe()})))
        return EXIT_DRIFT if findings else EXIT_CLEAN
    return EXIT_CLEAN


def run_zoo(args: argparse.Namespace) -> int:
    from tokcheck import zoo

    if args.zoo_command == "list":
        names = zoo.names()
        width = max(len(name) for name in names)
        for name in names:
            print(f"{name:<{width}}  {zoo.describe(name)}")
        return EXIT_CLEAN
    if args.directory.exists():
        raise TokcheckUsageError(f"{args.directory}: already exists; give a new directory")
    built = zoo.build(args.name, args.directory)
    print(f"built zoo:{args.name} into {built}")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "diff":
            return run_diff(args)
        if args.command == "golden":
            return run_golden(args)
        return run_zoo(args)
    except TokcheckUsageError as error:
        print(f"tokcheck: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
