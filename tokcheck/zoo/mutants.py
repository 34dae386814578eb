"""The drift catalog: tuned variants of the zoo's bases, one per drift class of DRIFT-CLASSES.md
(each made the way the framework or the hand edit that causes it makes it), and benign variants
that must pass. Each mutant names the finding the built-in suite must report for it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokcheck.zoo.registry import ZooEntry

# Bump when any mutation below writes something different (part of every mutant's cache key).
VERSION = "1"
DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Mutant:
    """A tuned variant of a zoo base. `expect` is the finding code the suite must report (None for
    a benign variant, which must pass); `expect_text` must appear in that finding's message."""

    name: str
    base: str
    drift_class: str  # "1. Framework stop-word injection ..." or "benign: ..."
    mutate: Callable[[Path], None]
    expect: str | None = None
    expect_text: str = ""

    @property
    def benign(self) -> bool:
        return self.expect is None


# --- editing helpers ---------------------------------------------------------------------------


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, data: Any, **dump: Any) -> None:
    options = {"ensure_ascii": False, "indent": 2, **dump}
    path.write_text(json.dumps(data, **options) + "\n", encoding="utf-8")


def edit(name: str, change: Callable[[Any], Any]) -> Callable[[Path], None]:
    """A mutation that edits one JSON file in place (`change` mutates it or returns a replacement)."""

    def mutate(dest: Path) -> None:
        data = _read(dest / name)
        replaced = change(data)
        _write(dest / name, data if replaced is None else replaced)

    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(dest: Path) -> None:
        for mutation in mutations:
            mutation(dest)

    return mutate


def added(tokenizer_json: dict[str, Any], content: str) -> dict[str, Any]:
    return next(entry for entry in tokenizer_json["added_tokens"] if entry["content"] == content)


def set_flag(content: str, flag: str, value: bool) -> Callable[[Path], None]:
    """Set an added token's flag in tokenizer.json, and in the tokenizer_config.json copy
    (transformers 4 layout) when there is one."""

    def in_tokenizer(data: dict[str, Any]) -> None:
        added(data, content)[flag] = value

    def in_config(data: dict[str, Any]) -> None:
        for entry in data.get("added_tokens_decoder", {}).values():
            if entry.get("content") == content:
                entry[flag] = value

    return both(edit("tokenizer.json", in_tokenizer), edit("tokenizer_config.json", in_config))


def set_config(**values: Any) -> Callable[[Path], None]:
    return edit("tokenizer_config.json", lambda data: data.update(values))


def _tokenizer(dest: Path) -> Any:
    from tokcheck.loading import import_transformers

    return import_transformers().AutoTokenizer.from_pretrained(str(dest), local_files_only=True)


def add_extra_specials(tokenizer: Any, tokens: list[str], *, replace: bool) -> None:
    """add_special_tokens for the additional/extra list, spelled for the installed transformers."""
    for keyword in ("replace_additional_special_tokens", "replace_extra_special_tokens"):
        try:
            tokenizer.add_special_tokens({"additional_special_tokens": tokens}, **{keyword: replace})
            return
        except TypeError:
            continue
    tokenizer.add_special_tokens({"additional_special_tokens": tokens})


def through_transformers(change: Callable[[Any], None]) -> Callable[[Path], None]:
    """Load the copy with transformers, change the tokenizer object, save_pretrained over it."""

    def mutate(dest: Path) -> None:
        tokenizer = _tokenizer(dest)
        change(tokenizer)
        tokenizer.save_pretrained(str(dest))

    return mutate


# --- mutations that need more than one line -----------------------------------------------------


def llamafactory_llama3(tokenizer: Any) -> None:
    """LLaMA-Factory get_template_and_fix_tokenizer for template llama3: replace_eos with the first
    stop word, pad = eos when unset, the other stop words appended as additional specials."""
    tokenizer.add_special_tokens({"eos_token": "<|eot_id|>"})
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    add_extra_specials(tokenizer, ["<|eom_id|>"], replace=False)


def trl_setup_chat_format(tokenizer: Any) -> None:
    """TRL's setup_chat_format: ChatML specials as bos/eos/pad, the pair added as additional
    specials, and a ChatML chat template (the embeddings would be resized; the files are not)."""
    tokenizer.add_special_tokens(
        {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>"}
    )
    add_extra_specials(tokenizer, ["<|im_start|>", "<|im_end|>"], replace=False)
    tokenizer.chat_template = (
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
        "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    )


def unsloth_map_eos(dest: Path) -> None:
    """unsloth get_chat_template(map_eos_token=True): string-replace the old eos with the ChatML stop
    word inside tokenizer.json, so the same id now carries another token."""
    path = dest / "tokenizer.json"
    path.write_text(path.read_text(encoding="utf-8").replace("<|eot_id|>", "<|im_end|>"), encoding="utf-8")
    for name in ("tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        if (dest / name).exists():
            text = (dest / name).read_text(encoding="utf-8")
            (dest / name).write_text(text.replace("<|eot_id|>", "<|im_end|>"), encoding="utf-8")


def template_file(dest: Path) -> Path:
    return dest / "chat_template.jinja"


def rewrite_template(change: Callable[[str], str]) -> Callable[[Path], None]:
    def mutate(dest: Path) -> None:
        path = template_file(dest)
        if path.exists():
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:  # transformers 4 before 4.47 keeps it in tokenizer_config.json
            edit(
                "tokenizer_config.json", lambda c: c.__setitem__("chat_template", change(c["chat_template"]))
            )(dest)

    return mutate


LLAMAFACTORY_QWEN_TEMPLATE = (
    # What LLaMA-Factory's _get_jinja_template builds from the qwen template slots: system, user and
    # assistant only (tool slots are not converted), with a default system message.
    "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% endif %}"
    "{% if system_message is defined %}{{ '<|im_start|>system\n' + system_message + '<|im_end|>\n' }}"
    "{% else %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{% for message in messages %}{% set content = message['content'] %}"
    "{% if message['role'] == 'user' %}{{ '<|im_start|>user\n' + content + '<|im_end|>\n<|im_start|>assistant\n' }}"
    "{% elif message['role'] == 'assistant' %}{{ content + '<|im_end|>' + '\n' }}{% endif %}{% endfor %}"
)


def stale_template_copy(dest: Path) -> None:
    """A checkpoint whose tokenizer_config.json still holds an older template while
    chat_template.jinja (which transformers prefers) holds the new one."""
    text = template_file(dest).read_text(encoding="utf-8")
    edit(
        "tokenizer_config.json",
        lambda c: c.__setitem__("chat_template", text.replace("Environment: ipython", "")),
    )(dest)


def tool_role_only(template: str) -> str:
    """Change how tool results render, and nothing else (llama 3.1 renders them as ipython)."""
    changed = template.replace(
        "<|start_header_id|>ipython<|end_header_id|>", "<|start_header_id|>tool<|end_header_id|>"
    )
    if changed == template:
        raise ValueError("the template has no ipython header to change")
    return changed


def no_bos_post_processor(data: dict[str, Any]) -> None:
    data["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {},
    }


def pre_tokenizer_part(data: dict[str, Any], kind: str) -> dict[str, Any]:
    pre = data["pre_tokenizer"]
    parts = pre["pretokenizers"] if pre.get("type") == "Sequence" else [pre]
    return next(part for part in parts if part["type"] == kind)


def single_digit_split(data: dict[str, Any]) -> None:
    split = pre_tokenizer_part(data, "Split")
    split["pattern"]["Regex"] = split["pattern"]["Regex"].replace("\\p{N}{1,3}", "\\p{N}")


def reorder_merges(data: dict[str, Any]) -> None:
    """Move one merge from the middle of the list to the end: BPE applies merges by rank."""
    merges = data["model"]["merges"]
    merges.append(merges.pop(len(merges) // 3))


def add_token_with_hole(content: str, gap: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        next_id = (
            max([entry["id"] for entry in data["added_tokens"]] + list(data["model"]["vocab"].values())) + 1
        )
        data["added_tokens"].append(
            {
                "id": next_id + gap,
                "content": content,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
        )

    return change


def drop_added(content: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["added_tokens"].remove(added(data, content))


def bert_unused_renamed(data: dict[str, Any]) -> None:
    """Replace BERT's [unused1] with a domain token in place, as fine-tuning guides suggest."""
    vocab = data["model"]["vocab"]
    vocab["<ent>"] = vocab.pop("[unused1]")


def lowercase_off(data: dict[str, Any]) -> None:
    data["normalizer"]["lowercase"] = False


def class_renamed(data: dict[str, Any]) -> None:
    name = data.get("tokenizer_class") or "TokenizersBackend"
    data["tokenizer_class"] = "GemmaTokenizerFast" if name.endswith("Fast") else "GemmaTokenizer"


def stale_sentencepiece(dest: Path) -> None:
    """tokenizer.model replaced by another SentencePiece model (here Mistral v1's), e.g. copied
    from the wrong base while tokenizer.json stayed right."""
    from tokcheck.zoo.packages import data_file

    shutil.copyfile(
        data_file("mistral-common", "data/tokenizer.model.v1", "mistral-v3-stale-spm"),
        dest / "tokenizer.model",
    )


# --- benign variants ---------------------------------------------------------------------------


def resave(dest: Path) -> None:
    tokenizer = _tokenizer(dest)
    tokenizer.save_pretrained(str(dest))


def reserialize_json(dest: Path) -> None:
    """Every JSON file re-dumped: keys sorted, 4-space indent, ASCII escapes."""
    for path in sorted(dest.glob("*.json")):
        _write(path, _read(path), indent=4, sort_keys=True, ensure_ascii=True)


def other_merges_format(data: dict[str, Any]) -> None:
    merges = data["model"]["merges"]
    data["model"]["merges"] = [m.split(" ", 1) if isinstance(m, str) else " ".join(m) for m in merges]


def template_into_config(dest: Path) -> None:
    """The transformers < 4.47 layout: the template inline in tokenizer_config.json."""
    text = template_file(dest).read_text(encoding="utf-8")
    template_file(dest).unlink()
    edit("tokenizer_config.json", lambda c: c.__setitem__("chat_template", text))(dest)


def other_major_layout(base: str) -> Callable[[Path], None]:
    """tokenizer_config.json and special_tokens_map.json exactly as the other transformers major
    writes them for this base (files saved by transformers 4.57.6 and 5.24.0, committed)."""

    def mutate(dest: Path) -> None:
        import transformers

        major = "5" if transformers.__version__.startswith("4.") else "4"
        layout = DATA / "layouts" / f"{base}-transformers{major}"
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            (dest / name).unlink(missing_ok=True)
            if (layout / name).exists():
                shutil.copyfile(layout / name, dest / name)

    return mutate


def nothing(dest: Path) -> None:
    """An identical copy."""


def llamafactory_output(case: str) -> Callable[[Path], None]:
    """The files a real LLaMA-Factory 0.9.5 run saved (see data/frameworks/llamafactory-0.9.5):
    its configs and template as written, and its added_tokens in the base's tokenizer.json."""

    def mutate(dest: Path) -> None:
        saved = DATA / "frameworks" / "llamafactory-0.9.5" / case
        for name in ("tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
            shutil.copyfile(saved / name, dest / name)
        added_tokens = _read(saved / "tokenizer.json.added_tokens")
        edit("tokenizer.json", lambda data: data.__setitem__("added_tokens", added_tokens))(dest)

    return mutate


MUTANTS: list[Mutant] = [
    # special tokens and roles
    Mutant(
        "llama3-eom",
        "llama3",
        "1. framework stop word added as a new special token (LLaMA-Factory llama3)",
        through_transformers(llamafactory_llama3),
        "vocab.added-beyond-base",
        "'<|eom_id|>' at id 128256",
    ),
    Mutant(
        "qwen2-extra-specials-replaced",
        "qwen2",
        "2. additional_special_tokens list replaced",
        through_transformers(lambda t: add_extra_specials(t, ["<|endoftext|>"], replace=True)),
        "roles.extra-removed",
        "'<|im_start|>'",
    ),
    Mutant(
        "llama3.1-python-tag-not-special",
        "llama3.1",
        "3. control token no longer special",
        set_flag("<|python_tag|>", "special", False),
        "flags.special-changed",
        "'<|python_tag|>'",
    ),
    Mutant(
        "llama3-pad-eos",
        "llama3",
        "4. pad_token = eos_token",
        through_transformers(lambda t: setattr(t, "pad_token", t.eos_token)),
        "roles.pad-is-eos",
        "'<|eot_id|>'",
    ),
    Mutant(
        "qwen2-pad-added",
        "qwen2",
        "5. pad swapped to a newly added [PAD]",
        through_transformers(lambda t: t.add_special_tokens({"pad_token": "<|PAD_TOKEN|>"})),
        "roles.pad-changed",
        "'<|PAD_TOKEN|>'",
    ),
    Mutant(
        "qwen2-base-eos",
        "qwen2",
        "6. eos replaced (instruct <|im_end|> -> base <|endoftext|>)",
        set_config(eos_token="<|endoftext|>"),
        "roles.eos-changed",
        "'<|endoftext|>'",
    ),
    Mutant(
        "qwen2-trainer-bos-null",
        "qwen2",
        "7. Trainer align_special_tokens writes bos_token_id null",
        both(
            edit("generation_config.json", lambda g: g.__setitem__("bos_token_id", None)),
            edit("config.json", lambda c: c.__setitem__("bos_token_id", None)),
        ),
        "model-config.bos-token-id-changed",
        "null",
    ),
    Mutant(
        "llama3-stop-set-shrunk",
        "llama3",
        "8. stop-token set shrunk to one id",
        edit("generation_config.json", lambda g: g.__setitem__("eos_token_id", 128001)),
        "model-config.stop-set-changed",
        "128009",
    ),
    Mutant(
        "mistral-v3-chatml",
        "mistral-v3",
        "9. TRL setup_chat_format rewrites specials and template",
        through_transformers(trl_setup_chat_format),
        "roles.eos-changed",
        "'<|im_end|>'",
    ),
    Mutant(
        "llama3-eos-renamed",
        "llama3",
        "10. eos renamed in place (unsloth map_eos_token)",
        unsloth_map_eos,
        "vocab.renamed",
        "'<|eot_id|>' in base but '<|im_end|>' in tuned",
    ),
    Mutant(
        "minilm-unused-renamed",
        "minilm",
        "10. [unused1] renamed to a domain token in place",
        edit("tokenizer.json", bert_unused_renamed),
        "vocab.renamed",
        "'<ent>'",
    ),
    Mutant(
        "qwen2-dropped-special",
        "qwen2",
        "vocabulary: a special token dropped",
        edit("tokenizer.json", drop_added("<|im_start|>")),
        "vocab.dropped",
        "'<|im_start|>'",
    ),
    Mutant(
        "qwen2-id-hole",
        "qwen2",
        "25. new token with an id hole",
        edit("tokenizer.json", add_token_with_hole("<tool_call>", 5)),
        "vocab.id-holes",
        "unused",
    ),
    Mutant(
        "mistral-v3-chatml-markers",
        "mistral-v3",
        "36. template markers added to tuned only",
        through_transformers(lambda t: add_extra_specials(t, ["<|im_start|>", "<|im_end|>"], replace=False)),
        "vocab.added-beyond-base",
        "'<|im_start|>'",
    ),
    # added-token flags
    Mutant(
        "llama3.1-eot-rstrip",
        "llama3.1",
        "18. rstrip set on <|eot_id|>",
        set_flag("<|eot_id|>", "rstrip", True),
        "flags.rstrip-changed",
        "'<|eot_id|>'",
    ),
    Mutant(
        "qwen2-im-end-lstrip",
        "qwen2",
        "18. lstrip set on <|im_end|>",
        set_flag("<|im_end|>", "lstrip", True),
        "flags.lstrip-changed",
        "'<|im_end|>'",
    ),
    Mutant(
        "llama3.1-normalized-special",
        "llama3.1",
        "35. added token marked normalized",
        set_flag("<|python_tag|>", "normalized", True),
        "flags.normalized-changed",
        "'<|python_tag|>'",
    ),
    # vocabulary model and merges
    Mutant(
        "llama3-merges-reordered",
        "llama3",
        "merges reordered (one merge moved to the end)",
        edit("tokenizer.json", reorder_merges),
        "model.merges-reordered",
        "rank",
    ),
    Mutant(
        "llama3-ignore-merges-off",
        "llama3",
        "22. ignore_merges flipped",
        edit("tokenizer.json", lambda j: j["model"].__setitem__("ignore_merges", False)),
        "model.ignore-merges-changed",
        "ignore_merges",
    ),
    Mutant(
        "mistral-v3-no-byte-fallback",
        "mistral-v3",
        "31. byte_fallback off",
        edit("tokenizer.json", lambda j: j["model"].__setitem__("byte_fallback", False)),
        "model.byte-fallback-changed",
        "byte_fallback",
    ),
    Mutant(
        "mistral-tekken-unk-token",
        "mistral-tekken",
        "31. unknown-token handling changed",
        edit("tokenizer.json", lambda j: j["model"].__setitem__("unk_token", "<unk>")),
        "model.unk-token-changed",
        "unk_token",
    ),
    # pipeline components
    Mutant(
        "qwen2-nfkc",
        "qwen2",
        "32. normalizer NFC -> NFKC",
        edit("tokenizer.json", lambda j: j.__setitem__("normalizer", {"type": "NFKC"})),
        "pipeline.normalizer-changed",
        "NFKC",
    ),
    Mutant(
        "minilm-no-lowercase",
        "minilm",
        "32. BertNormalizer lowercase off",
        edit("tokenizer.json", lowercase_off),
        "pipeline.normalizer-changed",
        "lowercase",
    ),
    Mutant(
        "mistral-v3-prepend-always",
        "mistral-v3",
        "15/16. Metaspace prepend_scheme first -> always",
        edit("tokenizer.json", lambda j: j["pre_tokenizer"].__setitem__("prepend_scheme", "always")),
        "pipeline.pre-tokenizer-changed",
        "prepend_scheme",
    ),
    Mutant(
        "llama3-prefix-space",
        "llama3",
        "16. ByteLevel add_prefix_space on",
        edit(
            "tokenizer.json",
            lambda j: pre_tokenizer_part(j, "ByteLevel").__setitem__("add_prefix_space", True),
        ),
        "pipeline.pre-tokenizer-changed",
        "add_prefix_space",
    ),
    Mutant(
        "llama3-digit-split",
        "llama3",
        "23/32. pre-tokenizer regex changed (digits split one by one)",
        edit("tokenizer.json", single_digit_split),
        "pipeline.pre-tokenizer-changed",
        "Regex",
    ),
    Mutant(
        "llama3-no-bos",
        "llama3",
        "14. BOS dropped from the post-processor",
        edit("tokenizer.json", no_bos_post_processor),
        "pipeline.post-processor-changed",
        "base '<|begin_of_text|> $A', tuned '$A'",
    ),
    Mutant(
        "mistral-tekken-decoder",
        "mistral-tekken",
        "pipeline: decoder removed",
        edit("tokenizer.json", lambda j: j.__setitem__("decoder", None)),
        "pipeline.decoder-changed",
        "decoder",
    ),
    # tokenizer config keys
    Mutant(
        "llama3-padding-left",
        "llama3",
        "29. loader kwargs persisted (padding_side)",
        set_config(padding_side="left"),
        "config.padding-side-changed",
        "'left'",
    ),
    Mutant(
        "qwen2-split-specials",
        "qwen2",
        "30. split_special_tokens turned on",
        set_config(split_special_tokens=True),
        "config.split-special-tokens-changed",
        "split_special_tokens",
    ),
    Mutant(
        "llama3-cleanup-spaces-off",
        "llama3",
        "17. clean_up_tokenization_spaces changed",
        set_config(clean_up_tokenization_spaces=False),
        "config.clean-up-tokenization-spaces-changed",
        "clean_up_tokenization_spaces",
    ),
    Mutant(
        "mistral-v3-class-changed",
        "mistral-v3",
        "20. tokenizer_class changed to another model's",
        edit("tokenizer_config.json", class_renamed),
        "config.class-changed",
        "Gemma",
    ),
    # chat template
    Mutant(
        "qwen2-template-regenerated",
        "qwen2",
        "11. template regenerated by the framework (no tools)",
        rewrite_template(lambda _: LLAMAFACTORY_QWEN_TEMPLATE),
        "template.changed",
        "chat template differs",
    ),
    Mutant(
        "llama3.1-tool-template",
        "llama3.1",
        "11. template changed only for the tool role",
        rewrite_template(tool_role_only),
        "template.changed",
        "chat template differs",
    ),
    Mutant(
        "llama3.1-stale-template-copy",
        "llama3.1",
        "12. two copies of the template disagree",
        stale_template_copy,
        "template.copies-disagree",
        "tokenizer_config.json",
    ),
    Mutant(
        "mistral-v3-double-bos",
        "mistral-v3",
        "13. template emits BOS that the tokenizer adds again",
        rewrite_template(lambda t: "{{ bos_token }}" + t),
        "template.changed",
        "chat template differs",
    ),
    # generation / model config and embedding size
    Mutant(
        "qwen2-vocab-size-too-small",
        "qwen2",
        "24. config vocab_size below the tokenizer's ids",
        edit("config.json", lambda c: c.__setitem__("vocab_size", 151643)),
        "model-config.ids-beyond-vocab-size",
        "151643",
    ),
    Mutant(
        "llama3-tied",
        "llama3",
        "26. tie_word_embeddings flipped",
        edit("config.json", lambda c: c.__setitem__("tie_word_embeddings", True)),
        "model-config.tie-word-embeddings-changed",
        "tie_word_embeddings",
    ),
    # binary files
    Mutant(
        "mistral-v3-stale-spm",
        "mistral-v3",
        "33. tokenizer.model replaced by another model's",
        stale_sentencepiece,
        "format.file-changed",
        "tokenizer.model",
    ),
    # real LLaMA-Factory 0.9.5 outputs (transformers 4.57.6), replayed from the files it saved
    Mutant("lf-llama3", "llama3", "1. LLaMA-Factory 0.9.5 SFT save, template llama3 (real output)",
           llamafactory_output("llama3"), "vocab.added-beyond-base", "'<|eom_id|>' at id 128256"),
    Mutant("lf-llama3.1", "llama3.1", "4. LLaMA-Factory 0.9.5 SFT save, template llama3: pad = eos (real output)",
           llamafactory_output("llama3.1"), "roles.pad-is-eos", "'<|eot_id|>'"),
    Mutant("lf-mistral-v3", "mistral-v3", "4. LLaMA-Factory 0.9.5 SFT save, template mistral: pad = eos (real output)",
           llamafactory_output("mistral-v3"), "roles.pad-is-eos", "'</s>'"),
    Mutant("lf-llama3-default-template", "llama3",
           "11. LLaMA-Factory 0.9.5 SFT save, template default replaces the chat template (real output)",
           llamafactory_output("llama3-default"), "template.changed", "chat template differs"),
    Mutant("lf-qwen2", "qwen2", "benign: LLaMA-Factory 0.9.5 SFT save, template qwen, changes nothing (real output)",
           llamafactory_output("qwen2")),
    # benign variants: must pass
    Mutant("llama3-resaved", "llama3", "benign: re-saved by transformers", resave),
    Mutant("qwen2-resaved", "qwen2", "benign: re-saved by transformers", resave),
    Mutant(
        "qwen2-json-reserialized",
        "qwen2",
        "benign: JSON re-serialized (sorted keys, indent 4, ASCII)",
        reserialize_json,
    ),
    Mutant(
        "mistral-v3-other-major",
        "mistral-v3",
        "benign: config files saved by the other transformers major",
        other_major_layout("mistral-v3"),
    ),
    Mutant(
        "llama3.1-template-in-config",
        "llama3.1",
        "benign: template moved into tokenizer_config.json",
        template_into_config,
    ),
    Mutant(
        "mistral-tekken-merges-other-format",
        "mistral-tekken",
        "benign: merges as strings vs pairs",
        edit("tokenizer.json", other_merges_format),
    ),
    Mutant("minilm-copy", "minilm", "benign: identical copy", nothing),
]

ENTRIES: list[ZooEntry] = [
    ZooEntry(name=m.name, description=m.drift_class, make=m.mutate, version=VERSION, base=m.base)
    for m in MUTANTS
]


def mutant(name: str) -> Mutant:
    return next(m for m in MUTANTS if m.name == name)


def drift_classes() -> list[str]:
    """The distinct drift classes the catalog covers (benign variants excluded)."""
    return sorted({re.sub(r"\s*\(.*", "", m.drift_class) for m in MUTANTS if not m.benign})
