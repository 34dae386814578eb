"""The view pipeline: its steps run in the one order STEPS writes, and where the order matters
(the base codecs shared before the llama.cpp view is added) it shows in the views built."""

from __future__ import annotations

from tests.checks.behaviour.conftest import session_for
from tests.llamacpp_marks import needs_converter, needs_runtime
from tokcheck import zoo
from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour import view_pipeline
from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.checks.behaviour.shared_codec import SharedCodec
from tokcheck.checks.behaviour.view_pipeline import ViewInputs, views_for
from tokcheck.checks.behaviour.views import View

LOADERS = (Loader("base"), Loader("tuned"))


def named(name: str) -> view_pipeline.Step:
    return lambda views, inputs: [*views, View(name, None, None, inputs.loaders)]


def test_each_step_gets_the_views_the_steps_before_it_made() -> None:
    views = views_for(ViewInputs(None, None, LOADERS, ()), (named("first"), named("second")))
    assert [view.name for view in views] == ["first", "second"]


def test_the_steps_are_in_their_written_order() -> None:
    assert [step.__name__ for step in view_pipeline.STEPS] == [
        "add_transformers_view", "add_file_view", "add_class_views", "note_transformers_view", "share_base_codecs",
        "add_llamacpp_view"]


def test_with_a_base_memo_every_base_codec_is_shared_and_no_tuned_one() -> None:
    # MiniLM's normalizer changed: a tokenizer.json view beside the transformers one, on a small vocabulary
    session = session_for(zoo.path_for("minilm"), zoo.path_for("minilm-no-lowercase"))
    views = Comparison.from_session(session, base_memo=BaseMemo()).views
    assert len(views) >= 2 and all(isinstance(view.base, SharedCodec) for view in views)
    assert not any(isinstance(view.tuned, SharedCodec) for view in views)


@needs_runtime
@needs_converter
def test_the_llamacpp_views_split_special_codec_is_not_shared_but_its_chat_codec_is() -> None:
    # Shared, the split codec would be handed the transformers codec's ids for the same tokenizer.
    session = session_for("zoo:llama3", "zoo:llama3-gguf")
    transformers, llamacpp = Comparison.from_session(session, base_memo=BaseMemo()).views
    assert llamacpp.name == "llama.cpp" and not isinstance(llamacpp.base, SharedCodec)
    assert llamacpp.chat is not None and llamacpp.chat[0] is transformers.base
