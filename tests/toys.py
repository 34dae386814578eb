"""Small real tokenizers built inside the tests with `tokenizers`, saved by the installed
transformers: a byte-level BPE with Llama 3's special-token layout (specials after the vocabulary,
bos from a TemplateProcessing post-processor, a header/eot chat template)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world! How are you today? I'm fine, thanks.",
    "def main():\n    return 42\n",
    "Numbers 123 4567 and punctuation: ; , . ! ?",
    "Grüße aus München, café, naïve façade.",
]
SPECIALS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|reserved_special_token_2|>",
    "<|eot_id|>",
]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


def build_tokenizer_object(vocab_size: int = 400) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE(ignore_merges=True))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tokenizer.train_from_iterator(CORPUS * 20, trainer)
    tokenizer.add_special_tokens(SPECIALS)
    bos = tokenizer.token_to_id(SPECIALS[0])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<|begin_of_text|> $A",
        pair="<|begin_of_text|> $A <|begin_of_text|> $B",
        special_tokens=[("<|begin_of_text|>", bos)],
    )
    return tokenizer


def build_toy(dest: Path, *, model_config: bool = True) -> Path:
    """A Llama-3-shaped toy checkpoint directory saved by the installed transformers."""
    from transformers import PreTrainedTokenizerFast

    tokenizer = build_tokenizer_object()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(str(dest))
    if model_config:
        size = len(fast)
        bos, eot, eos = (tokenizer.token_to_id(t) for t in ("<|begin_of_text|>", "<|eot_id|>", "<|end_of_text|>"))
        write_json(dest / "config.json", {
            "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": size,
            "bos_token_id": bos, "eos_token_id": eot, "tie_word_embeddings": False,
        })
        write_json(dest / "generation_config.json", {"bos_token_id": bos, "eos_token_id": [eos, eot]})
    return dest


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    """Apply `change` to a JSON file in place (it mutates the data, or returns a replacement)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    replaced = change(data)
    write_json(path, data if replaced is None else replaced)


def clone(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest


def added_token(tokenizer_json: dict[str, Any], content: str) -> dict[str, Any]:
    return next(entry for entry in tokenizer_json["added_tokens"] if entry["content"] == content)
