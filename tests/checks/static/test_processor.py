"""The processor check on zoo:qwen2-vl (Qwen2's tokenizer with Qwen2-VL's vision tokens, and the
preprocessor_config.json transformers' own Qwen2VLImageProcessor() saves); the zoo self-test runs
each of its mutants through the whole suite."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from tokcheck import zoo
from tokcheck.checks.static.processor import check_processor, processor_part, token_ids
from tokcheck.checks.static.processor_resolution import resolution
from tokcheck.checks.static.processor_tokens import NotCounted, image_processor_class, image_token_counts
from tokcheck.sources.beside import beside_files
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve
from tokcheck.zoo.mutations import image_processor_resave


@pytest.fixture(scope="module")
def base() -> TokenizerSnapshot:
    return take_snapshot(resolve("zoo:qwen2-vl"))


@pytest.fixture(scope="module")
def image(base: TokenizerSnapshot) -> dict[str, Any]:
    part = processor_part(base.processor, "image")
    assert part is not None and part.where == "preprocessor_config.json"
    return part.config


def test_the_snapshot_reads_the_processor_and_the_vision_token_ids(base: TokenizerSnapshot, image: dict[str, Any]) -> None:
    assert image["image_processor_type"] == "Qwen2VLImageProcessor"
    assert (image["patch_size"], image["merge_size"], image["temporal_patch_size"]) == (14, 2, 2)
    assert token_ids(base.model_config) == {"image_token_id": 151655, "video_token_id": 151656}
    assert base.id_to_token[151655] == "<|image_pad|>"
    assert check_processor(base, base) == []


def test_the_image_processor_saved_back_by_transformers_is_quiet(base: TokenizerSnapshot, tmp_path: Path) -> None:
    dest = tmp_path / "resaved"
    shutil.copytree(zoo.path_for("qwen2-vl"), dest)
    image_processor_resave(dest)
    assert check_processor(base, take_snapshot(resolve(str(dest)))) == []


def test_a_transformers_4_and_a_transformers_5_save_compare_equal(image: dict[str, Any]) -> None:
    # 4.57 writes min_pixels/max_pixels and size; 5.x writes size only: one processor.
    v5 = {key: value for key, value in image.items() if key not in ("min_pixels", "max_pixels")}
    assert resolution(v5) == resolution(image)
    assert resolution(image)["size.longest_edge"] == 28 * 28 * 1280  # Qwen2VLImageProcessor's default max_pixels
    assert resolution({**image, "max_pixels": 401408})["size.longest_edge"] == 401408  # max_pixels wins


def test_image_token_counts_come_from_transformers_own_processor(image: dict[str, Any]) -> None:
    # smart_resize by hand (factor 28 = patch 14 * merge 2): 448x448 stays, 32x32 patches / 4 = 256;
    # 768x1024 rounds to 756x1036 (783,216 px, under max_pixels), 54x74 patches / 4 = 999.
    assert image_token_counts(image) == {"448x448": 256, "768x1024": 999}
    # max_pixels 512*28*28: beta = sqrt(768*1024/401408), floors to 532x728, 38x52 / 4 = 494.
    smaller = {**image, "max_pixels": 401408, "size": {**image["size"], "longest_edge": 401408}}
    assert image_token_counts(smaller)["768x1024"] == 494


@pytest.mark.parametrize("name", ["AutoTokenizer", "os", "_private", "MyRemoteImageProcessor"])
def test_only_transformers_own_image_processor_classes_are_built(name: str) -> None:
    with pytest.raises(NotCounted):
        image_processor_class(name)


def test_the_processor_class_a_checkpoint_names_for_remote_code_is_an_info_not_a_traceback(
        base: TokenizerSnapshot, image: dict[str, Any]) -> None:
    remote = {**image, "image_processor_type": "MyRemoteImageProcessor",
              "auto_map": {"AutoImageProcessor": "image_processing_my.MyRemoteImageProcessor"}}
    tuned = dataclasses.replace(base, processor={"preprocessor_config.json": remote})
    codes = [(f.code, f.severity.value) for f in check_processor(base, tuned)]
    assert codes == [("processor.class-changed", "error"), ("processor.tokens-not-counted", "info")]


def test_a_resolution_beyond_any_real_processor_is_not_resized_to(image: dict[str, Any]) -> None:
    with pytest.raises(NotCounted, match=r"size\.shortest_edge"):
        image_token_counts({**image, "min_pixels": 10**12})


def test_the_processor_files_key_the_stored_snapshot() -> None:
    assert "preprocessor_config.json" in beside_files(zoo.path_for("qwen2-vl"))
