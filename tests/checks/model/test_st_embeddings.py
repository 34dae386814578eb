"""The embeddings of the zoo's MiniLM (a real sentence-transformers model: mean pooling, Normalize,
max_seq_length 256, real weights) through sentence-transformers itself, base against tuned: an
identical copy embeds the same; pooling switched to CLS, the module files lost (no pooling config
and no Normalize: unnormalized vectors) or max_seq_length halved (the long text is cut) embed
differently. Runs in tox's model env, where sentence-transformers is installed."""

from __future__ import annotations

import pytest

from tokcheck import zoo
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.model.st_embeddings import embedding_findings, unavailable
from tokcheck.session import Settings, Side, SpecSetting

pytestmark = pytest.mark.torch
pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")


def _pair(base: str, tuned: str) -> tuple[Side, Side]:
    session = CheckedSession(Settings(base=SpecSetting(str(zoo.path_for(base))), tuned=SpecSetting(str(zoo.path_for(tuned)))))
    return session.pair()


def test_an_identical_copy_embeds_the_same() -> None:
    base, tuned = _pair("minilm", "minilm-copy")
    assert unavailable(base, tuned) is None
    assert embedding_findings(base, tuned) == []


@pytest.mark.parametrize(("mutant", "texts"), [("minilm-pooling-cls", 4), ("minilm-st-files-dropped", 4),
                                               ("minilm-max-seq-length-halved", 1)])
def test_a_changed_module_embeds_differently(mutant: str, texts: int) -> None:
    [finding] = embedding_findings(*_pair("minilm", mutant))
    assert finding.code == "st-embeddings.differ"
    assert f"embeds {texts} of 4 texts differently" in finding.message


def test_a_checkpoint_without_modules_or_weights_is_skipped_with_the_reason() -> None:
    assert "no model weights" in str(unavailable(*_pair("llama3", "llama3-resaved")))
