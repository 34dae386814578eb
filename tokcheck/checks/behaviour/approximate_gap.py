"""The approximate view's own gaps. Where a GGUF side runs in the approximate view (transformers'
GGUF converter, not llama.cpp) against a Hugging Face side, a difference is the GGUF's only where the
same view, loading what llama.cpp's converter writes for the HF side (its expected conversion,
tokcheck.checks.static.gguf_expected, built in memory as the view reads a file's metadata), encodes
the text otherwise than the GGUF's. Where the faithful conversion's view encodes it the same, the
difference from HF is the view's: an info finding that names the view. (A faithful Qwen2 conversion
differed on U+0958, which llama.cpp itself tokenizes like the HF side.)"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from tokcheck.checks.static.gguf_pair import as_gguf
from tokcheck.errors import TokcheckUsageError
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.session import Side
from tokcheck.sources.gguf.approximate import load_approximate

GAP = ("info, not drift: the approximate view of llama.cpp's converter's output for the Hugging Face side "
       "encodes this text as the GGUF's view does, so the difference is the view's own")


class ApproximateReference:
    """The approximate view of the HF side's expected conversion, beside the GGUF side's view."""

    def __init__(self, hf: Side, gguf: Side) -> None:
        self.hf = hf
        self.gguf = gguf

    @cached_property
    def tokenizer(self) -> LiveTokenizer | None:
        try:
            return load_approximate(as_gguf(self.hf, self.gguf))
        except TokcheckUsageError:  # the converter would abort on this HF side: no faithful conversion
            return None

    def explains(self, text: str) -> bool:
        """Whether the faithful conversion's view encodes `text` as the GGUF's view does, with and
        without special tokens added (so whatever the finding compared, the GGUF is not the cause)."""
        if self.tokenizer is None:
            return False
        view = self.gguf.tokenizer
        return all(self.tokenizer.encode(text, add_special_tokens=special) == view.encode(text, add_special_tokens=special)
                   for special in (False, True))


def approximate_reference(sides: Sequence[Side]) -> ApproximateReference | None:
    """For a pair of one HF side and one GGUF side run approximately; else None."""
    ggufs = [side for side in sides if side.source.gguf_file is not None]
    hfs = [side for side in sides if side.source.gguf_file is None]
    if len(ggufs) != 1 or len(hfs) != 1 or ggufs[0].loaded.approximate is None:
        return None
    return ApproximateReference(hfs[0], ggufs[0])
