"""The drift catalog: tuned variants of the zoo's bases, one per drift class of DRIFT-CLASSES.md,
and benign variants that must pass. Each mutant names the edit that makes it (tokcheck.zoo.mutations)
and the finding the built-in suite must report for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tokcheck.zoo.mutations import (
    LLAMAFACTORY_QWEN_TEMPLATE,
    MODEL_DIR,
    add_extra_specials,
    add_token_with_hole,
    bert_unused_renamed,
    both,
    class_renamed,
    drop_added,
    drop_config_added,
    edit,
    image_processor_resave,
    in_model_dir,
    list_safe,
    llamafactory_llama3,
    llamafactory_output,
    lowercase_off,
    max_pixels,
    modelfile,
    no_bos_post_processor,
    nothing,
    other_major_layout,
    other_merges_format,
    pooling_mode,
    pre_tokenizer_part,
    processor_v5_nested,
    removed,
    reorder_merges,
    resave,
    resave_generation_config,
    reserialize_json,
    rewrite_template,
    saves_through_transformers,
    sentence_transformers_resave,
    set_config,
    set_flag,
    single_digit_split,
    stale_sentencepiece,
    stale_template_copy,
    template_into_config,
    through_transformers,
    tool_role_only,
    trl_setup_chat_format,
    unsloth_map_eos,
    user_turns_list_safe,
    with_thinking_switch,
    without,
    without_thinking_switch,
    without_tool_definitions,
)
from tokcheck.zoo.registry import ZooEntry

# Bump when any mutation writes something different (part of every mutant's cache key).
VERSION = "1"


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
    # The expected finding's own severity. "error": it fails the run by itself. "warning": tokcheck
    # reports it but only --tokcheck-strict fails on it, so the self-test counts it as warned, not caught.
    severity: str = "error"
    # Caught by the behaviour checks only (a key that a model-specific class reads): the self-test
    # runs the whole suite on it, not just the static and model checks.
    behaviour: bool = False
    # The transformers majors on which the mutant changes behaviour, measured (empty: every one);
    # on another major no consumer view reads the change, and the self-test skips it.
    majors: tuple[int, ...] = ()
    # A model directory inside the mutant (its --tuned-model), for drift in the model's configs.
    tuned_model: str | None = None

    @property
    def benign(self) -> bool:
        return self.expect is None

    @property
    def version_sensitive(self) -> bool:
        """Whether the self-test's outcome on this variant can depend on the installed transformers
        and tokenizers: a benign variant runs the whole suite through them; a drift mutant does when
        its files are saved through them, or when a model-specific class or some majors only show it.
        The others are edits of the files that static and model checks catch; those checks read both
        majors' layouts in every version env (tests/checks/static, the committed layouts)."""
        return self.benign or self.behaviour or bool(self.majors) or saves_through_transformers(self.mutate)


MUTANTS: list[Mutant] = [
    # special tokens and roles
    Mutant("llama3-eom", "llama3", "1. framework stop word added as a new special token (LLaMA-Factory llama3)",
           through_transformers(llamafactory_llama3), "vocab.added-beyond-base", "'<|eom_id|>' at id 128256"),
    Mutant("qwen2-extra-specials-replaced", "qwen2", "2. additional_special_tokens list replaced",
           through_transformers(lambda t: add_extra_specials(t, ["<|endoftext|>"], replace=True)),
           "roles.extra-removed", "'<|im_start|>'"),
    Mutant("llama3.1-python-tag-not-special", "llama3.1", "3. control token no longer special",
           set_flag("<|python_tag|>", "special", False), "flags.special-changed", "'<|python_tag|>'"),
    Mutant("llama3-pad-eos", "llama3", "4. pad_token = eos_token",
           through_transformers(lambda t: setattr(t, "pad_token", t.eos_token)),
           "roles.pad-is-eos", "'<|eot_id|>'"),
    Mutant("qwen2-pad-added", "qwen2", "5. pad swapped to a newly added [PAD]",
           through_transformers(lambda t: t.add_special_tokens({"pad_token": "<|PAD_TOKEN|>"})),
           "roles.pad-changed", "'<|PAD_TOKEN|>'"),
    Mutant("qwen2-base-eos", "qwen2", "6. eos replaced (instruct <|im_end|> -> base <|endoftext|>)",
           set_config(eos_token="<|endoftext|>"), "roles.eos-changed", "'<|endoftext|>'"),
    Mutant("qwen2-trainer-bos-null", "qwen2", "7. Trainer align_special_tokens writes bos_token_id null",
           both(edit("generation_config.json", lambda g: g.__setitem__("bos_token_id", None)),
                edit("config.json", lambda c: c.__setitem__("bos_token_id", None))),
           "model-config.bos-token-id-changed", "null"),
    Mutant("llama3-stop-set-shrunk", "llama3", "8. stop-token set shrunk to one id",
           edit("generation_config.json", lambda g: g.__setitem__("eos_token_id", 128001)),
           "model-config.stop-set-changed", "128009"),
    Mutant("mistral-v3-chatml", "mistral-v3", "9. TRL setup_chat_format rewrites specials and template",
           through_transformers(trl_setup_chat_format), "roles.eos-changed", "'<|im_end|>'"),
    Mutant("llama3-eos-renamed", "llama3", "10. eos renamed in place (unsloth map_eos_token)",
           unsloth_map_eos, "vocab.renamed", "'<|eot_id|>' in base but '<|im_end|>' in tuned"),
    Mutant("minilm-unused-renamed", "minilm", "10. [unused1] renamed to a domain token in place",
           edit("tokenizer.json", bert_unused_renamed), "vocab.renamed", "'<ent>'"),
    Mutant("qwen2-dropped-special", "qwen2", "vocabulary: a special token dropped",
           edit("tokenizer.json", drop_added("<|im_start|>")), "vocab.dropped", "'<|im_start|>'"),
    Mutant("qwen2-id-hole", "qwen2", "25. new token with an id hole",
           edit("tokenizer.json", add_token_with_hole("<tool_call>", 5)), "vocab.id-holes", "unused", "warning"),
    Mutant("mistral-v3-chatml-markers", "mistral-v3", "36. template markers added to tuned only",
           through_transformers(lambda t: add_extra_specials(t, ["<|im_start|>", "<|im_end|>"], replace=False)),
           "vocab.added-beyond-base", "'<|im_start|>'"),
    # added-token flags
    Mutant("llama3.1-eot-rstrip", "llama3.1", "18. rstrip set on <|eot_id|>",
           set_flag("<|eot_id|>", "rstrip", True), "flags.rstrip-changed", "'<|eot_id|>'"),
    Mutant("qwen2-im-end-lstrip", "qwen2", "18. lstrip set on <|im_end|>",
           set_flag("<|im_end|>", "lstrip", True), "flags.lstrip-changed", "'<|im_end|>'"),
    Mutant("llama3.1-normalized-special", "llama3.1", "35. added token marked normalized",
           set_flag("<|python_tag|>", "normalized", True), "flags.normalized-changed", "'<|python_tag|>'"),
    # vocabulary model and merges
    Mutant("llama3-merges-reordered", "llama3", "merges reordered (one merge moved to the end)",
           edit("tokenizer.json", reorder_merges), "model.merges-reordered", "rank"),
    Mutant("llama3-ignore-merges-off", "llama3", "22. ignore_merges flipped",
           edit("tokenizer.json", lambda j: j["model"].__setitem__("ignore_merges", False)),
           "model.ignore-merges-changed", "ignore_merges"),
    Mutant("mistral-v3-no-byte-fallback", "mistral-v3", "31. byte_fallback off",
           edit("tokenizer.json", lambda j: j["model"].__setitem__("byte_fallback", False)),
           "model.byte-fallback-changed", "byte_fallback"),
    Mutant("mistral-tekken-unk-token", "mistral-tekken", "31. unknown-token handling changed",
           edit("tokenizer.json", lambda j: j["model"].__setitem__("unk_token", "<unk>")),
           "model.unk-token-changed", "unk_token"),
    # pipeline components
    Mutant("qwen2-nfkc", "qwen2", "32. normalizer NFC -> NFKC",
           edit("tokenizer.json", lambda j: j.__setitem__("normalizer", {"type": "NFKC"})),
           "pipeline.normalizer-changed", "NFKC"),
    Mutant("minilm-no-lowercase", "minilm", "32. BertNormalizer lowercase off",
           edit("tokenizer.json", lowercase_off), "pipeline.normalizer-changed", "lowercase"),
    Mutant("mistral-v3-prepend-always", "mistral-v3", "15/16. Metaspace prepend_scheme first -> always",
           edit("tokenizer.json", lambda j: j["pre_tokenizer"].__setitem__("prepend_scheme", "always")),
           "pipeline.pre-tokenizer-changed", "prepend_scheme"),
    Mutant("llama3-prefix-space", "llama3", "16. ByteLevel add_prefix_space on",
           edit("tokenizer.json", lambda j: pre_tokenizer_part(j, "ByteLevel").__setitem__("add_prefix_space", True)),
           "pipeline.pre-tokenizer-changed", "add_prefix_space"),
    Mutant("llama3-digit-split", "llama3", "23/32. pre-tokenizer regex changed (digits split one by one)",
           edit("tokenizer.json", single_digit_split), "pipeline.pre-tokenizer-changed", "Regex"),
    Mutant("llama3-no-bos", "llama3", "14. BOS dropped from the post-processor",
           edit("tokenizer.json", no_bos_post_processor),
           "pipeline.post-processor-changed", "base '<|begin_of_text|> $A', tuned '$A'"),
    Mutant("mistral-tekken-decoder", "mistral-tekken", "pipeline: decoder removed",
           edit("tokenizer.json", lambda j: j.__setitem__("decoder", None)),
           "pipeline.decoder-changed", "decoder"),
    # tokenizer config keys
    Mutant("llama3-padding-left", "llama3", "29. loader kwargs persisted (padding_side)",
           set_config(padding_side="left"), "config.padding-side-changed", "'left'"),
    Mutant("qwen2-split-specials", "qwen2", "30. split_special_tokens turned on",
           set_config(split_special_tokens=True),
           "config.split-special-tokens-changed", "split_special_tokens"),
    Mutant("llama3-cleanup-spaces-off", "llama3", "17. clean_up_tokenization_spaces changed",
           set_config(clean_up_tokenization_spaces=False),
           "config.clean-up-tokenization-spaces-changed", "clean_up_tokenization_spaces"),
    Mutant("mistral-v3-class-changed", "mistral-v3", "20. tokenizer_class changed to another model's",
           edit("tokenizer_config.json", class_renamed), "config.class-changed", "Gemma"),
    # chat template
    Mutant("qwen2-template-regenerated", "qwen2", "11. template regenerated by the framework (no tools)",
           rewrite_template(lambda _: LLAMAFACTORY_QWEN_TEMPLATE),
           "template.changed", "chat template differs"),
    Mutant("llama3.1-tool-template", "llama3.1", "11. template changed only for the tool role",
           rewrite_template(tool_role_only), "template.changed", "chat template differs"),
    Mutant("llama3.1-stale-template-copy", "llama3.1", "12. two copies of the template disagree",
           stale_template_copy, "template.copies-disagree", "tokenizer_config.json"),
    Mutant("mistral-v3-double-bos", "mistral-v3", "13. template emits BOS that the tokenizer adds again",
           rewrite_template(lambda t: "{{ bos_token }}" + t), "template.changed", "chat template differs"),
    # generation / model config and embedding size
    Mutant("qwen2-vocab-size-too-small", "qwen2", "24. config vocab_size below the tokenizer's ids",
           edit("config.json", lambda c: c.__setitem__("vocab_size", 151643)),
           "model-config.ids-beyond-vocab-size", "151643"),
    Mutant("llama3-tied", "llama3", "26. tie_word_embeddings flipped",
           edit("config.json", lambda c: c.__setitem__("tie_word_embeddings", True)),
           "model-config.tie-word-embeddings-changed", "tie_word_embeddings"),
    # binary files
    Mutant("mistral-v3-stale-spm", "mistral-v3", "33. tokenizer.model replaced by another model's",
           stale_sentencepiece, "format.file-changed", "tokenizer.model"),
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
    Mutant("qwen2-json-reserialized", "qwen2", "benign: JSON re-serialized (sorted keys, indent 4, ASCII)",
           reserialize_json),
    Mutant("mistral-v3-other-major", "mistral-v3", "benign: config files saved by the other transformers major",
           other_major_layout("mistral-v3")),
    Mutant("llama3.1-template-in-config", "llama3.1", "benign: template moved into tokenizer_config.json",
           template_into_config),
    Mutant("mistral-tekken-merges-other-format", "mistral-tekken", "benign: merges as strings vs pairs",
           edit("tokenizer.json", other_merges_format)),
    Mutant("minilm-copy", "minilm", "benign: identical copy", nothing),
    # keys only a model-specific class reads (transformers 5's AutoTokenizer builds the generic
    # TokenizersBackend for Mistral v0.3, whose tokenizer_config.json names LlamaTokenizer): drift
    # classes 14-16 as that class's users see them
    Mutant("mistral-v3-legacy", "mistral-v3", "15. legacy set: read only by LlamaTokenizer (5.x) and the sentencepiece class (4.x)",
           set_config(legacy=True), "behaviour.ids-differ", "where tokenizer_config.json legacy differs", behaviour=True),
    Mutant("mistral-v3-no-prefix-space", "mistral-v3", "16. add_prefix_space off: LlamaTokenizer rebuilds its pre-tokenizer and decoder",
           set_config(add_prefix_space=False), "behaviour.ids-differ", "where tokenizer_config.json add_prefix_space differs",
           behaviour=True),
    Mutant("mistral-v3-no-bos-token", "mistral-v3", "14. add_bos_token off: 4.x LlamaTokenizerFast rebuilds its post-processor",
           set_config(add_bos_token=False), "behaviour.ids-differ", "where tokenizer_config.json add_bos_token differs",
           behaviour=True, majors=(4,)),
    Mutant("mistral-v3-eos-token", "mistral-v3", "14. add_eos_token on: 4.x LlamaTokenizerFast rebuilds its post-processor",
           set_config(add_eos_token=True), "behaviour.ids-differ", "where tokenizer_config.json add_eos_token differs",
           behaviour=True, majors=(4,)),
    # from_slow: true is left out: on 4.57 its catch (a round trip Hypothesis loses) came and went with
    # the order of the self-test's runs under -n 2, and the static check calls the key harmless there.
    # the model directory's configs (given with --tuned-model; the tokenizer directory has none)
    Mutant("llama3-model-dir-stop-dropped", "llama3", "8. stop id dropped from the model directory's generation_config.json",
           in_model_dir(lambda g: g.__setitem__("eos_token_id", 128001)), "model-config.stop-id-removed",
           "generation will not stop at '<|eot_id|>'", tuned_model=MODEL_DIR),
    Mutant("llama3-model-dir-bos", "llama3", "7. bos_token_id changed in the model directory's generation_config.json",
           in_model_dir(lambda g: g.__setitem__("bos_token_id", 128001)), "model-config.bos-token-id-changed",
           "'<|end_of_text|>'", tuned_model=MODEL_DIR),
    Mutant("qwen2-model-dir-pad", "qwen2", "4. pad_token_id changed in the model directory's generation_config.json",
           in_model_dir(lambda g: g.__setitem__("pad_token_id", 151645)), "model-config.pad-token-id-changed",
           "'<|im_end|>'", tuned_model=MODEL_DIR),
    # sampling defaults engines take from generation_config.json (vLLM, SGLang, llama.cpp's converter)
    Mutant("llama3.1-sampling-lost", "llama3.1", "37. sampling defaults dropped from generation_config.json (a merge's fresh file)",
           edit("generation_config.json", without("temperature", "top_p")), "sampling.default-lost",
           "vLLM: temperature 0.6 -> 1.0", severity="warning"),
    Mutant("qwen2-generation-config-dropped", "qwen2", "37. generation_config.json not saved (a model built with from_config)",
           removed("generation_config.json"), "sampling.file-missing", "SGLang: top_k 20 -> unset", severity="warning"),
    Mutant("llama3-model-dir-sampling-lost", "llama3", "37. temperature dropped from the model directory's generation_config.json",
           in_model_dir(without("temperature")), "sampling.default-lost", "llama.cpp (a GGUF converted from it): temperature 0.6 -> 0.8",
           severity="warning", tuned_model=MODEL_DIR),
    Mutant("llama3-model-dir", "llama3", "benign: configs kept in a model directory apart from the tokenizer",
           in_model_dir(), tuned_model=MODEL_DIR),
    Mutant("mistral-v3-legacy-default", "mistral-v3", "benign: legacy set to LlamaTokenizer's default (false)",
           set_config(legacy=False)),
    Mutant("mistral-v3-bos-token-default", "mistral-v3", "benign: add_bos_token set to LlamaTokenizer's default (true)",
           set_config(add_bos_token=True)),
    # engines (issue 26): parser markers, each engine's stop set, a template as vLLM passes it
    Mutant("llama3.1-python-tag-dropped", "llama3.1", "40. tool-call parser marker no longer a token (<|python_tag|> dropped)",
           both(edit("tokenizer.json", drop_added("<|python_tag|>")),
                edit("tokenizer_config.json", drop_config_added("<|python_tag|>"))),
           "parser.marker-missing", "llama3_json"),
    Mutant("mistral-v3-tool-calls-split", "mistral-v3", "40. [TOOL_CALLS] no longer an added token, so text holding it is split",
           both(edit("tokenizer.json", drop_added("[TOOL_CALLS]")),
                edit("tokenizer_config.json", drop_config_added("[TOOL_CALLS]"))),
           "parser.marker-split", "--tool-call-parser mistral"),
    Mutant("qwen2-turn-end-not-a-stop", "qwen2", "41. generation_config.json stops at <|endoftext|> only; turns end with <|im_end|>",
           edit("generation_config.json", lambda g: g.__setitem__("eos_token_id", 151643)),
           "model-config.stop-set-changed", "transformers generate(), MLX-LM run past it; vLLM, SGLang"),
    Mutant("qwen2-content-format-openai", "qwen2", "39. user turns made list-safe: vLLM passes every turn's content as a list",
           rewrite_template(user_turns_list_safe), "template.changed", "as vLLM passes it"),
    Mutant("llama3.1-template-comment", "llama3.1", "benign: a comment added to the chat template",
           rewrite_template(lambda template: "{#- a comment the fine-tune added -#}\n" + template)),
    Mutant("qwen2-template-list-safe", "qwen2", "benign: template made list-safe in every branch", rewrite_template(list_safe)),
    Mutant("qwen2-generation-config-resaved", "qwen2", "benign: generation_config.json saved back by transformers",
           resave_generation_config),
    # A Qwen3-style thinking switch (the zoo has no Qwen3 base): added to Qwen2's template it renders
    # every default probe the same (benign), and dropped again it differs under enable_thinking=False.
    Mutant("qwen2-thinking", "qwen2", "benign: Qwen3's enable_thinking switch added to the template",
           rewrite_template(with_thinking_switch)),
    Mutant("qwen2-thinking-dropped", "qwen2-thinking", "43. the enable_thinking branch dropped by an export (LLaMA-Factory#9765)",
           rewrite_template(without_thinking_switch), "template.changed", "enable_thinking=False"),
    # --- issue 28 (items 2, 5): sentence-transformers modules and context length ---
    Mutant("minilm-pooling-dropped", "minilm", "44. 1_Pooling/config.json lost on save (FlagEmbedding#1326)",
           removed("1_Pooling/config.json"), "sentence-transformers.pooling-lost", "1_Pooling/config.json is missing"),
    Mutant("minilm-pooling-cls", "minilm", "44. pooling changed from mean to CLS",
           edit("1_Pooling/config.json", pooling_mode("cls")), "sentence-transformers.pooling-changed", '"modes": ["cls"]'),
    Mutant("minilm-st-files-dropped", "minilm", "44. every sentence-transformers file dropped (a plain save_pretrained)",
           both(*(removed(name) for name in ("modules.json", "sentence_bert_config.json",
                                             "config_sentence_transformers.json", "1_Pooling/config.json"))),
           "sentence-transformers.modules-missing", "Pooling(mean) -> Normalize"),
    Mutant("minilm-prompts-changed", "minilm", "44. prompts written into config_sentence_transformers.json",
           edit("config_sentence_transformers.json", lambda c: c.__setitem__("prompts", {"query": "query: "})),
           "sentence-transformers.prompts-changed", '{"query": "query: "}', severity="warning"),
    Mutant("minilm-max-seq-length-halved", "minilm", "47. sentence_bert_config.json max_seq_length halved",
           edit("sentence_bert_config.json", lambda c: c.__setitem__("max_seq_length", 128)),
           "context-length.shortened", "sentence-transformers max_seq_length 256 -> 128", severity="warning"),
    Mutant("qwen2-model-max-length-lowered", "qwen2", "47. model_max_length lowered below max_position_embeddings",
           set_config(model_max_length=4096), "context-length.shortened", "vLLM max_model_len 32,768 -> 4,096",
           severity="warning"),
    Mutant("minilm-st-resave", "minilm", "benign: module files saved back by sentence-transformers 3",
           sentence_transformers_resave),
    # --- Ollama Modelfiles (drift class 38; issue 27): a Modelfile in the tuned directory ---
    Mutant("llama3.1-modelfile-llamafactory", "llama3.1",
           "38. Ollama Modelfile TEMPLATE with a second BOS and without Llama 3.1's system header (LLaMA-Factory 0.9.5's real export)",
           modelfile("lf-llama3.1"), "ollama.template-renders-differ", "starts with two BOS tokens"),
    Mutant("qwen2-modelfile-llamafactory", "qwen2",
           "38. Ollama Modelfile SYSTEM other than the template's default (LLaMA-Factory 0.9.5's real export)",
           modelfile("lf-qwen2"), "ollama.system-differs", "You are Qwen, created by Alibaba Cloud"),
    Mutant("llama3.1-modelfile-stop-no-turn-end", "llama3.1", "38. Ollama Modelfile PARAMETER stop without the turn end",
           modelfile("faithful-llama3.1", ('PARAMETER stop "<|eot_id|>"\n', "")), "ollama.stop-missing-turn-end",
           "'<|eot_id|>'"),
    Mutant("llama3.1-modelfile-temperature", "llama3.1", "38. Ollama Modelfile temperature other than generation_config.json's",
           modelfile("faithful-llama3.1", ("PARAMETER temperature 0.6", "PARAMETER temperature 1.0")),
           "ollama.sampling-differs", "temperature 1 (PARAMETER temperature 1.0)", severity="warning"),
    Mutant("llama3.1-modelfile-faithful", "llama3.1", "benign: an Ollama Modelfile written from the HF template and configs",
           modelfile("faithful-llama3.1")),
    # --- issue 28 (item 1): template options and capabilities ---
    Mutant("llama3.1-tool-definitions-dropped", "llama3.1", "43. the chat template no longer writes tools= into the prompt",
           rewrite_template(without_tool_definitions), "template.capability-lost", "lost tools"),
    # --- Multimodal processors (drift class 45; issue 28 item 3): zoo:qwen2-vl's image processor ---
    Mutant("qwen2-vl-processor-dropped", "qwen2-vl", "45. preprocessor_config.json lost on save",
           removed("preprocessor_config.json"), "processor.file-lost", "tuned has no image processor config"),
    Mutant("qwen2-vl-max-pixels", "qwen2-vl", "45. max_pixels lowered to 512*28*28 (images at another resolution)",
           max_pixels(401408), "processor.resolution-changed", "size.longest_edge 1003520 -> 401408"),
    Mutant("qwen2-vl-image-token-shifted", "qwen2-vl", "45. config.json image_token_id off by one",
           edit("config.json", lambda c: c.__setitem__("image_token_id", c["image_token_id"] + 1)),
           "processor.image-token-id", "'<|video_pad|>'"),
    Mutant("qwen2-vl-processor-v5-nested", "qwen2-vl",
           "45. image processor only nested in processor_config.json (transformers 5), read by transformers 4.57",
           processor_v5_nested, "processor.v5-nesting", "transformers 4.57", severity="warning"),
    Mutant("qwen2-vl-processor-resaved", "qwen2-vl", "benign: image processor saved back by transformers",
           image_processor_resave),
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
