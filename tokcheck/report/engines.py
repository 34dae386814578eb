"""The engines table: one row per serving engine, one column per thing an engine takes from the
checkpoint (its tokens, stop set, sampling defaults, chat template, BOS, parser markers), each
cell ✓ or ✗ with the findings behind it. Derived from the findings alone, so a report read back
from its JSON draws the same table.

A finding names the engines it affects in evidence["engines"] where they differ (a stop id only
some engines stop at, a sampling key only some apply); otherwise it affects every engine that
reads its column (the parser markers: the engines with reasoning and tool-call parsers). Ollama
serves a GGUF with its Modelfile: the ollama check's findings are its row, and of the others only
the tokens reach it (the GGUF carries them)."""

from __future__ import annotations

from dataclasses import dataclass

from tokcheck.checks.engines.stop_sets import STOP_RULES
from tokcheck.findings import Finding, Severity

OLLAMA = "Ollama"
ENGINES: tuple[str, ...] = (*STOP_RULES, OLLAMA)
COLUMNS: tuple[str, ...] = ("tokens", "stop set", "sampling", "template", "BOS", "parser markers")
PARSER_ENGINES = ("vLLM", "SGLang")
_TOKEN_CHECKS = {"vocabulary", "special_roles", "added_token_flags", "normalizer", "pre_tokenizer", "model",
                 "decoder", "model_rows"}
_STOP_CODES = {"model-config.eos-not-a-stop", "model-config.end-of-turn-not-a-stop", "gguf.stop-not-end-of-generation"}


_OLLAMA_COLUMNS = {"ollama.no-stop": "stop set", "ollama.stop-extra": "stop set",
                   "ollama.stop-missing-turn-end": "stop set", "ollama.sampling-differs": "sampling",
                   "ollama.num-ctx-below-context": "sampling", "ollama.num-ctx-beyond-context": "sampling"}


def column_of(finding: Finding) -> str | None:
    """The column a finding belongs to, or None for what no engine reads differently (save format,
    loader keys, golden files)."""
    code, check = finding.code, finding.check
    if check == "ollama":
        return _OLLAMA_COLUMNS.get(code, "template")
    if code.startswith("parser."):
        return "parser markers"
    if code.startswith("sampling."):
        return "sampling"
    if code.startswith("model-config.stop") or code in _STOP_CODES:
        return "stop set"
    if "bos" in code or "bos" in finding.where.lower() or check == "post_processor":
        return "BOS"
    if check == "chat_template" or code.startswith("template."):
        return "template"
    if check in _TOKEN_CHECKS or check.startswith(("behaviour.", "sweep.")):
        return "tokens"
    return None


def engines_of(finding: Finding, column: str) -> tuple[str, ...]:
    if finding.check == "ollama":
        return (OLLAMA,)
    named = (finding.evidence or {}).get("engines")
    if isinstance(named, list):
        return tuple(engine for engine in ENGINES if engine in named)
    if column == "parser markers":
        return PARSER_ENGINES
    return ENGINES if column == "tokens" else tuple(STOP_RULES)


@dataclass(frozen=True)
class EngineTable:
    cells: dict[tuple[str, str], list[Finding]]  # (engine, column) -> its errors and warnings

    def findings(self, engine: str, column: str) -> list[Finding]:
        return self.cells.get((engine, column), [])

    def mark(self, engine: str, column: str) -> str:
        return "✗" if self.findings(engine, column) else "✓"

    @property
    def rows(self) -> list[list[str]]:
        return [[engine, *(self.mark(engine, column) for column in COLUMNS)] for engine in ENGINES]


def engine_table(findings: list[Finding]) -> EngineTable:
    cells: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        column = column_of(finding)
        if column is None or finding.severity is Severity.INFO:
            continue
        for engine in engines_of(finding, column):
            cells.setdefault((engine, column), []).append(finding)
    return EngineTable(cells)


def engine_lines(findings: list[Finding]) -> list[str]:
    """The terminal report's part: the table, then each ✗ column's finding codes."""
    table = engine_table(findings)
    header = ["engine", *COLUMNS]
    rows = table.rows
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["", "ENGINES (✗: an error or warning changes what this engine does)"]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    for column in COLUMNS:
        codes = sorted({finding.code for engine in ENGINES for finding in table.findings(engine, column)})
        if codes:
            lines.append(f"  {column}: {', '.join(codes)}")
    return lines


def engine_markdown(findings: list[Finding]) -> list[str]:
    table = engine_table(findings)
    lines = ["### Engines", "", "| engine | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for engine in ENGINES:
        cells = []
        for column in COLUMNS:
            found = table.findings(engine, column)
            cells.append("✗ " + ", ".join(sorted({f"`{finding.code}`" for finding in found})) if found else "✓")
        lines.append(f"| {engine} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def engine_data(findings: list[Finding]) -> dict[str, dict[str, list[str]]]:
    """The JSON report's part: engine -> column -> the codes of its findings (empty: ✓)."""
    table = engine_table(findings)
    return {engine: {column: [finding.code for finding in table.findings(engine, column)] for column in COLUMNS}
            for engine in ENGINES}
