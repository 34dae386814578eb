"""The save-format check: files that appear or disappear, binary tokenizer files that change, and
serialization changes (merges as pairs) that break older readers without changing tokenization."""

from __future__ import annotations

from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "save_format"
_MODEL_FILES = ("config.json", "generation_config.json")
_DROPPED_EFFECT = {
    "tokenizer.json": (Severity.WARNING, "transformers then converts the slow files at load time, which can "
                       "give other ids than base's tokenizer.json"),
    "tokenizer.model": (Severity.WARNING, "slow tokenizers and llama.cpp's SentencePiece conversion read it"),
    "tekken.json": (Severity.WARNING, "mistral-common and vLLM's Mistral mode read it"),
}


def check_save_format(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings: list[Finding] = []
    if base.bare or tuned.bare:
        return findings
    for name in base.files:
        if name in tuned.files or name in _MODEL_FILES or name.endswith(".jinja"):
            continue  # templates and model configs have their own checks
        severity, effect = _DROPPED_EFFECT.get(
            name, (Severity.INFO, "transformers 5 no longer writes some legacy files")
        )
        findings.append(
            Finding(CHECK, "format.file-dropped", severity, f"tuned has no {name} (base has one); {effect}",
                    where=name, fix=f"copy {name} from base" if severity is not Severity.INFO else "")
        )
    for name in tuned.files:
        if name not in base.files and name not in _MODEL_FILES and not name.endswith(".jinja"):
            findings.append(
                Finding(CHECK, "format.file-added", Severity.INFO, f"tuned has {name}, base does not", where=name)
            )
    for name, digest in sorted(tuned.digests.items()):
        if name in base.digests and base.digests[name] != digest:
            findings.append(
                Finding(
                    CHECK,
                    "format.file-changed",
                    Severity.ERROR,
                    f"tuned's {name} differs from base's byte for byte; slow tokenizers and converters "
                    "(e.g. llama.cpp's) read it, so they tokenize differently from base",
                    where=name,
                    fix=f"copy {name} from base",
                )
            )
    if base.merges_format and tuned.merges_format and base.merges_format != tuned.merges_format:
        findings.append(
            Finding(
                CHECK,
                "format.merges-format",
                Severity.WARNING,
                f"merges are saved as {tuned.merges_format} in tuned but as {base.merges_format} in base; "
                "same merges, but tokenizers < 0.20 (and tools built on it) "
                + ("cannot read tuned's tokenizer.json" if tuned.merges_format == "pairs" else "read both"),
                where="tokenizer.json: model.merges",
                base=base.merges_format,
                tuned=tuned.merges_format,
                fix="re-save with the tokenizers version your consumers pin, if they are older than 0.20",
            )
        )
    if base.tokenizer_json_origin != tuned.tokenizer_json_origin:
        findings.append(
            Finding(CHECK, "format.pipeline-origin", Severity.INFO,
                    f"base's pipeline comes from {base.tokenizer_json_origin}, tuned's from "
                    f"{tuned.tokenizer_json_origin}")
        )
    return findings
