"""The behaviour checks of one base/tuned pair as Findings: each Hypothesis property and each sweep
shard by name, with the settings they run under. Pure (no pytest): the plugin's fixture and the
built-in suite call it; so can a script. Nothing heavy is imported until a check runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tokcheck.findings import Finding

if TYPE_CHECKING:
    from tokcheck.properties import Comparison
    from tokcheck.session import TokcheckSession

SHARDED_SWEEPS = ("added_tokens", "apostrophes", "ascii_pairs", "code_points", "vocab_ids")
PROFILE_NAMES = ("dev", "ci", "thorough")
EXAMPLES = {"dev": 100, "ci": 100, "thorough": 2000}  # Hypothesis examples per property
QUICK_EXAMPLES = 30
QUICK_SAMPLE = 0.05
_TRUE = {"1", "true", "yes", "on"}


def in_ci(environ: Any = os.environ) -> bool:
    return str(environ.get("CI", "")).strip().lower() in _TRUE


def default_profile(environ: Any = os.environ) -> str:
    """``ci`` when the CI environment variable is true, else ``dev``."""
    return "ci" if in_ci(environ) else "dev"


@dataclass(frozen=True)
class BehaviourSettings:
    """How the behaviour checks run: Hypothesis profile, seed (None: derandomized), examples per
    property (None: the profile's), the fraction of each large sweep checked, and its shards."""

    profile: str = "dev"
    seed: int | str | None = None
    examples: int | None = None
    sweep_sample: float = 1.0
    sweep_shards: int = 4

    def run_config(self) -> Any:
        from tokcheck.hypothesis_profiles import RunConfig

        return RunConfig(self.profile, self.seed, self.examples)

    def header(self) -> dict[str, str]:
        """What the report header says about these settings (enough to rerun the same checks)."""
        seed = "derandomized" if self.seed is None else f"{self.seed} (rerun with --hypothesis-seed {self.seed})"
        sample = "every input" if self.sweep_sample >= 1 else f"a {self.sweep_sample:g} sample"
        return {
            "hypothesis profile": self.profile,
            "hypothesis seed": seed,
            "examples per property": str(self.examples or EXAMPLES[self.profile]),
            "sweeps": f"{sample} in {self.sweep_shards} shard(s)",
        }


class BehaviourRun:
    """Runs named behaviour checks of a session's pair and returns their findings. Example::

        run = BehaviourRun(session, BehaviourSettings(profile="ci"))
        findings = run.property_findings("ids") + run.sweep_findings("code_points")
    """

    def __init__(self, session: TokcheckSession, settings: BehaviourSettings) -> None:
        self.session = session
        self.settings = settings

    @cached_property
    def comparison(self) -> Comparison:
        from tokcheck.properties import Comparison

        return Comparison.from_session(self.session)

    def has_chat_template(self) -> bool:
        return bool(self.comparison.capabilities[0].renders)

    def property_findings(self, name: str) -> list[Finding]:
        """Run Hypothesis property `name` (see tokcheck.properties.PROPERTIES); a failure comes back
        as one Finding carrying the minimal example."""
        from tokcheck.hypothesis_profiles import run_property
        from tokcheck.properties import PROPERTIES

        config = self.settings.run_config()
        outcome = run_property(PROPERTIES[name], self.comparison, config)
        if outcome.counterexample is None:
            return []
        how = "shrunk by Hypothesis to this minimal example" if outcome.shrunk else "as generated (it did not shrink)"
        seed = "derandomized" if config.seed is None else f"--hypothesis-seed {config.seed}"
        found = outcome.counterexample.with_lines(
            f"found by Hypothesis: {outcome.failed} of {outcome.generated} generated examples differ; {how} "
            f"(profile {config.profile}, {seed})"
        )
        return [found.to_finding()]

    def sweep_findings(self, name: str, shard: int = 0) -> list[Finding]:
        """Run shard `shard` of sweep `name` (see tokcheck.sweeps.SWEEPS); a mismatch comes back as
        one Finding with the smallest failing input."""
        from tokcheck.sweeps import run_sweep

        shards = self.settings.sweep_shards if name in SHARDED_SWEEPS else 1
        outcome = run_sweep(self.comparison, name, shard=shard, shards=shards, sample=self.settings.sweep_sample)
        smallest = outcome.smallest()
        return [] if smallest is None else [smallest.to_finding()]

    def special_token_findings(self) -> list[Finding]:
        from tokcheck.properties_chat import special_token_examples

        return [example.to_finding() for example in special_token_examples(self.comparison)]

    def injection_findings(self) -> list[Finding]:
        from tokcheck.properties_chat import injection_findings

        return injection_findings(self.comparison)

    def baseline_findings(self, name: str) -> list[Finding]:
        """INFO about what base itself does (then only a change is drift): `chat_bos`, `stop_token`."""
        from tokcheck import properties_chat

        check = {"chat_bos": properties_chat.encoded_render_baseline, "stop_token": properties_chat.stop_token_baseline}[name]
        return check(self.comparison)
