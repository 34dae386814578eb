"""The marks of the tests that need llama.cpp: each skips, with the reason, where its part is
missing, and carries the `llamacpp` marker, which tox's gguf env selects (-m llamacpp) and every
other env leaves out. So what CI runs does not depend on whether llama.cpp's sources happen to be in
the cache: the gguf env fetches them, and only it runs what needs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

from tokcheck.sources.gguf import llamacpp_runtime
from tokcheck.zoo.gguf import llamacpp

Test = TypeVar("Test", bound=Callable[..., object])


def _needs(reason: str | None) -> Callable[[Test], Test]:
    def mark(test: Test) -> Test:
        return pytest.mark.llamacpp(pytest.mark.skipif(reason is not None, reason=str(reason))(test))

    return mark


# llama.cpp's sources: its vendored vocabularies and test vectors.
needs_sources = _needs(llamacpp.unavailable())
# Its converter, convert_hf_to_gguf.py, which needs torch and the gguf package too.
needs_converter = _needs(llamacpp.unavailable(convert=True))
# llama.cpp itself, through llama-cpp-python.
needs_runtime = _needs(llamacpp_runtime.unavailable())
