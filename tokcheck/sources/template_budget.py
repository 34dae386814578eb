"""The budget a chat-template render runs under. Templates render only in transformers' own
sandbox (jinja2's ImmutableSandboxedEnvironment: no attribute starting with "_", no mutation of
arguments, range() capped), which stops escapes but not a template that loops for hours or builds
a string of gigabytes. So each render here gets a wall limit (SIGALRM, in the main thread), an
address-space headroom (RLIMIT_AS, on Linux) and a size limit on what it returns; running past any
is TemplateBudgetExceeded, which the checks report about the template like any other refusal.

A template that exhausts its budget once is not rendered again in the run: the suite renders a
template hundreds of times (every property, example and class view), and a looping one, stopped at
each render's limit, stalled a run for hours. The refusal is remembered by the template's hash, in
the process and, under xdist, in a directory the controller shares with every worker (the same
refusal, so the same finding and report)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
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


_refusals: dict[str, str] = {}  # template hash -> the refusal's message, in this process
_shared_refusals: Path | None = None  # the run's directory of refusals, one file per template hash


def start_refusals(directory: Path | None) -> None:
    """A run starts with no template refused; its refusals are also kept in `directory`, when
    given (the xdist controller's, handed to every worker)."""
    global _shared_refusals
    _refusals.clear()
    _shared_refusals = directory


def template_key(template: Any) -> str:
    """The hash a template's refusal is remembered by (any JSON-able value: a text, named templates)."""
    return hashlib.sha256(json.dumps(template, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _refusal(key: str) -> str | None:
    if key not in _refusals and _shared_refusals is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):  # none shared yet, or being written
            _refusals[key] = (_shared_refusals / key).read_text(encoding="utf-8")
    return _refusals.get(key) or None


def _remember(key: str, message: str) -> None:
    _refusals[key] = message
    if _shared_refusals is not None:
        with contextlib.suppress(OSError):  # the run's directory gone: this process still remembers
            partial = _shared_refusals / f".{key}.partial"
            partial.write_text(message, encoding="utf-8")
            partial.replace(_shared_refusals / key)


@contextlib.contextmanager
def render_budget(template: Any = None) -> Iterator[None]:
    """Run one render of `template` under the time and memory budget (the size is checked on its
    result inside it); a template refused once in the run is refused again without a render."""
    key = template_key(template) if template is not None else None  # None: not remembered
    if key is not None and (message := _refusal(key)) is not None:
        raise TemplateBudgetExceeded(message)
    try:
        try:
            with wall_limit(RENDER_SECONDS, _past_render_time), _memory_limit(RENDER_MEMORY_HEADROOM):
                yield
        except MemoryError:
            raise TemplateBudgetExceeded(
                f"the chat template needed more than {RENDER_MEMORY_HEADROOM // 1024**3} GiB to render"
            ) from None
    except TemplateBudgetExceeded as refused:
        if key is not None:
            _remember(key, str(refused))
        raise


def check_size(rendered: Any) -> Any:
    if isinstance(rendered, str) and len(rendered) > RENDER_MAX_CHARS:
        raise TemplateBudgetExceeded(f"the chat template rendered {len(rendered):,} characters (limit {RENDER_MAX_CHARS:,})")
    if isinstance(rendered, list) and len(rendered) > RENDER_MAX_CHARS:
        raise TemplateBudgetExceeded(f"the chat template rendered {len(rendered):,} tokens")
    return rendered
