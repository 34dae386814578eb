"""Drift mutations made by hand from real zoo tokenizers into a temporary directory, for the
behaviour checks' own tests (the zoo's mutant catalog is another part's). Each function edits a
copy of a zoo base in place; MUTANTS maps a name to (zoo base, edit)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokcheck import zoo


def _edit(path: Path, change: Callable[[Any], Any], *, indent: int | None = 2) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    replaced = change(data)
    path.write_text(json.dumps(data if replaced is None else replaced, ensure_ascii=False, indent=indent), encoding="utf-8")


def copy_of(base: str, dest: Path) -> Path:
    shutil.copytree(zoo.path_for(base), dest)
    return dest


def reorder_merges(d: Path) -> None:
    """One merge from the middle of the list moved to the end (for Llama 3: "Ġin" + "ode"), the
    subtlest reorder: BPE applies merges by rank, and only a few words change."""

    def change(j: dict[str, Any]) -> None:
        merges = j["model"]["merges"]
        merges.append(merges.pop(len(merges) // 3))

    _edit(d / "tokenizer.json", change)


def normalizer_nfkc(d: Path) -> None:
    _edit(d / "tokenizer.json", lambda j: j.__setitem__("normalizer", {"type": "NFKC"}))


def lstrip_eot(d: Path, token: str = "<|eot_id|>") -> None:
    def change(j: dict[str, Any]) -> None:
        next(t for t in j["added_tokens"] if t["content"] == token)["lstrip"] = True

    _edit(d / "tokenizer.json", change)


def prepend_always(d: Path) -> None:
    def change(j: dict[str, Any]) -> None:
        j["pre_tokenizer"]["prepend_scheme"] = "always"

    _edit(d / "tokenizer.json", change)


def byte_fallback_off(d: Path) -> None:
    _edit(d / "tokenizer.json", lambda j: j["model"].__setitem__("byte_fallback", False))


def ignore_merges_flipped(d: Path) -> None:
    _edit(d / "tokenizer.json", lambda j: j["model"].__setitem__("ignore_merges", not j["model"]["ignore_merges"]))


def tool_role_template(d: Path) -> None:
    """Llama 3.1's template, changed only where it renders tool results (ipython -> tool header),
    wherever the installed transformers saved it (chat_template.jinja, or tokenizer_config.json)."""
    old = '{{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}'
    new = '{{- "<|start_header_id|>tool<|end_header_id|>\\n\\n" }}'
    path = d / "chat_template.jinja"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        assert old in text, "the Llama 3.1 template changed: update this mutation"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return

    def change(config: dict[str, Any]) -> None:
        assert old in config["chat_template"], "the Llama 3.1 template changed: update this mutation"
        config["chat_template"] = config["chat_template"].replace(old, new)

    _edit(d / "tokenizer_config.json", change)


def eom_added(d: Path) -> None:
    """LLaMA-Factory's drift on Llama 3.0: <|eom_id|> appended as a special token (id 128256)."""

    def change(j: dict[str, Any]) -> None:
        next_id = max(t["id"] for t in j["added_tokens"]) + 1
        j["added_tokens"].append({"id": next_id, "content": "<|eom_id|>", "single_word": False, "lstrip": False,
                                  "rstrip": False, "normalized": False, "special": True})

    _edit(d / "tokenizer.json", change)


def no_bos_post_processor(d: Path) -> None:
    """Llama 3's post-processor without its BOS template (add_bos_token lost): class 14."""

    def change(j: dict[str, Any]) -> None:
        j["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}

    _edit(d / "tokenizer.json", change)


def stop_set_shrunk(d: Path) -> None:
    """generation_config eos_token_id [128001, 128009] -> 128001: <|eot_id|> no longer stops (class 8)."""
    _edit(d / "generation_config.json", lambda g: g.__setitem__("eos_token_id", 128001))


def padding_left_with_pad(d: Path) -> None:
    """Loader kwargs saved back: padding_side left and pad = eos (classes 4 and 29)."""

    def change(c: dict[str, Any]) -> None:
        c["padding_side"] = "left"
        c["pad_token"] = "<|eot_id|>"

    _edit(d / "tokenizer_config.json", change)


def header_not_special(d: Path) -> None:
    """<|start_header_id|> registered as a normal added token: it no longer vanishes with
    skip_special_tokens (class 3; transformers keeps role tokens such as eos special anyway)."""

    def change(j: dict[str, Any]) -> None:
        next(t for t in j["added_tokens"] if t["content"] == "<|start_header_id|>")["special"] = False

    _edit(d / "tokenizer.json", change)


# --- benign: must pass ------------------------------------------------------------------------


def json_reserialized(d: Path) -> None:
    for name in ("tokenizer.json", "tokenizer_config.json"):
        _edit(d / name, lambda j: None, indent=None)


def merges_as_strings(d: Path) -> None:
    def change(j: dict[str, Any]) -> None:
        j["model"]["merges"] = [m if isinstance(m, str) else " ".join(m) for m in j["model"]["merges"]]

    _edit(d / "tokenizer.json", change)


def resaved_by_transformers(d: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(d))
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        (d / name).unlink(missing_ok=True)
    tokenizer.save_pretrained(str(d))


# The seven: the behaviour checks alone (-m behaviour) must catch each.
MUTANTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "merges_reordered": ("llama3", reorder_merges),
    "normalizer_nfkc": ("qwen2", normalizer_nfkc),
    "lstrip_special": ("llama3", lstrip_eot),
    "metaspace_prepend_always": ("mistral-v3", prepend_always),
    "byte_fallback_off": ("mistral-v3", byte_fallback_off),
    "ignore_merges_flipped": ("llama3", ignore_merges_flipped),
    "tool_role_template": ("llama3.1", tool_role_template),
}
# Drift that one named property is there to catch (beyond the seven), two tuned directories
# with several independent changes each, so that the tests load fewer tokenizers.
def config_drift(d: Path) -> None:
    stop_set_shrunk(d)
    padding_left_with_pad(d)
    header_not_special(d)


def bos_and_eom(d: Path) -> None:
    no_bos_post_processor(d)
    eom_added(d)


PROPERTY_MUTANTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "config_drift": ("llama3", config_drift),
    "bos_and_eom": ("llama3", bos_and_eom),
}
BENIGN: dict[str, tuple[str, Callable[[Path], None]]] = {
    "identical": ("llama3", lambda d: None),
    "json_reserialized": ("llama3", json_reserialized),
    "merges_as_strings": ("qwen2", merges_as_strings),
    "resaved_by_transformers": ("llama3.1", resaved_by_transformers),
}


def build(name: str, dest: Path) -> tuple[str, Path]:
    """Make mutant or benign variant `name` in `dest`; returns (zoo base name, directory)."""
    base, edit = {**MUTANTS, **PROPERTY_MUTANTS, **BENIGN}[name]
    copy_of(base, dest)
    edit(dest)
    return base, dest


if __name__ == "__main__":  # python -m tests.behaviour.mutants NAME DIR: make one variant by hand
    import sys

    base_name, tuned_dir = build(sys.argv[1], Path(sys.argv[2]))
    print(f"--base-tokenizer zoo:{base_name} --tuned {tuned_dir}")
