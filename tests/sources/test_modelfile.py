"""The Modelfile parser against the cases of Ollama's own parser/parser_test.go (v0.33.0-rc2):
the expected commands here are Ollama's, copied from those tests."""

from __future__ import annotations

import pytest

from tokcheck.sources.modelfile import ModelfileError, find_modelfile, parse_modelfile

LLAMA3 = (
    "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
    "{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>{{ end }}"
    "<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>"
)


def pairs(text: str) -> list[tuple[str, str]]:
    return [(c.name, c.args) for c in parse_modelfile(text).commands]


def test_parse_file_file() -> None:  # TestParseFileFile
    text = (
        "\nFROM model1\nADAPTER adapter1\nLICENSE MIT\nPARAMETER param1 value1\nPARAMETER param2 value2\n"
        f'TEMPLATE """{LLAMA3}"""    \n'
    )
    assert pairs(text) == [("model", "model1"), ("adapter", "adapter1"), ("license", "MIT"),
                           ("param1", "value1"), ("param2", "value2"), ("template", LLAMA3)]


def test_parse_file_trim_space() -> None:  # TestParseFileTrimSpace
    text = (
        '\nFROM "     model 1"\nADAPTER      adapter3\nLICENSE "MIT       "\nPARAMETER param1        value1\n'
        f'PARAMETER param2    value2\nTEMPLATE """   {LLAMA3}   """    \n'
    )
    assert pairs(text) == [("model", "     model 1"), ("adapter", "adapter3"), ("license", "MIT       "),
                           ("param1", "value1"), ("param2", "value2"), ("template", f"   {LLAMA3}   ")]


@pytest.mark.parametrize(("body", "expected"), [  # TestParseFileQuoted
    ('SYSTEM """\nThis is a\nmultiline system.\n"""\n\t\t\t', "\nThis is a\nmultiline system.\n"),
    ('SYSTEM """\nThis is a\nmultiline system."""\n\t\t\t', "\nThis is a\nmultiline system."),
    ('SYSTEM """This is a\nmultiline system."""\n\t\t\t', "This is a\nmultiline system."),
    ('SYSTEM """This is a multiline system."""\n\t\t\t', "This is a multiline system."),
])
def test_parse_file_quoted(body: str, expected: str) -> None:
    assert pairs(f"\nFROM foo\n{body}") == [("model", "foo"), ("system", expected)]


@pytest.mark.parametrize(("line", "name", "value"), [  # TestParseFileParameters
    ("num_ctx 1", "num_ctx", "1"), ("top_p 1.0", "top_p", "1.0"), ("repeat_penalty 1.0", "repeat_penalty", "1.0"),
    ("stop ### User:", "stop", "### User:"), ("stop ### User: ", "stop", "### User:"),
    ('stop "### User: "', "stop", "### User: "), ('stop """### User:\n"""', "stop", "### User:\n"),
    ("stop <|eot_id|>", "stop", "<|eot_id|>"), ("stop </s>", "stop", "</s>"),
])
def test_parse_file_parameters(line: str, name: str, value: str) -> None:
    assert pairs(f"FROM foo\nPARAMETER {line}\n") == [("model", "foo"), (name, value)]


def test_commands_are_case_insensitive_stops_repeat_and_messages_keep_their_role() -> None:
    modelfile = parse_modelfile(
        "# exported\nfrom ./model.gguf\nPARAMETER stop <|eot_id|>\nparameter stop <|eom_id|>\n"
        'System "Be brief."\nMESSAGE user hi there\nMESSAGE assistant """hello\nyou"""\n'
    )
    assert modelfile.from_ == "./model.gguf"
    assert modelfile.system == "Be brief."
    assert modelfile.parameters() == {"stop": ["<|eot_id|>", "<|eom_id|>"]}
    assert modelfile.messages() == [("user", "hi there"), ("assistant", "hello\nyou")]


@pytest.mark.parametrize(("text", "message"), [
    ("\nFROM foo\nBADCOMMAND param1 value1\n", "(line 3): command must be one of"),  # TestParseFileBadCommand
    ("\nFROM foo\nPARAMETER param1\n", "(line 3): unexpected end"),  # TestParseFileParametersMissingValue
    ("FROM foo\nMESSAGE bot hi\n", "(line 2): message role must be one of"),
    ('FROM foo\nSYSTEM """never closed\n\nmore\n', "(line 2): unterminated quoted value"),
    ("SYSTEM hi\n", "no FROM line"),
])
def test_bad_syntax_is_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(ModelfileError) as caught:
        parse_modelfile(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_modelfile_is_found_in_the_directory_or_beside_a_gguf(tmp_path) -> None:
    assert find_modelfile(tmp_path) is None
    (tmp_path / "Modelfile").write_text("FROM ./m.gguf\n")
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    assert find_modelfile(tmp_path) == find_modelfile(tmp_path / "m.gguf") == tmp_path / "Modelfile"
