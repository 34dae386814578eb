"""Behaviour checks: base and tuned run side by side.

    settings.py        profile, seed, examples, sweep sample and shards (plain data, cheap to import)
    batch_codecs.py    batch encode/decode at tokenizers' speed, ids as flat arrays
    reproduction.py    the shell line that reproduces a counterexample
    views.py           the ways both are run: transformers, and the tokenizer.json files
    view_pipeline.py   the views of a pair, built step by step in one named order
    comparison.py      the pair: live tokenizers, snapshots, views, stop ids
    counterexamples.py one input on which they differ, told the same way everywhere
    pair_inputs.py     what the checks feed the pair (text strategies, capabilities, sweep inputs)
    property.py        the Property record
    properties/        the properties by kind: text, specials, chat, batch
    runner.py          a property under Hypothesis: explore, batch check, shrink
    sweeps/            exhaustive sweeps: registry (what each feeds) and run
    run.py             BehaviourRun: named checks of a session -> Findings
"""
