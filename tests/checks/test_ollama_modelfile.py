"""The Ollama Modelfile check (drift class 38) on the zoo bases: the faithful Modelfiles pass with
nothing above info, each rule's finding on a Modelfile that breaks it, and bad input as one line.
The self-test (tests/zoo/test_mutants.py) runs the suite on LLaMA-Factory's real exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fuzz.harness import gguf_export
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.engines.ollama import OllamaTemplate, prefers_chat_template, render_chat
from tokcheck.checks.ollama_modelfile import _ollama_ids, check_ollama_modelfile
from tokcheck.cli import main
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.modelfile import read_modelfile
from tokcheck.sources.snapshot_store import SnapshotStore
from tokcheck.zoo import path_for
from tokcheck.zoo.mutations import OLLAMA

# One store for the module: each zoo base is read and loaded once.
STORE = SnapshotStore()


def findings(name: str, modelfile: Path) -> list[Finding]:
    session = CheckedSession(Settings(base=SpecSetting(f"zoo:{name}"), tuned=SpecSetting(f"zoo:{name}")), store=STORE)
    return check_ollama_modelfile(session.base, session.tuned, modelfile)  # type: ignore[arg-type]


def written(tmp_path: Path, source: str, *replacements: tuple[str, str]) -> Path:
    text = (OLLAMA / f"{source}.Modelfile").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "Modelfile"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "overridden"), [("llama3.1", True), ("qwen2", False)])
def test_a_faithful_modelfile_has_nothing_above_info(name: str, overridden: bool) -> None:
    found = findings(name, OLLAMA / f"faithful-{name}.Modelfile")
    # Llama 3.1's chat template takes tools, the faithful TEMPLATE does not: Ollama 0.30.11+ prefers the former.
    assert [(f.code, f.severity) for f in found] == [
        *([("ollama.template-overridden", Severity.INFO)] if overridden else []),
        ("ollama.num-ctx-below-context", Severity.INFO)]


@pytest.mark.parametrize(("export", "name", "prefers"), [
    ("lf-llama3.1", "llama3.1", True),  # tools in the chat template only
    ("unsloth-llama3.1", "llama3.1", False),  # both take tools and carry tool results back
    ("lf-qwen2", "qwen2", False),  # Qwen2's template takes no tools
])
def test_which_template_ollama_renders_when_the_gguf_has_one(export: str, name: str, prefers: bool) -> None:
    template = OllamaTemplate(read_modelfile(OLLAMA / f"{export}.Modelfile").template or "")
    chat_template = (path_for(name) / "chat_template.jinja").read_text(encoding="utf-8")
    assert prefers_chat_template(template, chat_template)[0] is prefers


@pytest.mark.parametrize(("export", "name", "error", "warnings"), [
    # unsloth 2026.10.9's own export code run on the zoo bases (LLaMA-Factory's exports are zoo
    # mutants: the self-test runs the suite on them)
    ("unsloth-llama3.1", "llama3.1", "ollama.template-renders-differ", {"ollama.sampling-differs", "ollama.stop-extra"}),
    ("unsloth-qwen2", "qwen2", "ollama.system-differs", {"ollama.sampling-differs"}),
])
def test_the_exporters_real_modelfiles_are_caught(export: str, name: str, error: str, warnings: set[str]) -> None:
    found = findings(name, OLLAMA / f"{export}.Modelfile")
    errors = [f for f in found if f.severity is Severity.ERROR]
    assert [f.code for f in errors] == [error]
    assert {f.code for f in found if f.severity is Severity.WARNING} == warnings
    if export == "unsloth-llama3.1":  # one BOS (llama.cpp's), then a bare <|eot_id|>: its system block is empty
        assert "first difference at position 1: base's HF template '<|start_header_id|>', Ollama '<|eot_id|>'" \
            in errors[0].detail


def test_the_tokens_ollama_feeds_the_model_have_one_bos() -> None:
    session = CheckedSession(Settings(base=SpecSetting("zoo:llama3.1"), tuned=SpecSetting("zoo:llama3.1")), store=STORE)
    tuned = session.tuned
    assert tuned is not None
    assert _ollama_ids(tuned, "<|begin_of_text|>hi")[:2] == [128000, 128000]  # llama.cpp's BOS, then the text's
    assert _ollama_ids(tuned, "hi")[:1] == [128000]


def test_no_system_where_the_template_writes_a_default_one_is_an_error(tmp_path: Path) -> None:
    found = findings("qwen2", written(tmp_path, "faithful-qwen2", ('SYSTEM """You are a helpful assistant."""\n', "")))
    assert [f.code for f in found if f.severity is Severity.ERROR] == ["ollama.system-missing"]


def test_an_extra_stop_warns_and_no_stop_at_all_is_info(tmp_path: Path) -> None:
    extra = findings("llama3.1", written(tmp_path, "faithful-llama3.1", ("PARAMETER num_ctx", 'PARAMETER stop "###"\nPARAMETER num_ctx')))
    [warning] = [f for f in extra if f.severity is Severity.WARNING]
    assert warning.code == "ollama.stop-extra" and "['###']" in warning.message
    none = findings("llama3.1", written(tmp_path, "faithful-llama3.1", *((f'PARAMETER stop "{s}"\n', "") for s in
                                                                       ("<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"))))
    assert "ollama.no-stop" in [f.code for f in none if f.severity is Severity.INFO]
    assert not [f for f in none if f.severity is not Severity.INFO]


def test_num_ctx_beyond_the_context_length_warns_with_both_values(tmp_path: Path) -> None:
    found = findings("qwen2", written(tmp_path, "faithful-qwen2", ("num_ctx 4096", "num_ctx 65536")))
    [warning] = [f for f in found if f.severity is Severity.WARNING]
    assert (warning.code, warning.base, warning.tuned) == ("ollama.num-ctx-beyond-context", 32768, 65536)


def test_message_lines_are_info_and_go_before_the_chat(tmp_path: Path) -> None:
    found = findings("qwen2", written(tmp_path, "faithful-qwen2", ("PARAMETER num_ctx", "MESSAGE user hi\nPARAMETER num_ctx")))
    assert [(f.code, f.severity) for f in found if f.code.startswith("ollama.messages")] == [
        ("ollama.messages-prepended", Severity.INFO)]
    assert not [f for f in found if f.severity is not Severity.INFO]
    template = OllamaTemplate("{{ range .Messages }}{{ .Role }}:{{ .Content }};{{ end }}")
    assert render_chat(template, [{"role": "user", "content": "q"}], "S", history=[{"role": "user", "content": "h"}]) == \
        "system:S;user:h\n\nq;"  # collate joins the consecutive user messages


def test_no_template_says_what_ollama_takes_instead(tmp_path: Path) -> None:
    text = "FROM ./model.gguf\nPARAMETER stop <|im_end|>\n"
    (tmp_path / "Modelfile").write_text(text, encoding="utf-8")
    found = findings("qwen2", tmp_path / "Modelfile")
    [info] = [f for f in found if f.code == "ollama.no-template"]
    assert info.severity is Severity.INFO and "tokenizer.chat_template" in info.message


def test_a_modelfile_in_the_tuned_directory_is_found_and_checked(tmp_path: Path) -> None:
    tuned = Path(shutil.copytree(path_for("llama3.1"), tmp_path / "tuned"))
    shutil.copyfile(OLLAMA / "lf-llama3.1.Modelfile", tuned / "Modelfile")
    session = CheckedSession(Settings(base=SpecSetting("zoo:llama3.1"), tuned=SpecSetting(str(tuned))), store=STORE)
    errors = [f for f in session.static["ollama"] if f.severity is Severity.ERROR]
    assert [f.code for f in errors] == ["ollama.template-renders-differ"]
    assert "two BOS tokens" in errors[0].message and errors[0].fix.startswith("remove the BOS token")
    assert "first difference at position 1: base's HF template '<|start_header_id|>', Ollama '<|begin_of_text|>'" \
        in errors[0].detail
    assert errors[0].evidence is not None and set(errors[0].evidence["tokens"]) == {"base", "tuned"}


# Slow tier (5.5 s: transformers converts the GGUF's vocabulary to load it): where a GGUF's Modelfile
# is looked for is find_modelfile's, tested in the default tier (tests/sources/test_modelfile.py).
@pytest.mark.slow
def test_a_modelfile_beside_a_tuned_gguf_is_found(tmp_path: Path) -> None:
    exported = gguf_export(path_for("llama3.1"), tmp_path / "export")  # the GGUF an export writes
    shutil.copyfile(OLLAMA / "lf-llama3.1.Modelfile", exported / "Modelfile")
    session = CheckedSession(Settings(base=SpecSetting("zoo:llama3.1"), tuned=SpecSetting(str(exported / "model.gguf"))),
                             store=STORE)
    assert "ollama.template-renders-differ" in [f.code for f in session.static["ollama"]]


@pytest.mark.parametrize(("text", "message"), [
    ("FROM x\nTEMPLATE {{ if .System }}\n", "Ollama cannot parse its TEMPLATE"),
    ("FROM x\nPARAMTER stop x\n", "(line 2): command must be one of"),
])
def test_a_modelfile_ollama_refuses_is_one_usage_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "Modelfile").write_text(text, encoding="utf-8")
    with pytest.raises(TokcheckUsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        findings("qwen2", tmp_path / "Modelfile")


def test_a_missing_modelfile_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "zoo:qwen2", "zoo:qwen2", "--modelfile", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--modelfile" in err and "no such file" in err
