"""Model checks: the embedding and output rows of a tuned checkpoint against its tokenizer, read
on CPU from the weight files (safetensors headers and single rows; no torch), plus the torch code
the `gpu` tests run.

    tensor.py               the Tensor record (a leaf: weights and rows share it)
    safetensors_headers.py  a .safetensors header parsed by hand (one small read)
    weights.py              model directories: weight files, adapters, where the embeddings are
    rows.py                 single rows read by byte offset (numpy), or through torch for .bin files
    checks.py               the pure checks: shapes and row norms -> Findings
    inspection.py           a model pair against the tuned tokenizer: shapes, facts, rows -> findings by check
    gpu.py                  the tuned model loaded with torch, for the `gpu` tests
"""
