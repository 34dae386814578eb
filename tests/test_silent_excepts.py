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
    "inputs/transcripts.py": 1,  # _probe: a template that rejects a conversation is the answer
    "sources/live.py": 1,  # load: the fallback's own failure goes into the usage error raised next
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
    assert transcripts._probe(Refuses(), transcript.messages) is None


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

