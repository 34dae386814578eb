"""`tokcheck fix` on real zoo pairs (default tier, about 10 s): the founding case repaired and
proven (the copy then passes `tokcheck diff`), a benign copy left alone, bad input refused in one
line, --dry-run writing nothing, and the inputs never written (a digest of every file before and after)."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.files import tree_digest
from tokcheck import zoo
from tokcheck.cli import EXIT_CLEAN, EXIT_USAGE, main
from tokcheck.zoo.mutations import edit


@dataclass(frozen=True)
class Fixed:
    code: int
    out: Path
    stdout: str
    stderr: str


def run_fix(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["fix", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def inputs_digest() -> dict[str, str]:
    return {name: tree_digest(zoo.path_for(name)) for name in ("llama3", "llama3-eom", "minilm", "minilm-copy",
                                                                "minilm-no-lowercase")}


@pytest.fixture(scope="module")
def founding(tmp_path_factory: pytest.TempPathFactory, inputs_digest: dict[str, str]) -> Fixed:
    out = tmp_path_factory.mktemp("fix") / "fixed"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):  # capsys is per test
        code = main(["fix", "zoo:llama3", "zoo:llama3-eom", "-o", str(out)])
    return Fixed(code, out, stdout.getvalue(), stderr.getvalue())


def test_founding_case_is_fixed_and_proven(founding: Fixed) -> None:
    assert founding.code == EXIT_CLEAN, founding.stdout
    out = founding.stdout
    assert "added_tokens: removed '<|eom_id|>' (id 128256; base has no token there)  [vocab.added-beyond-base]" in out
    assert "extra_special_tokens: removed '<|eom_id|>'" in out
    # base has no pad_token and tuned made pad = eos: a reserved token the model has a row for
    assert "pad_token: '<|eot_id|>' -> '<|reserved_special_token_0|>'" in out and "[roles.pad-is-eos]" in out
    assert "fixed 4 of 4 findings" in out and "remains:" not in out
    # every file of TUNED is in OUT, and only the two tokenizer files differ from it
    tuned = zoo.path_for("llama3-eom")
    assert sorted(p.name for p in founding.out.iterdir()) == sorted(p.name for p in tuned.iterdir())
    changed = {p.name for p in tuned.iterdir() if p.read_bytes() != (founding.out / p.name).read_bytes()}
    assert changed == {"tokenizer.json", "tokenizer_config.json"}


def test_the_fixed_copy_passes_diff(founding: Fixed, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "zoo:llama3", str(founding.out)]) == EXIT_CLEAN
    assert "no failing drift: 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_benign_copy_has_nothing_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()  # an empty OUT is allowed, and stays empty
    code, stdout, _ = run_fix(capsys, "zoo:minilm", "zoo:minilm-copy", "-o", str(out))
    assert code == EXIT_CLEAN and stdout.startswith("nothing to fix")
    assert list(out.iterdir()) == []


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run_fix(capsys, "zoo:minilm", "zoo:minilm-no-lowercase", "-o", str(out), "--dry-run")
    assert code == 1  # the drift is still there: nothing was written
    assert "--- a/tokenizer.json [normalizer]" in stdout
    assert '-  "lowercase": false\n+  "lowercase": true\n' in stdout
    assert not out.exists()


@pytest.mark.parametrize("case", ["out-not-empty", "no-base", "out-inside-tuned"])
def test_bad_input_exits_2_with_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, base = tmp_path / "out", "zoo:minilm"
    if case == "out-not-empty":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    elif case == "no-base":
        base = str(tmp_path / "no-such-dir")
    else:
        out = zoo.path_for("minilm-copy") / "fixed"
    code, stdout, stderr = run_fix(capsys, base, "zoo:minilm-copy", "-o", str(out))
    assert code == EXIT_USAGE and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("tokcheck: error: ")
    assert not (zoo.path_for("minilm-copy") / "fixed").exists()
    if case == "out-not-empty":
        assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_inputs_are_never_written(founding: Fixed, inputs_digest: dict[str, str]) -> None:
    # last in the module: every fix above has run on these inputs
    assert {name: tree_digest(zoo.path_for(name)) for name in inputs_digest} == inputs_digest


def test_an_accepted_change_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run_fix(capsys, "zoo:minilm", "zoo:minilm-no-lowercase", "-o", str(out),
                              "--accept", "pipeline.normalizer-changed:lowercase")
    assert code == EXIT_CLEAN and stdout.startswith("nothing to fix") and not out.exists()


def test_a_replaced_custom_code_file_is_copied_back_without_being_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    canary = tmp_path / "imported.txt"
    line = f"open({str(canary)!r}, 'a').write(__name__)\n"
    sides = {}
    for side, body in (("base", "return x"), ("tuned", "return x * 2")):
        directory = tmp_path / side
        shutil.copytree(zoo.path_for("minilm"), directory, ignore=lambda _, names: [n for n in names if n == "model.safetensors"])
        (directory / "modeling_mini.py").write_text(f"{line}class MiniModel:\n    def forward(self, x):\n        {body}\n")
        edit("config.json", lambda c: c.__setitem__("auto_map", {"AutoModel": "modeling_mini.MiniModel"}))(directory)
        sides[side] = directory
    code, out, err = run_fix(capsys, str(sides["base"]), str(sides["tuned"]), "-o", str(tmp_path / "out"), "--strict")
    assert code == EXIT_CLEAN, out + err
    assert "modeling_mini.py copied from base  [custom-code.file-changed]" in out and "fixed 1 of 1 findings" in out
    assert (tmp_path / "out" / "modeling_mini.py").read_bytes() == (sides["base"] / "modeling_mini.py").read_bytes()
    assert not canary.exists()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_training_run_is_fixed_checkpoint_by_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a small run of real zoo tokenizers: a clean save, a drifted one, a weights-only folder, and the final save
    run = tmp_path / "run"
    shutil.copytree(zoo.path_for("minilm-copy"), run / "checkpoint-10")
    shutil.copytree(zoo.path_for("minilm-no-lowercase"), run / "checkpoint-20")
    (run / "checkpoint-30").mkdir()
    (run / "checkpoint-30" / "trainer_state.json").write_text('{"global_step": 30}\n')
    shutil.copytree(zoo.path_for("minilm-no-lowercase"), run, dirs_exist_ok=True)
    before = tree_digest(run)
    out = tmp_path / "out"
    code, stdout, _ = run_fix(capsys, "zoo:minilm", str(run), "-o", str(out))
    assert code == EXIT_CLEAN, stdout
    assert stdout.count("fixed 1 of 1 findings") == 2 and "normalizer restored to base's" in stdout
    assert "== checkpoint-10\nnothing to fix" in stdout and "== checkpoint-30\nno tokenizer files" in stdout
    assert tree_digest(run) == before
    # the same layout; the clean checkpoint and the weights-only folder exactly as they were
    given, fixed = _files(run), _files(out)
    assert sorted(fixed) == sorted(given)
    changed = {name for name in given if given[name] != fixed[name]}
    assert changed == {"checkpoint-20/tokenizer.json", "tokenizer.json"}
    assert main(["diff", "zoo:minilm", str(out / "checkpoint-20")]) == EXIT_CLEAN
