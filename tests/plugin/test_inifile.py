"""Finding the ini file pytest would use from a directory alone (for `pytest --tuned /elsewhere/x`
run in a project that pins the base in its config): pytest's file names in pytest's order, nearest
directory first, files without a pytest section skipped."""

from __future__ import annotations

from pathlib import Path

from tokcheck.plugin.inifile import find_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_kind_of_file_gives_its_pytest_section(tmp_path: Path) -> None:
    cases = {
        "pytest.ini": "[pytest]\ntokcheck_base_tokenizer = a\n",
        ".pytest.ini": "[pytest]\ntokcheck_base_tokenizer = a\n",
        "pyproject.toml": '[tool.pytest.ini_options]\ntokcheck_base_tokenizer = "a"\n',
        "tox.ini": "[pytest]\ntokcheck_base_tokenizer = a\n",
        "setup.cfg": "[tool:pytest]\ntokcheck_base_tokenizer = a\n",
    }
    for index, (name, text) in enumerate(cases.items()):
        path = write(tmp_path / f"project{index}" / name, text)
        found = find_config(path.parent)
        assert found is not None and found[0] == path and found[1]["tokcheck_base_tokenizer"] == "a", name


def test_pytest_ini_wins_and_an_empty_one_still_counts(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.pytest.ini_options]\ntokcheck_base_tokenizer = "a"\n')
    empty = write(tmp_path / "pytest.ini", "")
    assert find_config(tmp_path) == (empty, {})


def test_files_without_a_pytest_section_are_skipped_and_parents_searched(tmp_path: Path) -> None:
    project = write(tmp_path / "pyproject.toml", '[tool.pytest.ini_options]\ntokcheck_strict = true\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.ruff]\nline-length = 100\n')
    write(tmp_path / "sub" / "tox.ini", "[tox]\nenvlist = py\n")
    write(tmp_path / "sub" / "setup.cfg", "[metadata]\nname = x\n")
    assert find_config(tmp_path / "sub" / "deeper") == (project, {"tokcheck_strict": True})


def test_unreadable_files_are_skipped_not_fatal(tmp_path: Path) -> None:
    project = write(tmp_path / "tox.ini", "[pytest]\naddopts = -q\n")
    write(tmp_path / "sub" / "pyproject.toml", "this is [not toml")
    write(tmp_path / "sub" / "setup.cfg", "[tool:pytest\nbroken")
    assert find_config(tmp_path / "sub") == (project, {"addopts": "-q"})
