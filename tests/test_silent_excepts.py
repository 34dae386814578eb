"""No silent excepts: every broad handler in tokcheck (``except Exception``, ``except BaseException``,
a bare ``except``) re-raises, or is one of the deliberate ones listed here, each with a comment at
the handler and a test below that shows what swallowing gives there."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from tokcheck.checks.behaviour import runner
from tokcheck.checks.behaviour.properties import batch, chat
from tokcheck.display import token_strings
from tokcheck.inputs import transcripts
from tokcheck.inputs.transcripts import Transcript
from tokcheck.sources import canonical

PACKAGE = Path(__file__).resolve().parents[1] / "tokcheck"

# file -> how many broad handlers in it swallow on purpose (each tested below).
DELIBERATE = {
    "checks/behaviour/runner.py": 1,  # _current_choices: another Hypothesis's internals -> None
    "checks/behaviour/properties/chat.py": 1,  # _render: a template's refusal is an outcome to compare
    "checks/behaviour/properties/batch.py": 1,  # _call: a tokenizer's refusal is an outcome to compare
    "checks/golden.py": 1,  # _chat_entry: a refusal is recorded in the golden file as the error
    "display.py": 1,  # token_strings: an id the tokenizer does not know is shown raw
    "sources/canonical.py": 1,  # components: a component tokenizers cannot read is compared as saved
    "checks/template_renders.py": 1,  # render: a template's refusal is an outcome to compare
    "inputs/transcripts.py": 1,  # rendered_text: a template that rejects a conversation is the answer
    "sources/live.py": 1,  # load: the fallback's own failure goes into the usage error raised next
    # tokenizer_class, sentencepiece_class: a class this transformers cannot import is no view;
    # build: a class that cannot build from the files is no consumer of them
    "checks/behaviour/class_views.py": 3,
    "checks/behaviour/counterexamples.py": 1,  # token_evidence: boxes are presentation; text is shown instead
    "checks/behaviour/pieces.py": 1,  # token_pieces: boxes are presentation; ids are shown instead
    "checks/encoding_cache.py": 1,  # an unreadable entry is a miss (tests/checks/test_encoding_cache.py)
}


def _broad(handler: ast.ExceptHandler) -> bool:
    names = [handler.type] if not isinstance(handler.type, ast.Tuple) else list(handler.type.elts)
    return handler.type is None or any(isinstance(n, ast.Name) and n.id in ("Exception", "BaseException") for n in names)


def swallowing_handlers() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.ExceptHandler) and _broad(node):
                reraises = any(isinstance(inner, ast.Raise) for stmt in node.body for inner in ast.walk(stmt))
                if not reraises:
                    commented = "#" in lines[node.lineno - 1]
                    found.setdefault(str(path.relative_to(PACKAGE)), []).append(node.lineno if commented else -node.lineno)
    return found


def test_every_broad_except_reraises_or_is_a_documented_deliberate_one() -> None:
    found = swallowing_handlers()
    assert {name: len(lines) for name, lines in found.items()} == DELIBERATE
    undocumented = {name: [-n for n in lines if n < 0] for name, lines in found.items() if any(n < 0 for n in lines)}
    assert undocumented == {}, "a deliberate broad except says why in a comment on its line"


def test_hypothesis_internals_missing_give_no_choices_and_the_seed_replay() -> None:
    assert runner._current_choices() is None  # outside a build there is no context: the except answers None


class Refuses:
    """A tokenizer whose template and call refuse everything."""

    bos_token_id = None

    def apply_chat_template(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("This template does not support system messages")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("no padding token")

    def convert_ids_to_tokens(self, ids: Any) -> Any:
        raise IndexError("piece id is out of range")


def test_a_refusing_template_is_an_outcome_not_a_crash() -> None:
    transcript = Transcript([{"role": "system", "content": "x"}, {"role": "user", "content": "hi"}])
    outcome = chat._render(Refuses(), transcript, tokenize=False)
    assert isinstance(outcome, ValueError) and "system messages" in str(outcome)
    assert transcripts.rendered_text(Refuses(), transcript.messages) is None


def test_a_refusing_tokenizer_call_is_an_outcome_to_compare() -> None:
    assert isinstance(batch._call(Refuses(), ["a"], padding=True), ValueError)


def test_a_golden_entry_records_the_refusal() -> None:
    from tokcheck.checks.golden import _chat_entry

    entry = _chat_entry(Refuses(), Transcript([{"role": "user", "content": "hi"}], name="hi"), True)
    assert entry["error"].startswith("ValueError: This template does not support")


def test_unknown_ids_are_shown_raw() -> None:
    assert token_strings(Refuses(), [7, 8]) == ["<id 7>", "<id 8>"]


def test_a_component_tokenizers_cannot_read_is_compared_as_saved() -> None:
    unknown = {"type": "NoSuchNormalizer", "b": 1, "a": 2}
    assert canonical.components({"normalizer": unknown})["normalizer"] == {"a": 2, "b": 1, "type": "NoSuchNormalizer"}


def test_a_fallback_that_fails_too_is_named_in_the_usage_error(toy_dir: Path, tmp_path: Path) -> None:
    import shutil

    from tests.toys import edit_json
    from tokcheck.errors import TokcheckUsageError
    from tokcheck.sources.live import load_tokenizer
    from tokcheck.sources.spec import resolve

    broken = tmp_path / "broken"
    shutil.copytree(toy_dir, broken)
    edit_json(broken / "tokenizer.json", lambda j: j["model"].__setitem__("type", "NoSuchModel"))
    with pytest.raises(TokcheckUsageError, match=r"its tokenizer\.json does not load either"):
        load_tokenizer(resolve(str(broken)))


def _unimportable(name: str) -> Any:
    raise ImportError(f"{name} requires the SentencePiece library but it was not found")


def test_a_class_this_transformers_cannot_import_is_no_view(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers
    from transformers.models.auto import tokenization_auto

    from tokcheck.checks.behaviour import class_views

    # The control: a lookup that finds the class gives it back (a stand-in lookup, since under xdist an
    # earlier in-process pytester run can leave transformers' lazy llama module half-imported on 4.57).
    monkeypatch.setattr(tokenization_auto, "tokenizer_class_from_name", lambda name: transformers.PreTrainedTokenizerFast)
    assert class_views.tokenizer_class("LlamaTokenizer") is transformers.PreTrainedTokenizerFast
    monkeypatch.setattr(tokenization_auto, "tokenizer_class_from_name", _unimportable)
    assert class_views.tokenizer_class("LlamaTokenizer") is None
    assert class_views.sentencepiece_class("LlamaTokenizer") is None


def test_a_class_that_cannot_build_from_the_files_is_no_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    from tokcheck.checks.behaviour import class_views
    from tokcheck.session import Settings, SpecSetting, TokcheckSession

    class Unbuildable(transformers.PreTrainedTokenizerFast):
        @classmethod
        def from_pretrained(cls, *args: Any, **kwargs: Any) -> Any:
            raise ValueError("Couldn't instantiate the backend tokenizer")

    monkeypatch.setattr(class_views, "tokenizer_class", lambda name: Unbuildable)
    session = TokcheckSession(Settings(base=SpecSetting("zoo:qwen2"), tuned=SpecSetting("zoo:qwen2")))
    base, tuned = session.pair()
    assert class_views.build(class_views.ClassChoice("Unbuildable", "named by tokenizer_class"), (base, tuned)) is None


def test_boxes_are_left_out_where_a_side_cannot_decode() -> None:
    from tokcheck.checks.behaviour.pieces import token_pieces

    assert token_pieces(Refuses(), [1, 2]) is None


def test_a_render_a_side_cannot_encode_is_shown_as_text() -> None:
    import dataclasses

    from tokcheck.checks.behaviour.counterexamples import Counterexample

    fields = {f.name for f in dataclasses.fields(Counterexample)}
    assert {"tokenizers", "base_value", "tuned_value", "code"} <= fields
    example = Counterexample.__new__(Counterexample)
    for name, value in {"tokenizers": (Refuses(), Refuses()), "base_ids": None, "tuned_ids": None,
                        "base_value": "<s>hi", "tuned_value": "hi", "code": "behaviour.chat_render"}.items():
        object.__setattr__(example, name, value)
    assert example.token_evidence() is None

