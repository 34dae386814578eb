"""The fixtures tokcheck gives every project (and its own suite): thin wrappers over the run pytest
started with (tokcheck.plugin.state), each documented with an example for `pytest --fixtures`.
Tokenizers and checks are session-scoped: made once per xdist worker. The heavy parts (Hypothesis,
numpy, torch) are imported inside the fixtures that need them, never when pytest loads the plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.checkpoints import Checkpoint
from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin.collection import CHECKPOINT_FIXTURE, suite_kind
from tokcheck.plugin.golden import GoldenRun
from tokcheck.plugin.model import NO_MODEL
from tokcheck.plugin.options import BASE_INI, BASE_OPTION, GOLDEN_INI, GOLDEN_OPTION, TUNED_INI, TUNED_OPTION
from tokcheck.plugin.state import plugin_run
from tokcheck.plugin.verdict import Verdict
from tokcheck.session import Side, TokenizerPair

if TYPE_CHECKING:
    from tokcheck.checks.behaviour.run import BehaviourRun
    from tokcheck.checks.model.gpu import GpuRun
    from tokcheck.checks.model.inspection import ModelInspection, ModelPair

ENCODING_CACHE: pytest.StashKey[Any] = pytest.StashKey()  # this process's EncodingCache, once made

def _checkpoint(config: pytest.Config, chosen: Checkpoint | None) -> Checkpoint:
    """The checkpoint a test runs on: the one it is parametrized with (tokcheck_checkpoint), else
    the run's first checked one (the only one, for a pair)."""
    return chosen if chosen is not None else plugin_run(config).checkpoint()


def _side_or_skip(config: pytest.Config, name: str, checkpoint: Checkpoint | None = None) -> Side:
    session = _checkpoint(config, checkpoint).session
    side = session.base if name == "base" else session.tuned
    if side is None:
        option, ini = (BASE_OPTION, BASE_INI) if name == "base" else (TUNED_OPTION, TUNED_INI)
        pytest.skip(f"no {name} tokenizer configured: pass {option} SPEC or set {ini} in the ini file")
    return side


def _loaded(side: Side) -> Any:
    try:
        return side.tokenizer
    except TokcheckUsageError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def tokcheck_checkpoint(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Checkpoint | None:
    """The tuned checkpoint a test runs on when several are given (repeated --tuned, a glob, or
    a training output directory): .id ("checkpoint-1500"), .session; None with one tuned
    tokenizer. Tests using the tuned fixtures run once per checkpoint, named by its id. Example:
        def test_eos_kept(tokcheck_checkpoint, tuned_tokenizer):
            assert tuned_tokenizer.eos_token == "<|eot_id|>", tokcheck_checkpoint
    """
    run = plugin_run(pytestconfig)
    return run.checkpoint(getattr(request, "param", None)) if run.checkpoints.several else None


@pytest.fixture(scope="session")
def base_tokenizer(pytestconfig: pytest.Config) -> Any:
    """The base tokenizer (transformers), loaded once per session; set by --base-tokenizer SPEC
    or the tokcheck_base_tokenizer ini key, else tests using it are skipped. Example:
        def test_prompt_starts_with_bos(base_tokenizer):
            assert base_tokenizer("Hello")["input_ids"][0] == base_tokenizer.bos_token_id

    Loaded from local files only, once per xdist worker.
    """
    return _loaded(_side_or_skip(pytestconfig, "base"))


@pytest.fixture(scope="session")
def tuned_tokenizer(pytestconfig: pytest.Config, tokcheck_checkpoint: Checkpoint | None) -> Any:
    """The tuned (fine-tuned) tokenizer, loaded once per session; set by --tuned SPEC or the
    tokcheck_tuned_tokenizer ini key, else tests using it are skipped. Example:
        from tokcheck.assertions import assert_single_token
        def test_eot_is_one_token(tuned_tokenizer):
            assert_single_token(tuned_tokenizer, "<|eot_id|>")

    Loaded from local files only, once per xdist worker.
    """
    return _loaded(_side_or_skip(pytestconfig, "tuned", tokcheck_checkpoint))


@pytest.fixture(scope="session")
def tokenizer_pair(pytestconfig: pytest.Config, tokcheck_checkpoint: Checkpoint | None) -> TokenizerPair:
    """Base and tuned together (.base, .tuned, .base_source, .tuned_source); skipped unless both
    are configured. Example, with tokcheck's assertion helpers:
        from tokcheck.assertions import assert_same_ids
        def test_system_prompt_unchanged(tokenizer_pair):
            assert_same_ids(tokenizer_pair, "You are a helpful assistant.")
    """
    base = _side_or_skip(pytestconfig, "base", tokcheck_checkpoint)
    tuned = _side_or_skip(pytestconfig, "tuned", tokcheck_checkpoint)
    return TokenizerPair(base=_loaded(base), tuned=_loaded(tuned), base_source=base.source, tuned_source=tuned.source)


@pytest.fixture(scope="session")
def tokcheck_session(pytestconfig: pytest.Config, tokcheck_checkpoint: Checkpoint | None) -> CheckedSession:
    """The comparison tokcheck runs: .base and .tuned (source, snapshot, tokenizer) and .static
    (the static findings by check). Example:
        def test_no_new_tokens(tokcheck_session):
            assert not tokcheck_session.static["vocabulary"]
    """
    session = _checkpoint(pytestconfig, tokcheck_checkpoint).session
    if not session.has_pair:
        pytest.skip(f"tokcheck needs both {BASE_OPTION} and {TUNED_OPTION} (or their ini keys)")
    return session


@pytest.fixture
def tokcheck_verdict(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Verdict:
    """Records a check's findings in the drift report and fails the test on errors (and on
    warnings with --tokcheck-strict), for projects adding their own checks. Example:
        from tokcheck import Finding, Severity
        def test_my_check(tokcheck_verdict):
            tokcheck_verdict.conclude([Finding("mine", "mine.code", Severity.WARNING, "what differs")])
    """
    settings = plugin_run(pytestconfig).settings
    callspec = getattr(request.node, "callspec", None)
    checkpoint = callspec.params.get(CHECKPOINT_FIXTURE) if callspec is not None else None
    return Verdict(request.node, strict=settings.strict, accept=settings.accept, checkpoint=checkpoint,
                   kind=suite_kind(request.node.path))


@pytest.fixture(scope="session")
def tokcheck_behaviour(
    tokcheck_session: CheckedSession, pytestconfig: pytest.Config, tokcheck_checkpoint: Checkpoint | None
) -> BehaviourRun:
    """Runs tokcheck's behaviour checks on the configured pair, by name, as findings. Example:
        def test_ids_match_on_generated_text(tokcheck_behaviour, tokcheck_verdict):
            tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("ids"))

    Properties: ids, round_trip, decode, special_literals, chat_render, chat_bos, stop_token, batch,
    padding; sweeps: vocab_ids, code_points, ascii_pairs, apostrophes, added_tokens, ... Settings come
    from --tokcheck-profile, --tokcheck-examples, --hypothesis-seed and --tokcheck-sweep-sample.
    """
    # Hypothesis and tokenizers load here, not when pytest loads the plugin.
    from tokcheck.checks.behaviour.run import BehaviourRun

    run = plugin_run(pytestconfig)
    shared = run.checkpoints.base_work
    if run.encoding_cache:
        from tokcheck.checks.base_memo import BaseMemo
        from tokcheck.checks.encoding_cache import EncodingCache

        shared = shared if shared is not None else BaseMemo(remember=False)
        cache = EncodingCache(max_bytes=run.encoding_cache_max_mib * 2**20)
        shared.disk = pytestconfig.stash[ENCODING_CACHE] = cache
    models = run.models.get(_checkpoint(pytestconfig, tokcheck_checkpoint).id)
    return BehaviourRun(tokcheck_session, run.behaviour, models.config_jsons() if models else (), shared=shared)


def encoding_cache_lines(config: pytest.Config) -> list[str]:
    """What the base's disk cache did this run (for -v): hits, misses, anything it ignored."""
    cache = config.stash.get(ENCODING_CACHE, None)
    if cache is None or not (cache.hits or cache.misses or cache.notes):
        return []
    evicted = f", {cache.evicted} least recently used entr{'y' if cache.evicted == 1 else 'ies'} removed" if cache.evicted else ""
    return [f"tokcheck encoding cache: {cache.hits} hit(s), {cache.misses} miss(es) in {cache.directory}{evicted} "
            f"(at most {cache.max_bytes / 2**20:.0f} MiB)", *cache.notes]


@pytest.fixture(scope="session")
def tokcheck_golden(pytestconfig: pytest.Config) -> GoldenRun:
    """The golden-file run of --tokcheck-golden DIR; skipped when no golden directory is given. Example:
        def test_encode_golden(tokcheck_golden, tokcheck_verdict):
            tokcheck_golden.check("encode", tokcheck_verdict)
    """
    run = plugin_run(pytestconfig).golden
    if run is None:
        pytest.skip(f"no golden directory configured: pass {GOLDEN_OPTION} DIR or set {GOLDEN_INI}")
    return run


def _models(config: pytest.Config, checkpoint: Checkpoint | None) -> ModelPair | None:
    return plugin_run(config).models.get(_checkpoint(config, checkpoint).id)


def _models_or_skip(config: pytest.Config, checkpoint: Checkpoint | None) -> ModelPair:
    models = _models(config, checkpoint)
    if models is None:
        pytest.skip(NO_MODEL)
    return models


@pytest.fixture(scope="session")
def model_files(pytestconfig: pytest.Config, tokcheck_checkpoint: Checkpoint | None) -> ModelPair:
    """The model files of the pair (.tuned, .base: ModelFiles with .directory, .config, .tensors),
    from --tuned-model/--base-model or the weights next to the tokenizers; skipped when none. Example:
        def test_lm_head_was_saved(model_files):
            assert "lm_head.weight" in model_files.tuned.tensors

    Headers only: nothing is loaded until a test reads rows.
    """
    return _models_or_skip(pytestconfig, tokcheck_checkpoint)


@pytest.fixture(scope="session")
def tokcheck_model_checks(
    pytestconfig: pytest.Config, tokcheck_session: CheckedSession, tokcheck_checkpoint: Checkpoint | None
) -> ModelInspection:
    """The model findings of the pair by check (.findings, .shape, .facts, and .unavailable: why
    the rows cannot be read here, or None), computed once. Example:
        def test_rows_cover_tokenizer(tokcheck_model_checks):
            assert not tokcheck_model_checks.findings["model_rows"]
    """
    # numpy loads here, not when pytest loads the plugin.
    from tokcheck.checks.model.inspection import ModelInspection

    base, tuned = tokcheck_session.pair()
    return ModelInspection(_models_or_skip(pytestconfig, tokcheck_checkpoint), tuned.snapshot, base.snapshot,
                           live=(base.tokenizer, tuned.tokenizer))


@pytest.fixture(scope="session")
def tokcheck_gpu_run(
    pytestconfig: pytest.Config, tokcheck_session: CheckedSession, tokcheck_checkpoint: Checkpoint | None
) -> GpuRun:
    """The tuned model loaded on a CUDA device in bf16 and run once over a transcript holding every
    special token its template uses and every added token (.live, .findings by "rows", "logits",
    "tying"); skipped, with the reason, without torch, CUDA, a model, or peft for an adapter. Example:
        def test_logits_are_finite(tokcheck_gpu_run):
            assert not tokcheck_gpu_run.findings["logits"]
    """
    # torch loads here (when installed), not when pytest loads the plugin.
    from tokcheck.checks.model import gpu

    models = _models(pytestconfig, tokcheck_checkpoint)
    reason = gpu.gpu_unavailable(models, NO_MODEL)
    if reason is not None or models is None:
        pytest.skip(reason or NO_MODEL)
    _, tuned = tokcheck_session.pair()
    return gpu.run_on_gpu(models, tuned.tokenizer, tuned.snapshot,
                          trust_remote_code=tokcheck_session.settings.trust_remote_code)
