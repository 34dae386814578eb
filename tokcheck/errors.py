"""The one exception type that means "the user gave us something we cannot use"."""

from __future__ import annotations


class TokcheckUsageError(Exception):
    """Bad input: a missing path, a directory without tokenizer files, corrupt JSON, an unknown
    zoo name, an uncached hub id. The message is one line that says what is wrong and what to do;
    the plugin turns it into a pytest usage error (exit 4) and the CLI into exit 2."""
