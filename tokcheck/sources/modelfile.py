"""An Ollama Modelfile, parsed the way Ollama parses it: the rune-by-rune state machine of
ollama/ollama parser/parser.go `ParseFile` (v0.33.0-rc2, commit fb30760), ported rule for rule:

- a command is letters, case-insensitive, one of from, license, template, system, adapter, draft,
  renderer, parser, parameter, message, requires; FROM is stored as `model`;
- `PARAMETER name value`: the name is letters, digits and `_`, kept as written; repeatable (`stop`);
- `MESSAGE role value`: role must be system, user or assistant (lower case);
- a value runs to the end of its line, or spans lines inside `"..."` or `\"\"\"...\"\"\"`, whose quotes
  are removed (`unquote`); surrounding spaces are trimmed; `#` starts a comment only where a command
  could start; only printable runes (Go's strconv.IsPrint) and the whitespace inside a value are kept;
- no FROM line is an error.

Ollama reports a bad line as `(line N): message` (ParserError). An unterminated quote is
io.ErrUnexpectedEOF in Ollama, without a line number; here it names the line the value started on."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tokcheck.errors import TokcheckUsageError

COMMANDS = ("from", "license", "template", "system", "adapter", "draft", "renderer", "parser",
            "parameter", "message", "requires")
MESSAGE_ROLES = ("system", "user", "assistant")
_INVALID_COMMAND = 'command must be one of "' + '", "'.join(COMMANDS[:-1]) + '", or "requires"'
_INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"'

_NIL, _NAME, _VALUE, _PARAMETER, _MESSAGE, _COMMENT = range(6)


class ModelfileError(TokcheckUsageError):
    """A Modelfile Ollama would refuse; the message names the file and line."""


@dataclass(frozen=True)
class Command:
    name: str  # lower-case command ("model" for FROM), or a PARAMETER's name as written
    args: str  # MESSAGE: "role: content", as Ollama stores it
    line: int  # where the command's value ended (Ollama's line count)


@dataclass(frozen=True)
class Modelfile:
    commands: tuple[Command, ...]
    path: str = ""

    def last(self, name: str) -> str | None:
        """The value Ollama keeps for a single-valued command (CreateRequest: the last one wins)."""
        values = [c.args for c in self.commands if c.name == name]
        return values[-1] if values else None

    @property
    def template(self) -> str | None:
        return self.last("template")

    @property
    def system(self) -> str | None:
        return self.last("system")

    @property
    def from_(self) -> str:
        return self.last("model") or ""

    def parameters(self) -> dict[str, list[str]]:
        """Every PARAMETER, each name with its values in order (stop is repeatable)."""
        params: dict[str, list[str]] = {}
        for c in self.commands:
            if c.name not in COMMANDS and c.name != "model":
                params.setdefault(c.name, []).append(c.args)
        return params

    def messages(self) -> list[tuple[str, str]]:
        out = []
        for c in self.commands:
            if c.name == "message":
                role, _, content = c.args.partition(": ")
                out.append((role, content))
        return out


def _is_alpha(r: str) -> bool:
    return "a" <= r <= "z" or "A" <= r <= "Z"


def _is_space(r: str) -> bool:
    return r in (" ", "\t")


def _is_newline(r: str) -> bool:
    return r in ("\r", "\n")


def _is_print(r: str) -> bool:
    """Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020."""
    return r == " " or unicodedata.category(r)[0] in "LMNPS"


def _unquote(s: str) -> tuple[str, bool]:
    if s.startswith('"""'):
        if len(s) >= 6 and s.endswith('"""'):
            return s[3:-3], True
        return "", False
    if s.startswith('"'):
        if len(s) >= 2 and s.endswith('"'):
            return s[1:-1], True
        return "", False
    return s, True


def _go_trim_space(s: str) -> str:
    return s.strip(" \t\n\v\f\r\x85\xa0")


class _Unterminated(Exception):
    pass


def _next_state(r: str, state: int) -> tuple[int, str]:
    """parseRuneForState: the next state and the rune to keep ("" for none)."""
    if state == _NIL:
        if r == "#":
            return _COMMENT, ""
        if _is_space(r) or _is_newline(r):
            return _NIL, ""
        return _NAME, r
    if state == _NAME:
        if _is_alpha(r):
            return _NAME, r
        if _is_space(r):
            return _VALUE, ""
        raise ValueError(_INVALID_COMMAND)
    if state == _VALUE:
        if _is_newline(r) or _is_space(r):
            return _NIL, r
        return _VALUE, r
    if state == _PARAMETER:
        if _is_alpha(r) or "0" <= r <= "9" or r == "_":
            return _PARAMETER, r
        if _is_space(r):
            return _VALUE, ""
        raise _Unterminated
    if state == _MESSAGE:
        if _is_alpha(r):
            return _MESSAGE, r
        if _is_space(r):
            return _VALUE, ""
        raise _Unterminated
    # _COMMENT
    return (_NIL, "") if _is_newline(r) else (_COMMENT, "")


def parse_modelfile(text: str, path: str = "Modelfile") -> Modelfile:
    """Parse a Modelfile's text; a file Ollama refuses raises ModelfileError naming the line."""

    def fail(line: int, message: str) -> ModelfileError:
        return ModelfileError(f"{path} (line {line}): {message}")

    text = text.removeprefix("\ufeff")  # unicode.BOMOverride
    commands: list[Command] = []
    name = ""
    role = ""
    state = _NIL
    line = 1
    value_line = 1
    buf: list[str] = []
    for r in text:
        if _is_newline(r):
            line += 1
        here = line - 1 if _is_newline(r) else line  # the line a newline ends
        try:
            nxt, keep = _next_state(r, state)
        except ValueError as error:
            raise fail(here, str(error)) from None
        except _Unterminated:
            raise fail(here, f"unexpected end of a command: {''.join(buf)!r}") from None
        if nxt != state:
            if state == _NAME:
                word = "".join(buf)
                if word.lower() not in COMMANDS:
                    raise fail(here, _INVALID_COMMAND)
                lowered = word.lower()
                if lowered == "from":
                    name = "model"
                elif lowered == "parameter":
                    nxt = _PARAMETER
                elif lowered == "message":
                    nxt = _MESSAGE
                    name = lowered
                else:
                    name = lowered
                value_line = line
            elif state == _PARAMETER:
                name = "".join(buf)
            elif state == _MESSAGE:
                if "".join(buf) not in MESSAGE_ROLES:
                    raise fail(here, _INVALID_ROLE)
                role = "".join(buf)
            elif state == _VALUE:
                value, ok = _unquote(_go_trim_space("".join(buf)))
                if not ok or _is_space(r):
                    buf.append(r)  # still inside a quoted value, or a space within the value
                    continue
                if role:
                    value, role = f"{role}: {value}", ""
                commands.append(Command(name, value, line))
            buf = []
            state = nxt
        if keep and _is_print(keep):
            buf.append(keep)

    if state == _VALUE:
        value, ok = _unquote(_go_trim_space("".join(buf)))
        if not ok:
            raise fail(value_line, "unterminated quoted value (a missing closing quote)")
        if role:
            value = f"{role}: {value}"
        commands.append(Command(name, value, line))
    elif state not in (_NIL, _COMMENT):
        raise fail(line, "the file ends inside a command")
    if not any(c.name == "model" for c in commands):
        raise ModelfileError(f"{path}: no FROM line")
    return Modelfile(tuple(commands), path)


def read_modelfile(path: Path) -> Modelfile:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        raise ModelfileError(f"cannot read the Modelfile {path}: {error.strerror or error}") from None
    return parse_modelfile(text, str(path))


def find_modelfile(tuned: Path) -> Path | None:
    """The Modelfile an export wrote: in the tuned directory, or beside a tuned .gguf file."""
    folder = tuned.parent if tuned.is_file() else tuned
    candidate = folder / "Modelfile"
    return candidate if candidate.is_file() else None
