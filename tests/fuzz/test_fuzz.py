"""The fuzzer: every file kind tokcheck reads, damaged by Hypothesis (tests/fuzz/mutations.py), must
end in findings or one usage-error line, within the wall and memory limits, without a write
(tests/fuzz/harness.py). TOKCHECK_FUZZ_EXAMPLES sets the examples per kind (200 by default; the
`fuzz-thorough` tox env runs 400 per kind, over 6,000 in all). Crashes the fuzzer found are kept
as @example regressions of their kind.
A .gguf is given as the spec itself (`spec_file`), as `--tuned model.gguf` is."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.fuzz import harness, mutations
from tokcheck.sources.snapshot import TokenizerSnapshot, take_snapshot
from tokcheck.sources.spec import resolve

EXAMPLES = int(os.environ.get("TOKCHECK_FUZZ_EXAMPLES", "200"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                           HealthCheck.function_scoped_fixture],
)
SENTINEL = "tokcheck-fuzz-unpickled"  # a file the Evil pickle would create in the working directory


@dataclass(frozen=True)
class FileKind:
    """`path` in layout `layout` is damaged by `damage(original bytes)`; `live`: load it with transformers too."""

    path: str
    layout: str
    damage: Callable[[bytes], st.SearchStrategy[bytes]]
    live: bool = True
    spec_file: bool = False  # the damaged file is the spec (a .gguf), not the directory holding it
    regressions: tuple[Callable[[bytes], bytes], ...] = ()  # inputs that crashed tokcheck once, kept


def _json_edit(change: Callable[[dict], object]) -> Callable[[bytes], bytes]:
    def edit(original: bytes) -> bytes:
        data = json.loads(original)
        change(data)
        return json.dumps(data).encode()

    return edit


def _raw_value(key: str, raw: str) -> Callable[[bytes], bytes]:
    return lambda original: json.dumps({**json.loads(original), key: "@@"}).replace('"@@"', raw).encode()


# The fuzzer's finds, each kept as the input that crashed (tests/fuzz/README in the commit log).
HUGE_INT = _raw_value("vocab_size", "9" * 5000)  # ValueError past Python's int-parsing limit
DEEP_NESTING = _raw_value("vocab_size", "[" * 100_000 + "]" * 100_000)  # RecursionError


def _pickles(original: bytes) -> st.SearchStrategy[bytes]:
    return mutations.pickle_damage(SENTINEL)


KINDS = {
    "tokenizer.json": FileKind("tokenizer.json", "plain", mutations.json_damage, regressions=(
        _json_edit(lambda d: d["post_processor"]["single"].__setitem__(0, None)),  # TypeError in pipeline.py
        _raw_value("truncation", "[" * 100_000 + "]" * 100_000),
        _json_edit(lambda d: d["model"]["merges"].__setitem__(1, "x")),  # IndexError in canonical.py: mixed formats
    )),
    "tokenizer.json added tokens": FileKind("tokenizer.json", "plain", mutations.added_token_lies),
    "tokenizer_config.json": FileKind("tokenizer_config.json", "plain", lambda original: st.one_of(
        mutations.json_damage(original), mutations.decoder_id_lies(original))),
    "special_tokens_map.json": FileKind("special_tokens_map.json", "plain", mutations.json_damage),
    "added_tokens.json": FileKind("added_tokens.json", "plain", mutations.json_damage),
    "vocab.json": FileKind("vocab.json", "slow", mutations.json_damage),
    "merges.txt": FileKind("merges.txt", "slow", mutations.text_damage),
    "vocab.txt": FileKind("vocab.txt", "wordpiece", mutations.text_damage),
    "tokenizer.model": FileKind("tokenizer.model", "sentencepiece", mutations.byte_damage),
    "chat_template.jinja": FileKind("chat_template.jinja", "plain", mutations.text_damage, regressions=(
        lambda original: b"\xff" + original,  # UnicodeDecodeError in snapshot.py
    )),
    "chat_template.json": FileKind("chat_template.json", "processor", mutations.json_damage),
    "config.json": FileKind("config.json", "plain", mutations.json_damage, live=False, regressions=(
        _json_edit(lambda d: d.__setitem__("vocab_size", "x")),  # ValueError formatting it in model_config.py
        _json_edit(lambda d: d.__setitem__("architectures", True)),  # TypeError in weights.py
        HUGE_INT, DEEP_NESTING,
    )),
    "generation_config.json": FileKind("generation_config.json", "plain", mutations.json_damage, live=False, regressions=(
        _json_edit(lambda d: d.__setitem__("eos_token_id", -1)),  # IndexError reading row -1 in rows.py
        lambda original: b'{"bos_token_id": 392, "eos_token_id": [Infinity, 399]}',  # OverflowError in snapshot.py
    )),
    "adapter_config.json": FileKind("adapter_config.json", "adapter", mutations.json_damage, live=False, regressions=(
        _raw_value("r", "9" * 5000),  # ValueError in files.py read_json
    )),
    "model.safetensors": FileKind("model.safetensors", "plain", mutations.safetensors_damage, live=False),
    "model.safetensors.index.json": FileKind("model.safetensors.index.json", "sharded", mutations.json_damage, live=False),
    "pytorch_model.bin": FileKind("pytorch_model.bin", "bin", _pickles, live=False),
    "model.gguf": FileKind("model.gguf", "gguf", mutations.gguf_damage, live=False, spec_file=True, regressions=(
        # token types read, then the merges claim 2**40 items: the types' view of the map made its close
        # raise BufferError over the one-line error (reader.py now copies arrays out at once)
        mutations.gguf_count_lie(b"tokenizer.ggml.merges", 2**40),
        mutations.gguf_count_lie(b"tokenizer.ggml.tokens", 2**40),
    )),
}


def _layouts(root: Path) -> dict[str, Path]:
    plain = harness.build_checkpoint(root / "plain")
    layouts = {"plain": plain, "sharded": harness.sharded(plain, root / "sharded"),
               "adapter": harness.adapter(plain, root / "adapter")}
    slow = shutil.copytree(plain, root / "slow")
    (slow / "tokenizer.json").unlink()
    layouts["slow"] = slow
    wordpiece = (root / "wordpiece")
    wordpiece.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(json.loads((plain / "vocab.json").read_text(encoding="utf-8")))]
    (wordpiece / "vocab.txt").write_text("\n".join(v for v in vocab if v.strip() and "\n" not in v) + "\n", encoding="utf-8")
    (wordpiece / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True}))
    layouts["wordpiece"] = wordpiece
    layouts["sentencepiece"] = _sentencepiece(root / "sentencepiece", plain)
    processor = shutil.copytree(plain, root / "processor")
    (processor / "chat_template.json").write_text(json.dumps({"chat_template": (plain / "chat_template.jinja").read_text()}))
    (processor / "chat_template.jinja").unlink()
    layouts["processor"] = processor
    binary = shutil.copytree(plain, root / "bin")
    (binary / "model.safetensors").unlink()
    (binary / "pytorch_model.bin").write_bytes(b"PK\x03\x04")
    layouts["bin"] = binary
    layouts["gguf"] = harness.gguf_export(plain, root / "gguf")
    return layouts


def _sentencepiece(dest: Path, plain: Path) -> Path:
    """A real (small) SentencePiece model trained here, next to a tokenizer.json (so each example
    loads fast), as Llama 2 era checkpoints ship both."""
    import io

    import sentencepiece

    from tests.toys import CORPUS

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS * 20), model_writer=model, vocab_size=60,
                                             minloglevel=2)
    shutil.copytree(plain, dest)
    (dest / "tokenizer.model").write_bytes(model.getvalue())
    return dest


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _layouts(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def base(layouts: dict[str, Path]) -> TokenizerSnapshot:
    from tokcheck.sources.live import load

    source = resolve(str(layouts["plain"]))
    load(source)  # transformers' first load imports for seconds: not inside an example's wall limit
    return take_snapshot(source)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-work")


@pytest.fixture
def no_sentinel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path / SENTINEL
    assert not (tmp_path / SENTINEL).exists(), "a pickle was unpickled unsafely"


# A damaged pytorch_model.bin goes through torch where it is installed (the model env runs that).
@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.torch) if KINDS[k].layout == "bin" else k for k in sorted(KINDS)])
def test_every_damaged_file_ends_in_findings_or_one_line(
    kind: str, layouts: dict[str, Path], base: TokenizerSnapshot, workdir: Path, no_sentinel: Path,
    record_property: Callable[[str, object], None],
) -> None:
    spec = KINDS[kind]
    original_dir = layouts[spec.layout]
    tuned = workdir / kind.replace(" ", "-")
    if tuned.exists():
        shutil.rmtree(tuned)
    shutil.copytree(original_dir, tuned, symlinks=True)
    target = tuned / spec.path
    original = target.read_bytes()
    outcomes: dict[str, int] = {"findings": 0, "usage": 0}

    def damaged(data: bytes) -> None:
        target.write_bytes(data)
        outcome = harness.run_contained(base, tuned, live=spec.live, spec=target if spec.spec_file else None)
        outcomes["usage" if outcome.usage else "findings"] += 1
        assert not no_sentinel.exists(), "a pickle was unpickled unsafely"

    for regression in spec.regressions:
        damaged = example(regression(original))(damaged)
    damaged = FUZZ_SETTINGS(given(spec.damage(original))(damaged))

    try:
        damaged()
    finally:
        target.write_bytes(original)
    record_property("fuzz", f"{kind}: {sum(outcomes.values())} examples, {outcomes}")
    assert sum(outcomes.values()) >= EXAMPLES + len(spec.regressions)
