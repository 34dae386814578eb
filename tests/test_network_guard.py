"""The socket guard (tests/network_guard.py) is on in every test run: a test that reaches for the
network fails even when it catches the error, and tokcheck loading a local path never reaches the hub."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests import network_guard
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve

DELIBERATE_CALL = """
import socket

def test_reaches_for_the_network():
    try:
        socket.create_connection(("huggingface.co", 443), timeout=1)
    except Exception:
        pass  # caught: the guard still fails the test
"""


def test_the_guard_is_on_in_this_run() -> None:
    assert network_guard.guard_active()
    with pytest.raises(network_guard.NetworkBlocked):
        socket.getaddrinfo("huggingface.co", 443)
    network_guard._attempts.clear()  # this test tried on purpose


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def guard_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child pytest runs in a temporary directory: `-p tests.network_guard` needs the repository
    on its path (an installed tokcheck, as under tox, does not bring tests/)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def test_a_deliberate_network_call_fails_the_run(pytester: pytest.Pytester, guard_importable: None) -> None:
    pytester.makepyfile(test_net=DELIBERATE_CALL)
    result = pytester.runpytest_subprocess("-p", "tests.network_guard", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*this test reached for the network: getaddrinfo 'huggingface.co'*"])


def test_allow_download_lifts_the_guard(pytester: pytest.Pytester, guard_importable: None) -> None:
    pytester.makepyfile(test_net="""
from tests import network_guard

def test_guard_is_off():
    assert not network_guard.guard_active()
""")
    result = pytester.runpytest_subprocess("-p", "tests.network_guard", "-p", "no:cacheprovider", "--tokcheck-allow-download")
    result.assert_outcomes(passed=1)


def test_loading_a_local_directory_never_reaches_the_hub(toy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # even where the hub would be allowed
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    before = len(network_guard._attempts)
    source = resolve(str(toy_dir))
    take_snapshot(source)
    assert len(load_tokenizer(source)) > 0
    assert network_guard._attempts[before:] == []
