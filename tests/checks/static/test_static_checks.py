"""The static diff on small real tokenizers: each drift is named, serialization alone is not."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LAYOUTS
from tests.toys import CHAT_TEMPLATE, added_token, edit_json, write_json
from tokcheck.findings import Finding, Severity

Diff = Callable[[Path, Path], list[Finding]]


def codes(findings: list[Finding], severity: Severity | None = None) -> set[str]:
    return {f.code for f in findings if severity is None or f.severity is severity}


def failing(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.fails(strict=False)]


def set_architecture(directory: Path, architecture: str, model_type: str, tied: bool | None) -> None:
    config = json.loads((directory / "config.json").read_text())
    write_json(directory / "config.json", {**config, "architectures": [architecture], "model_type": model_type,
                                           "tie_word_embeddings": tied})


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, f"expected one {code}, got {[f.message for f in findings]}"
    return matching[0]


class TestIdenticalAndSerializationOnly:
    def test_identical_copy_has_no_findings(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        assert diff(toy_dir, tuned_copy) == []

    def test_key_order_and_indentation_are_ignored(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        for name in ("tokenizer.json", "tokenizer_config.json", "config.json", "generation_config.json"):
            path = tuned_copy / name
            data = json.loads(path.read_text(encoding="utf-8"))
            reordered = dict(reversed(list(data.items())))
            path.write_text(json.dumps(reordered, indent=4, ensure_ascii=True), encoding="utf-8")
        assert diff(toy_dir, tuned_copy) == []

    def test_merges_as_strings_or_pairs_are_the_same_merges(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["model"].__setitem__(
            "merges", [" ".join(m) if isinstance(m, list) else m.split(" ", 1) for m in j["model"]["merges"]]))
        findings = diff(toy_dir, tuned_copy)
        assert failing(findings) == []
        assert only(findings, "format.merges-format").severity is Severity.WARNING

    def test_template_moved_into_tokenizer_config_is_info(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        template = (tuned_copy / "chat_template.jinja").read_text(encoding="utf-8")
        (tuned_copy / "chat_template.jinja").unlink()
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__("chat_template", template))
        findings = diff(toy_dir, tuned_copy)
        assert failing(findings) == []
        assert "chat_template.jinja" in only(findings, "template.moved").message

    @pytest.mark.parametrize(("base_layout", "tuned_layout"), [("4.57.6", "5.24.0"), ("5.24.0", "4.57.6")])
    def test_the_same_tokenizer_saved_by_transformers_4_and_5_passes(
        self, diff: Diff, base_layout: str, tuned_layout: str
    ) -> None:
        findings = diff(LAYOUTS / f"transformers-{base_layout}", LAYOUTS / f"transformers-{tuned_layout}")
        assert failing(findings) == [], [f.message for f in failing(findings)]
        assert codes(findings, Severity.ERROR) == set()

    def test_v5_class_name_warns_that_transformers_4_cannot_load(self, diff: Diff) -> None:
        findings = diff(LAYOUTS / "transformers-4.57.6", LAYOUTS / "transformers-5.24.0")
        assert "TokenizersBackend" in only(findings, "config.class-v5-only").message


class TestVocabulary:
    def test_llama_factory_eom_is_named_with_its_id_and_the_fix(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        """LLaMA-Factory's llama3 template: eos -> <|eot_id|>, pad = eos, <|eom_id|> appended as extra special."""
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(toy_dir))
        tokenizer.add_special_tokens({"eos_token": "<|eot_id|>"})
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        try:
            tokenizer.add_special_tokens(
                {"additional_special_tokens": ["<|eom_id|>"]}, **{"replace_additional_special_tokens": False}
            )
        except TypeError:  # transformers 5 renamed the keyword
            tokenizer.add_special_tokens({"additional_special_tokens": ["<|eom_id|>"]}, replace_extra_special_tokens=False)
        shutil.rmtree(tuned_copy)
        tokenizer.save_pretrained(str(tuned_copy))
        base_length = len(AutoTokenizer.from_pretrained(str(toy_dir)))
        finding = only(diff(toy_dir, tuned_copy), "vocab.added-beyond-base")
        assert finding.severity is Severity.ERROR
        assert f"'<|eom_id|>' at id {base_length}" in finding.message
        assert f"base has ids 0-{base_length - 1}" in finding.message
        assert "resize and train the embeddings" in finding.fix

    def test_added_token_inside_config_vocab_size_says_the_row_is_untrained(
        self, diff: Diff, toy_dir: Path, tuned_copy: Path
    ) -> None:
        edit_json(tuned_copy / "config.json", lambda c: c.__setitem__("vocab_size", c["vocab_size"] + 64))
        base_dir = tuned_copy.parent / "base-padded"
        shutil.copytree(toy_dir, base_dir)
        edit_json(base_dir / "config.json", lambda c: c.__setitem__("vocab_size", c["vocab_size"] + 64))
        size = json.loads((base_dir / "config.json").read_text())["vocab_size"]
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["added_tokens"].append(
            {"id": size - 64, "content": "<tool>", "special": False, "normalized": True,
             "lstrip": False, "rstrip": False, "single_word": False}))
        finding = only(diff(base_dir, tuned_copy), "vocab.added-beyond-base")
        assert "never trained" in finding.message and "added token '<tool>'" in finding.message

    def test_token_renamed_in_place_is_an_error(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        # unsloth's map_eos_token: string-replace the old eos in tokenizer.json
        path = tuned_copy / "tokenizer.json"
        path.write_text(path.read_text(encoding="utf-8").replace("<|end_of_text|>", "<|im_end|>"), encoding="utf-8")
        finding = only(diff(toy_dir, tuned_copy), "vocab.renamed")
        assert "'<|end_of_text|>' in base but '<|im_end|>' in tuned" in finding.message

    def test_swapped_ids_are_reported_as_moves(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        def swap(j: dict) -> None:
            eot, eos = added_token(j, "<|eot_id|>"), added_token(j, "<|end_of_text|>")
            eot["id"], eos["id"] = eos["id"], eot["id"]

        edit_json(tuned_copy / "tokenizer.json", swap)
        moved = [f for f in diff(toy_dir, tuned_copy) if f.code == "vocab.moved"]
        assert sorted(f.base["content"] for f in moved) == ["<|end_of_text|>", "<|eot_id|>"]

    def test_dropped_token_is_an_error(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["added_tokens"].remove(added_token(j, "<|reserved_special_token_2|>")))
        assert "'<|reserved_special_token_2|>'" in only(diff(toy_dir, tuned_copy), "vocab.dropped").message

    def test_id_holes_beyond_base_are_a_warning(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        length = max(e["id"] for e in json.loads((toy_dir / "tokenizer.json").read_text())["added_tokens"]) + 1
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["added_tokens"].append(
            {"id": length + 5, "content": "<x>", "special": True, "normalized": False,
             "lstrip": False, "rstrip": False, "single_word": False}))
        findings = diff(toy_dir, tuned_copy)
        assert f"ids {length}-{length + 4} unused" in only(findings, "vocab.id-holes").message

    def test_many_changes_are_capped_with_a_count(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        def rename_all(j: dict) -> None:
            j["model"]["vocab"] = {f"{token}#": token_id for token, token_id in j["model"]["vocab"].items()}

        edit_json(tuned_copy / "tokenizer.json", rename_all)
        renamed = [f for f in diff(toy_dir, tuned_copy) if f.code == "vocab.renamed"]
        assert len(renamed) == 21 and renamed[-1].message.startswith("... and ")


class TestSpecialRoles:
    def test_eos_change_and_pad_set_to_eos_are_errors(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(eos_token="<|end_of_text|>", pad_token="<|end_of_text|>"))
        findings = diff(toy_dir, tuned_copy)
        assert "'<|eot_id|>' in base but '<|end_of_text|>' in tuned" in only(findings, "roles.eos-changed").message
        pad = only(findings, "roles.pad-is-eos")
        assert pad.severity is Severity.ERROR and "never to stop" in pad.message

    def test_role_naming_a_missing_token_is_an_error(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__("unk_token", "<unk>"))
        assert "'<unk>' is not a token" in only(diff(toy_dir, tuned_copy), "roles.token-missing").message

    def test_replaced_additional_special_tokens_list(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base, tuned = tmp_path / "b", tmp_path / "t"
        shutil.copytree(toy_dir, base)
        shutil.copytree(toy_dir, tuned)
        edit_json(base / "tokenizer_config.json", lambda c: c.__setitem__("additional_special_tokens", ["<|reserved_special_token_0|>"]))
        edit_json(tuned / "tokenizer_config.json", lambda c: c.__setitem__("extra_special_tokens", ["<|reserved_special_token_1|>"]))
        findings = diff(base, tuned)
        assert "'<|reserved_special_token_0|>'" in only(findings, "roles.extra-removed").message
        assert only(findings, "roles.extra-removed").severity is Severity.ERROR
        assert only(findings, "roles.extra-added").severity is Severity.WARNING

    def test_bare_tokenizer_json_skips_roles_with_a_note(self, diff: Diff, toy_dir: Path) -> None:
        findings = diff(toy_dir, toy_dir / "tokenizer.json")
        assert "tuned has no tokenizer_config.json" in only(findings, "roles.not-compared").message
        assert failing(findings) == []


class TestAddedTokenFlags:
    @pytest.mark.parametrize("flag", ["lstrip", "rstrip", "single_word", "special", "normalized"])
    def test_each_flag_flip_is_named(self, diff: Diff, toy_dir: Path, tuned_copy: Path, flag: str) -> None:
        def flip(j: dict) -> None:
            token = added_token(j, "<|eot_id|>")
            token[flag] = not token[flag]

        edit_json(tuned_copy / "tokenizer.json", flip)
        finding = only(diff(toy_dir, tuned_copy), f"flags.{flag}-changed")
        assert finding.message.startswith("'<|eot_id|>' (id ") and f"{flag} is" in finding.message

    def test_existing_vocab_token_made_an_added_token(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        vocab = json.loads((toy_dir / "tokenizer.json").read_text())["model"]["vocab"]
        token, token_id = next((t, i) for t, i in vocab.items() if len(t) > 3)
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["added_tokens"].append(
            {"id": token_id, "content": token, "special": False, "normalized": True,
             "lstrip": False, "rstrip": False, "single_word": False}))
        assert repr(token) in only(diff(toy_dir, tuned_copy), "flags.vocab-token-now-added").message


class TestPipeline:
    def test_normalizer_added(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j.__setitem__("normalizer", {"type": "NFKC"}))
        finding = only(diff(toy_dir, tuned_copy), "pipeline.normalizer-changed")
        assert "NFKC" in finding.message

    def test_pre_tokenizer_flag(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["pre_tokenizer"].__setitem__("add_prefix_space", True))
        assert "add_prefix_space" in only(diff(toy_dir, tuned_copy), "pipeline.pre-tokenizer-changed").message

    def test_post_processor_without_bos_reads_as_templates(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j.__setitem__("post_processor", {
            "type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {}}))
        finding = only(diff(toy_dir, tuned_copy), "pipeline.post-processor-changed")
        assert "base '<|begin_of_text|> $A', tuned '$A'" in finding.message

    def test_ignore_merges_default_is_not_drift_but_a_flip_is(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["model"].__setitem__("ignore_merges", False))
        assert "ignore_merges" in only(diff(toy_dir, tuned_copy), "model.ignore-merges-changed").message
        other = tuned_copy.parent / "other"
        shutil.copytree(toy_dir, other)
        edit_json(other / "tokenizer.json", lambda j: j["model"].__delitem__("byte_fallback"))  # false by default
        assert diff(toy_dir, other) == []

    def test_byte_fallback_and_dropout(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["model"].update(byte_fallback=True, dropout=0.1))
        assert codes(diff(toy_dir, tuned_copy)) >= {"model.byte-fallback-changed", "model.dropout-changed"}

    def test_reordered_merges_name_the_first_rank(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        def swap(j: dict) -> None:
            merges = j["model"]["merges"]
            merges[10], merges[11] = merges[11], merges[10]

        edit_json(tuned_copy / "tokenizer.json", swap)
        finding = only(diff(toy_dir, tuned_copy), "model.merges-reordered")
        assert "2 of" in finding.message and "first at rank 10" in finding.message

    def test_dropped_merges(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["model"].__setitem__("merges", j["model"]["merges"][:-3]))
        assert "drops 3" in only(diff(toy_dir, tuned_copy), "model.merges-changed").message

    def test_decoder_removed(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j.__setitem__("decoder", None))
        assert only(diff(toy_dir, tuned_copy), "pipeline.decoder-changed").severity is Severity.ERROR


class TestTokenizerConfig:
    def test_encoding_key_changed_is_an_error(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        base = tuned_copy.parent / "b"
        shutil.copytree(toy_dir, base)
        edit_json(base / "tokenizer_config.json", lambda c: c.__setitem__("add_bos_token", True))
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__("add_bos_token", False))
        assert only(diff(base, tuned_copy), "config.add-bos-token-changed").severity is Severity.ERROR

    def test_split_special_tokens_against_its_default(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__("split_special_tokens", True))
        assert only(diff(toy_dir, tuned_copy), "config.split-special-tokens-changed").severity is Severity.ERROR

    def test_padding_side_is_an_error_and_max_length_a_warning(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(padding_side="left", model_max_length=2048))
        findings = diff(toy_dir, tuned_copy)
        assert codes(findings, Severity.ERROR) == {"config.padding-side-changed"}
        # The toy has a config.json: the context-length check names the engines the lower length caps.
        assert codes(findings, Severity.WARNING) == {"config.model-max-length-changed", "context-length.shortened"}

    def test_a_key_saved_as_null_is_an_absent_key(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        # trl's SFTTrainer and axolotl's tokenizer_default save add_prefix_space: null
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(add_prefix_space=None, legacy=None))
        assert diff(toy_dir, tuned_copy) == []

    def test_saved_truncation_and_padding_are_a_warning_with_the_values(
        self, diff: Diff, toy_dir: Path, tuned_copy: Path
    ) -> None:
        # A sentence-transformers trainer save: the backend tokenizer's truncation persisted in tokenizer.json.
        from tokenizers import Tokenizer

        backend = Tokenizer.from_file(str(tuned_copy / "tokenizer.json"))
        backend.enable_truncation(max_length=256)
        backend.enable_padding(length=256)
        backend.save(str(tuned_copy / "tokenizer.json"))
        findings = diff(toy_dir, tuned_copy)
        assert codes(findings) == {"config.saved-truncation-changed", "config.saved-padding-changed"}
        assert "truncation: base null, tuned {" in only(findings, "config.saved-truncation-changed").message
        assert {f.severity for f in findings} == {Severity.WARNING}
        resaved = tuned_copy.parent / "resaved"
        shutil.copytree(tuned_copy, resaved)
        edit_json(resaved / "tokenizer.json", lambda j: j["truncation"].__setitem__("max_length", 512))
        assert "truncation.max_length: base 256, tuned 512" in only(diff(tuned_copy, resaved), "config.saved-truncation-changed").message

    def test_loader_keys_are_info(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.update(is_local=True, local_files_only=False))
        findings = diff(toy_dir, tuned_copy)
        assert codes(findings) == {"config.loader-key"} and failing(findings) == []

    def test_other_model_class_is_an_error(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base, tuned = tmp_path / "b", tmp_path / "t"
        for side, name in ((base, "LlamaTokenizerFast"), (tuned, "Qwen2Tokenizer")):
            shutil.copytree(toy_dir, side)
            edit_json(side / "tokenizer_config.json", lambda c, name=name: c.__setitem__("tokenizer_class", name))  # type: ignore[misc]
        assert only(diff(base, tuned), "config.class-changed").severity is Severity.ERROR


class TestChatTemplate:
    def test_changed_template_shows_a_unified_diff(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        (tuned_copy / "chat_template.jinja").write_text(CHAT_TEMPLATE.replace("| trim", ""), encoding="utf-8")
        finding = only(diff(toy_dir, tuned_copy), "template.changed")
        assert finding.detail.startswith("--- base/chat_template.jinja\n+++ tuned/chat_template.jinja")
        assert "| trim" in finding.detail

    def test_removed_and_named_templates(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        (tuned_copy / "chat_template.jinja").unlink()
        (tuned_copy / "additional_chat_templates").mkdir()
        (tuned_copy / "additional_chat_templates" / "tool_use.jinja").write_text("{{ messages }}", encoding="utf-8")
        findings = diff(toy_dir, tuned_copy)
        assert only(findings, "template.removed").severity is Severity.ERROR
        assert "'tool_use'" in only(findings, "template.added").message

    def test_two_disagreeing_copies_in_tuned(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__("chat_template", "{{ messages }}"))
        finding = only(diff(toy_dir, tuned_copy), "template.copies-disagree")
        assert "chat_template.jinja" in finding.message and "tokenizer_config.json" in finding.message

    def test_legacy_named_list_in_config(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        (tuned_copy / "chat_template.jinja").unlink()
        edit_json(tuned_copy / "tokenizer_config.json", lambda c: c.__setitem__(
            "chat_template", [{"name": "default", "template": CHAT_TEMPLATE}]))
        assert failing(diff(toy_dir, tuned_copy)) == []


class TestModelConfig:
    def test_stop_set_shrunk_to_one_id(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "generation_config.json", lambda g: g.__setitem__("eos_token_id", g["eos_token_id"][0]))
        finding = only(diff(toy_dir, tuned_copy), "model-config.stop-set-changed")
        assert "'<|end_of_text|>'" in finding.message

    def test_eos_not_a_stop_token(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        tuned = tmp_path / "t"
        shutil.copytree(toy_dir, tuned)
        edit_json(tuned / "tokenizer_config.json", lambda c: c.__setitem__("eos_token", "<|reserved_special_token_1|>"))
        assert "never stops" in only(diff(toy_dir, tuned), "model-config.eos-not-a-stop").message

    def test_bos_nulled_by_trainer(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "generation_config.json", lambda g: g.__setitem__("bos_token_id", None))
        assert "writes null" in only(diff(toy_dir, tuned_copy), "model-config.bos-token-id-changed").message

    def test_ids_past_config_vocab_size(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        size = json.loads((toy_dir / "config.json").read_text())["vocab_size"]
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["added_tokens"].append(
            {"id": size, "content": "<|eom_id|>", "special": True, "normalized": False,
             "lstrip": False, "rstrip": False, "single_word": False}))
        finding = only(diff(toy_dir, tuned_copy), "model-config.ids-beyond-vocab-size")
        assert f"{size} '<|eom_id|>'" in finding.message

    def test_multimodal_text_config_and_tie_flip(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base, tuned = tmp_path / "b", tmp_path / "t"
        for side, tied in ((base, False), (tuned, True)):
            shutil.copytree(toy_dir, side)
            config = json.loads((side / "config.json").read_text())
            write_json(side / "config.json", {"model_type": "llava", "text_config": {**config, "tie_word_embeddings": tied}})
        assert only(diff(base, tuned), "model-config.tie-word-embeddings-changed").severity is Severity.ERROR


    def test_tie_word_embeddings_of_a_model_without_an_lm_head_is_not_drift(
        self, diff: Diff, toy_dir: Path, tmp_path: Path
    ) -> None:
        # transformers 5 writes tie_word_embeddings: true on a re-save of a BertModel, which has no output layer
        base, tuned = tmp_path / "b", tmp_path / "t"
        for side, tied in ((base, None), (tuned, True)):
            shutil.copytree(toy_dir, side)
            set_architecture(side, "BertModel", "bert", tied)
        assert diff(base, tuned) == []

    def test_an_absent_tie_word_embeddings_is_its_config_class_default(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base, false, true = tmp_path / "b", tmp_path / "f", tmp_path / "t"
        for side, tied in ((base, None), (false, False), (true, True)):
            shutil.copytree(toy_dir, side)
            set_architecture(side, "LlamaForCausalLM", "llama", tied)
        assert diff(base, false) == []
        finding = only(diff(base, true), "model-config.tie-word-embeddings-changed")
        assert "absent (false, the llama default) in base but true in tuned" in finding.message



class TestSaveFormat:
    def test_changed_sentencepiece_model_file(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base, tuned = tmp_path / "b", tmp_path / "t"
        for side, payload in ((base, b"\x0a\x01a"), (tuned, b"\x0a\x01b")):
            shutil.copytree(toy_dir, side)
            (side / "tokenizer.model").write_bytes(payload)
        assert only(diff(base, tuned), "format.file-changed").severity is Severity.ERROR

    def test_dropped_tokenizer_model_is_a_warning(self, diff: Diff, toy_dir: Path, tmp_path: Path) -> None:
        base = tmp_path / "b"
        shutil.copytree(toy_dir, base)
        (base / "tokenizer.model").write_bytes(b"\x0a\x01a")
        assert only(diff(base, toy_dir), "format.file-dropped").severity is Severity.WARNING


class TestOffsetOnlySettings:
    def test_bytelevel_offset_flags_are_not_drift(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        """transformers 5's Qwen2Tokenizer rewrites these on save; ids and decoded text stay."""
        def rewrite(j: dict) -> None:
            j["pre_tokenizer"]["trim_offsets"] = not j["pre_tokenizer"].get("trim_offsets", True)
            j["decoder"].update(add_prefix_space=True, trim_offsets=False, use_regex=False)

        edit_json(tuned_copy / "tokenizer.json", rewrite)
        assert diff(toy_dir, tuned_copy) == []

    def test_bytelevel_use_regex_in_the_pre_tokenizer_is_drift(self, diff: Diff, toy_dir: Path, tuned_copy: Path) -> None:
        edit_json(tuned_copy / "tokenizer.json", lambda j: j["pre_tokenizer"].__setitem__("use_regex", False))
        assert "use_regex" in only(diff(toy_dir, tuned_copy), "pipeline.pre-tokenizer-changed").message
