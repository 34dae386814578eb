"""Token boxes: a counterexample's two id lists as rows of boxes (id, token, the piece of text it
covers), which boxes differ and where the first difference is, placed on shared character offsets
so that base's boxes sit above the tuned boxes that cover the same text. Pure data for the
terminal's bracketed rows and the HTML report's grid; nothing here renders."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tokcheck.display import first_difference
from tokcheck.findings import Finding

# Marks that make invisible characters visible in a box; others become \\uXXXX escapes. A space is
# ␣ (U+2423), not ␠ (U+2420): common fonts (DejaVu, Liberation) have no glyph for ␠, which then
# shows as an empty box.
VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "\\r"}


def visible(piece: str, *, spaces: bool = True) -> str:
    """`piece` with nothing invisible: ␣ ⏎ ⇥ \\r for whitespace (plain spaces kept when `spaces` is
    False), \\u00a0-style escapes for other spaces, controls, format and combining characters."""
    out = []
    for char in piece:
        if char in VISIBLE and (spaces or char != " "):
            out.append(VISIBLE[char])
        elif char == " " or (char.isascii() and char.isprintable()):
            out.append(char)
        elif unicodedata.category(char)[0] in "MZC" or not char.isprintable() or (
                unicodedata.normalize("NFKC", char) != char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Box:
    """One token: its id and name, the text piece it covers ([start, end) of the side's decoded
    text), whether it is special, and whether it differs from the other side."""

    token_id: int
    token: str
    piece: str
    start: int
    end: int
    special: bool
    differs: bool
    first: bool  # the first differing box of its row


@dataclass(frozen=True)
class TokenRows:
    """Base's and tuned's boxes for one counterexample; `cut` ids per side were not drawn."""

    base: list[Box]
    tuned: list[Box]
    first_difference: int | None
    cut: tuple[int, int] = (0, 0)

    def columns(self) -> tuple[int, dict[tuple[str, int], tuple[int, int]]]:
        """Grid columns shared by both rows: every box starts and ends on a character offset that
        either row cuts at; a box covering no text gets a column of its own. Returns the number of
        columns and, per (side, index), the box's [first, last) column."""
        placed: dict[tuple[str, int], tuple[tuple[int, int], tuple[int, int]]] = {}
        points: set[tuple[int, int]] = set()
        for side, boxes in (("base", self.base), ("tuned", self.tuned)):
            empty_at: dict[int, int] = {}
            for index, box in enumerate(boxes):
                if box.start == box.end:
                    slot = empty_at.get(box.start, 0)
                    empty_at[box.start] = slot + 1
                    span = ((box.start, slot), (box.start, slot + 1))
                else:
                    span = ((box.start, empty_at.get(box.start, 0)), (box.end, 0))
                placed[(side, index)] = span
                points.update(span)
        order = {point: column for column, point in enumerate(sorted(points))}
        return max(len(order) - 1, 0), {key: (order[a], order[b]) for key, (a, b) in placed.items()}

    def lines(self, width: int) -> list[tuple[int, int]]:
        """The columns split into lines of about `width` characters, each cut where both rows cut
        (so that no box is split), for long counterexamples such as chat renders."""
        count, placed = self.columns()
        spans = list(placed.values())
        boxes = {key: box for side, row in (("base", self.base), ("tuned", self.tuned)) for key, box in
                 (((side, index), box) for index, box in enumerate(row))}
        lines, start, used = [], 0, {"base": 0.0, "tuned": 0.0}
        for column in range(1, count + 1):
            for key, (_, last) in placed.items():
                if last == column:
                    box = boxes[key]
                    used[key[0]] += max(len(visible(box.piece)), 0.7 * len(str(box.token_id))) + 1
            crossing = any(first < column < last for first, last in spans)
            if column < count and not crossing and max(used.values()) >= width:
                lines.append((start, column))
                start, used = column, {"base": 0.0, "tuned": 0.0}
        lines.append((start, count))
        return lines


def _side(data: dict[str, Any], differing: range, first: int | None) -> list[Box]:
    boxes, offset = [], 0
    for index, (token_id, token, piece, special) in enumerate(
            zip(data["ids"], data["tokens"], data["pieces"], data["special"])):
        boxes.append(Box(int(token_id), str(token), str(piece), offset, offset + len(piece), bool(special),
                         index in differing, index == first))
        offset += len(piece)
    return boxes


def _differing(base: Sequence[int], tuned: Sequence[int]) -> tuple[int | None, range, range]:
    """The first difference and, per side, the range of boxes between the common prefix and the
    common suffix."""
    first = first_difference(base, tuned)
    if first is None:
        return None, range(0), range(0)
    suffix = 0
    while suffix < min(len(base), len(tuned)) - first and base[-1 - suffix] == tuned[-1 - suffix]:
        suffix += 1
    return first, range(first, len(base) - suffix), range(first, len(tuned) - suffix)


def token_rows(finding: Finding) -> TokenRows | None:
    """The boxes of a finding with token evidence, or, for a finding whose base and tuned are id
    lists without it, boxes of ids alone; None for any other finding."""
    evidence = (finding.evidence or {}).get("tokens")
    if evidence:
        base, tuned = evidence["base"], evidence["tuned"]
    elif _ids(finding.base) and _ids(finding.tuned):
        base, tuned = ({"ids": ids, "tokens": [""] * len(ids), "pieces": [""] * len(ids), "special": [False] * len(ids)}
                       for ids in (finding.base, finding.tuned))
    else:
        return None
    first, base_differs, tuned_differs = _differing(base["ids"], tuned["ids"])
    return TokenRows(_side(base, base_differs, first), _side(tuned, tuned_differs, first), first,
                     (int(base.get("cut", 0)), int(tuned.get("cut", 0))))


def _ids(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, int) for item in value)


def bracketed(boxes: Sequence[Box]) -> list[tuple[str, Box]]:
    """Each box as '[piece]' for the terminal (the token name where the piece is empty)."""
    return [(f"[{visible(box.piece, spaces=False) if box.piece else box.token or box.token_id}]", box) for box in boxes]
