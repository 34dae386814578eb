"""The configs generation reads (config.json, generation_config.json) wherever they live: a
tokenizer directory (from its snapshot), a model directory given with --tuned-model/--base-model,
or the base model of a PEFT adapter. Read-only; a bad file is one usage-error line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokcheck.sources.files import read_object
from tokcheck.sources.snapshot import StopIds, TokenizerSnapshot, config_stop_ids

CONFIG_FILES = ("config.json", "generation_config.json")


@dataclass(frozen=True)
class ModelConfigs:
    """config.json and generation_config.json of one place (None: the file is not there), and
    `label`, which names the place in findings ("tuned model ./out", "base tokenizer zoo:llama3")."""

    label: str
    config: dict[str, Any] | None
    generation_config: dict[str, Any] | None

    @property
    def present(self) -> bool:
        return self.config is not None or self.generation_config is not None

    def stop_ids(self) -> StopIds | None:
        return config_stop_ids(self.generation_config, self.config)

    def special_id(self, key: str) -> tuple[Any, str] | None:
        """`key` (bos_token_id, pad_token_id ...) as generate() reads it: generation_config.json
        first, then config.json (its text_config for multimodal configs); None when neither has it."""
        for name, config in (("generation_config.json", self.generation_config), ("config.json", self.config)):
            for scope in (config or {}, (config or {}).get("text_config")):
                if isinstance(scope, dict) and key in scope:
                    return scope[key], name
        return None


def read_model_configs(directory: Path, label: str) -> ModelConfigs:
    """The two configs of a model directory."""
    found = []
    for name in CONFIG_FILES:
        path = directory / name
        found.append(read_object(path, label=f"{label}: {name}") if path.is_file() else None)
    return ModelConfigs(label, found[0], found[1])


def snapshot_configs(snapshot: TokenizerSnapshot, label: str) -> ModelConfigs:
    """The two configs a tokenizer directory holds, as its snapshot read them."""
    return ModelConfigs(label, snapshot.model_config, snapshot.generation_config)
