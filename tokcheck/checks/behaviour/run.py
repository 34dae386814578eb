"""The behaviour checks of one base/tuned pair as Findings: each Hypothesis property and each sweep
shard by name, under the run's settings. Pure (no pytest): the plugin's tokcheck_behaviour fixture
and the built-in suite call it; so can a script. Importing it imports Hypothesis and tokenizers,
so the plugin imports it only when a behaviour check runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cached_property

from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.approximate_gap import GAP as APPROXIMATE_GAP
from tokcheck.checks.behaviour.approximate_gap import ApproximateReference, approximate_reference
from tokcheck.checks.behaviour.class_views import ModelConfig
from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.counterexamples import Counterexample
from tokcheck.checks.behaviour.llamacpp_view import AGAINST_HF as LLAMACPP_AGAINST_HF
from tokcheck.checks.behaviour.llamacpp_view import NAME as LLAMACPP_VIEW
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.properties import PROPERTIES
from tokcheck.checks.behaviour.properties.chat import encoded_render_baseline, stop_token_baseline
from tokcheck.checks.behaviour.properties.specials import injection_findings, special_token_examples
from tokcheck.checks.behaviour.runner import PropertyOutcome, run_property
from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.behaviour.sweeps.registry import shards_of
from tokcheck.checks.behaviour.sweeps.run import run_sweep
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.findings import Finding, Severity

BASELINES = {"chat_bos": encoded_render_baseline, "stop_token": stop_token_baseline}


def compared_nothing(outcome: PropertyOutcome, title: str) -> list[Finding]:
    """A property that compared no example has checked nothing and must not pass as if it had: an
    error where examples were generated but base raised on every one (or none were generated); a
    warning where the pair gives the strategy nothing to draw from (no special tokens to splice),
    which a benign pair can do."""
    if outcome.compared:
        return []
    code = f"behaviour.{outcome.name}"
    if outcome.empty_strategy:
        return [Finding(code, f"{code}.compared-nothing", Severity.WARNING,
                        f"compared nothing: the pair gives '{title}' nothing to generate from")]
    return [Finding(code, f"{code}.compared-nothing", Severity.ERROR,
                    f"compared nothing: base raised on all {outcome.generated} generated examples of '{title}' "
                    "(or none were generated), so nothing held tuned to base",
                    fix="run base's tokenizer (or chat template) on the repro: it fails on its own")]


class BehaviourRun:
    """Runs named behaviour checks of a session's pair and returns their findings. Example::

        run = BehaviourRun(session, BehaviourSettings(profile="ci"))
        findings = run.property_findings("ids") + run.sweep_findings("code_points")
    """

    def __init__(
        self,
        session: CheckedSession,
        settings: BehaviourSettings,
        model_configs: Sequence[ModelConfig] = (),
        *,
        shared: BaseMemo | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.model_configs = model_configs  # base's and tuned's model directory config.json (class views)
        self.shared = shared  # the base's work, shared with the other checkpoints of a run

    @cached_property
    def comparison(self) -> Comparison:
        return Comparison.from_session(self.session, self.model_configs, self.shared)

    @cached_property
    def inputs(self) -> PairInputs:
        return PairInputs(self.comparison)

    @cached_property
    def approximate(self) -> str | None:
        """How a side's tokenizer approximates the real one (a GGUF's view), or None."""
        return next((side.loaded.approximate for side in self.session.sides if side.loaded.approximate), None)

    @cached_property
    def both_in_llamacpp(self) -> bool:
        """Whether llama.cpp runs both sides (two GGUFs): then its own differences from Hugging
        Face tokenizers are on both sides alike, and what differs between them is drift."""
        return all(side.source.gguf_file is not None for side in self.session.sides)

    def _as_seen(self, findings: list[Finding], seen_in: Sequence[str] = ()) -> list[Finding]:
        """Behaviour seen through an approximate view is a warning, never an error: the view's own
        measured gaps (docs/gguf.md) would otherwise fail faithful exports. So is
        llama.cpp against a HF tokenizer: llama.cpp's own differences from HF (no NFC for Qwen2,
        SentencePiece's spaces) show on faithful conversions too. llama.cpp against llama.cpp (two
        GGUFs) stays an error. `seen_in`: each finding's view."""
        if self.approximate is None:
            return findings
        views = [*seen_in, *[""] * (len(findings) - len(seen_in))]
        return [self._seen(f, view) for f, view in zip(findings, views)]

    def _seen(self, finding: Finding, view: str) -> Finding:
        if finding.severity is not Severity.ERROR or (view == LLAMACPP_VIEW and self.both_in_llamacpp):
            return finding
        how = LLAMACPP_AGAINST_HF if view == LLAMACPP_VIEW else self.approximate
        return dataclasses.replace(finding, severity=Severity.WARNING, message=f"{finding.message} ({how})")

    @cached_property
    def reference(self) -> ApproximateReference | None:
        return approximate_reference(self.session.sides)

    def _examples_as_seen(self, examples: Sequence[Counterexample]) -> list[Finding]:
        raw = [example.to_finding() for example in examples]
        seen = self._as_seen(raw, [example.seen_in for example in examples])
        return [self._gap(finding) if self._in_the_gap(example) else as_seen
                for finding, as_seen, example in zip(raw, seen, examples)]

    def _in_the_gap(self, example: Counterexample) -> bool:
        """A difference the approximate view also shows for a faithful conversion of the HF side."""
        return (example.seen_in != LLAMACPP_VIEW and example.text is not None and self.reference is not None
                and self.reference.explains(example.text))

    @staticmethod
    def _gap(finding: Finding) -> Finding:
        return dataclasses.replace(finding, severity=Severity.INFO, message=f"{finding.message} ({APPROXIMATE_GAP})")

    def has_chat_template(self) -> bool:
        return self.comparison.base_renders_chat

    def property_findings(self, name: str) -> list[Finding]:
        """Run Hypothesis property `name` (see tokcheck.checks.behaviour.properties); a failure comes
        back as one Finding carrying the minimal example."""
        outcome = run_property(PROPERTIES[name], self.inputs, self.settings)
        if outcome.counterexample is None:
            return compared_nothing(outcome, PROPERTIES[name].title)
        how = "shrunk by Hypothesis to this minimal example" if outcome.shrunk else "as generated (it did not shrink)"
        found = outcome.counterexample.with_lines(
            f"found by Hypothesis: {outcome.failed} of {outcome.generated} generated examples differ "
            f"({outcome.compared} compared); {how} "
            f"(profile {self.settings.profile}, {self.settings.describe_seed()})"
        )
        return self._examples_as_seen([found])

    def sweep_findings(self, name: str, shard: int = 0) -> list[Finding]:
        """Run shard `shard` of sweep `name` (see tokcheck.checks.behaviour.sweeps.registry); a
        mismatch comes back as one Finding with the smallest failing input."""
        shards = shards_of(name, self.settings.sweep_shards)
        outcome = run_sweep(self.inputs, name, shard=shard, shards=shards, sample=self.settings.sweep_sample,
                            full=self.settings.full_sweeps)
        smallest = outcome.smallest()
        return [] if smallest is None else self._examples_as_seen([smallest])

    def special_token_findings(self) -> list[Finding]:
        return self._examples_as_seen(special_token_examples(self.comparison))

    def injection_findings(self) -> list[Finding]:
        return self._as_seen(injection_findings(self.comparison))

    def baseline_findings(self, name: str) -> list[Finding]:
        """INFO about what base itself does (then only a change is drift): `chat_bos`, `stop_token`."""
        return BASELINES[name](self.comparison)
