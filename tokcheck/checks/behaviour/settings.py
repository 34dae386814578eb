"""How the behaviour checks run: the Hypothesis profile (dev, ci, thorough), the seed, examples per
property, and the fraction and shards of each large sweep. Plain data, cheap to import (no
Hypothesis): the plugin reads it from the options when pytest starts."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from tokcheck.environment import in_ci

PROFILE_NAMES = ("dev", "ci", "thorough")
EXAMPLES = {"dev": 100, "ci": 100, "thorough": 2000}  # Hypothesis examples per property
QUICK_EXAMPLES = 30
QUICK_SAMPLE = 0.05
DEFAULT_SHARDS = 4


def default_profile(environ: Mapping[str, str] = os.environ) -> str:
    """``ci`` when the CI environment variable is true, else ``dev``."""
    return "ci" if in_ci(environ) else "dev"


@dataclass(frozen=True)
class BehaviourSettings:
    """The Hypothesis profile, the seed (None: derandomized), examples per property (None: the
    profile's), the fraction of each large sweep checked, the shards it is split into, and whether
    sweeps also encode the inputs tuned provably encodes like base (tokcheck.checks.behaviour.reach)."""

    profile: str = "dev"
    seed: int | str | None = None
    examples: int | None = None
    sweep_sample: float = 1.0
    sweep_shards: int = DEFAULT_SHARDS
    full_sweeps: bool = False

    @property
    def examples_per_property(self) -> int:
        return self.examples or EXAMPLES[self.profile]

    def seed_for(self, name: str) -> int:
        """Each property's own seed, derived from the run's seed (or fixed when derandomized)."""
        base = "derandomized" if self.seed is None else str(self.seed)
        return int(hashlib.sha256(f"{base}:{name}".encode()).hexdigest()[:16], 16)

    def describe_seed(self) -> str:
        return "derandomized" if self.seed is None else f"--hypothesis-seed {self.seed}"

    def header(self) -> dict[str, str]:
        """What the report header says about these settings (enough to rerun the same checks)."""
        seed = "derandomized" if self.seed is None else f"{self.seed} (rerun with --hypothesis-seed {self.seed})"
        sample = "every input" if self.sweep_sample >= 1 else f"a {self.sweep_sample:g} sample"
        return {
            "hypothesis profile": self.profile,
            "hypothesis seed": seed,
            "examples per property": str(self.examples_per_property),
            "sweeps": f"{sample} in {self.sweep_shards} shard(s)" + (" (full: no shortcut)" if self.full_sweeps else ""),
        }
