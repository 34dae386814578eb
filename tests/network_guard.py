"""No network in tokcheck's own tests, proven: a pytest plugin (``-p tests.network_guard`` in
pyproject's addopts) that makes every socket connection to anything but a Unix socket raise, and
fails the test that tried, even when the code under test caught the error (a hub loader that turns
a refused download into a clean message must not hide that it tried). ``--tokcheck-allow-download``
lifts it, as it lets tokcheck download."""

from __future__ import annotations

import socket
from collections.abc import Generator
from typing import Any

import pytest

from tokcheck.plugin.options import ALLOW_DOWNLOAD_OPTION


class NetworkBlocked(RuntimeError):
    """A test reached for the network while the guard is on."""


_attempts: list[str] = []
_originals: dict[str, Any] = {}


def _blocked(what: str, address: Any) -> NetworkBlocked:
    _attempts.append(f"{what} {address!r}")
    return NetworkBlocked(f"tokcheck's tests run without network ({ALLOW_DOWNLOAD_OPTION} lifts it): {what} {address!r}")


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family == getattr(socket, "AF_UNIX", None):
        return _originals["connect"](self, address)
    raise _blocked("connect", address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family == getattr(socket, "AF_UNIX", None):
        return _originals["connect_ex"](self, address)
    raise _blocked("connect_ex", address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise _blocked("getaddrinfo", host)


def install() -> None:
    if _originals:
        return
    _originals.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex, getaddrinfo=socket.getaddrinfo)
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo


def uninstall() -> None:
    if not _originals:
        return
    socket.socket.connect = _originals["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _originals["connect_ex"]  # type: ignore[method-assign]
    socket.getaddrinfo = _originals["getaddrinfo"]
    _originals.clear()


def guard_active() -> bool:
    return bool(_originals)


_owner: list[pytest.Config] = []  # the run that installed the guard; a pytester run inside it does not lift it


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("tokcheck_allow_download", default=False) and not guard_active():
        install()
        _owner.append(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _owner and _owner[0] is config:
        uninstall()
        _owner.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Fails the test that tried to open a network connection, caught or not."""
    before = len(_attempts)
    result = yield
    tried = _attempts[before:]
    if tried:
        del _attempts[before:]
        pytest.fail(f"this test reached for the network: {', '.join(tried)}", pytrace=False)
    return result
