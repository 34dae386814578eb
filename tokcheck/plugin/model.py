"""The model part of the plugin: the pair's model files from --tuned-model/--base-model, their ini
keys, or the weights saved next to the tokenizers. Cheap to import: the model checks load only
when a model is configured or found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin.options import (
    BASE_MODEL,
    BASE_MODEL_OPTION,
    TUNED_MODEL,
    TUNED_MODEL_OPTION,
    option_or_ini,
)
from tokcheck.session import TokcheckSession

if TYPE_CHECKING:
    import pytest

    from tokcheck.checks.model.inspection import ModelPair
    from tokcheck.checks.model.weights import ModelFiles

NO_MODEL = (
    f"no tuned model configured: pass {TUNED_MODEL_OPTION} PATH, or give --tuned a directory that holds "
    "config.json and the weights"
)


def resolve_models(config: pytest.Config, session: TokcheckSession | None, *, one_of_many: bool = False) -> ModelPair | None:
    """The pair's model files from flags, ini keys, or weights saved next to the tokenizers. With
    `one_of_many` (a checkpoint of a training run), a checkpoint without weights has none, whatever
    --base-model says: the run checks the models of those that have them."""
    tuned_setting, base_setting = option_or_ini(config, TUNED_MODEL), option_or_ini(config, BASE_MODEL)
    if tuned_setting is None and base_setting is None and (session is None or session.tuned is None):
        return None  # the usual pytest run of a project: nothing to look at, nothing imported
    # Here, not at the top: the model checks bring numpy, and most runs have no model.
    from tokcheck.checks.model.inspection import ModelPair
    from tokcheck.checks.model.weights import find_model, open_model

    def side(setting: tuple[str, Path] | None, name: str) -> ModelFiles | None:
        if setting is not None:
            return open_model(setting[0], setting[1])
        tokenizer_side = getattr(session, name, None) if session is not None else None
        if tokenizer_side is None or tokenizer_side.source.bare_file is not None:
            return None
        return find_model(tokenizer_side.source.directory, tokenizer_side.source.spec)

    tuned = side(tuned_setting, "tuned")
    base = side(base_setting, "base")
    if tuned is None:
        if base_setting is not None and not one_of_many:
            raise TokcheckUsageError(
                f"{BASE_MODEL_OPTION} needs a tuned model too: pass {TUNED_MODEL_OPTION} PATH, or give --tuned "
                "a directory that holds config.json and the weights"
            )
        return None
    models = ModelPair(tuned=tuned, base=base)
    for files in (tuned, base, models.adapter_base):
        if files is not None:
            files.validate()
    return models


def report_settings(models: ModelPair) -> dict[str, str]:
    """What the report header says about the model files."""
    settings = {"tuned-model": models.tuned.describe()}
    base = models.adapter_base if models.tuned.is_adapter else models.base
    if base is not None:
        settings["base-model"] = base.describe()
    return settings
