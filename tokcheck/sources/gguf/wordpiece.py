"""A BERT GGUF's tokenizer (tokenizer.ggml.model "bert": llama.cpp's WPM) as a `tokenizers`
WordPiece, for the approximate view: transformers' GGUF converter has no BERT. llama.cpp stores the
vocabulary in phantom-space form (BertModel.set_vocab: "▁word" for a word start, "piece" for
"##piece", control tokens as they are) and tokenizes as llama-vocab.cpp's wpm session does:
NFD and accent marks dropped when strip_accents, lowercase when lowercase (both from
tokenizer.ggml.normalizer.*, strip_accents following lowercase, lowercase on by default), control
characters dropped, words split at whitespace, punctuation, ASCII symbols and CJK ideographs, then
the longest vocabulary match from the start of each word, a word with no full match being [UNK]."""

from __future__ import annotations

from typing import Any

from tokcheck.sources.gguf.metadata import CONTROL, GGUFTokenizer

PHANTOM = "\u2581"


def phantom(token: str, kind: int) -> str:
    """BertModel.set_vocab's phantom-space form of a WordPiece token: a control token as it is, a
    continuation (##piece) without its ##, every other piece after a ▁ (the space before a word)."""
    if kind == CONTROL:
        return token
    return token[2:] if token.startswith("##") else PHANTOM + token


def wordpiece_vocab(gguf: GGUFTokenizer) -> dict[str, int]:
    """The HF WordPiece vocabulary the phantom-space token list came from (phantom's inverse; the
    first id of a piece wins)."""
    vocab: dict[str, int] = {}
    for index, token in enumerate(gguf.tokens):
        if gguf.type_of(index) == CONTROL:
            piece = token
        elif token.startswith(PHANTOM):
            piece = token[len(PHANTOM):]
        else:
            piece = "##" + token
        vocab.setdefault(piece, index)
    return vocab


def wordpiece_backend(gguf: GGUFTokenizer) -> Any:
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers

    lowercase = True if gguf.normalizer_lowercase is None else gguf.normalizer_lowercase
    strip_accents = lowercase if gguf.normalizer_strip_accents is None else gguf.normalizer_strip_accents
    unk = gguf.token(gguf.special_ids["unk"]) or "[UNK]"
    # llama.cpp caps no word's length (HF's WordPiece makes a word over 100 characters [UNK]).
    tokenizer = Tokenizer(models.WordPiece(wordpiece_vocab(gguf), unk_token=unk, continuing_subword_prefix="##",
                                           max_input_chars_per_word=1_000_000))
    steps = [normalizers.NFD(), normalizers.StripAccents()] if strip_accents else []
    steps.append(normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False,
                                            lowercase=lowercase))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    controls = [token for index, token in enumerate(gguf.tokens) if gguf.type_of(index) == CONTROL]
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in controls])
    return tokenizer
