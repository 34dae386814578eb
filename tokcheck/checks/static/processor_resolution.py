"""The resolution settings of an image or video processor config, as the processor reads them
(drift class 45; tokcheck.checks.static.processor compares them, processor_tokens bounds them)."""

from __future__ import annotations

from typing import Any

# The keys that set the resolution images are processed at and how they are cut into patches.
RESOLUTION_KEYS = (
    "size", "min_pixels", "max_pixels", "patch_size", "temporal_patch_size", "merge_size", "crop_size",
    "do_resize", "do_center_crop", "resample", "image_seq_length", "num_image_tokens", "max_image_tiles",
    "do_pad", "fps", "min_frames", "max_frames",
)


def resolution(config: dict[str, Any]) -> dict[str, Any]:
    """The resolution keys a config sets, as the processor reads them: min_pixels/max_pixels
    written into size's shortest_edge/longest_edge (the Qwen2-VL processors' "override size with
    min_pixels and max_pixels"), and size's entries as keys of their own ("size.longest_edge")."""
    found = {key: config[key] for key in RESOLUTION_KEYS if key in config}
    size = found.pop("size", None)
    pixels = {edge: found.pop(key) for key, edge in (("min_pixels", "shortest_edge"), ("max_pixels", "longest_edge"))
              if found.get(key) is not None}
    if isinstance(size, dict) or pixels:
        size = {**(size if isinstance(size, dict) else {}), **pixels}
        found.update({f"size.{key}": value for key, value in size.items()})
    elif size is not None:
        found["size"] = size
    return {key: value for key, value in found.items() if value is not None}
