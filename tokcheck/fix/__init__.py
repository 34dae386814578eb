"""`tokcheck fix`: a repaired copy of a tuned checkpoint, and the check that proves it.

    files.py    both sides' editable files (JSON and templates) and the log of what changed
    repairs.py  one finding -> the smallest edit that makes tuned agree with base on that point
    plan.py     every finding to repair -> the edits, and what stays with its reason
    writer.py   OUT: every file of TUNED (weights hard-linked, never rewritten) with the edits, or a dry-run diff
    proof.py    OUT checked against BASE in process (--full: the default suite), and the summary: fixed N of M
    gguf.py     a GGUF TUNED: its metadata repaired, the tensors copied byte for byte
    command.py  the command: a checkpoint, a GGUF, or a training run checkpoint by checkpoint

It never writes into BASE, TUNED or the model directory: every edit is made on a parsed copy and
written under OUT only.
"""
