"""Reports: findings rendered for people and machines. Every format starts from a ReportContext.

    context.py       the header (sides, versions, settings, content hashes), tallies and the verdict line
    grouping.py      one root cause, one entry: findings that share a cause under the static one
    token_boxes.py   a counterexample's ids as boxes on shared character offsets (terminal and HTML)
    terminal.py      the drift report pytest and `tokcheck diff` print, coloured by the caller's markup
    structured.py    JSON, whole (with the groups)
    markdown.py      Markdown for a CI comment or $GITHUB_STEP_SUMMARY
    html.py          one self-contained HTML page (figures in html_figures.py, CSS/JS in html_style.py)
    saved.py         a saved JSON report read back, to render again (`tokcheck report`)
    output.py        writing a report file in the format its name asks for

A new format is a module with a render function of (findings, context, outcome) and a branch in
output.render_file for its file suffix. A run over several checkpoints passes html.Checkpoint
rows (or a JSON report's "checkpoints" list) and gets the checkpoint x check matrix.
"""
