"""Model checks: the embedding and output rows of a tuned checkpoint against its tokenizer, read
on CPU from the weight files (safetensors headers and single rows; no torch), plus the torch code
the `gpu` tests run."""

from __future__ import annotations

from tokcheck.model.checks import MODEL_CHECKS, Matrix, ModelShape, TokenizerFacts
from tokcheck.model.inspect import ModelInspection, ModelPair, model_shape, tokenizer_facts
from tokcheck.model.weights import ModelFiles, Tensor, find_model, open_model

__all__ = [
    "MODEL_CHECKS",
    "Matrix",
    "ModelFiles",
    "ModelInspection",
    "ModelPair",
    "ModelShape",
    "Tensor",
    "TokenizerFacts",
    "find_model",
    "model_shape",
    "open_model",
    "tokenizer_facts",
]
