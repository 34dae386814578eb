"""Public Hypothesis strategies for testing tokenizers: text biased toward tokenizer edge cases,
text built from a tokenizer's own vocabulary and special tokens, and chat transcripts that follow
the rules a chat template enforces. Usable with any transformers tokenizer, e.g.::

    from hypothesis import given
    from tokcheck.strategies import edge_case_text, tokenizer_text

    @given(edge_case_text())
    def test_round_trip(text):
        assert tok.decode(tok.encode(text, add_special_tokens=False)) == text

Strategies are built from fragments listed simplest first, so a failing example shrinks to a
short text a person can read (``'ﬁ'``, ``'a<|eot_id|>'``, ``' \\n'``)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st

from tokcheck.assertions import render_chat
from tokcheck.generators import TOKEN_WHITESPACE, assigned_code_points

__all__ = [
    "TemplateCapabilities",
    "Transcript",
    "chat_transcripts",
    "edge_case_text",
    "near_misses",
    "special_splices",
    "special_strings",
    "template_capabilities",
    "token_id_sequences",
    "tokenizer_fragments",
    "tokenizer_text",
    "vocab_pieces",
]

LETTERS = tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
WHITESPACE = (" ", "  ", "\n", "\t", "\r\n", "\n\n", "   ", "\t\t", "\r", " \n", "\n ", "    ", "\x0b", "\x0c", "\r\n\r\n")
PUNCTUATION = (
    ".", ",", "!", "?", "-", "'", '"', ":", ";", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "|", "@", "#",
    "$", "%", "&", "*", "_", "=", "+", "`", "~", "^", "...", "!!!!!!", " ,", " .", "--", "->", "=>", "<|", "|>",
)
CONTRACTIONS = (
    "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "n't", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "’s", "’t",
    "’re", "I'm", "don't", "it's", "y'all", "' era", "''", "'''", "rock'n'roll",
)
DIGITS = (
    "0", "1", "3", "33", "333", "3333", "33333", "333333333", "2024", "3.14", "1,000", "1e10", "-1", "0x1F", "½",
    "¼", "²", "٣", "३", "१२३", "１２３", "〇", "Ⅵ", "①",
)
INVISIBLES = (
    "\xa0", "\u200b", "\ufeff", "\u2009", "\u202f", "\u3000", "\u2028", "\u2029", "\x85", "\u200c", "\u200d",
    "\u2060", "\xad", "\u180e", "\u200e", "\u200f", "\u202e",
)
COMBINING = (
    "e\u0301", "a\u0308", "n\u0303", "\u0301", "a\u0306\u0301", "o\u0308\u0304", "\u1100\u1161\u11a8", "\u212b",
    "\u2126", "\xc5", "\xe9", "\xf1", "\u0958", "\u0915\u093c", "\u1e69", "q\u0307\u0323",
)
COMPATIBILITY = (
    "ﬁ", "ﬂ", "ＡＢＣ", "ｈｅｌｌｏ", "！", "？", "（", "）", "µ", "ſ", "²", "³", "Ⅻ", "㎏", "㍱", "ℌ", "ℕ", "™", "…",
    "ｶﾀｶﾅ", "ﾞ", "㈱", "ǅ", "Ǆ", "ẞ", "ß", "İ", "ı", "\u212a", "𝐀𝐁𝐂", "🄰",
)
EMOJI = (
    "🦙", "👍", "👍🏽", "😀", "😁", "🚀", "✅", "❤️", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🤷\u200d♀️", "🇺🇸",
    "🇯🇵", "🇪🇺", "1️⃣", "#️⃣", "🧑🏿\u200d💻", "😶\u200d🌫️",
)
SCRIPTS = (
    "你好", "世界", "日本語", "こんにちは", "カタカナ", "한국어", "안녕하세요", "中文字符", "ក្រុមហ៊ុន", "កាន់តែពិសេស",
    "Привет", "мир", "Ёё", "Їжак", "нещо на Български", "مرحبا", "العربية", "فارسی", "שלום", "עברית", "नमस्ते",
    "हिन्दी", "தமிழ்", "ไทย", "ภาษาไทย", "ქართული", "Ελληνικά", "Հայերեն", "አማርኛ", "ܐܒܓ", "Cửa Việt", " Việt",
    "Tiếng Việt", "Äpfel", "Führer", "Grüße", "façade", "naïve", "İstanbul", "Łódź",
)
CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x1b", "\x1b[0m", "\x1f", "\x7f", "\x80", "\x9f", "\x1c", "\x1d", "\x1e")
CODE = (
    "    ", "        ", "def f(x):\n    return x\n", "\tif (a) {\n\t\treturn b;\n\t}\n", "for i in range(10):\n    print(i)\n",
    "x = {'a': 1, \"b\": [2, 3]}", '<div class="a">\n  <p>hi</p>\n</div>', "#include <stdio.h>\n",
    "SELECT * FROM t WHERE id = 1;", "```python\nprint('hi')\n```", "    \n", "\n    ", "// comment", "/* block */",
    "a==b&&c!=d", "i++;", "lambda x: x**2", "$HOME/.config", "C:\\Users", "https://example.com/a?b=c&d=e",
    "foo_bar_baz", "camelCaseWord",
)


def _ascii_word() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(LETTERS), min_size=1, max_size=8).map("".join)


def _any_code_points() -> st.SearchStrategy[str]:
    table = assigned_code_points()
    char = st.integers(0, len(table) - 1).map(lambda index: chr(table[index]))
    return st.lists(char, min_size=1, max_size=3).map("".join)


def _by_length(*groups: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted((item for group in groups for item in group), key=len))


def edge_case_fragments() -> st.SearchStrategy[str]:
    """One piece of edge-case text; `edge_case_text` joins several. Five kinds (plain words; ASCII
    whitespace, punctuation, contractions and digits; invisible, combining, compatibility and
    control characters; scripts, emoji and code; any code point), each list shortest first."""
    return st.one_of(
        _ascii_word(),
        _by_length(WHITESPACE, PUNCTUATION, CONTRACTIONS, DIGITS),
        _by_length(INVISIBLES, COMBINING, COMPATIBILITY, CONTROLS),
        st.one_of(_by_length(EMOJI, SCRIPTS, CODE), st.integers(0, 10**12).map(str)),
        _any_code_points(),
    )


def edge_case_text(*, max_fragments: int = 8) -> st.SearchStrategy[str]:
    """Text biased toward tokenizer edge cases: whitespace runs (spaces, tabs, \\n, \\r\\n), leading
    and trailing spaces, NBSP/ZWSP/BOM, combining marks and non-NFC forms, fullwidth and
    compatibility characters, emoji with ZWJ and flags, CJK, Khmer, Cyrillic, RTL scripts, digit
    runs, contractions, indented code, control characters and any assigned code point."""
    return st.lists(edge_case_fragments(), max_size=max_fragments).map("".join)


# --- tokenizer-aware text ---------------------------------------------------------------------

_pieces_cache: weakref.WeakKeyDictionary[Any, tuple[str, ...]] = weakref.WeakKeyDictionary()


def vocab_pieces(tokenizer: Any) -> tuple[str, ...]:
    """The decoded text of every ordinary (not added) token id, shortest first, without the ones
    that decode to a partial character. Cached per tokenizer."""
    try:
        return _pieces_cache[tokenizer]
    except (KeyError, TypeError):
        pass
    added = set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
    ids = [[i] for i in range(len(tokenizer)) if i not in added]
    backend = getattr(tokenizer, "backend_tokenizer", None)
    texts = backend.decode_batch(ids) if backend is not None else [tokenizer.decode(i) for i in ids]
    pieces = tuple(sorted({t for t in texts if t and "\ufffd" not in t}, key=lambda t: (len(t), t)))
    with contextlib.suppress(TypeError):
        _pieces_cache[tokenizer] = pieces
    return pieces


def special_strings(*tokenizers: Any) -> tuple[str, ...]:
    """The literal strings of every special and added token of the given tokenizers, sorted."""
    found: set[str] = set()
    for tokenizer in tokenizers:
        found.update(str(token) for token in getattr(tokenizer, "all_special_tokens", []) or [])
        decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
        found.update(str(getattr(token, "content", token)) for token in decoder.values())
    return tuple(sorted(token for token in found if token))


def near_misses(tokens: Sequence[str]) -> tuple[str, ...]:
    """Strings that look like special tokens but are not: a bracket missing, case changed, doubled
    or cut characters (``<|eot_id|`` , ``<|EOT_ID|>``, ``<s`` ...)."""
    real = set(tokens)
    found: set[str] = set()
    for token in tokens:
        if len(token) < 2:
            continue
        found.update({
            token[:-1], token[1:], token.upper(), token.lower(), token.swapcase(), token[: len(token) // 2],
            token + token[-1], token[0] + token, token.replace("|", ""), token.replace("_", "-"), token.replace("_", " "),
        })
    misses = {miss for miss in found if miss and not any(token in miss for token in real)}
    return tuple(sorted(misses, key=lambda t: (len(t), t)))


class _Pick:
    """items[i], with a short repr: Hypothesis would otherwise spell out a 128k-item sampled_from."""

    def __init__(self, items: Sequence[str]) -> None:
        self.items = items

    def __call__(self, index: int) -> str:
        return self.items[index]

    def __repr__(self) -> str:
        return f"<one of {len(self.items):,} strings>"


_BUCKETS = 16


def _choice(items: Sequence[str]) -> st.SearchStrategy[str]:
    """Like sampled_from(items) (shrinking toward the first), for long lists. Hypothesis draws
    small integers far more often than large ones (the median of 0-150,000 is near 2,000), so a
    long list is cut into 16 equal slices: the slice is drawn first, then the place in it, and
    every slice (of a vocabulary sorted by length: long words too) comes up about as often."""
    if len(items) < 1000:
        return st.integers(0, len(items) - 1).map(_Pick(items))
    size = -(-len(items) // _BUCKETS)
    slices = st.integers(0, _BUCKETS - 1).flatmap(
        lambda b: st.integers(b * size, min(len(items), (b + 1) * size) - 1)
    )
    return slices.map(_Pick(items))


def special_splices(*tokenizers: Any, tokens: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """A special/added token's literal string with whitespace of llama.cpp's set on either side
    (``'\\n<|eot_id|> '``), for splicing into text."""
    pool = tuple(tokens) if tokens is not None else special_strings(*tokenizers)
    if not pool:
        return st.nothing()
    around = st.sampled_from(TOKEN_WHITESPACE)
    return st.tuples(around, st.sampled_from(pool), around).map("".join)


def tokenizer_fragments(*tokenizers: Any, pieces: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """One piece of `tokenizer_text`: an edge-case fragment, a vocabulary piece or 1-3 vocabulary
    words of the given tokenizers, a special token's string with whitespace around it, or a near
    miss of one. `pieces` replaces the decoded vocabularies when the caller already has them.
    Building it sorts the whole vocabulary: build once, reuse for several text lengths."""
    if pieces is None:
        pieces = [piece for tokenizer in tokenizers for piece in vocab_pieces(tokenizer)]
    pieces = sorted({piece for piece in pieces if piece and "\ufffd" not in piece}, key=lambda t: (len(t), t))
    specials = special_strings(*tokenizers)
    branches = [edge_case_fragments()]
    if pieces:
        branches.append(_choice(pieces))
        words = sorted({piece.strip() for piece in pieces if piece.strip().isalpha()}, key=lambda t: (len(t), t))
        if words:
            branches.append(st.lists(_choice(words), min_size=1, max_size=3).map("".join))
    if specials:
        branches.append(special_splices(tokens=specials))
        misses = near_misses(specials)
        if misses:
            branches.append(st.sampled_from(misses))
    return st.one_of(branches)


def tokenizer_text(*tokenizers: Any, max_fragments: int = 8, pieces: Sequence[str] | None = None,
                   fragments: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Edge-case text mixed with the tokenizers' own vocabulary pieces and words, the literal
    strings of their special tokens spliced at random positions with whitespace around them, and
    near misses of those strings. Pass base and tuned together to cover tokens either one has.
    `fragments` (from `tokenizer_fragments`) skips rebuilding the vocabulary lists."""
    fragment = fragments if fragments is not None else tokenizer_fragments(*tokenizers, pieces=pieces)
    return st.lists(fragment, max_size=max_fragments).map("".join)


def token_id_sequences(*tokenizers: Any, max_size: int = 16) -> st.SearchStrategy[list[int]]:
    """Lists of token ids every given tokenizer has, with its special/added ids often included."""
    size = min(len(tokenizer) for tokenizer in tokenizers)
    added = sorted(
        set.intersection(*(set(getattr(t, "added_tokens_decoder", {}) or {}) for t in tokenizers)) & set(range(size))
    )
    ids = st.integers(0, size - 1)
    return st.lists(st.one_of(ids, st.sampled_from(added)) if added else ids, max_size=max_size)


# --- chat transcripts -------------------------------------------------------------------------

_TOOL_NAMES = ("get_weather", "search", "calculator")


def tool_schema(name: str, description: str = "") -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description or f"{name.replace('_', ' ')} tool",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
        },
    }


def tool_call(call_id: str, name: str, query: str) -> dict[str, Any]:
    # 9 alphanumeric characters: Mistral's templates reject any other tool call id.
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": {"query": query}}}


@dataclass(frozen=True)
class TemplateCapabilities:
    """What a chat template renders, found by rendering needle conversations (as google/minja's
    capability probes do): a system message, tool messages, tool calls (one or two at once) and
    tool definitions passed as ``tools=``."""

    renders: bool = True
    system: bool = True
    tool_role: bool = False
    tool_calls: bool = False
    parallel_tool_calls: bool = False
    tools: bool = False

    def describe(self) -> str:
        if not self.renders:
            return "renders nothing (no usable chat template)"
        names = [name for name in ("system", "tool_role", "tool_calls", "parallel_tool_calls", "tools") if getattr(self, name)]
        return "supports " + (", ".join(names) if names else "user/assistant turns only")


def _probe(tokenizer: Any, messages: list[dict[str, Any]], **kwargs: Any) -> str | None:
    try:
        rendered = render_chat(tokenizer, messages, tokenize=False, **kwargs)
    except Exception:  # a template that rejects the conversation: that is the answer
        return None
    return rendered if isinstance(rendered, str) else None


def template_capabilities(tokenizer: Any) -> TemplateCapabilities:
    """Probe `tokenizer`'s chat template with needle conversations."""
    user = {"role": "user", "content": "needle user"}
    if _probe(tokenizer, [user]) is None:
        return TemplateCapabilities(renders=False, system=False)
    system = _probe(tokenizer, [{"role": "system", "content": "needle system"}, user])
    one_call = [tool_call("call00001", "needle_fn", "q")]
    two_calls = [*one_call, tool_call("call00002", "needle_gn", "q")]
    tools = [tool_schema("needle_fn", "needle tool description"), tool_schema("needle_gn")]

    def exchange(calls: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        assistant: dict[str, Any] = {"role": "assistant", "content": "" if calls else "needle call"}
        if calls:
            assistant["tool_calls"] = calls
        results = [{"role": "tool", "tool_call_id": c["id"], "name": c["function"]["name"], "content": f"needle result {c['id']}"}
                   for c in (calls or one_call)]
        return [user, assistant, *results, {"role": "assistant", "content": "done"}]

    called = _probe(tokenizer, exchange(one_call), tools=tools)
    plain_tool = _probe(tokenizer, exchange(None))
    parallel = _probe(tokenizer, exchange(two_calls), tools=tools)
    with_tools = _probe(tokenizer, [user], tools=tools)
    return TemplateCapabilities(
        system=system is not None and "needle system" in system,
        tool_calls=called is not None and "needle_fn" in called,
        tool_role=any(r is not None and "needle result" in r for r in (called, plain_tool)),
        parallel_tool_calls=parallel is not None and "needle_gn" in parallel and "call00002" in parallel,
        tools=with_tools is not None and "needle tool description" in with_tools,
    )


@dataclass(frozen=True)
class Transcript:
    """A conversation and the arguments it is rendered with."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    add_generation_prompt: bool = False
    tools: list[dict[str, Any]] | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for apply_chat_template (besides tokenize)."""
        found: dict[str, Any] = {"add_generation_prompt": self.add_generation_prompt}
        if self.tools is not None:
            found["tools"] = self.tools
        return found

    def lines(self) -> list[str]:
        """The transcript as a person reads it, one message a line, texts escaped."""
        from tokcheck.counterexamples import escaped

        shown = []
        for message in self.messages:
            extra = ""
            if message.get("tool_calls"):
                extra = " tool_calls=" + ", ".join(c["function"]["name"] + "(" + ascii(c["function"]["arguments"]) + ")"
                                                   for c in message["tool_calls"])
            shown.append(f"  {message['role']}: {escaped(str(message.get('content', '')))}{extra}")
        tools = f", tools=[{', '.join(t['function']['name'] for t in self.tools)}]" if self.tools else ""
        shown.append(f"  (add_generation_prompt={self.add_generation_prompt}{tools})")
        return shown


@st.composite
def _round(draw: Any, caps: TemplateCapabilities, content: st.SearchStrategy[str]) -> tuple[Any, ...]:
    """One user turn and the assistant's answer, with a tool exchange in between when drawn."""
    user = draw(content)
    exchange = None
    if caps.tool_role and draw(st.booleans()):
        count = draw(st.integers(1, 2)) if caps.parallel_tool_calls else 1
        calls = [(draw(st.sampled_from(_TOOL_NAMES)), draw(content)) for _ in range(count)]
        lead = None if caps.tool_calls else draw(content)  # without tool-call support: plain text
        exchange = (calls, lead, [draw(content) for _ in calls])
    return user, exchange, draw(content)


@st.composite
def _transcripts(draw: Any, caps: TemplateCapabilities, content: st.SearchStrategy[str], max_rounds: int) -> Transcript:
    # Rounds are a list (not a count) so that shrinking can delete any of them.
    system = draw(st.one_of(st.none(), content)) if caps.system else None
    rounds = draw(st.lists(_round(caps, content), min_size=1, max_size=max_rounds))
    end_on_user = draw(st.booleans())  # a prompt awaiting the assistant
    messages: list[dict[str, Any]] = [] if system is None else [{"role": "system", "content": system}]
    calls_made = 0
    for index, (user, exchange, answer) in enumerate(rounds):
        messages.append({"role": "user", "content": user})
        if end_on_user and index == len(rounds) - 1:
            break
        if exchange is not None:
            calls, lead, results = exchange
            made = []
            for name, query in calls:
                calls_made += 1
                made.append(tool_call(f"call{calls_made:05d}", name, query))
            if lead is None:
                messages.append({"role": "assistant", "content": "", "tool_calls": made})
            else:
                messages.append({"role": "assistant", "content": lead})
            messages += [{"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"], "content": result}
                         for call, result in zip(made, results)]
        messages.append({"role": "assistant", "content": answer})
    tools = [tool_schema(name) for name in _TOOL_NAMES] if caps.tools and draw(st.booleans()) else None
    return Transcript(messages=messages, add_generation_prompt=draw(st.booleans()), tools=tools)


def chat_transcripts(
    tokenizer: Any = None,
    *,
    content: st.SearchStrategy[str] | None = None,
    capabilities: TemplateCapabilities | None = None,
    max_rounds: int = 3,
) -> st.SearchStrategy[Transcript]:
    """Chat transcripts that follow the alternation rules real templates enforce: an optional
    system message, then user and assistant turns alternating (multi-turn, contents may be empty),
    the last turn the user's or the assistant's; where the template supports them, assistant tool
    calls (ids of 9 alphanumeric characters) answered by tool messages, and tool definitions;
    ``add_generation_prompt`` both ways. The capabilities come from probing `tokenizer`'s template
    (see `template_capabilities`) unless given."""
    caps = capabilities or (template_capabilities(tokenizer) if tokenizer is not None else TemplateCapabilities())
    return _transcripts(caps, content if content is not None else edge_case_text(max_fragments=4), max_rounds)
