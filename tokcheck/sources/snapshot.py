"""Saved tokenizer files -> a plain-data snapshot, the same for transformers 4.x and 5.x layouts.

The snapshot holds what the files say (vocabulary, added tokens and their flags, special roles,
pipeline components, config keys, chat templates, special ids of config.json and
generation_config.json) with serialization details normalised away. It reads, never writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.gc_pause import gc_paused
from tokcheck.sources import canonical
from tokcheck.sources.beside import CodeFile, read_custom_code, read_processor, read_sentence_transformers
from tokcheck.sources.files import KNOWN_FILES, TEMPLATE_DIR, check_remote_code, read_object, read_text
from tokcheck.sources.gguf.as_snapshot import ORIGIN as GGUF_ORIGIN
from tokcheck.sources.gguf.as_snapshot import snapshot_fields as gguf_snapshot_fields
from tokcheck.sources.gguf.metadata import GGUFTokenizer, read_tokenizer
from tokcheck.sources.id_bounds import check_ids
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.shapes import check_shapes
from tokcheck.sources.spec import TokenizerSource
from tokcheck.sources.tokens import SPECIAL_ROLES, AddedToken, token_content

SAVED_BATCHING = ("truncation", "padding")
# Files whose bytes matter but which tokcheck does not parse: compared by digest.
DIGESTED_FILES = ("tokenizer.model", "spiece.model", "sentencepiece.bpe.model", "tekken.json", "vocab.txt", "merges.txt")
@dataclass(frozen=True)
class TemplateEntry:
    name: str
    text: str
    location: str  # the file (and key) it was read from


@dataclass
class TokenizerSnapshot:
    label: str
    bare: bool  # a bare tokenizer.json: no configs, templates or roles to compare
    files: tuple[str, ...]
    tokenizer_json_origin: str  # "tokenizer.json", or how it was derived when the file is absent
    model_type: str | None
    vocab: dict[str, int]
    merges: list[tuple[str, str]] | None
    merges_format: str | None
    unigram_scores: list[float] | None
    model_params: dict[str, Any]
    components: dict[str, Any]
    added_tokens: dict[int, AddedToken]
    config_added_tokens: dict[int, AddedToken]  # tokenizer_config.json added_tokens_decoder (v4 layout)
    has_tokenizer_config: bool
    tokenizer_config: dict[str, Any]
    special_tokens_map: dict[str, Any]
    special_roles: dict[str, str | None]
    extra_special_tokens: tuple[str, ...]
    named_extra_special_tokens: dict[str, str]
    chat_templates: dict[str, TemplateEntry]  # the effective ones, by name ("default", "tool_use", ...)
    template_places: dict[str, dict[str, str]]  # every place a template was found: location -> {name: text}
    model_config: dict[str, Any] | None
    generation_config: dict[str, Any] | None
    digests: dict[str, str] = field(default_factory=dict)
    gguf: GGUFTokenizer | None = None  # a .gguf source: its tokenizer metadata, as llama.cpp reads it
    # tokenizer.json's added_tokens (id and content) and post_processor as saved: what llama.cpp's
    # converter (gguf-py's SpecialVocab) reads of it besides the merges; empty without a tokenizer.json.
    saved_specials: dict[str, Any] = field(default_factory=dict)
    # tokenizer.json's truncation and padding (null, or the settings the tokenizers library, TEI and
    # sentence-transformers apply on every call); the canonical components leave them out.
    saved_batching: dict[str, Any] = field(default_factory=dict)
    # The sentence-transformers files by path (modules.json, each module's config.json, ...): empty
    # for a checkpoint that is not one (tokcheck.sources.beside).
    sentence_transformers: dict[str, Any] = field(default_factory=dict)
    # The .py files the auto_maps of tokenizer_config.json and config.json name, hashed, never imported.
    custom_code: dict[str, CodeFile] = field(default_factory=dict)
    # A multimodal processor's files by name (preprocessor_config.json, processor_config.json, ...):
    # empty for a text-only checkpoint (tokcheck.sources.beside.PROCESSOR_FILES).
    processor: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def id_to_token(self) -> dict[int, str]:
        mapping = {token_id: token for token, token_id in self.vocab.items()}
        mapping.update({token_id: added.content for token_id, added in self.added_tokens.items()})
        return mapping

    @cached_property
    def length(self) -> int:
        """One past the highest id: the number of embedding rows the tokenizer needs."""
        return max(self.id_to_token, default=-1) + 1

    def token_id(self, content: str | None) -> int | None:
        if content is None:
            return None
        for token_id, added in self.added_tokens.items():
            if added.content == content:
                return token_id
        return self.vocab.get(content)

    def config_stop_ids(self) -> StopIds | None:
        """The ids generation stops at, as the model's configs say: generation_config.json's
        eos_token_id (what generate() uses), else config.json's (text_config's for multimodal
        configs, from which transformers makes a generation config); None when neither says."""
        return config_stop_ids(self.generation_config, self.model_config)

    def stop_ids(self, eos_token_id: int | None = None) -> frozenset[int]:
        """The ids generation stops at: the configs' (config_stop_ids), else the eos token's id
        (`eos_token_id`, what the live tokenizer says, when given; else what the files say)."""
        found = self.config_stop_ids()
        if found is not None:
            return frozenset(found.ids)
        eos = eos_token_id if eos_token_id is not None else self.token_id(self.special_roles.get("eos_token"))
        return frozenset() if eos is None else frozenset({eos})


@dataclass(frozen=True)
class StopIds:
    ids: tuple[int, ...]
    where: str  # the file that says so


def config_stop_ids(generation_config: dict[str, Any] | None, model_config: dict[str, Any] | None) -> StopIds | None:
    """The stop ids two model configs say (see TokenizerSnapshot.config_stop_ids): the one rule,
    for a tokenizer directory's configs and a model directory's alike."""
    for name, config in (("generation_config.json", generation_config), ("config.json", model_config)):
        for scope in (config or {}, (config or {}).get("text_config")):
            if isinstance(scope, dict) and scope.get("eos_token_id") is not None:
                return StopIds(_ids(scope["eos_token_id"]), name)
    return None


def _ids(value: Any) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        try:
            found.append(int(item))
        except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity (the fuzzer's find)
            continue  # null or junk in a list of ids: not an id generation can stop at
    return tuple(found)


@gc_paused()
def take_snapshot(source: TokenizerSource, *, trust_remote_code: bool = False) -> TokenizerSnapshot:
    """Read a source's files into a snapshot; bad files raise TokcheckUsageError with one line."""
    if source.gguf_file is not None:
        return _gguf_snapshot(source)
    files = _present_files(source)
    config = _read_object(source, "tokenizer_config.json")
    check_remote_code(source.spec, config, trust_remote_code)
    special_map = _read_object(source, "special_tokens_map.json")
    tokenizer_json, origin = _tokenizer_json(source, files, trust_remote_code)
    model = tokenizer_json.get("model") or {}
    vocab, scores = _vocab(model)
    merges, merges_format = canonical.merges(model)
    config_added = _config_added_tokens(config)
    added = _added_tokens(tokenizer_json, config_added, _read_object(source, "added_tokens.json"))
    model_config = _read_object(source, "config.json") if "config.json" in files else None
    check_ids(source.spec, len(vocab), _declared_ids(vocab, added, config_added, model_config))
    extra, named_extra = _extra_special_tokens(config, special_map)
    templates, places = _chat_templates(source, config)
    return TokenizerSnapshot(
        label=source.spec,
        bare=source.bare_file is not None,
        files=files,
        tokenizer_json_origin=origin,
        model_type=canonical.model_type(model),
        vocab=vocab,
        merges=merges,
        merges_format=merges_format,
        unigram_scores=scores,
        model_params=canonical.model_params(model),
        components=canonical.components(tokenizer_json),
        added_tokens=added,
        config_added_tokens=config_added,
        has_tokenizer_config="tokenizer_config.json" in files or "special_tokens_map.json" in files,
        tokenizer_config=config,
        special_tokens_map=special_map,
        special_roles={role: _role_content(config, special_map, role) for role in SPECIAL_ROLES},
        extra_special_tokens=extra,
        named_extra_special_tokens=named_extra,
        chat_templates=templates,
        template_places=places,
        model_config=model_config,
        generation_config=(
            _read_object(source, "generation_config.json") if "generation_config.json" in files else None
        ),
        digests=_digests(source, files),
        saved_specials=_saved_specials(tokenizer_json) if origin == "tokenizer.json" else {},
        saved_batching={key: tokenizer_json.get(key) for key in SAVED_BATCHING} if origin == "tokenizer.json" else {},
        **_beside(source, config, model_config),
    )


def _beside(source: TokenizerSource, config: dict[str, Any], model_config: dict[str, Any] | None) -> dict[str, Any]:
    """The sentence-transformers files and auto_map code of a directory (a bare tokenizer.json has none)."""
    if source.bare_file is not None:
        return {}
    return {
        "sentence_transformers": read_sentence_transformers(source.directory, source.spec),
        "custom_code": read_custom_code(source.directory, {"tokenizer_config.json": config, "config.json": model_config}),
        "processor": read_processor(source.directory, source.spec),
    }


def _declared_ids(vocab: dict[str, int], added: dict[int, AddedToken], config_added: dict[int, AddedToken],
                  model_config: dict[str, Any] | None) -> Iterator[tuple[str, Iterable[Any]]]:
    yield "tokenizer.json vocab id", vocab.values()
    yield "an added token's id", added.keys()
    yield "tokenizer_config.json added_tokens_decoder id", config_added.keys()
    for config in (model_config or {}, (model_config or {}).get("text_config") or {}):
        if isinstance(config, dict):
            yield "config.json vocab_size", [config.get("vocab_size")]


def _saved_specials(tokenizer_json: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {key: tokenizer_json[key] for key in ("added_tokens", "post_processor") if key in tokenizer_json}
    if isinstance(found.get("added_tokens"), list):  # the flags are no part of what the converter reads
        found["added_tokens"] = [{"id": entry.get("id"), "content": entry.get("content")}
                                 for entry in found["added_tokens"] if isinstance(entry, dict)]
    return {"model": {}, **found}  # a file SpecialVocab reads as present (it tests the dict's truth)


def _gguf_snapshot(source: TokenizerSource) -> TokenizerSnapshot:
    assert source.gguf_file is not None
    gguf = read_tokenizer(source.gguf_file, source.spec)
    templates = {name: TemplateEntry(name, text, f"{GGUF_ORIGIN}: tokenizer.chat_template")
                 for name, text in gguf.chat_templates.items()}
    return TokenizerSnapshot(**gguf_snapshot_fields(gguf, source.gguf_file.name), chat_templates=templates,
                             template_places={"tokenizer.chat_template": gguf.chat_templates}, gguf=gguf)


def _present_files(source: TokenizerSource) -> tuple[str, ...]:
    present = [name for name in KNOWN_FILES if source.file(name) is not None]
    template_dir = source.directory / TEMPLATE_DIR
    if source.bare_file is None and template_dir.is_dir():
        present += [f"{TEMPLATE_DIR}/{path.name}" for path in sorted(template_dir.glob("*.jinja"))]
    return tuple(present)


def _read_object(source: TokenizerSource, name: str) -> dict[str, Any]:
    path = source.file(name)
    if path is None:
        return {}
    label = f"{source.spec}: {name}"
    data = read_object(path, label=label)
    check_shapes(name, data, label)
    return data


def _tokenizer_json(source: TokenizerSource, files: tuple[str, ...], trust_remote_code: bool) -> tuple[dict[str, Any], str]:
    if "tokenizer.json" in files:
        data = _read_object(source, "tokenizer.json")
        if not isinstance(data.get("model"), dict):
            raise TokcheckUsageError(f"{source.spec}: tokenizer.json has no \"model\" object; is it a tokenizer file?")
        return data, "tokenizer.json"
    # Only slow files (tokenizer.model, vocab.txt, vocab.json + merges.txt ...): let transformers
    # convert them the way it does at load time, and compare what it builds.
    tokenizer = load_tokenizer(source, trust_remote_code=trust_remote_code)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise TokcheckUsageError(
            f"{source.spec}: no tokenizer.json and transformers builds no fast tokenizer from "
            f"{', '.join(files)}; save it with a current transformers to get a tokenizer.json"
        )
    slow_files = ", ".join(name for name in files if name not in ("tokenizer_config.json", "config.json"))
    return json.loads(backend.to_str()), f"converted by transformers from {slow_files}"


def _vocab(model: dict[str, Any]) -> tuple[dict[str, int], list[float] | None]:
    raw = model.get("vocab")
    if isinstance(raw, dict):
        return dict(raw), None  # JSON keys are strings; the shape check made every value an id
    if isinstance(raw, list):  # Unigram: [[piece, score], ...], the id is the position
        return {str(entry[0]): index for index, entry in enumerate(raw)}, [float(entry[1]) for entry in raw]
    return {}, None


def _added_token(token_id: int, entry: dict[str, Any]) -> AddedToken:
    return AddedToken(
        id=int(token_id),
        content=str(entry.get("content", "")),
        special=bool(entry.get("special", False)),
        normalized=bool(entry.get("normalized", not entry.get("special", False))),
        lstrip=bool(entry.get("lstrip", False)),
        rstrip=bool(entry.get("rstrip", False)),
        single_word=bool(entry.get("single_word", False)),
    )


def _config_added_tokens(config: dict[str, Any]) -> dict[int, AddedToken]:
    decoder = config.get("added_tokens_decoder")
    if not isinstance(decoder, dict):
        return {}
    return {int(key): _added_token(int(key), value) for key, value in decoder.items() if isinstance(value, dict)}


def _added_tokens(
    tokenizer_json: dict[str, Any], config_added: dict[int, AddedToken], legacy_added: dict[str, Any]
) -> dict[int, AddedToken]:
    """tokenizer.json's added_tokens when present (what the fast tokenizer uses), else the
    tokenizer_config.json decoder, else the legacy added_tokens.json (content -> id, no flags)."""
    entries = tokenizer_json.get("added_tokens")
    if isinstance(entries, list) and entries:
        return {int(entry["id"]): _added_token(int(entry["id"]), entry) for entry in entries if "id" in entry}
    if config_added:
        return dict(config_added)
    return {int(token_id): AddedToken(id=int(token_id), content=str(content)) for content, token_id in legacy_added.items()}


def _role_content(config: dict[str, Any], special_map: dict[str, Any], role: str) -> str | None:
    if role in config:
        return token_content(config[role])
    return token_content(special_map.get(role))


def _extra_special_tokens(config: dict[str, Any], special_map: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The list v4 calls additional_special_tokens and v5 extra_special_tokens, and the named
    extra specials (a dict such as {"image_token": "<image>"}) that both majors may save."""
    listed: list[Any] | None = None
    named: dict[str, str] = {}
    for key in ("additional_special_tokens", "extra_special_tokens"):
        for saved in (config, special_map):
            value = saved.get(key)
            if isinstance(value, list) and listed is None:
                listed = value
            elif isinstance(value, dict) and value and not named:
                named = {str(name): token_content(token) or "" for name, token in value.items()}
    contents = tuple(content for content in (token_content(item) for item in listed or []) if content is not None)
    return contents, named


def _templates_from_value(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"default": value}
    if isinstance(value, list):  # the legacy named form: [{"name": ..., "template": ...}]
        return {str(item["name"]): str(item["template"]) for item in value if isinstance(item, dict) and "name" in item}
    if isinstance(value, dict):
        return {str(name): str(text) for name, text in value.items() if isinstance(text, str)}
    return {}


def _chat_templates(source: TokenizerSource, config: dict[str, Any]) -> tuple[dict[str, TemplateEntry], dict[str, dict[str, str]]]:
    """Every place a chat template can live, and the effective set: as transformers loads them,
    jinja files win over the tokenizer_config.json key; chat_template.json (a processor file)
    counts when nothing else has one."""
    places: dict[str, dict[str, str]] = {}
    jinja: dict[str, str] = {}
    default_file = source.file("chat_template.jinja")
    if default_file is not None:
        jinja["default"] = read_text(default_file, label=f"{source.spec}: chat_template.jinja")
        places["chat_template.jinja"] = {"default": jinja["default"]}
    template_dir = source.directory / TEMPLATE_DIR
    if source.bare_file is None and template_dir.is_dir():
        for path in sorted(template_dir.glob("*.jinja")):
            jinja[path.stem] = read_text(path, label=f"{source.spec}: {TEMPLATE_DIR}/{path.name}")
            places[f"{TEMPLATE_DIR}/{path.name}"] = {path.stem: jinja[path.stem]}
    in_config = _templates_from_value(config.get("chat_template"))
    if in_config:
        places["tokenizer_config.json: chat_template"] = in_config
    in_processor = _templates_from_value(_read_object(source, "chat_template.json").get("chat_template"))
    if in_processor:
        places["chat_template.json"] = in_processor
    for effective, location in (
        (jinja, None),
        (in_config, "tokenizer_config.json: chat_template"),
        (in_processor, "chat_template.json"),
    ):
        if effective:
            return {
                name: TemplateEntry(name, text, location or _jinja_location(name)) for name, text in effective.items()
            }, places
    return {}, places


def _jinja_location(name: str) -> str:
    return "chat_template.jinja" if name == "default" else f"{TEMPLATE_DIR}/{name}.jinja"


def _digests(source: TokenizerSource, files: tuple[str, ...]) -> dict[str, str]:
    digests = {}
    for name in DIGESTED_FILES:
        path = source.file(name)
        if name in files and path is not None:
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests
