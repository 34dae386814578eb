"""The edits that make the zoo's drift mutants and benign variants: JSON edits of one file, flags
of added tokens, transformers round trips, and the changes the fine-tuning frameworks make (each
written the way the framework or the hand edit that causes it makes it). tokcheck.zoo.mutants
names which edit makes which mutant."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tokcheck.environment import import_transformers, transformers_major
from tokcheck.zoo.packages import data_file

DATA = Path(__file__).parent / "data"


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


def without(*keys: str) -> Callable[[dict[str, Any]], None]:
    """An edit for `edit` that drops `keys` from a JSON object."""

    def change(data: dict[str, Any]) -> None:
        for key in keys:
            data.pop(key)

    return change


def removed(name: str) -> Callable[[Path], None]:
    """A mutation that deletes one file."""

    def mutate(dest: Path) -> None:
        (dest / name).unlink()

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


def saves_through_transformers(mutate: Callable[[Path], None]) -> bool:
    """Whether ``mutate`` was made by through_transformers: its files are what the installed
    transformers writes, so they differ from one version to the next."""
    return mutate.__qualname__.startswith(f"{through_transformers.__qualname__}.<locals>.")


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


def list_safe(template: str) -> str:
    """Qwen2's template taking content as a string or as a list of typed parts, in every branch."""
    old = "' + message['content'] + '<|im_end|>'"
    assert old in template
    return template.replace(old, "'}}{% if message['content'] is string %}{{ message['content'] }}{% else %}"
                                 "{% for part in message['content'] %}{{ part['text'] }}{% endfor %}{% endif %}"
                                 "{{'<|im_end|>'")


def user_turns_list_safe(template: str) -> str:
    """Qwen2's template taking list content in user turns only: every render of string content is
    the same, but vLLM now sees a loop over content and passes every turn's content as a list."""
    start = template.index("{{'<|im_start|>' + message['role']")
    end = template.index("}}", start) + 2
    user = ("{{'<|im_start|>user\n'}}{% if message['content'] is string %}{{ message['content'] }}{% else %}"
            "{% for part in message['content'] %}{{ part['text'] }}{% endfor %}{% endif %}{{'<|im_end|>\n'}}")
    return (template[:start] + "{% if message['role'] == 'user' %}" + user + "{% else %}" + template[start:end]
            + "{% endif %}" + template[end:])


# Qwen3's switch, as its template writes it: with enable_thinking=False the generation prompt gets
# an empty think block, which the model was trained to read as "answer without reasoning".
THINKING_OFF = "{% if enable_thinking is defined and enable_thinking is false %}{{ '<think>\\n\\n</think>\\n\\n' }}{% endif %}"
_QWEN_GENERATION_PROMPT = "{{ '<|im_start|>assistant\n' }}"


def with_thinking_switch(template: str) -> str:
    """Qwen2's template with Qwen3's enable_thinking switch after the generation prompt."""
    assert _QWEN_GENERATION_PROMPT in template
    return template.replace(_QWEN_GENERATION_PROMPT, _QWEN_GENERATION_PROMPT + THINKING_OFF)


def without_thinking_switch(template: str) -> str:
    """The switch dropped again, as an export that rebuilt the template from its own table drops it
    (LLaMA-Factory#9765: a merged Qwen3 that thinks even with enable_thinking=false)."""
    assert THINKING_OFF in template
    return template.replace(THINKING_OFF, "")


def tool_role_only(template: str) -> str:
    """Change how tool results render, and nothing else (llama 3.1 renders them as ipython)."""
    changed = template.replace(
        "<|start_header_id|>ipython<|end_header_id|>", "<|start_header_id|>tool<|end_header_id|>"
    )
    if changed == template:
        raise ValueError("the template has no ipython header to change")
    return changed


def without_tool_definitions(template: str) -> str:
    """Drop the blocks that write tools= into the prompt (Llama 3.1 writes them in the system or the
    first user turn), keeping tool calls and results: the template no longer tells the model its tools."""
    changed = re.sub(r"\{%- for t in tools %\}.*?\{%- endfor %\}", "", template, flags=re.S)
    if changed == template:
        raise ValueError("the template has no tools loop to drop")
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


def drop_config_added(content: str) -> Callable[[dict[str, Any]], None]:
    """tokenizer_config.json's added_tokens_decoder entry for `content` removed (drop_added's twin)."""

    def change(data: dict[str, Any]) -> None:
        decoder = data.get("added_tokens_decoder", {})
        for key in [key for key, entry in decoder.items() if entry.get("content") == content]:
            del decoder[key]

    return change


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
    shutil.copyfile(
        data_file("mistral-common", "data/tokenizer.model.v1", "mistral-v3-stale-spm"),
        dest / "tokenizer.model",
    )


# --- benign variants ---------------------------------------------------------------------------


def resave_generation_config(dest: Path) -> None:
    """generation_config.json loaded and saved back by transformers' GenerationConfig, as every
    trainer's save_pretrained writes it (its own key order, transformers_version)."""
    from transformers import GenerationConfig

    GenerationConfig.from_pretrained(str(dest)).save_pretrained(str(dest))


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
        major = "5" if transformers_major() == 4 else "4"
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


# --- model directories -------------------------------------------------------------------------

MODEL_DIR = "model"  # where a mutant keeps the model directory its self-test passes as --tuned-model
_MODEL_HIDDEN = 16


def in_model_dir(change: Callable[[dict[str, Any]], Any] = lambda _: None) -> Callable[[Path], None]:
    """Move config.json and generation_config.json out of the tokenizer directory into a model
    directory beside small random weights (as a checkpoint saved apart from its tokenizer is), and
    edit the generation config there with `change` (the default leaves it as base has it)."""

    def mutate(dest: Path) -> None:
        import numpy as np
        from safetensors.numpy import save_file

        model = dest / MODEL_DIR
        model.mkdir()
        for name in ("config.json", "generation_config.json"):
            shutil.move(str(dest / name), str(model / name))
        config = _read(model / "config.json")
        config.update(hidden_size=_MODEL_HIDDEN, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                      num_key_value_heads=1)
        _write(model / "config.json", config)
        edit("generation_config.json", change)(model)
        rng = np.random.default_rng(0)
        rows = int(config["vocab_size"])
        tensors = {name: (rng.standard_normal((rows, _MODEL_HIDDEN)) * 0.02).astype(np.float16)
                   for name in ("model.embed_tokens.weight", "lm_head.weight")}
        save_file(tensors, str(model / "model.safetensors"), metadata={"format": "pt"})

    return mutate


# --- sentence-transformers modules -------------------------------------------------------------

# The keys sentence-transformers 3.x writes for a Pooling module (models/Pooling.py config_keys,
# get_config_dict), each with the value the module takes when a saved config leaves it out.
_POOLING_KEYS_SAVED_BY_ST3 = {"pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False,
                              "include_prompt": True}


def pooling_mode(mode: str) -> Callable[[dict[str, Any]], None]:
    """An edit of 1_Pooling/config.json that pools with `mode` alone (as Pooling(pooling_mode=mode) saves)."""

    def change(data: dict[str, Any]) -> None:
        for key in [k for k in data if k.startswith("pooling_mode_")]:
            data[key] = False
        data[{"cls": "pooling_mode_cls_token", "mean": "pooling_mode_mean_tokens"}[mode]] = True

    return change


def sentence_transformers_resave(dest: Path) -> None:
    """The module files as SentenceTransformer.save in sentence-transformers 3.x writes them back:
    config_sentence_transformers.json with its own versions and the prompts, default_prompt_name and
    similarity_fn_name it now records (empty, null, "cosine": the defaults the old file meant), and
    1_Pooling/config.json with every key of Pooling.config_keys (the added ones at their defaults)."""
    pooling = dest / "1_Pooling" / "config.json"
    _write(pooling, {**_read(pooling), **_POOLING_KEYS_SAVED_BY_ST3})
    _write(dest / "config_sentence_transformers.json", {
        "__version__": {"sentence_transformers": "3.0.1", "transformers": "4.41.2", "pytorch": "2.3.0"},
        "prompts": {}, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    for name in ("modules.json", "sentence_bert_config.json"):
        _write(dest / name, _read(dest / name))
# Ollama Modelfiles (drift class 38): lf-*.Modelfile are what LLaMA-Factory 0.9.5's own
# Template.get_ollama_modelfile wrote for zoo:llama3.1 (template llama3) and zoo:qwen2 (template
# qwen), run offline on those tokenizers; unsloth-*.Modelfile what unsloth 2026.10.9's own
# save.py create_ollama_modelfile wrote for them (as Meta-Llama-3.1-8B-Instruct and Qwen2-7B-Instruct,
# its mapper's llama-3.1 and qwen-2 entries); faithful-*.Modelfile are written from the bases' HF
# templates and generation_config.json.
OLLAMA = DATA / "ollama"


def modelfile(name: str, *replacements: tuple[str, str]) -> Callable[[Path], None]:
    """A mutation that writes data/ollama/NAME.Modelfile into the tuned directory as `Modelfile`,
    with each (old, new) text replaced (each must occur)."""

    def mutate(dest: Path) -> None:
        text = (OLLAMA / f"{name}.Modelfile").read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} not in {name}.Modelfile"
            text = text.replace(old, new)
        (dest / "Modelfile").write_text(text, encoding="utf-8")

    return mutate


# A multimodal processor's files (drift class 45; zoo:qwen2-vl).
IMAGE_PROCESSOR = "preprocessor_config.json"


def max_pixels(value: int) -> Callable[[Path], None]:
    """max_pixels set as a training recipe does (LLaMA-Factory's image_max_pixels, qwen-vl-utils'
    max_pixels=512*28*28): in both keys transformers 4 writes, or size's longest_edge alone (5)."""

    def change(config: dict[str, Any]) -> None:
        if "max_pixels" in config:
            config["max_pixels"] = value
        config["size"]["longest_edge"] = value

    return edit(IMAGE_PROCESSOR, change)


def processor_v5_nested(dest: Path) -> None:
    """The image processor moved into processor_config.json as transformers 5's
    ProcessorMixin.save_pretrained writes it (processing_utils.py to_dict/to_json_string, 5.24:
    each attribute nested under its name, "processor_class", indent 2, sorted keys), with no
    preprocessor_config.json left beside it."""
    image_processor = _read(dest / IMAGE_PROCESSOR)
    (dest / IMAGE_PROCESSOR).unlink()
    _write(dest / "processor_config.json", {"image_processor": image_processor, "processor_class": "Qwen2VLProcessor"},
           sort_keys=True)


def image_processor_resave(dest: Path) -> None:
    """The image processor loaded and saved back by the installed transformers' own class."""
    transformers = import_transformers()
    transformers.AutoImageProcessor.from_pretrained(str(dest), local_files_only=True).save_pretrained(str(dest))
