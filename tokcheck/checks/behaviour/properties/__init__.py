"""The behaviour properties by name, in the order the built-in suite runs them.

A new property is a Property (tokcheck.checks.behaviour.property: a strategy over the pair's
inputs and a batch check) in the module of its kind here, listed in that module's PROPERTIES, and
a test in tokcheck/suite/test_behaviour.py that concludes `tokcheck_behaviour.property_findings(name)`."""

from __future__ import annotations

from tokcheck.checks.behaviour.properties import batch, chat, specials, text
from tokcheck.checks.behaviour.property import Property

PROPERTIES: dict[str, Property] = {
    prop.name: prop for module in (text, specials, chat, batch) for prop in module.PROPERTIES
}

__all__ = ["PROPERTIES", "Property"]
