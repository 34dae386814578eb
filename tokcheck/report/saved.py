"""Reading a saved JSON report back (a CI artifact, say) so that it can be rendered again in any
format: its findings, header and outcomes as they were recorded, and the checkpoints of a
multi-checkpoint run when it has them. A file that is not a tokcheck JSON report is one usage line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.report.context import ReportContext
from tokcheck.report.html import Checkpoint


@dataclass
class SavedReport:
    findings: list[Finding]
    context: ReportContext
    outcome: dict[str, Any] = field(default_factory=dict)
    checkpoints: list[Checkpoint] = field(default_factory=list)


def _findings(items: Any, label: str) -> list[Finding]:
    try:
        return [Finding.from_dict(item) for item in items]
    except (TypeError, ValueError, KeyError) as error:
        raise TokcheckUsageError(f"{label}: a finding in it is not one tokcheck wrote ({error})") from None


def read_saved(path: Path, label: str) -> SavedReport:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TokcheckUsageError(f"{label}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TokcheckUsageError(f"{label}: not a JSON file ({error})") from None
    if not isinstance(data, dict) or data.get("tokcheck_report") != 1 or not isinstance(data.get("findings"), list):
        raise TokcheckUsageError(f"{label}: not a tokcheck JSON report (write one with --tokcheck-report PATH.json)")
    context = ReportContext(sides=dict(data.get("sides") or {}), settings=dict(data.get("settings") or {}),
                            strict=bool(data.get("strict")), hashes=dict(data.get("hashes") or {}),
                            recorded_versions=dict(data.get("versions") or {}))
    checkpoints = [Checkpoint(str(item.get("name", f"checkpoint {number}")), _findings(item.get("findings", []), label))
                   for number, item in enumerate(data.get("checkpoints") or [])]
    return SavedReport(_findings(data["findings"], label), context, dict(data.get("outcome") or {}), checkpoints)
