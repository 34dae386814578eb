"""Writing a built ``tokenizers.Tokenizer`` as the installed transformers saves it (tested: 4.57 and 5.x), plus
the model-side JSON files (config.json, generation_config.json) as the official repos have them."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from tokcheck.environment import transformers_major


def special_list_key() -> str:
    """The tokenizer keyword for the list of extra special tokens: renamed in transformers 5."""
    return "extra_special_tokens" if transformers_major() >= 5 else "additional_special_tokens"


def chat_template(file_name: str) -> str:
    """A chat template shipped in tokcheck/zoo/data, verbatim."""
    return resources.files("tokcheck.zoo").joinpath("data").joinpath(file_name).read_text(encoding="utf-8")


def save_tokenizer(
    tokenizer: Tokenizer,
    dest: Path,
    *,
    class_name: str,
    template: str | None,
    **init_kwargs: Any,
) -> None:
    """Wrap ``tokenizer`` in the transformers class ``class_name`` (the fast class name, which
    both majors export) with the official tokenizer_config values, and ``save_pretrained``.

    Going through the real class and save_pretrained (rather than writing tokenizer_config.json by
    hand) gives exactly the layout a user of that transformers version gets when re-saving the
    official repo: v4 writes special_tokens_map.json and added_tokens_decoder, v5 does not."""
    import transformers  # here: only building an entry needs it, not reading the catalog

    cls = getattr(transformers, class_name)
    wrapped = cls(tokenizer_object=tokenizer, **init_kwargs)
    if template is not None:
        wrapped.chat_template = template
    wrapped.save_pretrained(str(dest))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON as transformers writes config files: two-space indent, sorted keys, newline."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def write_model_configs(dest: Path, config: dict[str, Any], generation_config: dict[str, Any] | None) -> None:
    """config.json and generation_config.json (no weights: the zoo's decoder models ship none)."""
    write_json(dest / "config.json", config)
    if generation_config is not None:
        write_json(dest / "generation_config.json", generation_config)
