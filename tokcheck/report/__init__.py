"""Reports: findings rendered for people and machines. Every format renders one RunReport.

    run_report.py    the report of a run (findings, header, outcomes, checkpoints): to_data() and back
    context.py       the header (sides, versions, settings, content hashes), tallies and the verdict line
    checkpoints.py   the checkpoint x check-kind matrix of a run over several checkpoints, with timelines
    grouping.py      one root cause, one entry: findings that share a cause under the static one
    token_boxes.py   a counterexample's ids as boxes on shared character offsets (terminal and HTML)
    terminal.py      the drift report pytest and `tokcheck diff` print, coloured by the caller's markup
    structured.py    JSON, whole (RunReport.to_data)
    markdown.py      Markdown for a CI comment or $GITHUB_STEP_SUMMARY
    html.py          one self-contained HTML page (figures in html_figures.py, CSS/JS in html_style.py)
    shape.py         JSON that tokcheck wrote, read back with every value checked (`tokcheck report`)
    output.py        writing a report file in the format its name asks for

A new format is a module with a render function of a RunReport and a branch in output.render_file
for its file suffix.
"""
