"""Checks: what the sources of both sides (or one side and its golden files) say, turned into
Findings. Pure: no pytest; the plugin and the CLI decide what becomes a test or an exit code.

    checked_session.py  the session with its static findings, computed once
    static/             snapshot x snapshot -> Findings (the saved files, key by key)
    behaviour/          both tokenizers run side by side: Hypothesis properties and batch sweeps
    model/              embedding and output rows against the vocabulary, on CPU and with torch
    golden.py           a tokenizer against its recorded golden files
"""
