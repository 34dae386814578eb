"""Sources: a spec string becomes files on disk (read-only), and those files become a plain-data
snapshot or a live tokenizer. The bottom of the data flow: nothing here knows about checks.

    spec.py       spec string -> TokenizerSource (directory, tokenizer.json, hub id, zoo:NAME)
    hub.py        the local Hugging Face cache, and downloads when the user allows them
    files.py      reading a source's JSON with one-line errors; the remote-code guard
    tokens.py     special roles, added-token flags, a token value as saved
    canonical.py  canonical forms of tokenizer.json parts (re-serialization is never drift)
    snapshot.py   files -> TokenizerSnapshot (what the files say, both save layouts)
    live.py       a live transformers tokenizer, and chat rendering on transformers 4 and 5
    fallback.py   the fallback loader: tokenizer.json read directly when AutoTokenizer cannot
"""
