"""The custom-code check (drift class 46): the .py files the auto_maps of tokenizer_config.json and
config.json point to (and the sibling files they import), base against tuned by sha256, with a
unified diff in the finding's detail. The files are read as text and parsed with `ast`, never
imported or run (tokcheck.sources.beside reads them).

A changed file is a warning naming it; an error when it defines apply_chat_template or a
tokenization method (LlamaFactory#4784, GLM-4#508: an export replaced tokenization_chatglm.py and
tool calls stopped working). A file tuned's auto_map names but tuned lacks is an error: transformers
cannot load it. A changed auto_map itself is the tokenizer_config check's (config.auto-map-changed)."""

from __future__ import annotations

import ast
import difflib

from tokcheck.findings import Finding, Severity
from tokcheck.sources.beside import CodeFile
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "custom_code"
# Methods through which a tokenizer class turns text or messages into ids and back
# (transformers' PreTrainedTokenizer / PreTrainedTokenizerBase hooks, and ChatGLM's own).
TOKENIZATION_METHODS = frozenset({
    "apply_chat_template", "build_chat_input", "build_single_message", "__call__",
    "tokenize", "_tokenize", "encode", "_encode_plus", "encode_plus", "_batch_encode_plus", "batch_encode_plus",
    "decode", "_decode", "batch_decode", "convert_tokens_to_string", "_convert_token_to_id",
    "_convert_id_to_token", "convert_tokens_to_ids", "convert_ids_to_tokens", "build_inputs_with_special_tokens",
    "get_prefix_tokens", "get_special_tokens_mask", "prepare_for_model", "_pad", "get_vocab",
})
DIFF_LINES = 400


def defined_methods(text: str) -> dict[str, str] | None:
    """Each function a file defines (class-qualified: "ChatGLMTokenizer.encode") with its syntax
    tree dumped, from the text alone; None when the file does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    found: dict[str, str] = {}

    def visit(node: ast.AST, owner: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[f"{owner}{child.name}"] = ast.dump(child)
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{owner}{child.name}.")

    visit(tree, "")
    return found


def _tokenization(methods: dict[str, str]) -> set[str]:
    return {name for name in methods if name.rpartition(".")[2] in TOKENIZATION_METHODS}


def unified_diff(before: str, after: str, name: str) -> str:
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), f"base/{name}", f"tuned/{name}", lineterm=""))
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"... {len(lines) - DIFF_LINES} more diff lines"]
    return "\n".join(lines)


def check_custom_code(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings = []
    for name, after in tuned.custom_code.items():
        before = base.custom_code.get(name)
        if not after.present:
            findings.append(_missing(after, before))
        elif before is not None and before.present and before.sha256 != after.sha256:
            findings.append(_changed(before, after))
    return findings


def _missing(after: CodeFile, before: CodeFile | None) -> Finding:
    return Finding(
        CHECK, "custom-code.file-missing", Severity.ERROR,
        f"{after.name} is missing from tuned, though {after.named_by} names it: transformers cannot load the "
        "custom class with trust_remote_code (nor vLLM or SGLang, which load it the same way)",
        where=after.name, base=before.sha256 if before else None,
        fix=f"copy {after.name} from base into tuned" if before and before.present else f"add {after.name} to tuned",
    )


def _changed(before: CodeFile, after: CodeFile) -> Finding:
    assert before.text is not None and after.text is not None
    old, new = defined_methods(before.text), defined_methods(after.text)
    detail = unified_diff(before.text, after.text, after.name)
    hashes = {"base": before.sha256, "tuned": after.sha256}
    if new is None:
        return Finding(
            CHECK, "custom-code.tokenization-changed", Severity.ERROR,
            f"{after.name} ({after.named_by}) differs from base's and is not valid Python: loading tuned with "
            "trust_remote_code fails", where=after.name, base=hashes["base"], tuned=hashes["tuned"],
            fix=f"copy {after.name} from base into tuned", detail=detail,
        )
    tokenization = sorted(_tokenization(new) | _tokenization(old or {}))
    if tokenization:
        changed = [name for name in tokenization if (old or {}).get(name) != new.get(name)]
        what = (f"changes {', '.join(changed)}" if changed else
                f"defines {', '.join(tokenization)} (unchanged themselves; other code they call changed)")
        return Finding(
            CHECK, "custom-code.tokenization-changed", Severity.ERROR,
            f"{after.name} ({after.named_by}) differs from base's and {what}: the custom tokenizer turns text, "
            "messages or tool calls into other ids",
            where=after.name, base=hashes["base"], tuned=hashes["tuned"],
            fix=f"copy {after.name} from base into tuned (the export replaced it)", detail=detail,
        )
    return Finding(
        CHECK, "custom-code.file-changed", Severity.WARNING,
        f"{after.name} ({after.named_by}) differs from base's (sha256 {before.sha256[:12] if before.sha256 else '?'} -> "
        f"{after.sha256[:12] if after.sha256 else '?'}); trust_remote_code runs tuned's",
        where=after.name, base=hashes["base"], tuned=hashes["tuned"],
        fix=f"copy {after.name} from base into tuned unless the change is intended", detail=detail,
    )
