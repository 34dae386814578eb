"""The pictures of the HTML report, as HTML/SVG strings: a counterexample's token boxes (base
above tuned on shared character offsets), a chat template diff side by side, and the row norms of a
model check as an inline SVG. Every highlight carries a mark or a label as well as a colour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from tokcheck.report.token_boxes import Box, TokenRows, visible


def _attr(text: Any) -> str:
    return escape(str(text), quote=True)


# --- token boxes ---------------------------------------------------------------------------------


def _box(side: str, box: Box, columns: tuple[int, int], row: int) -> str:
    classes = ["tok"] + (["special"] if box.special else []) + (["differs"] if box.differs else []) + (
        ["first"] if box.first else [])
    labels = [f"id {box.token_id}", f"token {box.token!r}"] + (["special token"] if box.special else []) + (
        ["differs"] if box.differs else []) + (["first difference"] if box.first else [])
    piece = visible(box.piece) if box.piece else (box.token or "")
    mark = '<span class="mark" aria-hidden="true">▼ first difference</span>' if box.first else ""
    differ = '<span class="ne" aria-hidden="true">≠</span>' if box.differs and not box.first else ""
    star = '<span class="sp" aria-hidden="true">◆</span>' if box.special else ""
    return (f'<span class="{" ".join(classes)}" data-side="{side}" data-id="{box.token_id}" role="listitem" '
            f'style="grid-row:{row};grid-column:{columns[0] + 2}/{columns[1] + 2}" title="{_attr("; ".join(labels))}" '
            f'aria-label="{_attr("; ".join(labels))}">{mark}<span class="piece">{star}{escape(piece) or "&#8203;"}</span>'
            f'<span class="tid">{box.token_id}{differ}</span></span>')


LINE_CHARS = 72  # about this many characters of boxes per line of the grid; longer examples wrap


def token_grid(rows: TokenRows, caption: str = "") -> str:
    """Two rows of boxes in CSS grids whose columns are the character offsets either side cuts at,
    so a box sits above the boxes that cover the same text; a long example wraps into several
    such grids, each cut where both rows cut."""
    _, placed = rows.columns()
    parts = ['<figure class="tokens">']
    for first, last in rows.lines(LINE_CHARS):
        parts.append(f'<div class="tokgrid" role="list" style="grid-template-columns:max-content '
                     f'repeat({max(last - first, 1)},max-content)">'
                     '<span class="rowlabel" style="grid-row:1;grid-column:1">base</span>'
                     '<span class="rowlabel" style="grid-row:2;grid-column:1">tuned</span>')
        for side, boxes, row in (("base", rows.base, 1), ("tuned", rows.tuned, 2)):
            for index, box in enumerate(boxes):
                start, end = placed[(side, index)]
                if first <= start < last or (start == end == first):
                    parts.append(_box(side, box, (start - first, end - first), row))
        parts.append("</div>")
    notes = []
    if rows.first_difference is not None:
        notes.append(f"first difference at token {rows.first_difference}")
    for side, cut in zip(("base", "tuned"), rows.cut):
        if cut:
            notes.append(f"{cut} more {side} ids not drawn (all are in the JSON report)")
    text = "; ".join(filter(None, [caption, *notes]))
    parts.append(f"<figcaption>{escape(text)}</figcaption></figure>" if text else "</figure>")
    return "".join(parts)


# --- chat template diff --------------------------------------------------------------------------


def side_by_side(diff: str) -> str | None:
    """A unified diff (`--- base` / `+++ tuned`) as a two-column table, or None for other text."""
    lines = diff.splitlines()
    if len(lines) < 2 or not lines[0].startswith("---") or not lines[1].startswith("+++"):
        return None
    rows: list[tuple[str, str, str]] = []  # (kind, base line, tuned line)
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            left = removed[index] if index < len(removed) else None
            right = added[index] if index < len(added) else None
            rows.append(("changed", "" if left is None else left, "" if right is None else right) if left is not None
                        and right is not None else ("removed", left or "", "") if left is not None else ("added", "", right or ""))
        removed.clear()
        added.clear()

    for line in lines[2:]:
        if line.startswith("@@"):
            flush()
            rows.append(("hunk", line, line))
        elif line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
        else:
            flush()
            rows.append(("same", line[1:], line[1:]))
    flush()
    marks = {"changed": ("−", "+"), "removed": ("−", ""), "added": ("", "+"), "same": ("", ""), "hunk": ("", "")}
    body = []
    for kind, left, right in rows:
        left_mark, right_mark = marks[kind]
        left_class = "del" if left_mark else kind
        right_class = "ins" if right_mark else kind
        body.append(f'<tr class="{kind}"><td class="m">{left_mark}</td><td class="{left_class}">{escape(visible(left, spaces=False))}</td>'
                    f'<td class="m">{right_mark}</td><td class="{right_class}">{escape(visible(right, spaces=False))}</td></tr>')
    return ('<table class="sbs"><caption>chat template, base beside tuned (− removed, + added)</caption>'
            '<colgroup><col class="m"><col><col class="m"><col></colgroup><thead><tr><th scope="col" colspan="2">base</th><th scope="col" colspan="2">tuned</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


# --- row norms -----------------------------------------------------------------------------------

_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 720, 230, 56, 16, 34, 46
_ROW_STYLE = {"zero": "bad", "near-zero": "bad", "not-finite": "bad", "far-above": "warn", "ok": "ok"}


def norm_figure(norms: dict[str, Any], title: str, key: str) -> str:
    """The sampled trained rows' norms as a histogram on a log axis, the watched rows (new and
    template tokens) as labelled markers, the thresholds as dashed lines; zero rows, which a log
    axis cannot show, sit in a box left of the axis. A table under it gives the same rows as text.
    `key` makes its ids unique in the page (the finding's anchor), and the same on every render."""
    trained = [value for value in norms.get("trained", []) if value]
    rows: list[dict[str, Any]] = norms.get("rows", [])
    thresholds: dict[str, float] = {key: value for key, value in (norms.get("thresholds") or {}).items() if value}
    positive = [*trained, *(row["norm"] for row in rows if row.get("norm")), *thresholds.values()]
    if not positive:
        return ""
    low, high = math.log10(min(positive)) - 0.3, math.log10(max(positive)) + 0.3
    zero_box = 40
    plot_left, plot_right = _LEFT + zero_box, _W - _RIGHT

    def x(value: float) -> float:
        return plot_left + (math.log10(value) - low) / (high - low) * (plot_right - plot_left)

    bins = 48
    counts = [0] * bins
    for value in trained:
        counts[min(bins - 1, int((math.log10(value) - low) / (high - low) * bins))] += 1
    tallest = max(counts) or 1
    base_y = _H - _BOTTOM
    width = (plot_right - plot_left) / bins
    out = [f'<svg class="norms" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" '
           f'aria-labelledby="t-{key} d-{key}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="t-{key}">{escape(title)}</title>',
           f'<desc id="d-{key}">Histogram of the norms of {len(trained)} sampled trained rows on a log axis; '
           f'{len(rows)} watched rows marked; thresholds dashed.</desc>']
    for index, count in enumerate(counts):
        if count:
            height = count / tallest * (base_y - _TOP - 24)
            out.append(f'<rect class="bar" x="{plot_left + index * width:.1f}" y="{base_y - height:.1f}" '
                       f'width="{max(width - 1, 1):.1f}" height="{height:.1f}"><title>{count} trained rows</title></rect>')
    out.append(f'<line class="axis" x1="{plot_left}" y1="{base_y}" x2="{plot_right}" y2="{base_y}"/>')
    for exponent in range(math.ceil(low), math.floor(high) + 1):
        tick = x(10.0 ** exponent)
        out.append(f'<line class="axis" x1="{tick:.1f}" y1="{base_y}" x2="{tick:.1f}" y2="{base_y + 5}"/>'
                   f'<text class="tick" x="{tick:.1f}" y="{base_y + 18}" text-anchor="middle">1e{exponent}</text>')
    out.append(f'<text class="tick" x="{(plot_left + plot_right) / 2:.0f}" y="{_H - 6}" text-anchor="middle">'
               'row norm (log scale)</text>')
    out.append(f'<rect class="zerobox" x="{_LEFT - 10}" y="{_TOP}" width="{zero_box}" height="{base_y - _TOP}"/>'
               f'<text class="tick" x="{_LEFT + 10}" y="{base_y + 18}" text-anchor="middle">0</text>')
    for name, value in sorted(thresholds.items()):
        line_x = x(value)
        anchor = "start" if line_x < (plot_left + plot_right) / 2 else "end"
        offset = 4 if anchor == "start" else -4
        out.append(f'<line class="threshold" x1="{line_x:.1f}" y1="{_TOP - 8}" x2="{line_x:.1f}" y2="{base_y}"/>'
                   f'<text class="thlabel" x="{line_x + offset:.1f}" y="{_TOP - 12}" text-anchor="{anchor}">'
                   f'{escape(name)} threshold {value:.3g}</text>')
    for index, row in enumerate(sorted(rows, key=lambda row: row.get("kind", "ok") == "ok")[:24]):
        norm = row.get("norm")
        marker_x = x(norm) if norm else _LEFT + 10
        marker_y = base_y - 8 - (index % 4) * 16
        kind = row.get("kind", "ok")
        label = f'{row["id"]} {row.get("token", "")}'
        # Only the rows that fail get a label on the plot (ok rows crowd near the trained ones);
        # each marker has its label as a tooltip, and the table below lists every row.
        text = ""
        if kind != "ok":
            anchor, shift = ("end", -8) if marker_x > plot_left + 0.7 * (plot_right - plot_left) else ("start", 8)
            text = (f'<text class="rowlabel" x="{marker_x + shift:.1f}" y="{marker_y - 14:.1f}" text-anchor="{anchor}">'
                    f'{escape(label[:32])} ({escape(kind)})</text>')
        out.append(f'<g class="row {_ROW_STYLE.get(kind, "ok")}" data-id="{row["id"]}"><title>{escape(label)}: '
                   f'norm {norm if norm is not None else "not finite"} ({escape(kind)})</title>'
                   f'<path d="M{marker_x:.1f},{marker_y + 6:.1f} l-5,-9 h10 z"/>{text}</g>')
    out.append("</svg>")
    table = ['<table class="rows"><caption>watched rows</caption><thead><tr><th scope="col">id</th>'
             '<th scope="col">token</th><th scope="col">why it is watched</th><th scope="col">norm</th>'
             '<th scope="col">verdict</th></tr></thead><tbody>']
    for row in rows:
        kind = row.get("kind", "ok")
        table.append(f'<tr class="{_ROW_STYLE.get(kind, "ok")}"><td>{row["id"]}</td><td><code>{escape(str(row.get("token", "")))}</code></td>'
                     f'<td>{escape(str(row.get("why", "")))}</td><td>{row.get("norm")}</td>'
                     f'<td>{"✗ " if kind != "ok" else "✓ "}{escape(kind)}</td></tr>')
    table.append("</tbody></table>")
    return f'<figure class="normfig">{"".join(out)}<figcaption>{escape(title)}</figcaption></figure>{"".join(table)}'


def id_list(ids: Sequence[int]) -> str:
    return escape(", ".join(map(str, ids)))
