"""Consumer views for model-specific tokenizer classes: beside AutoTokenizer, the class
tokenizer_config.json names (when not generic) and the class transformers maps config.json's
model_type to, each built on both sides. Such a class can read keys AutoTokenizer's class ignores
(transformers 5's LlamaTokenizer rebuilds its pre-tokenizer from `legacy` and `add_prefix_space`),
so code that names the class gets other ids. A view is kept only where the built pipelines of base
and tuned differ in a way no view already checked shows: identical views cost no sweep."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tokcheck.checks.behaviour.batch_codecs import BatchCodec
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.checks.behaviour.views import View
from tokcheck.environment import import_transformers
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side
from tokcheck.sources.canonical import COMPONENTS, components
from tokcheck.sources.tokens import flag_values

# Class names that load tokenizer.json as it is: no view of their own beyond AutoTokenizer's.
GENERIC_CLASSES = frozenset({"PreTrainedTokenizerFast", "PreTrainedTokenizer", "TokenizersBackend", "PythonBackend"})
# tokenizer_config.json keys that some classes read and others ignore (named in a view's note).
CLASS_KEYS = (
    "legacy",
    "add_prefix_space",
    "add_bos_token",
    "add_eos_token",
    "from_slow",
    "spaces_between_special_tokens",
    "clean_up_tokenization_spaces",
    "sp_model_kwargs",
    "split_special_tokens",
)
# Tokenizer attributes that change encoding or decoding outside the backend pipeline.
_ATTRIBUTES = ("add_bos_token", "add_eos_token", "legacy", "add_prefix_space", "clean_up_tokenization_spaces",
               "spaces_between_special_tokens", "split_special_tokens")
_MODEL_FLAGS = ("byte_fallback", "ignore_merges", "unk_token", "fuse_unk", "dropout")
# A side's model directory as the class views read it: its label ("tuned model ./out") and config.json.
ModelConfig = tuple[str, dict[str, Any]] | None


@dataclass(frozen=True)
class ClassChoice:
    """A tokenizer class a consumer may build, and what names it; `sentencepiece`: its slow class,
    built from tokenizer.model."""

    name: str
    origin: str  # "named by tokenizer_class", "config.json model_type 'qwen2'"
    sentencepiece: bool = False

    @property
    def label(self) -> str:
        return f"{self.name.removesuffix('Fast')} from tokenizer.model (sentencepiece)" if self.sentencepiece else self.name


def model_type_class(model_type: str) -> str | None:
    """The class transformers maps a config.json model_type to (None: none, or a generic one)."""
    try:
        from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES
    except ImportError:  # a transformers without the auto mapping: no class to add
        return None
    found = TOKENIZER_MAPPING_NAMES.get(model_type)
    if isinstance(found, (tuple, list)):  # transformers 4: (slow, fast)
        found = found[1] or found[0]
    return str(found) if found else None


def class_choices(sides: Sequence[Side], model_configs: Sequence[ModelConfig] = ()) -> list[ClassChoice]:
    """The specific classes the files of either side name: tokenizer_class, and config.json's
    model_type (from the tokenizer directory, then from the side's model directory in
    `model_configs`: base's and tuned's (label, config.json), None where there is none), in that
    order, each once."""
    found: dict[str, ClassChoice] = {}
    for side, model in zip(sides, [*model_configs, *[None] * len(sides)]):
        snapshot = side.snapshot
        named = snapshot.tokenizer_config.get("tokenizer_class")
        if isinstance(named, str):
            found.setdefault(named.removesuffix("Fast"), ClassChoice(named, "named by tokenizer_class"))
        for config, where in ((snapshot.model_config, ""), *([(model[1], f" of the {model[0]}")] if model else [])):
            model_type = (config or {}).get("model_type")
            if isinstance(model_type, str) and (mapped := model_type_class(model_type)):
                origin = f"config.json model_type {model_type!r}{where}"
                found.setdefault(mapped.removesuffix("Fast"), ClassChoice(mapped, origin))
    generic = {name.removesuffix("Fast") for name in GENERIC_CLASSES}
    choices = [choice for key, choice in found.items() if key not in generic]
    if all(side.snapshot.digests.get("tokenizer.model") for side in sides):  # a SentencePiece family
        choices += [ClassChoice(c.name, c.origin, sentencepiece=True) for c in choices]
    return choices


def tokenizer_class(name: str) -> Any:
    """The fast (tokenizers-backed) class called `name` in the installed transformers, or None."""
    transformers = import_transformers()
    from transformers.models.auto.tokenization_auto import tokenizer_class_from_name

    for candidate in (name, name.removesuffix("Fast") + "Fast"):
        try:
            found = tokenizer_class_from_name(candidate)
        except Exception:  # a class this transformers cannot import (a missing optional package)
            found = None
        fast_base = getattr(transformers, "PreTrainedTokenizerFast", None)
        if found is not None and fast_base is not None and issubclass(found, fast_base):
            return found
    return None


def sentencepiece_class(name: str) -> Any:
    """The sentencepiece (slow) class called `name`, where the installed transformers still has
    one that reads tokenizer.model (transformers 4's LlamaTokenizer), else None."""
    transformers = import_transformers()
    from transformers.models.auto.tokenization_auto import tokenizer_class_from_name

    try:
        found = tokenizer_class_from_name(name.removesuffix("Fast"))
    except Exception:  # a class this transformers cannot import (sentencepiece missing)
        return None
    slow_base = getattr(transformers, "PreTrainedTokenizer", None)
    fast_base = getattr(transformers, "PreTrainedTokenizerFast", None)
    if found is None or slow_base is None or not issubclass(found, slow_base) or (fast_base and issubclass(found, fast_base)):
        return None
    reads_model = "tokenizer.model" in dict(getattr(found, "vocab_files_names", {}) or {}).values()
    return found if reads_model else None


def built_pipeline(tokenizer: LiveTokenizer) -> dict[str, Any]:
    """What a built tokenizer runs: its backend's normalizer, pre-tokenizer, post-processor and
    decoder (canonical form), model flags, added tokens, and the attributes that act outside them;
    for a sentencepiece tokenizer, its model's serialized bytes (digest) and added tokens."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    built: dict[str, Any] = {"class": type(tokenizer).__name__}
    if backend is not None:
        live = {name: json.loads(part.__getstate__()) if (part := getattr(backend, name, None)) is not None else None
                for name in COMPONENTS}
        built.update(components(live))
        built["model"] = {flag: getattr(backend.model, flag, None) for flag in _MODEL_FLAGS}
        added = backend.get_added_tokens_decoder()
    else:
        model = getattr(tokenizer, "sp_model", None)
        proto = model.serialized_model_proto() if model is not None and hasattr(model, "serialized_model_proto") else b""
        built["sentencepiece"] = hashlib.sha256(proto).hexdigest()
        built["sp_model_kwargs"] = repr(getattr(tokenizer, "sp_model_kwargs", None))
        added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    built["added_tokens"] = sorted((i, str(t.content), *flag_values(t)) for i, t in added.items())
    for name in _ATTRIBUTES:
        value = getattr(tokenizer, name, None)
        built[name] = value if isinstance(value, (bool, int, str, type(None))) else repr(value)
    return built


def differences(base: dict[str, Any], tuned: dict[str, Any]) -> frozenset[tuple[str, str, str]]:
    """The parts in which two built pipelines differ, each with both values (as JSON)."""
    found = set()
    for part in sorted(set(base) | set(tuned)):
        if part == "added_tokens":  # each token that one side has and the other lacks
            for entry in set(map(tuple, base.get(part, []))) ^ set(map(tuple, tuned.get(part, []))):
                found.add((part, json.dumps(entry), ""))
        elif base.get(part) != tuned.get(part):
            found.add((part, json.dumps(base.get(part), sort_keys=True), json.dumps(tuned.get(part), sort_keys=True)))
    return frozenset(found)


def differing_keys(sides: Sequence[Side]) -> list[str]:
    """The class-specific keys whose values differ between base's and tuned's tokenizer_config.json."""
    configs = [side.snapshot.tokenizer_config for side in sides]
    return [key for key in CLASS_KEYS if configs[0].get(key, None) != configs[1].get(key, None)]


@dataclass
class ClassView:
    """A candidate view, built: the class on both sides, and how their built pipelines differ."""

    choice: ClassChoice
    base: LiveTokenizer
    tuned: LiveTokenizer

    def differences(self, declared: set[str]) -> frozenset[tuple[str, str, str]]:
        """How base and tuned differ in this class, leaving out added tokens the class makes up
        itself (4.x LlamaTokenizerFast adds its default '<unk>' to a Llama 3 vocabulary, at the
        next free id, which shifts with any token tuned added: the files' own tokens say that)."""
        built = [built_pipeline(self.base), built_pipeline(self.tuned)]
        for pipeline in built:
            pipeline["added_tokens"] = [entry for entry in pipeline["added_tokens"] if entry[1] in declared]
        return differences(*built)


def build(choice: ClassChoice, sides: Sequence[Side]) -> ClassView | None:
    """The class built on both sides from their directories, or None where the installed
    transformers has no tokenizers-backed class of that name or either side does not build."""
    cls = sentencepiece_class(choice.name) if choice.sentencepiece else tokenizer_class(choice.name)
    if cls is None or any(side.source.bare_file is not None or side.source.gguf_file is not None for side in sides):
        # A GGUF's directory has no files a class reads (it built an empty Qwen2Tokenizer, whose
        # "differences" were warnings on every Qwen2 export).
        return None
    if all(type(side.tokenizer) is cls for side in sides):
        return None  # AutoTokenizer built this very class: the transformers view is this view
    built = []
    for side in sides:
        try:
            built.append(cls.from_pretrained(str(side.source.directory), local_files_only=True,
                                             trust_remote_code=side.settings.trust_remote_code))
        except Exception:  # a class that cannot build from these files is no consumer of them
            return None
    return ClassView(choice, built[0], built[1])


def class_views(sides: Sequence[Side], probes: Sequence[str], model_configs: Sequence[ModelConfig] = ()) -> list[View]:
    """The class views that show a difference between base and tuned that no view already checked
    shows (AutoTokenizer's, then each class view kept). Nothing is built when the files (and the
    model directories' config.json, `model_configs`) name no specific class, or only the one
    AutoTokenizer built."""
    choices = class_choices(sides, model_configs)
    if not choices:
        return []
    keys = differing_keys(sides)
    tuned_config = sides[1].snapshot.tokenizer_config
    if keys and not any(key in tuned_config for key in keys):
        # Keys base saves and tuned does not: transformers 5 no longer writes some of them back (the
        # static check says so); a re-save is not drift, even where a 4.x class's default differs.
        return []
    views = []
    covered = live_differences(sides)
    declared = {t.content for side in sides for added in (side.snapshot.added_tokens, side.snapshot.config_added_tokens)
                for t in added.values()}
    for choice in choices:
        candidate = build(choice, sides)
        if candidate is None:
            continue
        found = candidate.differences(declared)
        if not found or found <= covered:
            continue
        covered |= found
        built_name = type(candidate.base).__name__
        loaders = tuple(Loader(str(side.source.path), class_name=built_name) for side in sides)
        note = f"in {choice.label} ({choice.origin}){keys_clause(keys)}; AutoTokenizer builds {type(sides[0].tokenizer).__name__} here"
        views.append(View(choice.label, BatchCodec(candidate.base, probes), BatchCodec(candidate.tuned, probes),
                          (loaders[0], loaders[1]), note))
    return views


def keys_clause(keys: Sequence[str]) -> str:
    return f", where tokenizer_config.json {', '.join(keys)} differs" if keys else ""


def transformers_note(sides: Sequence[Side], several_views: bool) -> str:
    """The transformers view's note: which class AutoTokenizer built, said where other views run
    too or where a class-specific key differs (a finding then names the key and the view)."""
    keys = differing_keys(sides)
    if not keys and not several_views:
        return ""
    return f"in AutoTokenizer ({type(sides[0].tokenizer).__name__}){keys_clause(keys)}"


def live_differences(sides: Sequence[Side]) -> set[tuple[str, str, str]]:
    """How the live (AutoTokenizer) tokenizers of base and tuned differ, as built pipelines."""
    tokenizers = [side.tokenizer for side in sides]
    if any(getattr(t, "backend_tokenizer", None) is None for t in tokenizers):
        return set()
    return set(differences(built_pipeline(tokenizers[0]), built_pipeline(tokenizers[1])))
