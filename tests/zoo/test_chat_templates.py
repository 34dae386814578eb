"""The zoo's chat templates render as the originals do: Llama 3.0 and Qwen2 against their documented
formats written out in Python, Llama 3.1 against hand-written renders of Meta's prompt format
(system header, tools, ipython), Mistral against mistral-common's own chat encoder."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.zoo.conftest import Loaded
from tokcheck.zoo import packages

Message = dict[str, str]


def conversations(texts: list[str], count: int, seed: int, banned: tuple[str, ...]) -> list[list[Message]]:
    """``count`` alternating user/assistant conversations ending with a user turn, a third with a
    system message, contents drawn from the corpus (non-blank, no string from ``banned``)."""
    pool = [t for t in texts if t.strip() and len(t) < 400 and not any(b in t for b in banned)]
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        messages = [{"role": "system", "content": rng.choice(pool)}] if rng.random() < 0.3 else []
        for turn in range(rng.choice((1, 3, 5))):
            messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": rng.choice(pool)})
        result.append(messages)
    return result


def render(loaded: Loaded, messages: list[Any], **kwargs: object) -> str:
    return str(loaded.auto.apply_chat_template(messages, tokenize=False, **kwargs))


def assert_renders(
    loaded: Loaded, cases: list[tuple[list[Message], str]], report: Callable[..., None]
) -> None:
    """Each conversation renders as its expected text, and tokenizing the template gives the ids
    of the text (no BOS added a second time)."""
    text_bad = sum(render(loaded, messages, add_generation_prompt=True) != want for messages, want in cases)
    ids_bad = sum(
        loaded.chat_ids(messages) != loaded.ids([render(loaded, messages)])[0] for messages, _ in cases[:100]
    )
    report(loaded.name, "chat template text == documented format", len(cases), text_bad)
    report(loaded.name, "chat template ids == ids of its text", min(len(cases), 100), ids_bad)
    first_bad = next(((m, w) for m, w in cases if render(loaded, m, add_generation_prompt=True) != w), None)
    assert first_bad is None, (
        f"{first_bad[0]!r}\nrendered {render(loaded, first_bad[0], add_generation_prompt=True)!r}\nexpected {first_bad[1]!r}"
    )
    assert ids_bad == 0


LLAMA_SPECIALS = ("<|", "|>")


def llama3_0_format(messages: list[Message]) -> str:
    """Meta's Llama 3 Instruct format: header, blank line, trimmed content, <|eot_id|>."""
    turns = "".join(
        f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content'].strip()}<|eot_id|>"
        for m in messages
    )
    return f"<|begin_of_text|>{turns}<|start_header_id|>assistant<|end_header_id|>\n\n"


def test_llama3_template_renders_the_llama3_format(
    texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    cases = [(c, llama3_0_format(c)) for c in conversations(texts, 300, 1, LLAMA_SPECIALS)]
    assert_renders(load("llama3"), cases, report)


def qwen2_format(messages: list[Message]) -> str:
    """ChatML with Qwen2's default system prompt when the conversation has none."""
    system = (
        ""
        if messages[0]["role"] == "system"
        else "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    )
    turns = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return f"{system}{turns}<|im_start|>assistant\n"


def test_qwen2_template_renders_chatml(
    texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    cases = [(c, qwen2_format(c)) for c in conversations(texts, 300, 2, LLAMA_SPECIALS)]
    assert_renders(load("qwen2"), cases, report)


HEADER_3_1 = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
DATES_3_1 = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def test_llama3_1_template_renders_the_llama3_1_format(load: Callable[[str], Loaded]) -> None:
    loaded = load("llama3.1")
    plain = render(loaded, [{"role": "user", "content": " hi "}], add_generation_prompt=True)
    assert plain == (
        f"{HEADER_3_1}{DATES_3_1}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    with_system = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "bye"},
    ]
    assert render(loaded, with_system) == (
        f"{HEADER_3_1}{DATES_3_1}Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nhello<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nbye<|eot_id|>"
    )
    tool_turns: list[Any] = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
            ],
        },
        {"role": "tool", "content": "22C"},
    ]
    tool_instructions = (
        "Given the following functions, please respond with a JSON for a function call with its proper "
        "arguments that best answers the given prompt.\n\n"
        'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.'
        "Do not use variables.\n\n"
    )
    assert render(loaded, tool_turns, tools=[WEATHER_TOOL]) == (
        f"{HEADER_3_1}Environment: ipython\n{DATES_3_1}<|eot_id|>"
        f"<|start_header_id|>user<|end_header_id|>\n\n{tool_instructions}"
        f"{json.dumps(WEATHER_TOOL, indent=4)}\n\nWeather in Paris?<|eot_id|>"
        '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": {"city": "Paris"}}'
        # The 3.1 template JSON-quotes a string tool result: a string is "iterable" in Jinja.
        '<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n"22C"<|eot_id|>'
    )
    # The ids of special tokens the 3.1 template and generation config rely on.
    assert loaded.auto.convert_tokens_to_ids(["<|eom_id|>", "<|eot_id|>", "<|python_tag|>"]) == [
        128008,
        128009,
        128010,
    ]


@pytest.fixture(scope="session")
def mistral_common_tokenizers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    import shutil

    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    spm = tmp_path_factory.mktemp("mistral") / "tokenizer.model.v3"  # the v0.3 repo's file name
    shutil.copyfile(
        packages.data_file("mistral-common", "data/mistral_instruct_tokenizer_240216.model.v2", "x"), spm
    )
    tekken = packages.data_file("mistral-common", "data/tekken_240718.json", "mistral-tekken")
    return {
        "mistral-v3": MistralTokenizer.from_file(Path(spm)),
        "mistral-tekken": MistralTokenizer.from_file(tekken),
    }


MISTRAL_BANNED = ("[", "<s>", "</s>", "<unk>", "<pad>", "<SPECIAL_")


@pytest.mark.parametrize("name", ["mistral-v3", "mistral-tekken"])
def test_mistral_templates_give_the_ids_of_mistral_commons_chat_encoder(
    name: str,
    texts: list[str],
    load: Callable[[str], Loaded],
    mistral_common_tokenizers: dict[str, object],
    report: Callable[..., None],
) -> None:
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    message_class: dict[str, Any] = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    encoder = mistral_common_tokenizers[name]
    loaded = load(name)
    cases = conversations(texts, 300, 3, MISTRAL_BANNED)
    # Named difference at the edges of assistant turns: the v0.3 template trims the content
    # (Jinja's trim, i.e. str.strip()); the Nemo template keeps it as is; mistral-common strips
    # trailing U+0020 only. Each side gets the other's edge handling, and must then agree.
    edges_changed = 0
    mismatches = 0
    for messages in cases:
        common_side, hf_side = [], []
        for m in messages:
            content = m["content"]
            if m["role"] == "assistant":
                edged = content.strip() if name == "mistral-v3" else content.rstrip(" ")
                edges_changed += edged != content
                common_side.append({**m, "content": edged} if name == "mistral-v3" else m)
                hf_side.append(m if name == "mistral-v3" else {**m, "content": edged})
            else:
                common_side.append(m)
                hf_side.append(m)
        request = ChatCompletionRequest(
            messages=[message_class[m["role"]](content=m["content"]) for m in common_side]
        )
        expected = encoder.encode_chat_completion(request).tokens  # type: ignore[attr-defined]
        mismatches += loaded.chat_ids(hf_side) != expected
    report(name, "chat ids == mistral-common encode_chat_completion", len(cases), mismatches)
    report(
        name, "chats with assistant edge whitespace", edges_changed, None, "normalized as named, then equal"
    )
    assert edges_changed >= 10  # the named difference is really exercised
    assert mismatches == 0
