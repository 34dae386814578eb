"""Go's text/template, in Python, for the constructs Ollama's templates use: text and actions with
`{{-`/`-}}` trim markers and comments; if / else if / else, range (with `$i, $v :=`, else, break,
continue), with; variables (`$`, `:=`, `=`); pipelines and parenthesised pipelines with field
chains; the builtins and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print, printf,
println; Go's truthiness (text/template exec.go isTrue) and Go's printing of values (fmt %v).
Written from the Go 1.19 sources of text/template (lex.go, parse.go, exec.go, funcs.go); checked
against Go itself by tests/ollama_go (the `ollama` tox env renders every zoo Modelfile template and
fuzzed transcripts through both).

The data: Python dicts are Go `map[string]any` (a missing key is Go's missing-value, printed
`<no value>` as Go prints it under Ollama's missingkey=zero), `GoStruct` a Go struct (a missing field
is an error), lists slices, None nil. Ollama's data model and functions are in ollama.py."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class GoTemplateError(Exception):
    """A template Go would refuse to parse or execute."""


class _Missing:
    """Go's invalid reflect.Value: a map's missing key."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING = _Missing()


@dataclass
class GoStruct:
    """A Go struct value: its fields in declaration order; `json_names` maps a field to its json tag
    (None: the field is left out); `string` is its String() method where it has one."""

    fields: dict[str, Any]
    json_names: dict[str, str | None] = field(default_factory=dict)
    omitempty: frozenset[str] = frozenset()
    string: Callable[[GoStruct], str] | None = None


class StringerMap(dict):
    """A Go map type with a String() method that marshals it to JSON ("{}" for nil): Ollama's
    templateArgs and templateProperties."""


class StringerList(list):
    """A Go slice type whose String() marshals it to JSON: Ollama's templateTools."""


class NilList(list):
    """A nil Go slice: fmt prints it [] and encoding/json writes null."""


class OneOrList(list):
    """A []string whose MarshalJSON writes one element as a plain string (Ollama's PropertyType)."""


class NilStringerList(StringerList, NilList):
    """A nil templateTools: its String() is json.Marshal(nil), "null"."""


# ---------------------------------------------------------------- printing and JSON, as Go does


def _shortest(value: float) -> tuple[str, str, int]:
    """The sign, shortest round-trip digits and decimal exponent of a finite non-zero float (as Go's
    strconv with precision -1; Python's repr is the same shortest form)."""
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    return ("-" if sign else ""), text, len(digits) + int(exponent) - 1


def _format_float(value: float, exponential: bool, min_exp_digits: int) -> str:
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exp = _shortest(value)
    if exponential:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):0{min_exp_digits}d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    whole = digits[: exp + 1].ljust(exp + 1, "0")
    fraction = digits[exp + 1:]
    return f"{sign}{whole}{'.' + fraction if fraction else ''}"


def go_float(value: float) -> str:
    """fmt's %v of a float64: strconv.FormatFloat 'g' with the shortest digits, the %e form when the
    exponent is < -4 or >= 6 (strconv/ftoa.go: "if precision was the shortest possible, use precision 6
    for this decision")."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return _format_float(value, False, 2)
    exp = _shortest(value)[2]
    return _format_float(value, exp < -4 or exp >= 6, 2)


def go_print(value: Any) -> str:
    """fmt.Sprint of one value as text/template prints it (printValue)."""
    if value is MISSING:
        return "<no value>"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, StringerMap | StringerList):
        return "{}" if isinstance(value, StringerMap) and not value else go_json(value)
    if isinstance(value, GoStruct):
        if value.string is not None:
            return value.string(value)
        return "{" + " ".join(_print_nested(v) for v in value.fields.values()) + "}"
    if isinstance(value, list):
        return "[" + " ".join(_print_nested(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{_print_nested(k)}:{_print_nested(value[k])}" for k in sorted(value)) + "]"
    raise GoTemplateError(f"cannot print a {type(value).__name__}")


def _print_nested(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, list) and not value and not isinstance(value, StringerList):
        return "[]"
    return go_print(value)


def _json_string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    # encoding/json escapes HTML characters and the JS line separators.
    return (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json_float(value: float) -> str:
    """encoding/json's floatEncoder: 'f' unless |v| < 1e-6 or >= 1e21, then 'e' with e-07 -> e-7."""
    if math.isinf(value) or math.isnan(value):
        raise GoTemplateError("json: unsupported value")
    absolute = abs(value)
    return _format_float(value, absolute != 0 and (absolute < 1e-6 or absolute >= 1e21), 1)


def _empty(value: Any) -> bool:
    return value is None or value in ("", 0, False) or (isinstance(value, list | dict) and not value)


def go_json(value: Any) -> str:
    """encoding/json.Marshal, for the values of Ollama's data model."""
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, GoStruct):
        parts = []
        for name, item in value.fields.items():
            key = value.json_names.get(name, name)
            if key is None or (name in value.omitempty and _empty(item)):
                continue
            parts.append(f"{_json_string(key)}:{go_json(item)}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, NilList):
        return "null"
    if isinstance(value, OneOrList) and len(value) == 1:
        return go_json(value[0])
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json_string(k)}:{go_json(value[k])}" for k in sorted(value)) + "}"
    raise GoTemplateError(f"json: unsupported type {type(value).__name__}")


# ---------------------------------------------------------------- lexer

_SPACE = " \t\r\n"
_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<raw>`[^`]*`)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<dot>\.)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[()|,])
""", re.X)


@dataclass
class _Tok:
    kind: str
    text: str
    after_space: bool = False  # a space before it (a field after ")" with no space is a chain)


def _lex(source: str) -> list[tuple[str, Any]]:
    """Text and action items: ("text", str) and ("action", [tokens]) or ("comment", None)."""
    items: list[tuple[str, Any]] = []
    pos = 0
    trim_next = False
    while True:
        start = source.find("{{", pos)
        text = source[pos:] if start < 0 else source[pos:start]
        if trim_next:
            text = text.lstrip(_SPACE)
        if start < 0:
            if text:
                items.append(("text", text))
            return items
        inner = start + 2
        if source.startswith("-", inner) and inner + 1 < len(source) and source[inner + 1] in _SPACE:
            text = text.rstrip(_SPACE)
            inner += 2
        if text:
            items.append(("text", text))
        end, trim_next, tokens = _lex_action(source, inner)
        items.append(("comment", None) if tokens is None else ("action", tokens))
        pos = end


def _lex_action(source: str, pos: int) -> tuple[int, bool, list[_Tok] | None]:
    """From just inside `{{` to after `}}`: (end, trims the next text, tokens or None for a comment)."""
    stripped = pos
    while stripped < len(source) and source[stripped] in _SPACE:
        stripped += 1
    if source.startswith("/*", stripped):
        close = source.find("*/", stripped + 2)
        if close < 0:
            raise GoTemplateError("unclosed comment")
        after = close + 2
        if source.startswith(" -}}", after) or (after < len(source) and source[after] in _SPACE
                                                  and source.startswith("-}}", after + 1)):
            return source.index("}}", after) + 2, True, None
        if source.startswith("}}", after):
            return after + 2, False, None
        raise GoTemplateError("comment ends before closing delimiter")
    tokens: list[_Tok] = []
    spaced = False
    while True:
        if pos >= len(source):
            raise GoTemplateError("unclosed action")
        if source[pos] in _SPACE and source.startswith("-}}", pos + 1):
            return pos + 4, True, tokens
        if source.startswith("}}", pos):
            return pos + 2, False, tokens
        match = _TOKEN.match(source, pos)
        if match is None:
            raise GoTemplateError(f"unexpected {source[pos]!r} in action")
        kind = match.lastgroup or ""
        if kind == "space":
            spaced = True
        else:
            tokens.append(_Tok(kind, match.group(), spaced))
            spaced = False
        pos = match.end()


# ---------------------------------------------------------------- parser: nodes


@dataclass
class Text:
    text: str


@dataclass
class Field:
    idents: list[str]


@dataclass
class Variable:
    name: str
    idents: list[str]


@dataclass
class Dot:
    pass


@dataclass
class Literal:
    value: Any


@dataclass
class Ident:
    name: str


@dataclass
class Chain:
    node: Any
    idents: list[str]


@dataclass
class Command:
    args: list[Any]


@dataclass
class Pipe:
    decl: list[str]
    assign: bool
    cmds: list[Command]


@dataclass
class Action:
    pipe: Pipe


@dataclass
class Branch:
    kind: str  # if, range, with
    pipe: Pipe
    body: list[Any]
    else_body: list[Any] | None


@dataclass
class Break:
    pass


@dataclass
class Continue:
    pass


class _Parser:
    def __init__(self, source: str, functions: set[str]) -> None:
        self.items = _lex(source)
        self.pos = 0
        self.functions = functions | _BUILTINS  # a name not among them is a parse error, as in Go

    def parse(self) -> list[Any]:
        nodes, end = self.list_until(())
        if end is not None:
            raise GoTemplateError(f"unexpected {{{{{end}}}}}")
        return nodes

    def list_until(self, ends: tuple[str, ...]) -> tuple[list[Any], str | None]:
        nodes: list[Any] = []
        while self.pos < len(self.items):
            kind, value = self.items[self.pos]
            self.pos += 1
            if kind == "text":
                nodes.append(Text(value))
            elif kind == "action":
                tokens: list[_Tok] = value
                word = tokens[0].text if tokens and tokens[0].kind == "ident" else ""
                if word in ("end", "else"):
                    if word not in ends:
                        raise GoTemplateError(f"unexpected {{{{{word}}}}}")
                    self.pos -= 1
                    return nodes, word
                nodes.append(self.action(tokens))
        if ends:
            raise GoTemplateError("unexpected EOF")
        return nodes, None

    def action(self, tokens: list[_Tok]) -> Any:
        if not tokens:
            raise GoTemplateError("missing value for command")
        word = tokens[0].text if tokens[0].kind == "ident" else ""
        if word in ("if", "range", "with"):
            return self.branch(word, tokens[1:])
        if word in ("break", "continue"):
            if len(tokens) > 1:
                raise GoTemplateError(f"unexpected {tokens[1].text} in {word}")
            return Break() if word == "break" else Continue()
        if word in ("define", "template", "block"):
            raise GoTemplateError(f"{{{{{word}}}}} is not supported by tokcheck's renderer")
        return Action(self.pipe(tokens, "command"))

    def branch(self, kind: str, tokens: list[_Tok]) -> Branch:
        pipe = self.pipe(tokens, kind)
        body, end = self.list_until(("end", "else"))
        else_body: list[Any] | None = None
        if end == "else":
            _, else_tokens = self.items[self.pos]
            self.pos += 1
            if len(else_tokens) > 1 and else_tokens[1].text == "if" and else_tokens[1].kind == "ident":
                # {{else if}}: an if inside the else list that shares this branch's {{end}}.
                return Branch(kind, pipe, body, [self.branch("if", else_tokens[2:])])
            if len(else_tokens) > 1:
                raise GoTemplateError(f"unexpected {else_tokens[1].text} in else")
            else_body, end = self.list_until(("end",))
        self.pos += 1  # the {{end}}
        return Branch(kind, pipe, body, else_body)

    def pipe(self, tokens: list[_Tok], context: str) -> Pipe:
        decl: list[str] = []
        assign = False
        i = 0
        # $x := ..., $x = ..., and in range $i, $v := ...
        if tokens and tokens[0].kind == "variable":
            if len(tokens) > 1 and tokens[1].kind in ("declare", "assign"):
                decl, assign, i = [tokens[0].text], tokens[1].kind == "assign", 2
            elif (context == "range" and len(tokens) > 3 and tokens[1].text == ","
                  and tokens[2].kind == "variable" and tokens[3].kind in ("declare", "assign")):
                decl, assign, i = [tokens[0].text, tokens[2].text], tokens[3].kind == "assign", 4
        cmds, i = self.commands(tokens, i, closing=False)
        if not cmds:
            raise GoTemplateError(f"missing value for {context}")
        return Pipe(decl, assign, cmds)

    def commands(self, tokens: list[_Tok], i: int, closing: bool) -> tuple[list[Command], int]:
        cmds: list[Command] = []
        args: list[Any] = []
        while i < len(tokens):
            tok = tokens[i]
            if tok.text == ")" and tok.kind == "punct":
                if not closing:
                    raise GoTemplateError("unexpected right paren")
                break
            if tok.text == "|":
                if not args:
                    raise GoTemplateError("missing command")
                cmds.append(Command(args))
                args = []
                i += 1
                continue
            node, i = self.operand(tokens, i)
            args.append(node)
        else:
            if closing:
                raise GoTemplateError("unclosed left paren")
        if args:
            cmds.append(Command(args))
        elif cmds:
            raise GoTemplateError("missing command")
        return cmds, i

    def operand(self, tokens: list[_Tok], i: int) -> tuple[Any, int]:
        tok = tokens[i]
        i += 1
        node: Any
        if tok.kind == "punct" and tok.text == "(":
            cmds, i = self.commands(tokens, i, closing=True)
            if not cmds:
                raise GoTemplateError("missing value in parenthesis")
            node = Pipe([], False, cmds)
            i += 1
        elif tok.kind == "field":
            node = Field(tok.text[1:].split("."))
        elif tok.kind == "variable":
            node = Variable(tok.text, [])
            if i < len(tokens) and tokens[i].kind == "field" and not tokens[i].after_space:
                node.idents = tokens[i].text[1:].split(".")
                i += 1
        elif tok.kind == "dot":
            node = Dot()
        elif tok.kind == "ident":
            node = {"true": Literal(True), "false": Literal(False), "nil": Literal(None)}.get(tok.text)
            if node is None:
                if tok.text not in self.functions:
                    raise GoTemplateError(f'function "{tok.text}" not defined')
                node = Ident(tok.text)
        elif tok.kind in ("string", "raw", "char", "number"):
            node = Literal(_literal(tok))
        else:
            raise GoTemplateError(f"unexpected {tok.text!r} in operand")
        if i < len(tokens) and tokens[i].kind == "field" and not tokens[i].after_space:
            if isinstance(node, Literal | Ident):
                raise GoTemplateError(f"unexpected . after term {tok.text!r}")
            node = Chain(node, tokens[i].text[1:].split("."))
            i += 1
        return node, i


def _literal(tok: _Tok) -> Any:
    if tok.kind == "raw":
        return tok.text[1:-1]
    if tok.kind == "string":
        return json.loads(tok.text) if "\\x" not in tok.text else tok.text[1:-1].encode().decode("unicode_escape")
    if tok.kind == "char":
        return ord(tok.text[1:-1].encode().decode("unicode_escape"))
    text = tok.text.replace("_", "")
    try:
        return int(text, 0)
    except ValueError:
        return float(text)


_BUILTINS = {"and", "or", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge",
             "print", "printf", "println", "html", "js", "urlquery", "call"}


# ---------------------------------------------------------------- execution


_NO_FINAL = object()  # the first command of a pipeline has no piped-in value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def is_true(value: Any) -> bool:
    """text/template isTrue."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True  # structs and non-nil pointers


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return ""


def _eq(first: Any, *others: Any) -> bool:
    if not others:
        raise GoTemplateError("missing argument for comparison")
    for other in others:
        a, b = _basic_kind(first), _basic_kind(other)
        nil_a, nil_b = first is None or first is MISSING, other is None or other is MISSING
        if nil_a or nil_b:  # funcs.go eq: a nil argument equals only another nil, and is no error
            if nil_a and nil_b:
                return True
            continue
        if not a or not b:
            raise GoTemplateError("incompatible types for comparison" if a or b else "invalid type for comparison")
        if a != b:
            raise GoTemplateError("incompatible types for comparison")
        if first == other:
            return True
    return False


def _lt(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if not ka or not kb or ka == "bool" or kb == "bool":
        raise GoTemplateError("invalid type for comparison")
    if ka != kb:
        raise GoTemplateError("incompatible types for comparison")
    return bool(a < b)


def _len(value: Any) -> int:
    if isinstance(value, str | list | dict):
        return len(value.encode() if isinstance(value, str) else value)
    raise GoTemplateError(f"len of type {type(value).__name__}")


def _index(item: Any, *indexes: Any) -> Any:
    for index in indexes:
        if isinstance(item, list | str):
            if not isinstance(index, int) or isinstance(index, bool):
                raise GoTemplateError("cannot index slice/array with a non-integer")
            data = item.encode() if isinstance(item, str) else item
            if not 0 <= index < len(data):
                raise GoTemplateError(f"index out of range: {index}")
            item = data[index]
        elif isinstance(item, dict):
            item = item.get(index, MISSING)
        elif item is None or item is MISSING:
            raise GoTemplateError("index of untyped nil")
        else:
            raise GoTemplateError(f"can't index item of type {type(item).__name__}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if not isinstance(item, list | str):
        raise GoTemplateError(f"can't slice item of type {type(item).__name__}")
    if len(indexes) > 2 + isinstance(item, list):
        raise GoTemplateError("too many slice indexes")
    data = item.encode() if isinstance(item, str) else item
    bounds = [int(i) for i in indexes]
    low = bounds[0] if bounds else 0
    high = bounds[1] if len(bounds) > 1 else len(data)
    if not 0 <= low <= high <= len(data):
        raise GoTemplateError(f"slice index out of range: {low}:{high}")
    out = data[low:high]
    return out.decode("utf-8", errors="surrogateescape") if isinstance(out, bytes) else type(item)(out)


def _sprint(*args: Any) -> str:
    # fmt.Sprint: a space between operands when neither is a string.
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out += " "
        out += go_print(arg)
    return out


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf for %s %v %d %q %t %f %x and %%."""
    rest = list(args)

    def verb(match: re.Match[str]) -> str:
        flags, width, precision, letter = match.groups()
        if letter == "%":
            return "%"
        if not rest:
            return f"%!{letter}(MISSING)"
        arg = rest.pop(0)
        if letter in "sv":
            text = go_print(arg)
        elif letter == "d" and isinstance(arg, int) and not isinstance(arg, bool):
            text = str(arg)
        elif letter == "q" and isinstance(arg, str):
            text = json.dumps(arg, ensure_ascii=False)
        elif letter == "t" and isinstance(arg, bool):
            text = go_print(arg)
        elif letter == "f" and isinstance(arg, float):
            text = f"{arg:.{int(precision) if precision else 6}f}"
        elif letter == "x" and isinstance(arg, int | str):
            text = format(arg, "x") if isinstance(arg, int) else arg.encode().hex()
        else:
            raise GoTemplateError(f"printf verb %{letter} with {type(arg).__name__} is not supported")
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        return text

    out = _VERB.sub(verb, fmt)
    if rest:
        out += "%!(EXTRA " + ", ".join(f"{_go_type(a)}={go_print(a)}" for a in rest) + ")"
    return out


def _go_type(value: Any) -> str:
    return {"bool": "bool", "int": "int", "float": "float64", "string": "string"}.get(_basic_kind(value), "interface {}")


_BUILTIN_FUNCS: dict[str, Callable[..., Any]] = {
    "not": lambda value: not is_true(value),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _lt,
    "le": lambda a, b: _lt(a, b) or _eq(a, b),
    "gt": lambda a, b: not (_lt(a, b) or _eq(a, b)),
    "ge": lambda a, b: not _lt(a, b),
    "print": _sprint,
    "printf": _sprintf,
    "println": lambda *args: " ".join(go_print(a) for a in args) + "\n",
}


class GoTemplate:
    """A parsed template; `execute(data, funcs)` renders it."""

    def __init__(self, source: str, funcs: dict[str, Callable[..., Any]] | None = None) -> None:
        self.funcs = funcs or {}
        self._builtins_only = False
        self.nodes = _Parser(source, set(self.funcs)).parse()

    def execute(self, data: Any, nodes: list[Any] | None = None, builtins_only: bool = False) -> str:
        """Render with `data` as dot; `nodes`: another tree of this template (Ollama's cut copy),
        `builtins_only`: without the added functions (that copy is a new template without them)."""
        self._builtins_only = builtins_only
        out: list[str] = []
        scope: list[tuple[str, Any]] = [("$", data)]
        self._walk(nodes if nodes is not None else self.nodes, data, scope, out)
        return "".join(out)

    # -- statements

    def _walk(self, nodes: list[Any], dot: Any, scope: list[tuple[str, Any]], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Action):
                value = self._pipe(node.pipe, dot, scope)
                if not node.pipe.decl:
                    out.append(go_print(value))
            elif isinstance(node, Branch):
                mark = len(scope)
                if node.kind == "range":
                    self._range(node, dot, scope, out)
                else:
                    value = self._pipe(node.pipe, dot, scope)
                    if is_true(value):
                        self._walk(node.body, value if node.kind == "with" else dot, scope, out)
                    elif node.else_body is not None:
                        self._walk(node.else_body, dot, scope, out)
                del scope[mark:]
            elif isinstance(node, Break):
                raise _Break
            elif isinstance(node, Continue):
                raise _Continue

    def _range(self, node: Branch, dot: Any, scope: list[tuple[str, Any]], out: list[str]) -> None:
        value = self._pipe(Pipe([], False, node.pipe.cmds), dot, scope)
        if isinstance(value, dict):
            pairs = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            pairs = list(enumerate(value))
        elif value is None or value is MISSING:
            pairs = []
        else:
            raise GoTemplateError(f"range can't iterate over {go_print(value)}")
        if not pairs:
            if node.else_body is not None:
                self._walk(node.else_body, dot, scope, out)
            return
        mark = len(scope)
        for key, item in pairs:
            if len(node.pipe.decl) == 1:
                self._set(scope, node.pipe.decl[0], item, node.pipe.assign)
            elif len(node.pipe.decl) == 2:
                self._set(scope, node.pipe.decl[0], key, node.pipe.assign)
                self._set(scope, node.pipe.decl[1], item, node.pipe.assign)
            inner = len(scope)
            try:
                self._walk(node.body, item, scope, out)
            except _Break:
                del scope[inner:]
                break
            except _Continue:
                pass
            del scope[inner:]
        del scope[mark:]

    @staticmethod
    def _set(scope: list[tuple[str, Any]], name: str, value: Any, assign: bool) -> None:
        if not assign:
            scope.append((name, value))
            return
        for i in range(len(scope) - 1, -1, -1):
            if scope[i][0] == name:
                scope[i] = (name, value)
                return
        raise GoTemplateError(f"undefined variable: {name}")

    # -- expressions

    def _pipe(self, pipe: Pipe, dot: Any, scope: list[tuple[str, Any]]) -> Any:
        value: Any = _NO_FINAL
        for cmd in pipe.cmds:
            value = self._command(cmd, dot, scope, value)
            if value is None:  # exec.go evalPipeline digs into an interface{}: a nil one is no value
                value = MISSING
        for name in pipe.decl:
            self._set(scope, name, value, pipe.assign)
        return value

    def _command(self, cmd: Command, dot: Any, scope: list[tuple[str, Any]], final: Any) -> Any:
        head = cmd.args[0]
        piped = [] if final is _NO_FINAL else [final]
        if isinstance(head, Ident):
            return self._call(head.name, cmd.args[1:], dot, scope, piped)
        if len(cmd.args) > 1 or piped:
            raise GoTemplateError(f"can't give argument to non-function {head}")
        return self._arg(head, dot, scope)

    def _call(self, name: str, args: list[Any], dot: Any, scope: list[tuple[str, Any]], piped: list[Any]) -> Any:
        if name in ("and", "or"):
            # Go 1.18+: evaluated left to right, stopping at the first false (and) / true (or)
            # argument, whose value (not a bool) is the result; else the last argument's.
            if not args and not piped:
                raise GoTemplateError(f"wrong number of args for {name}: want at least 1 got 0")
            result: Any = None
            for i in range(len(args) + len(piped)):
                result = self._arg(args[i], dot, scope) if i < len(args) else piped[0]
                if is_true(result) != (name == "and"):
                    return result
            return result
        # A missing value reaches a function as a nil interface (exec.go validateType).
        values = [None if v is MISSING else v for v in [self._arg(a, dot, scope) for a in args] + piped]
        function = (None if self._builtins_only else self.funcs.get(name)) or _BUILTIN_FUNCS.get(name)
        if function is None:  # html, js, urlquery, call: Go has them, Ollama's templates do not use them
            raise GoTemplateError(f'"{name}" is not supported by tokcheck\'s renderer' if name in _BUILTINS
                                  else f'function "{name}" not defined')
        if name in ("not", "len") and len(values) != 1:
            raise GoTemplateError(f"wrong number of args for {name}: want 1 got {len(values)}")
        if name in ("ne", "lt", "le", "gt", "ge") and len(values) != 2:
            raise GoTemplateError(f"wrong number of args for {name}: want 2 got {len(values)}")
        return function(*values)

    def _arg(self, node: Any, dot: Any, scope: list[tuple[str, Any]]) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Dot):
            return dot
        if isinstance(node, Field):
            return self._fields(dot, node.idents)
        if isinstance(node, Variable):
            for name, value in reversed(scope):
                if name == node.name:
                    return self._fields(value, node.idents)
            raise GoTemplateError(f"undefined variable: {node.name}")
        if isinstance(node, Pipe):
            return self._pipe(node, dot, scope)
        if isinstance(node, Chain):
            return self._fields(self._arg(node.node, dot, scope), node.idents)
        if isinstance(node, Ident):
            return self._call(node.name, [], dot, scope, [])
        raise GoTemplateError(f"cannot evaluate {node}")

    @staticmethod
    def _fields(value: Any, idents: list[str]) -> Any:
        for name in idents:
            if isinstance(value, GoStruct):
                if name not in value.fields:
                    raise GoTemplateError(f"can't evaluate field {name}")
                value = value.fields[name]
            elif isinstance(value, dict):
                value = value.get(name, MISSING)
            elif value is None or value is MISSING:
                raise GoTemplateError(f"nil pointer evaluating .{name}")
            else:
                raise GoTemplateError(f"can't evaluate field {name} in type {_go_type(value)}")
        return value


def parse(source: str, funcs: dict[str, Callable[..., Any]] | None = None) -> GoTemplate:
    return GoTemplate(source, funcs)
