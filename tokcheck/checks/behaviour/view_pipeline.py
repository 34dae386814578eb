"""The views a Comparison runs, built by a fixed sequence of steps (STEPS), each a function from
the views so far and what the pair offers (ViewInputs) to the views after it. The order is
written once, in STEPS, with why each step stands where it does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.class_views import ModelConfig, class_views, transformers_note
from tokcheck.checks.behaviour.llamacpp_view import llamacpp_views
from tokcheck.checks.behaviour.reproduction import Loader
from tokcheck.checks.behaviour.shared_codec import SharedCodec
from tokcheck.checks.behaviour.views import View, file_view, transformers_view
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side


@dataclass(frozen=True)
class ViewInputs:
    """What the steps build the views from: the two live tokenizers and how a reproduction loads
    them, the probe texts batch codecs are checked on, and the optional parts (see Comparison)."""

    base: LiveTokenizer
    tuned: LiveTokenizer
    loaders: tuple[Loader, Loader]
    probes: Sequence[str]
    file_paths: tuple[str, str] | None = None
    sides: tuple[Side, Side] | None = None
    model_configs: Sequence[ModelConfig] = ()
    base_memo: BaseMemo | None = None


Step = Callable[[list[View], ViewInputs], list[View]]


def add_transformers_view(views: list[View], inputs: ViewInputs) -> list[View]:
    return [*views, transformers_view(inputs.base, inputs.tuned, inputs.loaders, inputs.probes)]


def add_file_view(views: list[View], inputs: ViewInputs) -> list[View]:
    return views if inputs.file_paths is None else [*views, file_view(inputs.file_paths)]


def add_class_views(views: list[View], inputs: ViewInputs) -> list[View]:
    return views if inputs.sides is None else [*views, *class_views(inputs.sides, inputs.probes, inputs.model_configs)]


def note_transformers_view(views: list[View], inputs: ViewInputs) -> list[View]:
    """The transformers view with its note (which class AutoTokenizer built), where it has one."""
    if inputs.sides is None or not (note := transformers_note(inputs.sides, len(views) > 1)):
        return views
    return [replace(views[0], note=note), *views[1:]]


def share_base_codecs(views: list[View], inputs: ViewInputs) -> list[View]:
    """Every view's base codec answering its large batches from the run's BaseMemo."""
    if inputs.base_memo is None:
        return views
    return [replace(view, base=SharedCodec(view.base, inputs.base_memo)) for view in views]


def add_llamacpp_view(views: list[View], inputs: ViewInputs) -> list[View]:
    return views if inputs.sides is None else [*views, *llamacpp_views(inputs.sides, inputs.probes, views[0])]


STEPS: tuple[Step, ...] = (
    # First: views[0] is the transformers view (Comparison.transformers, base_codec, tuned_codec).
    add_transformers_view,
    add_file_view,
    add_class_views,
    # After the file and class views: "several views", which the note depends on, counts them
    # (and not the llama.cpp view, added below).
    note_transformers_view,
    share_base_codecs,
    # After the sharing, so that it is not shared: a HF side's text codec here splits special
    # tokens, and SharedCodec's memo key (the tokenizer, not the split) would hand it the
    # transformers codec's results for the same tokenizer. Its chat codecs on a HF side are the
    # transformers view's, shared by then.
    add_llamacpp_view,
)


def views_for(inputs: ViewInputs, steps: Sequence[Step] = STEPS) -> list[View]:
    """The views of one pair: each step of `steps` in turn, from none."""
    views: list[View] = []
    for step in steps:
        views = step(views, inputs)
    return views
