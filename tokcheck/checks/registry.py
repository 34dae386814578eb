"""Every built-in check in one place: its name (the `check` its findings carry), its kind (the
suite file that runs it, a column of a training run's matrix) and the suite tests that conclude
it, in the order reports show them. The report's check and kind orders come from here, and the
plugin hands each suite test's kind to the report from here, so no name is parsed anywhere.

Plain data: the checks' modules keep their own functions (tests/checks/test_registry.py holds
them, and the suite's tests, to these names)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tokcheck.findings import Finding


@dataclass(frozen=True)
class Kind:
    """A kind of check: its name and the suite file whose tests run its checks. `family` is the
    name prefix of checks named per property or sweep (behaviour.ids, sweep.code_points)."""

    name: str
    suite_file: str
    family: str = ""


STATIC = Kind("static", "test_static.py")
LOADING = Kind("loading", "test_loading.py")
BEHAVIOUR = Kind("behaviour", "test_behaviour.py", family="behaviour.")
SWEEPS = Kind("sweeps", "test_sweeps.py", family="sweep.")
MODEL = Kind("model", "test_model.py")
GPU = Kind("gpu", "test_gpu.py")
GOLDEN = Kind("golden", "test_golden.py", family="golden_")
KINDS: tuple[Kind, ...] = (STATIC, LOADING, BEHAVIOUR, SWEEPS, MODEL, GPU, GOLDEN)
PROJECT_KIND = "project"  # a project's own test that records findings with tokcheck_verdict


@dataclass(frozen=True)
class Check:
    name: str
    kind: Kind
    suite_tests: tuple[str, ...]  # the suite tests (in kind.suite_file) that conclude its findings


# Report order; a check not listed (the behaviour, sweep and golden families) sorts after these, by name.
CHECKS: tuple[Check, ...] = (
    Check("vocabulary", STATIC, ("test_token_ids_match_base",)),
    Check("special_roles", STATIC, ("test_special_token_roles_match_base",)),
    Check("added_token_flags", STATIC, ("test_added_token_flags_match_base",)),
    Check("normalizer", STATIC, ("test_normalizer_matches_base",)),
    Check("pre_tokenizer", STATIC, ("test_pre_tokenizer_matches_base",)),
    Check("model", STATIC, ("test_model_and_merges_match_base",)),
    Check("post_processor", STATIC, ("test_post_processor_matches_base",)),
    Check("decoder", STATIC, ("test_decoder_matches_base",)),
    Check("tokenizer_config", STATIC, ("test_tokenizer_config_matches_base",)),
    Check("chat_template", STATIC, ("test_chat_template_matches_base",)),
    Check("parser_markers", STATIC, ("test_parser_markers_stay_single_tokens",)),
    Check("model_config", STATIC, ("test_model_and_generation_config_ids_match_base",)),
    # Beside the config ids it complements, though the model files' test finds it.
    Check("model_stop_set", MODEL, ("test_model_directories_stop_generation_where_base_does",)),
    Check("model_sampling", MODEL, ("test_model_directories_keep_the_sampling_defaults_of_base",)),
    Check("st_embeddings", MODEL, ("test_sentence_transformers_embeddings_match_base",)),
    # The files beside the tokenizer that inference reads (issue 28 items 2, 4 and 5).
    Check("context_length", STATIC, ("test_context_length_is_not_shorter_than_base",)),
    Check("sentence_transformers", STATIC, ("test_sentence_transformers_modules_match_base",)),
    Check("custom_code", STATIC, ("test_custom_code_matches_base",)),
    # Multimodal processors (issue 28 item 3).
    Check("processor", STATIC, ("test_multimodal_processor_matches_base",)),
    Check("save_format", STATIC, ("test_save_format_is_compatible",)),
    Check("ollama", STATIC, ("test_ollama_modelfile_matches_base",)),
    Check("loading", LOADING, ("test_both_tokenizers_load_as_saved",)),
    Check("model_files", MODEL, ("test_model_config_agrees_with_the_weights",)),
    Check("model_rows", MODEL, ("test_every_token_id_has_an_embedding_and_an_output_row",)),
    Check("model_trained_rows", MODEL, ("test_rows_of_new_and_template_tokens_are_initialised",)),
    Check("model_gpu", GPU, (
        "test_transcript_with_every_special_and_added_token_gives_finite_logits",
        "test_loaded_embedding_and_output_layers_cover_the_tuned_tokenizer",
        "test_tied_word_embeddings_are_really_tied",
    )),
)

CHECK_ORDER: tuple[str, ...] = tuple(check.name for check in CHECKS)
KIND_ORDER: tuple[str, ...] = tuple(kind.name for kind in KINDS)
_KIND_OF_SUITE_FILE = {kind.suite_file: kind.name for kind in KINDS}


def checks_of(kind: Kind) -> list[str]:
    """The names of a kind's listed checks, in report order."""
    return [check.name for check in CHECKS if check.kind is kind]


def kind_of_suite_file(name: str) -> str:
    """The kind of the suite file `name` (test_static.py -> static); a project's own file's is
    PROJECT_KIND."""
    return _KIND_OF_SUITE_FILE.get(name, PROJECT_KIND)


def check_rank(check: str) -> tuple[int, str]:
    try:
        return (CHECK_ORDER.index(check), "")
    except ValueError:
        return (len(CHECK_ORDER), check)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Severity first, then check order; findings of one check keep the order the check gave."""
    indexed = list(enumerate(findings))
    indexed.sort(key=lambda pair: (pair[1].severity.rank, check_rank(pair[1].check), pair[0]))
    return [finding for _, finding in indexed]
