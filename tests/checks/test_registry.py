"""The check registry is the one place a built-in check's name, kind, order and suite test live:
the static checks' table, the model checks' names, the suite's tests and the keys they read all
agree with it, and the bottom layer names no check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tokcheck.findings
from tokcheck.checks import registry
from tokcheck.checks.checked_session import LIVE_STATIC_CHECKS
from tokcheck.checks.model import gpu, stop_set
from tokcheck.checks.model.checks import CHECK_FILES, CHECK_ROWS, CHECK_TRAINED_ROWS
from tokcheck.checks.model.inspection import CHECK_SAMPLING
from tokcheck.checks.static import STATIC_CHECKS
from tokcheck.plugin.collection import COLLECTED_WHEN, SUITE_DIR, suite_kind

REGISTERED = {check.name: check for check in registry.CHECKS}


def _suite_functions(kind: registry.Kind) -> dict[str, ast.FunctionDef]:
    tree = ast.parse((SUITE_DIR / kind.suite_file).read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def _strings(node: ast.AST) -> set[str]:
    return {found.value for found in ast.walk(node) if isinstance(found, ast.Constant) and isinstance(found.value, str)}


def test_the_static_checks_table_has_the_registered_static_checks_in_report_order() -> None:
    assert [*STATIC_CHECKS, *LIVE_STATIC_CHECKS] == registry.checks_of(registry.STATIC)


def test_the_model_checks_name_their_findings_as_registered() -> None:
    names = {CHECK_FILES: registry.MODEL, CHECK_ROWS: registry.MODEL, CHECK_TRAINED_ROWS: registry.MODEL,
             stop_set.CHECK: registry.MODEL, CHECK_SAMPLING: registry.MODEL, gpu.CHECK_GPU: registry.GPU}
    assert {name: REGISTERED[name].kind for name in names} == names


@pytest.mark.parametrize("kind", registry.KINDS, ids=lambda kind: kind.name)
def test_every_suite_test_of_a_kind_is_registered_and_reads_its_own_check(kind: registry.Kind) -> None:
    functions = _suite_functions(kind)
    assert functions, f"{kind.suite_file} has no tests"
    listed = {test: check for check in registry.CHECKS if check.kind is kind for test in check.suite_tests}
    assert set(listed) <= set(functions), f"registered but not in {kind.suite_file}: {set(listed) - set(functions)}"
    if kind.family:  # checks named per property or sweep: their tests are not listed one by one
        assert not listed
        return
    assert set(functions) == set(listed), f"in {kind.suite_file} but not registered: {set(functions) - set(listed)}"
    for test, check in listed.items():
        keys = _strings(functions[test]) & set(REGISTERED)
        assert keys <= {check.name}, f"{test} reads {keys}, registered for {check.name}"
        if kind is registry.STATIC:
            assert check.name in keys, f"{test} does not read {check.name!r}"


def test_the_report_orders_follow_the_registry() -> None:
    assert registry.CHECK_ORDER[:3] == ("vocabulary", "special_roles", "added_token_flags")
    assert registry.KIND_ORDER[:6] == ("static", "loading", "behaviour", "sweeps", "model", "gpu")
    assert len(set(registry.CHECK_ORDER)) == len(registry.CHECK_ORDER)
    assert registry.check_rank("behaviour.ids") == (len(registry.CHECK_ORDER), "behaviour.ids")


def test_each_suite_file_has_a_kind_and_a_collection_rule() -> None:
    files = sorted(path.name for path in SUITE_DIR.glob("test_*.py"))
    assert files == sorted(kind.suite_file for kind in registry.KINDS)
    assert set(COLLECTED_WHEN) == set(registry.KIND_ORDER)


def test_the_kind_of_a_test_file_comes_from_the_registry_only_for_the_suite(tmp_path: Path) -> None:
    assert suite_kind(SUITE_DIR / "test_static.py") == "static"
    assert suite_kind(SUITE_DIR / "test_sweeps.py") == "sweeps"
    assert suite_kind(tmp_path / "test_static.py") == registry.PROJECT_KIND  # a project's own file of that name
    assert suite_kind(tmp_path / "test_mine.py") == registry.PROJECT_KIND


def test_the_bottom_layer_names_no_check() -> None:
    source = Path(tokcheck.findings.__file__).read_text(encoding="utf-8")
    assert not _strings(ast.parse(source)) & set(REGISTERED)
