"""`tokcheck fix` for a GGUF TUNED: each `gguf.*` finding -> the metadata key to restore to what
base has (a base GGUF's own value, or what llama.cpp's converter writes for a Hugging Face base:
tokcheck.checks.static.gguf_pair.as_gguf), then OUT/<same name>.gguf written the way gguf-py's
`gguf-new-metadata` writes it (llama.cpp gguf-py/gguf/scripts/gguf_new_metadata.py, the copy in
llama-cpp-python 0.3.36's vendor/llama.cpp, commit 0c1e5709: copy_with_new_metadata): every key
packed by gguf's GGUFWriter, the edited ones changed, the alignment kept, the tensor index and data
copied unchanged (byte for byte here, where the script re-writes them through GGUFReader's views). Needs the gguf package (the `tokcheck[gguf]` extra), as reading a GGUF does.

What no metadata edit can repair stays, with its reason: tokens beyond base (the GGUF's token list
is the model's vocabulary, one embedding row each: most likely an intended resize, so --accept),
an embedding that does not fit, another tokenizer model, a base the converter would refuse."""

from __future__ import annotations

import dataclasses
import difflib
import struct
from pathlib import Path
from typing import Any

from tokcheck.findings import Finding
from tokcheck.fix.files import TunedFiles
from tokcheck.sources.gguf import import_gguf
from tokcheck.sources.gguf.approximate import effective_add_bos
from tokcheck.sources.gguf.llamacpp import end_of_generation_ids
from tokcheck.sources.gguf.metadata import SPECIAL_ID_KEYS, TEMPLATE_KEY, TOKEN_TYPE_NAMES, GGUFTokenizer
from tokcheck.sources.gguf.reader import ARRAY, BOOL, FLOAT32, INT32, STRING, UINT32, read_gguf

TOKENS, TYPES, SCORES, MERGES = ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.scores",
                                 "tokenizer.ggml.merges")
PRE, ADD_BOS, ADD_EOS = "tokenizer.ggml.pre", "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token"
RECONVERT = "re-convert from the (repaired) HF checkpoint: python convert_hf_to_gguf.py MODEL_DIR (llama.cpp)"
NOT_BY_METADATA = {
    "gguf.tokens-vs-embedding": "the token list does not fit token_embd.weight: the tensor is not rewritten; " + RECONVERT,
    "gguf.model-changed": "another tokenizer model: its tokens, types and merges all differ; " + RECONVERT,
    "gguf.conversion-note": "about the HF base itself, not the GGUF: " + RECONVERT,
    "gguf.pre-not-recognized": "llama.cpp's converter does not recognise the HF base's pre-tokenizer: no GGUF value is "
                               "right; restore the HF tokenizer, then " + RECONVERT,
}
# (value type, value, array item type), as GGUFWriter.add_key_value takes them; None: the key removed.
Edit = tuple[int, Any, int | None] | None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class GGUFRepairs:
    """The metadata edits for one GGUF; `files` keeps only the log (what changed, for which codes)."""

    def __init__(self, base: GGUFTokenizer, tuned: GGUFTokenizer, name: str, files: TunedFiles,
                 value_types: dict[str, tuple[int, int | None]]) -> None:
        self.base, self.tuned, self.name, self.files = base, tuned, name, files
        self.value_types = value_types  # tuned's own key types, kept where a key is edited
        self.edits: dict[str, Edit] = {}

    def _set(self, key: str, kind: int, value: Any, code: str, what: str, item: int | None = None) -> None:
        kind, item = self.value_types.get(key, (kind, item))
        self.edits[key] = (kind, value, item)
        self.files.record(self.name, what, code)

    def _remove(self, key: str, code: str, what: str) -> None:
        self.edits[key] = None
        self.files.record(self.name, what, code)

    def current(self, key: str, fallback: Any) -> Any:
        edit = self.edits.get(key, ...)
        return fallback if edit is ... else None if edit is None else edit[1]

    def repair(self, finding: Finding) -> str | None:
        code = finding.code
        if not code.startswith("gguf."):
            return f"no automatic repair for {code} in a GGUF: fix the HF checkpoint, then " + RECONVERT
        if code in NOT_BY_METADATA:
            return NOT_BY_METADATA[code]
        role = code[len("gguf."):-len("-changed")] if code.endswith("-changed") else ""
        if role in SPECIAL_ID_KEYS:
            return self._special_id(role, code)
        handler = {
            "gguf.stop-not-end-of-generation": self._stop, "gguf.stop-token-not-control": self._types,
            "gguf.token-type-changed": self._types, "gguf.pre-changed": self._pre, "gguf.merges-changed": self._merges,
            "gguf.add-bos-changed": self._add_bos, "gguf.double-bos": self._add_bos,
            "gguf.add-eos-changed": self._add_eos, "gguf.token-count": self._tokens, "gguf.token-changed": self._tokens,
        }.get(code)
        if handler is not None:
            return handler(finding)
        if code.startswith("gguf.template-"):
            return self._template(finding)
        return f"no automatic repair for {code}"

    def _named(self, gguf: GGUFTokenizer, token_id: int | None) -> str:
        return f"{token_id} {gguf.token(token_id)!r}" if token_id is not None else "unset"

    def _special_id(self, role: str, code: str) -> str | None:
        key, expected = SPECIAL_ID_KEYS[role], self.base.special_ids[role]
        actual = self.tuned.special_ids[role]
        if expected is None:
            self._remove(key, code, f"{key} removed (base has none; tuned had {self._named(self.tuned, actual)})")
        else:
            self._set(key, UINT32, expected, code,
                      f"{key} restored to base's {self._named(self.base, expected)} (tuned had {self._named(self.tuned, actual)})")
        return None

    def _stop(self, finding: Finding) -> str | None:
        """A stop id llama.cpp would not stop at: unless the special ids restored already make it
        end-of-generation, it becomes the eot (gguf-new-metadata --special-token eot)."""
        token_id = finding.base
        if not isinstance(token_id, int):
            return "the finding names no token id"
        ids = {role: self.current(key, self.tuned.special_ids[role]) for role, key in SPECIAL_ID_KEYS.items()}
        edited = dataclasses.replace(self.tuned, special_ids=ids)
        if token_id in end_of_generation_ids(edited):
            return None
        if ids["eot"] is not None:
            return (f"the GGUF's eot_token_id is {self._named(self.tuned, ids['eot'])} already, and llama.cpp takes one: "
                    "set eos or eom to it with gguf-new-metadata --special-token, or " + RECONVERT)
        self._set(SPECIAL_ID_KEYS["eot"], UINT32, token_id, finding.code,
                  f"{SPECIAL_ID_KEYS['eot']} set to {self._named(self.base, token_id)}, a stop id of base (tuned had it unset)")
        return None

    def _types(self, finding: Finding) -> str | None:
        if self.base.token_types is None or self.tuned.token_types is None:
            return "one side has no token types"
        types = list(self.current(TYPES, self.tuned.token_types))
        changed = [i for i in range(min(len(types), len(self.base.token_types))) if types[i] != self.base.token_types[i]]
        for index in changed:
            types[index] = self.base.token_types[index]
        if changed:
            shown = ", ".join(f"{i} {self.tuned.token(i)!r} {TOKEN_TYPE_NAMES.get(self.tuned.token_types[i])} -> "
                              f"{TOKEN_TYPE_NAMES.get(types[i])}" for i in changed[:5])
            self._set(TYPES, ARRAY, types, finding.code,
                      f"{TYPES}: {len(changed)} type(s) restored to base's ({shown}{', ...' if len(changed) > 5 else ''})",
                      INT32)
        else:
            self.files.record(self.name, f"{TYPES}: restored to base's", finding.code)
        return None

    def _pre(self, finding: Finding) -> str | None:
        self._set(PRE, STRING, self.base.pre, finding.code, f"{PRE} restored to base's {self.base.pre!r} (tuned had {self.tuned.pre!r})")
        return None

    def _merges(self, finding: Finding) -> str | None:
        if self.base.merges is None:
            return "base has no merges to restore"
        self._set(MERGES, ARRAY, list(self.base.merges), finding.code,
                  f"{MERGES} restored to base's {len(self.base.merges)} merges (tuned had {len(self.tuned.merges or [])})",
                  STRING)
        return None

    def _add_bos(self, finding: Finding) -> str | None:
        expected = effective_add_bos(self.base)
        self._set(ADD_BOS, BOOL, expected, finding.code,
                  f"{ADD_BOS} restored to {expected} (what base adds; tuned had {self.tuned.add_bos})")
        return None

    def _add_eos(self, finding: Finding) -> str | None:
        expected = bool(self.base.add_eos)
        self._set(ADD_EOS, BOOL, expected, finding.code, f"{ADD_EOS} restored to {expected} (tuned had {self.tuned.add_eos})")
        return None

    def _template(self, finding: Finding) -> str | None:
        key = finding.where.rpartition(": ")[2]
        name = "default" if key == TEMPLATE_KEY else key[len(TEMPLATE_KEY) + 1:]
        expected = self.base.chat_templates.get(name)
        if expected is None:
            self._remove(key, finding.code, f"{key} removed (base has no {name!r} template)")
        else:
            state = "added back" if name not in self.tuned.chat_templates else "restored to base's"
            self._set(key, STRING, expected, finding.code, f"{key} {state} ({len(expected)} characters)")
        return None

    def _tokens(self, finding: Finding) -> str | None:
        base, tuned = self.base, self.tuned
        beyond = len(tuned.tokens) - len(base.tokens)
        if beyond > 0:
            shown = ", ".join(repr(t) for t in tuned.tokens[len(base.tokens):][:3])
            return (f"the GGUF has {beyond} token(s) beyond base ({shown}{', ...' if beyond > 3 else ''}): a GGUF's token "
                    "list is the model's vocabulary, one embedding row each, so the model was resized for them and it is "
                    f"most likely intended; if so, pass --accept {finding.code}")
        if tuned.embedding_rows is not None and tuned.embedding_rows != len(base.tokens):
            return NOT_BY_METADATA["gguf.tokens-vs-embedding"]
        if tuned.scores is not None and base.scores is None and beyond < 0:
            return "the scores of the missing tokens are not known from base: " + RECONVERT
        changed = [i for i in range(len(base.tokens)) if i >= len(tuned.tokens) or tuned.tokens[i] != base.tokens[i]]
        self._set(TOKENS, ARRAY, list(base.tokens), finding.code,
                  f"{TOKENS}: {len(changed)} token(s) restored to base's "
                  f"({', '.join(f'{i}: {tuned.token(i)!r} -> {base.tokens[i]!r}' for i in changed[:3])}"
                  f"{', ...' if len(changed) > 3 else ''})", STRING)
        if base.token_types is not None and len(self.current(TYPES, tuned.token_types or [])) != len(base.tokens):
            types = list(self.current(TYPES, tuned.token_types or []))[:len(base.tokens)]
            types += base.token_types[len(types):]
            self._set(TYPES, ARRAY, types, finding.code, f"{TYPES}: the restored tokens' types are base's", INT32)
        if tuned.scores is not None and len(tuned.scores) != len(base.tokens):
            scores = (list(base.scores) if base.scores is not None
                      else list(tuned.scores[:len(base.tokens)]))
            self._set(SCORES, ARRAY, scores, finding.code, f"{SCORES}: the restored tokens' scores are base's", FLOAT32)
        return None


def order(findings: list[Finding]) -> list[Finding]:
    """The stop-id findings last: a special id restored first may already make the stop end-of-generation."""
    return sorted(findings, key=lambda finding: finding.code == "gguf.stop-not-end-of-generation")


def edits_diff(repairs: GGUFRepairs, contents: dict[str, Any]) -> str:
    """--dry-run: each edited key as a unified diff of its value (an array by its changed items)."""
    chunks = []
    for key, edit in repairs.edits.items():
        before = contents.get(key)
        after = None if edit is None else edit[1]
        if isinstance(after, list) or isinstance(before, list):
            old, new = list(before if before is not None else []), list(after or [])
            lines_old = [f"[{i}] {old[i]!r}" for i in range(len(old)) if i >= len(new) or old[i] != new[i]]
            lines_new = [f"[{i}] {new[i]!r}" for i in range(len(new)) if i >= len(old) or old[i] != new[i]]
        else:
            lines_old = [] if before is None else [_shown(before) if key != TEMPLATE_KEY else str(before)]
            lines_new = [] if after is None else [_shown(after) if key != TEMPLATE_KEY else str(after)]
        chunks.append("".join(difflib.unified_diff([line + "\n" for line in lines_old], [line + "\n" for line in lines_new],
                                                   fromfile=f"a/{repairs.name} [{key}]", tofile=f"b/{repairs.name} [{key}]")))
    return "".join(chunks)


def _packable(value: Any) -> Any:
    """A value as GGUFWriter packs it: numpy arrays as lists, strings the reader kept with
    surrogateescape (raw token bytes) as their bytes."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return [_packable(item) for item in value]
    if isinstance(value, str):
        return value.encode("utf-8", errors="surrogateescape")
    return value


def write_gguf(source: Path, dest: Path, edits: dict[str, Edit], spec: str) -> None:
    """gguf-new-metadata's copy_with_new_metadata, with the tensors' bytes copied as they are: the
    header and every key (`edits` applied: changed, removed or added at the end) packed by gguf's
    GGUFWriter, then the tensor index and the tensor data copied byte for byte from `source` (a
    tensor's offset is relative to the data section, so neither changes; GGUFReader would take
    seconds to view a 150k-token vocabulary). Only `dest` is opened for writing."""
    import shutil

    gguf = import_gguf(spec)
    contents = read_gguf(source)
    packer = gguf.GGUFWriter(None, arch=str(contents.fields.get("general.architecture", "")))
    fields = {key: (kind, value, item) for key, value in contents.fields.items()
              for kind, item in [contents.field_types[key]]}
    for key, edit in edits.items():
        if edit is None:
            fields.pop(key, None)
        else:
            fields[key] = edit
    alignment = int(fields.get("general.alignment", (0, 32, None))[1])
    with source.open("rb") as original, dest.open("xb") as out:
        out.write(struct.pack("<4sIQQ", b"GGUF", contents.version, len(contents.tensor_shapes), len(fields)))
        for key, (kind, value, item) in fields.items():
            out.write(packer._pack_val(key, gguf.GGUFValueType.STRING, add_vtype=False))
            out.write(packer._pack_val(_packable(value), gguf.GGUFValueType(kind), add_vtype=True,
                                       sub_type=None if item is None else gguf.GGUFValueType(item)))
        original.seek(contents.index_start)
        out.write(original.read(contents.index_end - contents.index_start))
        if contents.tensor_shapes:
            out.write(b"\0" * (-out.tell() % alignment))
            original.seek(contents.index_end + (-contents.index_end % alignment))
            shutil.copyfileobj(original, out, 1 << 24)
