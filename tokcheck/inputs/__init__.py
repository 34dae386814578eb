"""Inputs: the texts, token ids and chat transcripts the behaviour checks, golden files and
benchmarks feed to tokenizers. Made from plain data (and, for tokenizer-aware text, the live
tokenizers' vocabularies); nothing here compares anything.

    alphabets.py    every table of edge-case text, each once (the corpus and the strategies share them)
    corpus.py       a deterministic corpus of varied text (fidelity tests, golden files, benchmarks)
    generators.py   llama.cpp's generators and test inputs, code points, changed-merge sequences
    text.py         Hypothesis strategies for text and token ids
    transcripts.py  Transcript, template capabilities, and Hypothesis strategies for chat transcripts
"""
