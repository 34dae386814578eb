"""How many image tokens fixed image sizes give on each side, computed by transformers' own image
processor class (the one image_processor_type names) on a synthetic all-black array, base against
tuned (drift class 45: "image features and tokens do not match", images processed at another
resolution than in training).

Only for a class transformers itself has (an attribute of the transformers package that is an
ImageProcessingMixin): never a checkpoint's auto_map, never trust_remote_code. The processor is
built from the config dict alone (ImageProcessingMixin.from_dict), not from the directory.
The count is the Qwen2-VL family's: the processor returns image_grid_thw, and the model puts
grid_t * grid_h * grid_w / merge_size**2 image tokens in the prompt (transformers 5.24
models/qwen2_vl/processing_qwen2_vl.py Qwen2VLProcessor.__call__: `image_grid_thw[index].prod() //
merge_length`, merge_length = merge_size**2). Processors that return no grid are not counted.
Without numpy, Pillow or the class's backend (a Fast class needs torchvision) an info finding says
the counts were not compared."""

from __future__ import annotations

from typing import Any

from tokcheck.checks.static.processor_resolution import resolution
from tokcheck.environment import import_transformers
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "processor"
# (height, width) of the synthetic images: a square and a 4:3 photo.
IMAGE_SIZES = ((448, 448), (768, 1024))
# A setting above this (a min_pixels of 10**12, a size of 10**9) would resize the synthetic image
# to more pixels than a check should allocate: not counted. Qwen2-VL's own max is 12,845,056.
MOST_PIXELS = 64 * 1024 * 1024


class NotCounted(Exception):
    """Why the counts could not be made with this install (one line)."""


def image_processor_class(name: str) -> Any:
    """transformers' own class of that name, or NotCounted."""
    try:
        transformers = import_transformers()
        from transformers.image_processing_base import ImageProcessingMixin
    except ImportError as error:
        raise NotCounted(f"transformers' image processing does not import ({error})") from None
    if not name.isidentifier() or name.startswith("_"):
        raise NotCounted(f"{name!r} is not a transformers class name")
    try:
        cls = getattr(transformers, name)
    except (AttributeError, ImportError, RuntimeError) as error:
        raise NotCounted(f"transformers has no usable {name} here ({str(error).strip().splitlines()[0]})") from None
    if not (isinstance(cls, type) and issubclass(cls, ImageProcessingMixin)):
        raise NotCounted(f"transformers' {name} is not an image processor")
    return cls


def image_token_counts(config: dict[str, Any]) -> dict[str, int] | None:
    """"HxW" -> image tokens for each of IMAGE_SIZES; None for a processor that returns no grid."""
    try:
        import numpy as np
    except ImportError:
        raise NotCounted("numpy is not installed") from None
    cls = image_processor_class(str(config.get("image_processor_type", "")))
    for key, value in resolution(config).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > MOST_PIXELS:
            raise NotCounted(f"{key} {value} is beyond what tokcheck will resize a test image to")
    settings = {key: value for key, value in config.items() if key != "auto_map"}
    try:
        processor = cls.from_dict(settings)
        counts = {}
        for height, width in IMAGE_SIZES:
            out = processor(images=np.zeros((height, width, 3), dtype=np.uint8), return_tensors="np")
            if "image_grid_thw" not in out:
                return None
            merge = int(getattr(processor, "merge_size", 1) or 1)
            counts[f"{height}x{width}"] = int(np.prod(out["image_grid_thw"], axis=-1).sum()) // (merge * merge)
        return counts
    except NotCounted:
        raise
    except Exception as error:  # a processor these settings break: one line, never a traceback
        raise NotCounted(f"{cls.__name__} fails on these settings ({type(error).__name__}: {error})") from None


def check_image_tokens(base: TokenizerSnapshot, tuned: TokenizerSnapshot,
                       before: dict[str, Any], after: dict[str, Any], where: str) -> list[Finding]:
    """The counts of both sides' image processor configs (as the processor check found them)."""
    try:
        old, new = image_token_counts(before), image_token_counts(after)
    except NotCounted as why:
        return [Finding(
            CHECK, "processor.tokens-not-counted", Severity.INFO,
            f"image-token counts were not compared: {why}", where=where,
        )]
    if old is None or new is None or old == new:
        return []
    changed = [size for size in old if old[size] != new.get(size)]
    return [Finding(
        CHECK, "processor.image-tokens-changed", Severity.ERROR,
        "transformers' image processor turns "
        + ", ".join(f"a {size} image into {old[size]} image tokens in base but {new.get(size)} in tuned" for size in changed)
        + f" ({base.label} vs {tuned.label}): the model sees images at another resolution than in training",
        where=where, base=old, tuned=new,
        fix="restore the image processor's resolution settings from base",
        detail=f"counted by transformers' {before.get('image_processor_type')} on synthetic all-black images",
    )]
