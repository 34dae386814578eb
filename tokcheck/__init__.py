"""tokcheck: catch tokenizer drift between a base model and a fine-tuned checkpoint.

Importing this package is cheap: nothing here imports transformers or torch.
"""

from __future__ import annotations

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity

__all__ = ["Finding", "Severity", "TokcheckUsageError", "__version__"]
__version__ = "0.1.0"
