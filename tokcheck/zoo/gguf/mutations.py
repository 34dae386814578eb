"""GGUF drift mutants: a faithful conversion rewritten with gguf's GGUFWriter with one thing
changed, as `gguf-new-metadata` (which works the same way) or a broken export script would."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokcheck.zoo.gguf.convert import GGUF_NAME, convert

# name -> (value type, value, array item type); edited in place by a mutation.
Fields = dict[str, tuple[Any, Any, Any]]


def rewrite(directory: Path, edit: Callable[[Fields], None]) -> None:
    import gguf

    path = directory / GGUF_NAME
    reader = gguf.GGUFReader(path)
    fields: Fields = {}
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        kind = field.types[0]
        fields[field.name] = (kind, field.contents(), field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None)
    edit(fields)
    out = directory / f".{GGUF_NAME}.new"
    writer = gguf.GGUFWriter(out, arch=reader.fields["general.architecture"].contents())
    for name, (kind, value, item) in fields.items():
        writer.add_key_value(name, value, kind, sub_type=item)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    del reader  # its memory map, before the file is replaced
    os.replace(out, path)


def token_id(fields: Fields, token: str) -> int:
    return list(fields["tokenizer.ggml.tokens"][1]).index(token)


def set_special(role_key: str, token: str) -> Callable[[Path], None]:
    def edit(fields: Fields) -> None:
        import gguf  # here, not above: the catalog builds these at import, and gguf costs 0.5 s

        fields[role_key] = (gguf.GGUFValueType.UINT32, token_id(fields, token), None)
    return lambda directory: rewrite(directory, edit)


def drop_key(key: str) -> Callable[[Path], None]:
    def edit(fields: Fields) -> None:
        fields.pop(key, None)
    return lambda directory: rewrite(directory, edit)


def set_string(key: str, value: str) -> Callable[[Path], None]:
    def edit(fields: Fields) -> None:
        import gguf

        fields[key] = (gguf.GGUFValueType.STRING, value, None)
    return lambda directory: rewrite(directory, edit)


def set_bool(key: str, value: bool) -> Callable[[Path], None]:
    def edit(fields: Fields) -> None:
        import gguf

        fields[key] = (gguf.GGUFValueType.BOOL, value, None)
    return lambda directory: rewrite(directory, edit)


def retype(token: str, token_type: int) -> Callable[[Path], None]:
    def edit(fields: Fields) -> None:
        kind, types, item = fields["tokenizer.ggml.token_type"]
        types = list(types)
        types[token_id(fields, token)] = token_type
        fields["tokenizer.ggml.token_type"] = (kind, types, item)
    return lambda directory: rewrite(directory, edit)


def drop_last_token() -> Callable[[Path], None]:
    """An added token lost at export: the list (and its types and scores) one shorter."""
    def edit(fields: Fields) -> None:
        for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.scores"):
            if key in fields:
                kind, values, item = fields[key]
                fields[key] = (kind, list(values)[:-1], item)
    return lambda directory: rewrite(directory, edit)


def converted(config_edit: Callable[[dict[str, Any]], None] | None = None) -> Callable[[Path], None]:
    """Convert the HF copy in `directory` with llama.cpp's converter and keep only the GGUF;
    `config_edit` changes config.json first (e.g. the embedding resized)."""
    import json

    def make(directory: Path) -> None:
        if config_edit is not None:
            config_path = directory / "config.json"
            config = json.loads(config_path.read_text(encoding="utf-8"))
            config_edit(config)
            config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        work = directory / f".{GGUF_NAME}.partial"
        convert(directory, work)
        for entry in list(directory.iterdir()):
            if entry != work:
                if entry.is_dir():
                    import shutil
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        os.replace(work, directory / GGUF_NAME)
    return make
