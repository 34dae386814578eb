"""Reading back JSON that tokcheck wrote, checked as it is read: a value of the wrong type or out of
range is one usage line naming where it sits (``checkpoints.results.step-500.static[2].severity``),
so that a damaged or hand-edited report never reaches a renderer that would trip over it."""

from __future__ import annotations

import math
from typing import Any, NoReturn

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity

_SEVERITIES = ", ".join(severity.value for severity in Severity)


class Shape:
    """Typed reads of one JSON document; every failure names the document (`label`) and the place."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, what: str) -> NoReturn:
        raise TokcheckUsageError(f"{self.label}: {where}: {what} (damaged, or not a report tokcheck wrote)")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, found {_kind(value)}")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"expected a list, found {_kind(value)}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, f"expected a string, found {_kind(value)}")
        return value

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, found {_kind(value)}")
        return value

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.fail(where, f"expected true or false, found {_kind(value)}")
        return value

    def norm(self, value: Any, where: str) -> float:
        """A finite number >= 0 (a row norm, a threshold): what a log axis can place."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            self.fail(where, f"expected a finite number >= 0, found {value!r:.40}")
        return float(value)

    def texts(self, value: Any, where: str) -> list[str]:
        return [self.text(item, f"{where}[{index}]") for index, item in enumerate(self.items(value, where))]

    def text_map(self, value: Any, where: str) -> dict[str, str]:
        return {key: self.text(item, f"{where}.{key}") for key, item in self.mapping(value, where).items()}

    def count_map(self, value: Any, where: str) -> dict[str, int]:
        return {key: self.integer(item, f"{where}.{key}") for key, item in self.mapping(value, where).items()}

    def finding(self, value: Any, where: str) -> Finding:
        data = self.mapping(value, where)
        for key in ("check", "code", "severity", "message"):
            if key not in data:
                self.fail(where, f"a finding without {key!r}")
        severity = self.text(data["severity"], f"{where}.severity")
        if severity not in {s.value for s in Severity}:
            self.fail(f"{where}.severity", f"{severity!r:.40} is not one of {_SEVERITIES}")
        strings = {key: self.text(data.get(key, ""), f"{where}.{key}")
                   for key in ("check", "code", "message", "where", "fix", "detail")}
        evidence = data.get("evidence")
        return Finding(severity=Severity(severity), base=data.get("base"), tuned=data.get("tuned"),
                       evidence=None if evidence is None else self._evidence(evidence, f"{where}.evidence"), **strings)

    def findings(self, value: Any, where: str) -> list[Finding]:
        return [self.finding(item, f"{where}[{index}]") for index, item in enumerate(self.items(value, where))]

    def _evidence(self, value: Any, where: str) -> dict[str, Any]:
        """What the renderers draw from: a counterexample's token boxes and a model check's row norms."""
        evidence = self.mapping(value, where)
        tokens = evidence.get("tokens")
        if tokens is not None:
            for side in ("base", "tuned"):
                row = self.mapping(self.mapping(tokens, f"{where}.tokens").get(side), f"{where}.tokens.{side}")
                at = f"{where}.tokens.{side}"
                for index, item in enumerate(self.items(row.get("ids"), f"{at}.ids")):
                    self.integer(item, f"{at}.ids[{index}]")
                self.texts(row.get("tokens"), f"{at}.tokens")
                self.texts(row.get("pieces"), f"{at}.pieces")
                for index, item in enumerate(self.items(row.get("special"), f"{at}.special")):
                    self.flag(item, f"{at}.special[{index}]")
                self.integer(row.get("cut", 0), f"{at}.cut")
        if evidence.get("engines") is not None:
            self.texts(evidence["engines"], f"{where}.engines")
        norms = evidence.get("norms")
        if norms is not None:
            norms = self.mapping(norms, f"{where}.norms")
            for index, item in enumerate(self.items(norms.get("trained", []), f"{where}.norms.trained")):
                if item is not None:  # a row whose norm is not finite
                    self.norm(item, f"{where}.norms.trained[{index}]")
            for index, item in enumerate(self.items(norms.get("rows", []), f"{where}.norms.rows")):
                row = self.mapping(item, f"{where}.norms.rows[{index}]")
                self.integer(row.get("id"), f"{where}.norms.rows[{index}].id")
                if row.get("norm") is not None:
                    self.norm(row["norm"], f"{where}.norms.rows[{index}].norm")
                for key in ("kind", "token", "why"):
                    self.text(row.get(key, ""), f"{where}.norms.rows[{index}].{key}")
            for key, item in self.mapping(norms.get("thresholds") or {}, f"{where}.norms.thresholds").items():
                if item is not None:
                    self.norm(item, f"{where}.norms.thresholds.{key}")
        return evidence


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false", type(None): "null"}
    return names.get(type(value), "a number")
