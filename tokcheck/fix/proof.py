"""The findings of a pair, as `tokcheck diff` computes them (the static checks, in process) plus the
model checks when a tuned model directory is given; run once on BASE/TUNED to plan the fix and
once on BASE/OUT to prove it. Then the summary: per file what changed and which finding each
change answers, `fixed N of M findings`, and each finding that remains with its reason."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tokcheck.checks.checked_session import CheckedSession
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, apply_accepted
from tokcheck.fix.plan import Plan, to_repair
from tokcheck.report.run_report import read_report
from tokcheck.session import Settings, SpecSetting


@dataclass
class Checked:
    session: CheckedSession
    findings: list[Finding]
    model_rows: int | None


def check_pair(base: str, tuned: str, accept: tuple[str, ...], strict: bool, tuned_model: Path | None,
               allow_download: bool = False) -> Checked:
    settings = Settings(base=SpecSetting(base, Path.cwd()), tuned=SpecSetting(tuned, Path.cwd()),
                        allow_download=allow_download, strict=strict, accept=accept)
    session = CheckedSession(settings)
    findings = [finding for check in session.static.values() for finding in check]
    rows = None
    if tuned_model is not None:
        from tokcheck.checks.model.inspection import ModelInspection, ModelPair  # numpy: only with a model
        from tokcheck.checks.model.weights import open_model

        models = ModelPair(tuned=open_model(str(tuned_model), Path.cwd()))
        base_side, tuned_side = session.pair()
        inspection = ModelInspection(models, tuned_side.snapshot, base_side.snapshot,
                                     live=(base_side.tokenizer, tuned_side.tokenizer))
        findings += [finding for check in inspection.findings.values() for finding in check]
        findings += inspection.stop_set + inspection.sampling
        rows = inspection.shape.input.rows if inspection.shape.input is not None else None
    return Checked(session, apply_accepted(findings, accept), rows)


def absolute_spec(spec: str) -> str:
    """A path spec made absolute (the suite runs in a directory of its own); zoo:NAME and hub ids as they are."""
    path = Path(spec).expanduser()
    return str(path.resolve()) if not spec.startswith("zoo:") and path.exists() else spec


def suite_findings(base: str, tuned: str, accept: tuple[str, ...], strict: bool, tuned_model: Path | None,
                   allow_download: bool) -> tuple[list[Finding], bool]:
    """--full: the default suite on BASE/OUT, as `pytest --base-tokenizer BASE --tuned OUT` runs it, in
    an empty directory (no project's tests or ini file) in a fresh interpreter; its findings come
    back through --tokcheck-report. Also whether pytest failed."""
    with tempfile.TemporaryDirectory(prefix="tokcheck-fix-full-") as work:
        report = Path(work) / "report.json"
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--base-tokenizer", absolute_spec(base),
                "--tuned", absolute_spec(tuned), "--tokcheck-report", str(report)]
        argv += [flag for pattern in accept for flag in ("--tokcheck-accept", pattern)]
        argv += ["--tokcheck-strict"] * strict + ["--tokcheck-allow-download"] * allow_download
        argv += ["--tuned-model", str(tuned_model.resolve())] if tuned_model is not None else []
        done = subprocess.run(argv, cwd=work, capture_output=True, text=True, check=False)
        if not report.is_file():
            last = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()[-1]
            raise TokcheckUsageError(f"--full: the suite did not run on the repaired copy: {last}")
        return read_report(report, str(report)).findings, done.returncode != 0


def _finding_key(finding: Finding, tuned: tuple[str, ...] = ()) -> tuple[str, str]:
    """A finding of TUNED and the same finding of OUT: a `where` that starts with a file's full path
    (the Modelfile's) is keyed by the file's name, which OUT keeps; one that starts with the tuned
    spec itself (a GGUF's, before and after: `tuned`) by no place at all."""
    place, colon, rest = finding.where.partition(": ")
    if place in tuned:
        return finding.code, "TUNED" + colon + rest
    return finding.code, (Path(place).name if "/" in place else place) + colon + rest


def summary(plan: Plan, after: list[Finding], strict: bool, tuned: tuple[str, ...] = ()) -> tuple[str, bool]:
    """The report of a written fix, and whether something that fails remains; `tuned`: the specs
    of TUNED and OUT where findings name them (a GGUF's)."""
    def _key(finding: Finding) -> tuple[str, str]:
        return _finding_key(finding, tuned)

    lines = []
    by_file: dict[str, list[str]] = {}
    for change in plan.files.log:
        by_file.setdefault(change.file, []).append(f"  {change.what}  [{', '.join(change.codes)}]")
    for name, changes in by_file.items():
        lines += [name, *changes]
    remaining = to_repair(after)
    still = {_key(finding) for finding in remaining}
    fixed = sum(1 for finding in plan.targets if _key(finding) not in still)
    lines.append(f"fixed {fixed} of {len(plan.targets)} findings")
    reasons = {_key(plan.targets[index]): reason for index, reason in plan.reasons.items()}
    for finding in remaining:
        reason = reasons.get(_key(finding)) or (
            "a new finding of the repaired copy" if _key(finding) not in {_key(f) for f in plan.targets}
            else "the repairs did not clear it")
        lines.append(f"remains: {finding.severity.value} {finding.code}: {finding.message}")
        lines.append(f"  why: {reason}")
    return "\n".join(lines), any(finding.fails(strict) for finding in remaining)
