"""`tokcheck fix`: a repaired copy of a tuned checkpoint, and the check that proves it.

    files.py    both sides' editable files (JSON and templates) and the log of what changed
    repairs.py  one finding -> the smallest edit that makes tuned agree with base on that point
    plan.py     every finding to repair -> the edits, and what stays with its reason
    writer.py   OUT: every file of TUNED (weights hard-linked, never rewritten) with the edits, or a dry-run diff
    proof.py    OUT checked against BASE in process, and the summary: fixed N of M

It never writes into BASE, TUNED or the model directory: every edit is made on a parsed copy and
written under OUT only.
"""
