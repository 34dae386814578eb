"""The model part of the plugin: --tuned-model/--base-model (or the weights next to the tokenizers),
the `model` and `gpu` markers, and the fixtures that give tests the pair's model files. Cheap to
import: the model package loads only when a model is configured."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin import SESSION_KEY, SUITE_DIR, option_or_ini

if TYPE_CHECKING:
    from tokcheck.model import ModelFiles, ModelInspection, ModelPair
    from tokcheck.session import TokcheckSession

TUNED_MODEL_OPTION = "--tuned-model"
BASE_MODEL_OPTION = "--base-model"
TUNED_MODEL_INI = "tokcheck_tuned_model"
BASE_MODEL_INI = "tokcheck_base_model"
MARKERS = {
    "model": "tokcheck check of the tuned model's embedding and output rows, read on CPU from the weight files",
    "gpu": "tokcheck check that loads the tuned model on a CUDA GPU (skipped without torch or CUDA)",
}
MODEL_SUITE = (SUITE_DIR / "test_model.py", SUITE_DIR / "test_gpu.py")
NO_MODEL = (
    f"no tuned model configured: pass {TUNED_MODEL_OPTION} PATH, or give --tuned a directory that holds "
    "config.json and the weights"
)

MODELS_KEY = pytest.StashKey["ModelPair | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tokcheck")
    group.addoption(
        TUNED_MODEL_OPTION,
        dest="tokcheck_tuned_model",
        metavar="PATH",
        default=None,
        help="tuned model directory (config.json + safetensors or pytorch_model.bin, or a PEFT adapter) whose "
        "embedding and output rows are checked against the tuned tokenizer; default: the --tuned directory "
        "when it holds weights.",
    )
    group.addoption(
        BASE_MODEL_OPTION,
        dest="tokcheck_base_model",
        metavar="PATH",
        default=None,
        help="base model directory, to compare row counts and as a PEFT adapter's base; default: the "
        "--base-tokenizer directory when it holds weights, or the adapter's base_model_name_or_path.",
    )
    parser.addini(TUNED_MODEL_INI, "tuned model directory (relative to the ini file).", default=None)
    parser.addini(BASE_MODEL_INI, "base model directory (relative to the ini file).", default=None)


def resolve_models(config: pytest.Config, session: TokcheckSession | None) -> ModelPair | None:
    """The pair's model files from flags, ini keys, or weights saved next to the tokenizers."""
    flags = [option_or_ini(config, dest, ini) for dest, ini in (("tokcheck_tuned_model", TUNED_MODEL_INI),
                                                            ("tokcheck_base_model", BASE_MODEL_INI))]
    if flags == [None, None] and (session is None or session.tuned is None):
        return None  # the usual pytest run of a project: nothing to look at, nothing imported
    from tokcheck.model import ModelPair, find_model, open_model

    def side(dest: str, ini: str, name: str) -> ModelFiles | None:
        setting = option_or_ini(config, dest, ini)
        if setting is not None:
            return open_model(setting[0], setting[1])
        tokenizer_side = getattr(session, name, None) if session is not None else None
        if tokenizer_side is None or tokenizer_side.source.bare_file is not None:
            return None
        return find_model(tokenizer_side.source.directory, tokenizer_side.source.spec)

    tuned = side("tokcheck_tuned_model", TUNED_MODEL_INI, "tuned")
    base = side("tokcheck_base_model", BASE_MODEL_INI, "base")
    if tuned is None:
        if option_or_ini(config, "tokcheck_base_model", BASE_MODEL_INI) is not None:
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


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    session = config.stash.get(SESSION_KEY, None)
    try:
        models = resolve_models(config, session)
    except TokcheckUsageError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[MODELS_KEY] = models
    if models is not None and session is not None:
        session.report_settings["tuned-model"] = models.tuned.describe()
        base = models.adapter_base if models.tuned.is_adapter else models.base
        if base is not None:
            session.report_settings["base-model"] = base.describe()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The model suite runs when there is a model to check (or when its file is named)."""
    if collection_path in MODEL_SUITE and config.stash.get(MODELS_KEY, None) is None:
        named = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
        return collection_path.resolve() not in named or None
    return None


def _models(config: pytest.Config) -> ModelPair:
    models = config.stash.get(MODELS_KEY, None)
    if models is None:
        pytest.skip(NO_MODEL)
    return models


@pytest.fixture(scope="session")
def model_files(pytestconfig: pytest.Config) -> ModelPair:
    """The model files of the pair (.tuned, .base: ModelFiles with .directory, .config, .tensors),
    from --tuned-model/--base-model or the weights next to the tokenizers; skipped when none. Example:
        def test_lm_head_was_saved(model_files):
            assert "lm_head.weight" in model_files.tuned.tensors

    Headers only: nothing is loaded until a test reads rows.
    """
    return _models(pytestconfig)


@pytest.fixture(scope="session")
def tokcheck_model_checks(pytestconfig: pytest.Config, tokcheck_session: TokcheckSession) -> ModelInspection:
    """The model findings of the pair by check (.findings, .shape, .facts), computed once. Example:
        def test_rows_cover_tokenizer(tokcheck_model_checks):
            assert not tokcheck_model_checks.findings["model_rows"]
    """
    from tokcheck.model import ModelInspection

    models = _models(pytestconfig)
    base, tuned = tokcheck_session.pair()
    return ModelInspection(models, tuned.snapshot, base.snapshot)


def model_unavailable(models: ModelPair) -> str | None:
    """Why the tuned model's rows cannot be read here (for the suite's skips)."""
    try:
        return models.unavailable()
    except TokcheckUsageError as error:
        return str(error)
