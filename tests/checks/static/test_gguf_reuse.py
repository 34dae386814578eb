"""The GGUF checks of a Hugging Face side reuse what its snapshot parsed (tokenizer.json once, not
three times): gguf-py's SpecialVocab over the slim directory gives what it gives over the real
one, the rebuilt BPE encodes like the file, and every GGUF mutant's findings against its HF base
are the same as through the direct reads. A `tokcheck diff` against a GGUF imports neither
transformers, torch nor Hypothesis (nor gguf, GGUF against GGUF)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.llamacpp_marks import needs_converter
from tokcheck.checks.static import gguf_expected, gguf_pair
from tokcheck.checks.static.chkhsh_tokenizer import rebuilt
from tokcheck.checks.static.gguf_expected import full_length, uses_sentencepiece, vocab_size
from tokcheck.checks.static.gguf_special_vocab import read_special_vocab, special_vocab
from tokcheck.inputs.generators import CUSTOM_TEXTS
from tokcheck.session import Settings, SpecSetting, TokcheckSession
from tokcheck.sources.gguf.llamacpp import tables
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import TokenizerSource, resolve
from tokcheck.zoo.gguf.catalog import GGUF_MUTANTS
from tokcheck.zoo.mutants import Mutant

pytest.importorskip("gguf")
# HF bases of every kind the converter meets: byte-level BPE (string and pair merges), SentencePiece
# with a tokenizer.model, WordPiece, a resized vocabulary, a post-processor without BOS, added-token holes.
HF_SIDES = [
    "llama3",
    "llama3.1",
    "qwen2",
    "mistral-v3",
    "mistral-tekken",
    "mistral-tekken-merges-other-format",
    "minilm",
    "llama3-eom",
    "llama3-no-bos",
    "llama3-ignore-merges-off",
    "qwen2-id-hole",
    "llama3.1-tool-template",
]
# Llama 3.1 and its template edit are llama3's kind again (pair merges, the same post-processor; other
# specials and template, read the same way): the slow tier.
SAME_KIND_AS_LLAMA3 = ("llama3.1", "llama3.1-tool-template")
HF_SIDE_PARAMS = [pytest.param(n, marks=pytest.mark.slow) if n in SAME_KIND_AS_LLAMA3 else n for n in HF_SIDES]


def direct_special_vocab(source: TokenizerSource, snapshot: object, size: int, merges: bool) -> object:
    return read_special_vocab(source.spec, source.directory, size, merges)


def file_encoder(side: object) -> Callable[[str], Sequence[int]]:
    from tokenizers import Tokenizer

    path = side.source.file("tokenizer.json")  # type: ignore[attr-defined]
    if path is None:
        return side.tokenizer.encode  # type: ignore[attr-defined, no-any-return]
    backend = Tokenizer.from_file(str(path))
    return lambda text: backend.encode(text).ids


# gguf-py's SpecialVocab reads JSON, over the snapshot's slim directory or the real one: nothing of
# transformers or tokenizers (every HF side here has a tokenizer.json), so the version envs leave it
# to tf5 and py313. The rebuilt BPE below is the tokenizers library's, and runs everywhere.
@pytest.mark.version_independent
@pytest.mark.parametrize("name", HF_SIDE_PARAMS)
def test_special_vocab_over_the_snapshot_is_special_vocab_over_the_directory(name: str) -> None:
    source = resolve(f"zoo:{name}")
    snapshot = take_snapshot(source)
    size = vocab_size(snapshot) or full_length(snapshot)
    merges = not uses_sentencepiece(source, snapshot)
    assert special_vocab(source, snapshot, size, merges) == read_special_vocab(
        name, source.directory, size, merges
    )


@pytest.mark.parametrize("name", HF_SIDE_PARAMS)
def test_the_rebuilt_tokenizer_encodes_like_the_file(name: str) -> None:
    from tokenizers import Tokenizer

    source = resolve(f"zoo:{name}")
    snapshot = take_snapshot(source)
    tokenizer = rebuilt(snapshot)
    if name in ("minilm", "qwen2-id-hole"):  # WordPiece; added-token ids with a hole: read from the file
        assert tokenizer is None
        return
    assert tokenizer is not None
    texts = [tables()["chktxt"], *CUSTOM_TEXTS]
    from_file = Tokenizer.from_file(str(source.file("tokenizer.json")))
    assert [e.ids for e in tokenizer.encode_batch(texts)] == [e.ids for e in from_file.encode_batch(texts)]


def gguf_findings(base: str, tuned: str) -> list[dict[str, object]]:
    session = TokcheckSession(Settings(base=SpecSetting(base), tuned=SpecSetting(tuned)))
    found = gguf_pair.gguf_pair_findings(*session.pair(), ["vocabulary", "special_roles", "chat_template"])
    return [finding.to_dict() for check in found.values() for finding in check]


def reuse_tier(mutant: Mutant) -> Any:
    """The reuse is all on the HF side: the conversions of every zoo base (and of the resized eom)
    give each HF side once in the default tier; the GGUF-side edits of the same bases are the slow tier."""
    gguf_side = mutant.base in {m.name for m in GGUF_MUTANTS}
    return pytest.param(mutant, id=mutant.name, marks=pytest.mark.slow if gguf_side else ())


@needs_converter
@pytest.mark.parametrize("mutant", [reuse_tier(m) for m in GGUF_MUTANTS])
def test_every_gguf_mutants_findings_are_those_of_the_direct_reads(
    mutant: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {m.name: m.base for m in GGUF_MUTANTS}
    hf_base = mutant.base  # type: ignore[attr-defined]
    while hf_base in names:  # a mutant of a GGUF: compared with the HF base of its conversion
        hf_base = names[hf_base]
    reused = gguf_findings(f"zoo:{hf_base}", f"zoo:{mutant.name}")  # type: ignore[attr-defined]
    monkeypatch.setattr(gguf_expected, "special_vocab", direct_special_vocab)
    monkeypatch.setattr(gguf_pair, "chkhsh_encoder", file_encoder)
    assert reused == gguf_findings(f"zoo:{hf_base}", f"zoo:{mutant.name}")  # type: ignore[attr-defined]


def modules_after_diff(base: str, tuned: str) -> dict[str, object]:
    code = (
        "import json, sys; from tokcheck.cli import main; rc = main(['diff', sys.argv[1], sys.argv[2]]); "
        "print(json.dumps({'rc': rc, 'loaded': sorted(m for m in ('transformers', 'torch', 'hypothesis', "
        "'mistral_common', 'gguf') if m in sys.modules)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, base, tuned],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@needs_converter
def test_a_diff_against_a_gguf_imports_no_transformers_torch_or_hypothesis() -> None:
    for name in ("llama3", "llama3-gguf", "llama3-gguf-pre-smaug"):
        resolve(f"zoo:{name}")  # built here first: building a zoo entry imports transformers (and converts)
    assert modules_after_diff("zoo:llama3", "zoo:llama3-gguf") == {"rc": 0, "loaded": ["gguf"]}
    assert modules_after_diff("zoo:llama3-gguf", "zoo:llama3-gguf-pre-smaug") == {"rc": 1, "loaded": []}
