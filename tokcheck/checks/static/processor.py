"""The multimodal processor check (drift class 45): the image and video processor configs beside the
tokenizer, in either layout, and the image and video token ids of config.json, base against tuned.

- A processor config base has and tuned lacks in both layouts is an error: the processor does not
  load (unsloth#1747, ms-swift#3721, EasyR1 PR #48).
- A changed processor class or resolution key (min/max_pixels, size, patch_size, merge_size, ...)
  is an error: images are cut into another number of patches than in training, and the model
  sees another number of image tokens (llm-compressor#1305, vllm PR #45525).
- An image or video token id of config.json (image_token_id / image_token_index / video_token_id,
  top level or text_config) that names another token in tuned's tokenizer than in base's, or the
  token the tokenizer's own image_token names, is an error: the model looks for image features
  at tokens the processor never inserts ("Image features and image tokens do not match").
- An image processor tuned keeps only nested in processor_config.json (the transformers 5 layout,
  processing_utils.py ProcessorMixin.save_pretrained/to_dict, 5.24) where base has
  preprocessor_config.json is a warning: transformers 4.57.6's
  models/auto/image_processing_auto.py get_image_processor_config (what vLLM calls to find the
  class) reads only preprocessor_config.json and returns {} for it (fixed in transformers 5 by
  PR #42085, transformers#44623).

Defaults for keys a save leaves out are the image processor's own (so only keys both sides name, or
one side names, are compared); min_pixels/max_pixels win over size (transformers 4.57.6 and 5.24
models/qwen2_vl/image_processing*_qwen2_vl.py: "override size with min_pixels and max_pixels"), so a
v4 save (both) and a v5 save (size only) of one processor compare equal: both as size.shortest_edge
and size.longest_edge.
The image-token counts for fixed image sizes are tokcheck.checks.static.processor_tokens'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tokcheck.checks.static.processor_resolution import resolution
from tokcheck.checks.static.processor_tokens import check_image_tokens
from tokcheck.display import compact
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "processor"
PROCESSOR = "processor_config.json"
# Each part: its own file (transformers 4) and its key in processor_config.json (transformers 5).
PARTS = {"image": ("preprocessor_config.json", "image_processor"),
         "video": ("video_preprocessor_config.json", "video_processor")}
CLASS_KEYS = {"image": "image_processor_type", "video": "video_processor_type"}
TOKEN_ID_KEYS = ("image_token_id", "image_token_index", "video_token_id", "video_token_index")
# The tokenizer_config.json name of the token each id must be (transformers 5 extra_special_tokens).
TOKEN_NAMES = {"image_token_id": "image_token", "image_token_index": "image_token",
               "video_token_id": "video_token", "video_token_index": "video_token"}


@dataclass(frozen=True)
class Part:
    """One processor part as a side has it: its config and where it was read."""

    config: dict[str, Any]
    where: str  # "preprocessor_config.json" or "processor_config.json: image_processor"

    @property
    def nested(self) -> bool:
        return self.where.startswith(PROCESSOR)


def processor_part(files: dict[str, Any], part: str) -> Part | None:
    """A part's config as transformers reads it: its own file first, then processor_config.json's
    nested dict (image_processing_base.py get_image_processor_dict, both versions)."""
    own, key = PARTS[part]
    if isinstance(files.get(own), dict):
        return Part(files[own], own)
    nested = (files.get(PROCESSOR) or {}).get(key)
    return Part(nested, f"{PROCESSOR}: {key}") if isinstance(nested, dict) else None


def processor_class(files: dict[str, Any]) -> str | None:
    for name in (PROCESSOR, "preprocessor_config.json"):
        value = (files.get(name) or {}).get("processor_class")
        if isinstance(value, str):
            return value
    return None


def check_processor(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    findings: list[Finding] = []
    for part in PARTS:
        before, after = processor_part(base.processor, part), processor_part(tuned.processor, part)
        if before is None:
            continue
        if after is None:
            findings.append(_lost(part, before))
            continue
        findings += _nested(part, before, after) + _class(part, before, after) + _resolution(part, before, after)
        if part == "image":
            findings += check_image_tokens(base, tuned, before.config, after.config, after.where)
    findings += _processor_class(base, tuned) + token_id_findings(base, tuned)
    return findings


def _lost(part: str, before: Part) -> Finding:
    own, key = PARTS[part]
    return Finding(
        CHECK, "processor.file-lost", Severity.ERROR,
        f"tuned has no {part} processor config ({own}, or {key} in {PROCESSOR}); base has {before.where}: "
        f"AutoProcessor and vLLM cannot load tuned's {part} processor, or guess one with other settings",
        where=own, base=before.config.get(CLASS_KEYS[part]),
        fix=f"copy base's {before.where.partition(':')[0]} into tuned",
    )


def _nested(part: str, before: Part, after: Part) -> list[Finding]:
    if before.nested or not after.nested:
        return []
    own, key = PARTS[part]
    return [Finding(
        CHECK, "processor.v5-nesting", Severity.WARNING,
        f"tuned keeps its {part} processor only as {key} in {PROCESSOR} (the transformers 5 layout), where "
        f"base has {own}: transformers 4.57's get_{part}_processor_config, which vLLM calls to find the "
        f"processor class, reads only {own} and finds nothing (fixed in transformers 5, PR #42085)",
        where=after.where, base=own, tuned=after.where,
        fix=f"write tuned's {key} dict to {own} as well (or save the processor with transformers 4.57)",
    )]


def _class(part: str, before: Part, after: Part) -> list[Finding]:
    key = CLASS_KEYS[part]
    old, new = before.config.get(key), after.config.get(key)
    if old is None or new is None or _base_name(old) == _base_name(new):
        return []
    return [Finding(
        CHECK, "processor.class-changed", Severity.ERROR,
        f"the {part} processor is {old} in base but {new} in tuned ({after.where}): images are prepared another way",
        where=f"{after.where}: {key}", base=old, tuned=new, fix=f"restore {key} from base's {before.where}",
    )]


def _base_name(name: str) -> str:
    """A processor class without its backend suffix (Qwen2VLImageProcessorFast / ...Pil are one processor)."""
    for suffix in ("Fast", "Pil"):
        name = name.removesuffix(suffix)
    return name


def _resolution(part: str, before: Part, after: Part) -> list[Finding]:
    old, new = resolution(before.config), resolution(after.config)
    changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    if not changed:
        return []
    return [Finding(
        CHECK, "processor.resolution-changed", Severity.ERROR,
        f"the {part} processor's {', '.join(changed)} changed ({after.where}): "
        + ", ".join(f"{key} {compact(old.get(key))} -> {compact(new.get(key))}" for key in changed)
        + f"; {part}s are processed at another resolution, into another number of tokens, than in training",
        where=f"{after.where}: {changed[0].partition('.')[0]}", base={key: old.get(key) for key in changed},
        tuned={key: new.get(key) for key in changed},
        fix=f"restore {', '.join(changed)} from base's {before.where} unless the model was trained with the new values",
    )]


def _processor_class(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    old, new = processor_class(base.processor), processor_class(tuned.processor)
    if old is None or new is None or old == new:
        return []
    return [Finding(
        CHECK, "processor.class-changed", Severity.ERROR,
        f"processor_class is {old} in base but {new} in tuned: AutoProcessor builds another processor",
        where=f"{PROCESSOR}: processor_class", base=old, tuned=new, fix="restore processor_class from base",
    )]


def token_ids(config: dict[str, Any] | None) -> dict[str, int]:
    """The image and video token ids of a config.json, top level or in text_config, by key."""
    found: dict[str, int] = {}
    for scope, block in (("", config or {}), ("text_config.", (config or {}).get("text_config") or {})):
        if isinstance(block, dict):
            for key in TOKEN_ID_KEYS:
                if isinstance(block.get(key), int) and not isinstance(block.get(key), bool):
                    found[scope + key] = block[key]
    return found


def token_id_findings(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    before, after = token_ids(base.model_config), token_ids(tuned.model_config)
    findings = []
    for key, tuned_id in sorted(after.items()):
        expected = tuned.named_extra_special_tokens.get(TOKEN_NAMES[key.rpartition(".")[2]])
        source = "tuned's tokenizer_config.json names it"
        if expected is None and key in before:
            expected, source = base.id_to_token.get(before[key]), f"base's {key} {before[key]}"
        if expected is None:
            continue
        token = tuned.id_to_token.get(tuned_id)
        if token == expected:
            continue
        right = tuned.token_id(expected)
        shown = repr(token) if token is not None else "no token"
        findings.append(Finding(
            CHECK, "processor.image-token-id", Severity.ERROR,
            f"config.json {key} is {tuned_id} in tuned, which tuned's tokenizer reads as "
            f"{shown}; the processor inserts {expected!r} ({source}"
            f"{'' if right is None else f'; id {right} in tuned'}): the model looks for image features at "
            "tokens the processor never inserts (\"Image features and image tokens do not match\")",
            where=f"config.json: {key}", base=before.get(key), tuned=tuned_id,
            fix=f"set {key} to {right}" if right is not None else f"restore {key} and the {expected!r} token from base",
        ))
    return findings
