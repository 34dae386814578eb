"""Reports: findings rendered for people and machines. Every format starts from a ReportContext.

    context.py     the header (sides, versions, settings), tallies and the verdict line
    terminal.py    the drift report pytest and `tokcheck diff` print
    structured.py  JSON, whole
    markdown.py    Markdown for a CI comment
    output.py      writing a report file in the format its name asks for

A new format is a module with a render function of (findings, context, outcome) and a branch in
output.render_file for its file suffix.
"""
