"""The budget a chat-template render runs under. Templates render only in transformers' own
sandbox (jinja2's ImmutableSandboxedEnvironment: no attribute starting with "_", no mutation of
arguments, range() capped), which stops escapes but not a template that loops for hours or builds
a string of gigabytes. So each render here gets a wall limit (SIGALRM, in the main thread), an
address-space headroom (RLIMIT_AS, on Linux) and a size limit on what it returns; running past any
is TemplateBudgetExceeded, which the checks report about the template like any other refusal."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from tokcheck.deadline import wall_limit

RENDER_SECONDS = 10.0
RENDER_MEMORY_HEADROOM = 2 * 1024**3  # bytes of address space a render may add
RENDER_MAX_CHARS = 8 * 1024**2

# What published Jinja sandbox escapes reach for (SSTI payloads): dunder attributes, a template's
# internal context, the globals of the helpers Jinja puts in every template.
ESCAPE_PATTERN = re.compile(
    r"__\w+__|_TemplateReference__context|\bmro\b|func_globals|\b(?:cycler|joiner|namespace|lipsum|self)\s*\.\s*_"
)


class TemplateBudgetExceeded(RuntimeError):
    """A render ran past its time, memory or size budget."""


def _past_render_time() -> TemplateBudgetExceeded:
    return TemplateBudgetExceeded(f"the chat template ran past {RENDER_SECONDS:g} s")


def escape_attempts(template: str) -> list[str]:
    """The sandbox-escape reaches in a template's source (at most five), e.g. ['__class__', '__globals__']."""
    return sorted({match.group(0) for match in ESCAPE_PATTERN.finditer(template)})[:5]


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
    except OSError:
        return None
    import resource

    return pages * resource.getpagesize()


@contextlib.contextmanager
def _memory_limit(headroom: int) -> Iterator[None]:
    try:
        import resource
    except ImportError:  # not on this platform: the time and size limits still hold
        yield
        return
    used = _address_space()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if used is None or (soft != resource.RLIM_INFINITY and soft <= used + headroom):
        yield
        return
    limit = used + headroom if hard == resource.RLIM_INFINITY else min(used + headroom, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def render_budget() -> Iterator[None]:
    """Run one render under the time and memory budget (the size is checked on its result)."""
    try:
        with wall_limit(RENDER_SECONDS, _past_render_time), _memory_limit(RENDER_MEMORY_HEADROOM):
            yield
    except MemoryError:
        raise TemplateBudgetExceeded(
            f"the chat template needed more than {RENDER_MEMORY_HEADROOM // 1024**3} GiB to render"
        ) from None


def check_size(rendered: Any) -> Any:
    if isinstance(rendered, str) and len(rendered) > RENDER_MAX_CHARS:
        raise TemplateBudgetExceeded(f"the chat template rendered {len(rendered):,} characters (limit {RENDER_MAX_CHARS:,})")
    if isinstance(rendered, list) and len(rendered) > RENDER_MAX_CHARS:
        raise TemplateBudgetExceeded(f"the chat template rendered {len(rendered):,} tokens")
    return rendered
