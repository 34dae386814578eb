"""Token boxes of real counterexamples: the pieces of each id cover the text, the differing boxes
and the first difference are marked, both rows share character offsets, and invisible characters
are made visible."""

from __future__ import annotations

from collections.abc import Callable

from tokcheck.findings import Finding, Severity
from tokcheck.report.context import ReportContext
from tokcheck.report.terminal import boundary_lines
from tokcheck.report.token_boxes import token_rows, visible

Drift = Callable[[str], tuple[list[Finding], ReportContext]]


def _finding(findings: list[Finding], check: str) -> Finding:
    return next(finding for finding in findings if finding.check == check)


def test_the_eom_counterexample_has_seven_base_boxes_over_one_tuned_box(drift_of: Drift) -> None:
    found = _finding(drift_of("llama3-eom")[0], "behaviour.special_tokens")
    rows = token_rows(found)
    assert rows is not None
    assert [box.token_id for box in rows.base] == found.base and [box.token_id for box in rows.tuned] == found.tuned
    assert "".join(box.piece for box in rows.base) == "".join(box.piece for box in rows.tuned) == "<|eom_id|>"
    assert [box.piece for box in rows.base] == ["<", "|", "e", "om", "_id", "|", ">"]
    assert rows.tuned[0].special and not any(box.special for box in rows.base)
    assert all(box.differs for box in (*rows.base, *rows.tuned)) and rows.base[0].first and rows.first_difference == 0
    columns, placed = rows.columns()
    assert columns == 7 and placed[("tuned", 0)] == (0, 7)
    assert [placed[("base", index)] for index in range(7)] == [(index, index + 1) for index in range(7)]


def test_a_merges_counterexample_aligns_the_boxes_on_character_offsets(drift_of: Drift) -> None:
    found = _finding(drift_of("llama3-merges-reordered")[0], "sweep.merges")
    rows = token_rows(found)
    assert rows is not None
    assert "".join(box.piece for box in rows.base) == "".join(box.piece for box in rows.tuned) == found.where[6:-1]
    _, placed = rows.columns()
    cut_base = {rows.base[i].end for i in range(len(rows.base))}
    cut_tuned = {rows.tuned[i].end for i in range(len(rows.tuned))}
    assert cut_base != cut_tuned  # the two sides cut the text in different places
    assert placed[("base", len(rows.base) - 1)][1] == placed[("tuned", len(rows.tuned) - 1)][1]  # ... and end together


def test_the_terminal_shows_token_boundaries_in_brackets_with_a_caret(drift_of: Drift) -> None:
    found = _finding(drift_of("llama3-eom")[0], "sweep.custom_texts")
    lines = boundary_lines(found, indent="")
    assert lines[0] == "base  [ <|][e][om][_id][|][>]"
    assert lines[1] == "tuned [ ][<|eom_id|>]"
    assert lines[2] == "      ^ first difference at token 0"


def test_invisible_characters_are_made_visible() -> None:
    assert visible(" a\n\tb\u00a0\u200b") == "␣a⏎⇥b\\xa0\\u200b"
    assert visible(" a", spaces=False) == " a"
    assert visible("日本") == "日本"


def test_a_finding_without_ids_has_no_boxes_and_one_with_bare_ids_has_id_boxes() -> None:
    assert token_rows(Finding("vocabulary", "vocab.x", Severity.ERROR, "m", base="a", tuned="b")) is None
    rows = token_rows(Finding("golden_encode", "golden.encode-changed", Severity.ERROR, "m", base=[1, 2], tuned=[1, 3]))
    assert rows is not None and [box.differs for box in rows.tuned] == [False, True] and rows.first_difference == 1


def _side(pieces: list[str], first_id: int) -> dict[str, object]:
    ids = list(range(first_id, first_id + len(pieces)))
    return {"ids": ids, "tokens": pieces, "pieces": pieces, "special": [False] * len(pieces)}


def test_a_long_example_wraps_only_where_both_rows_cut(drift_of: Drift) -> None:
    real = token_rows(_finding(drift_of("llama3-eom")[0], "sweep.custom_texts"))
    assert real is not None and real.lines(1) == [(0, real.columns()[0])]  # base's ' <|' spans tuned's first cut
    evidence = {"tokens": {"base": _side(["ab", "cd", "e"], 1), "tuned": _side(["a", "b", "cd", "e"], 10)}}
    rows = token_rows(Finding("sweep.x", "sweep.ids-differ", Severity.ERROR, "m", base=[1, 2, 3], tuned=[10, 11, 12, 13],
                              evidence=evidence))
    assert rows is not None
    count, placed = rows.columns()
    assert count == 4 and rows.lines(1) == [(0, 2), (2, 3), (3, 4)]  # never between 'a' and 'b': base's 'ab' spans it
    for first, last in placed.values():
        assert any(start <= first and last <= end for start, end in rows.lines(1))
    assert rows.lines(1000) == [(0, count)]
