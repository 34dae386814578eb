"""One finding -> the smallest edit that makes tuned agree with base on that point, made on
tuned's parsed files (tokcheck.fix.files). Each repair returns None when it made (or needed) no
edit of its own, or the reason the finding cannot be repaired by editing files.

The finding's `where` ("FILE: KEY", or "LABEL: FILE: KEY" for a model directory's configs) says
which file and key differ; base's own file gives the value to restore. A key base does not have
is removed. An accepted finding never reaches here, so its change is kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tokcheck.findings import Finding
from tokcheck.fix.files import ABSENT, SideFiles, TunedFiles
from tokcheck.sources.beside import PROCESSOR_FILES
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.tokens import SPECIAL_ROLES, token_content

TOKENIZER_JSON, CONFIG, SPECIALS_MAP = "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"
GENERATION_CONFIG = "generation_config.json"
EXTRA_LISTS = ("additional_special_tokens", "extra_special_tokens")
COMPONENTS = ("normalizer", "pre_tokenizer", "post_processor", "decoder")
MODEL_DIR_CHECKS = ("model_stop_set", "model_sampling")  # their `where` names the model directory's files
STOP_CODES = ("model-config.stop-set-changed", "model-config.stop-id-removed", "model-config.eos-not-a-stop",
              "model-config.end-of-turn-not-a-stop")
RESERVED = re.compile(r"reserved|unused", re.IGNORECASE)

NEEDS_TRAINING = {
    "model_trained_rows": "a zero or untrained embedding row: only training (or a resize that initialises it) fills it",
    "model_rows": "the model's embedding rows do not fit the tokenizer: resizing and training the model, not a file edit, "
                  "changes them",
    "model_files": "the model's weight files are not a tokenizer-side setting: re-save the model",
    "model_gpu": "measured on the loaded model: re-save or retrain the model",
}


def parse_where(where: str) -> tuple[str, str]:
    """'LABEL: tokenizer_config.json: pad_token' -> ('tokenizer_config.json', 'pad_token')."""
    parts = where.split(": ")
    for index, part in enumerate(parts):
        if part.endswith((".json", ".jinja", ".model")):
            return part, ": ".join(parts[index + 1:])
    return "", where


def _same_token(left: Any, right: Any) -> bool:
    return token_content(left) == token_content(right) if left is not ABSENT and right is not ABSENT else left is right


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = repr(token_content(value)) if isinstance(value, (str, dict)) and token_content(value) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Repairs:
    def __init__(self, base: TokenizerSnapshot, tuned: TokenizerSnapshot, base_files: SideFiles, tuned_files: TunedFiles,
                 model_prefix: str = "", model_rows: int | None = None) -> None:
        self.base, self.tuned = base, tuned
        self.base_files, self.files = base_files, tuned_files
        self.model_prefix = model_prefix  # "model/" when the model directory's configs are apart from the tokenizer's
        self.model_rows = model_rows  # the tuned model's embedding rows, when a model directory was given

    def repair(self, finding: Finding) -> str | None:
        check, code = finding.check, finding.code
        if check in NEEDS_TRAINING:
            if code.startswith("model.adapter"):
                return "a LoRA adapter sized for another vocabulary: it has to be trained again for this tokenizer"
            return NEEDS_TRAINING[check]
        if code.startswith("gguf."):
            return "a GGUF's metadata is not repaired yet: convert the repaired checkpoint again"
        handler = {
            "vocabulary": self._vocabulary, "special_roles": self._roles, "added_token_flags": self._flags,
            "model": self._tokenizer_model, "tokenizer_config": self._config_key, "chat_template": self._templates,
            "model_config": self._model_config, "model_stop_set": self._model_config,
            "model_sampling": self._model_config, "save_format": self._save_format,
            "sentence_transformers": self._beside_file, "custom_code": self._beside_file,
            "context_length": self._length_keys, "ollama": self._modelfile, "processor": self._processor,
        }.get(check)
        if check in COMPONENTS:
            return self._restore_json_key(TOKENIZER_JSON, [check], code)
        if handler is None:
            return f"no automatic repair for {code}"
        return handler(finding)

    # --- JSON keys ------------------------------------------------------------------------------

    def _restore_json_key(self, name: str, path: list[str], code: str, base_name: str | None = None) -> str | None:
        """Set tuned's value at `path` in file `name` to base's (or remove it where base has none)."""
        base_doc = self.base_files.json(base_name or name)
        before = self.files.json(name)
        if before is ABSENT:
            return f"tuned has no {name}"
        target = base_doc
        for key in path:
            target = target.get(key, ABSENT) if isinstance(target, dict) else ABSENT
        current = before
        for key in path:
            current = current.get(key, ABSENT) if isinstance(current, dict) else ABSENT
        if current == target:
            return None
        doc = self.files.editable(name)
        parent = doc
        for key in path[:-1]:
            parent = parent.setdefault(key, {})
        if target is ABSENT:
            parent.pop(path[-1], None)
            self.files.record(name, f"removed {'.'.join(path)} (base has none; tuned had {_shown(current)})", code)
        else:
            parent[path[-1]] = target
            self.files.record(name, f"{'.'.join(path)} restored to base's {_shown(target)} (tuned had {_shown(current)})",
                              code)
        return None

    def _config_key(self, finding: Finding) -> str | None:
        name, key = parse_where(finding.where)
        if not name or not key:
            return f"no automatic repair for {finding.code}"
        return self._restore_json_key(name, key.split("."), finding.code)

    # --- vocabulary -----------------------------------------------------------------------------

    def _vocabulary(self, finding: Finding) -> str | None:
        code = finding.code
        if code == "vocab.id-holes":
            return None  # no edit of its own: removing the tokens past base's ids closes the holes
        tuned_id = (finding.tuned or {}).get("id") if isinstance(finding.tuned, dict) else None
        base_id = (finding.base or {}).get("id") if isinstance(finding.base, dict) else None
        if tuned_id is None and base_id is None:
            return f"no automatic repair for {code} (the finding names no id)"
        if code in ("vocab.added-beyond-base", "vocab.added") and tuned_id is not None and base_id is None \
                and self.model_rows is not None and tuned_id >= self.base.length and tuned_id < self.model_rows:
            token = finding.tuned.get("content")
            return (f"the tuned model has an embedding row for {token!r} (id {tuned_id}): the model was resized for it, "
                    f"so it is most likely intended; if so, pass --accept '{code}:{token!r}'")
        for token_id in {i for i in (tuned_id, base_id) if i is not None}:
            self._restore_id(token_id, code)
        return None

    def _restore_id(self, token_id: int, code: str) -> None:
        """Make tuned's token at `token_id` base's: added_tokens, model.vocab, added_tokens_decoder;
        a content tuned loses there is taken out of the role and extra lists too."""
        lost: list[str] = []
        tokenizer = self.files.json(TOKENIZER_JSON)
        base_tokenizer = self.base_files.json(TOKENIZER_JSON)
        if tokenizer is not ABSENT and base_tokenizer is not ABSENT:
            base_entry = _added_entry(base_tokenizer, token_id)
            entry = _added_entry(tokenizer, token_id)
            if entry != base_entry:
                doc = self.files.editable(TOKENIZER_JSON)
                entries = [e for e in doc.get("added_tokens", []) if e.get("id") != token_id]
                if base_entry is not None:
                    entries.append(base_entry)
                doc["added_tokens"] = sorted(entries, key=lambda e: e["id"])
                self.files.record(TOKENIZER_JSON, _entry_change(token_id, entry, base_entry), code)
                if entry is not None and (base_entry is None or base_entry["content"] != entry["content"]):
                    lost.append(entry["content"])
            lost += self._restore_vocab_id(token_id, code)
        config = self.files.json(CONFIG)
        if isinstance(config, dict) and isinstance(config.get("added_tokens_decoder"), dict):
            base_config = self.base_files.json(CONFIG)
            base_decoder = base_config.get("added_tokens_decoder", {}) if isinstance(base_config, dict) else {}
            key = str(token_id)
            if config["added_tokens_decoder"].get(key) != base_decoder.get(key):
                decoder = self.files.editable(CONFIG)["added_tokens_decoder"]
                old = decoder.pop(key, None)
                if key in base_decoder:
                    decoder[key] = base_decoder[key]
                self.files.record(CONFIG, _entry_change(token_id, old, base_decoder.get(key), "added_tokens_decoder"), code)
                if old is not None and token_content(old) != token_content(base_decoder.get(key)):
                    lost.append(str(token_content(old)))
        for content in dict.fromkeys(lost):
            if self.base.token_id(content) is None:  # a token base has elsewhere keeps its roles
                self._scrub(content, code)

    def _restore_vocab_id(self, token_id: int, code: str) -> list[str]:
        tokenizer, base_tokenizer = self.files.json(TOKENIZER_JSON), self.base_files.json(TOKENIZER_JSON)
        vocab, base_vocab = tokenizer.get("model", {}).get("vocab"), base_tokenizer.get("model", {}).get("vocab")
        if isinstance(vocab, dict) and isinstance(base_vocab, dict):
            tuned_tokens = [token for token, i in vocab.items() if i == token_id]
            base_tokens = [token for token, i in base_vocab.items() if i == token_id]
            if tuned_tokens == base_tokens:
                return []
            doc_vocab = self.files.editable(TOKENIZER_JSON)["model"]["vocab"]
            for token in tuned_tokens:
                del doc_vocab[token]
            for token in base_tokens:
                doc_vocab[token] = token_id
            self.files.record(TOKENIZER_JSON, f"model.vocab id {token_id}: {tuned_tokens or '(none)'} -> base's "
                              f"{base_tokens or '(none)'}", code)
            return [token for token in tuned_tokens if token not in base_tokens]
        if (isinstance(vocab, list) and isinstance(base_vocab, list) and token_id < min(len(base_vocab), len(vocab))
                and vocab[token_id] != base_vocab[token_id]):
            self.files.editable(TOKENIZER_JSON)["model"]["vocab"][token_id] = base_vocab[token_id]
            self.files.record(TOKENIZER_JSON, f"model.vocab[{token_id}] restored to base's {base_vocab[token_id][0]!r}",
                              code)
            return [vocab[token_id][0]]
        return []

    def _scrub(self, content: str, code: str) -> None:
        """Take a token tuned no longer has out of the special-token lists, and give base's token back to any role it held."""
        for name in (CONFIG, SPECIALS_MAP):
            doc = self.files.json(name)
            if not isinstance(doc, dict):
                continue
            for role in SPECIAL_ROLES:
                if token_content(doc.get(role)) == content:
                    self._restore_role(role, code)
            for key in EXTRA_LISTS:
                value = doc.get(key)
                if isinstance(value, list) and any(token_content(item) == content for item in value):
                    kept = [item for item in value if token_content(item) != content]
                    edited = self.files.editable(name)
                    base_doc = self.base_files.json(name)
                    if kept or (isinstance(base_doc, dict) and key in base_doc):
                        edited[key] = kept
                    else:
                        del edited[key]
                    self.files.record(name, f"{key}: removed {content!r}", code)

    # --- roles ----------------------------------------------------------------------------------

    def _roles(self, finding: Finding) -> str | None:
        code = finding.code
        if code in ("roles.extra-removed", "roles.extra-added"):
            return self._restore_extras(code)
        _, key = parse_where(finding.where)
        if code == "roles.named-extra-changed":
            return self._restore_json_key(CONFIG, key.split("."), code)
        if key not in SPECIAL_ROLES:
            return f"no automatic repair for {code}"
        if code == "roles.pad-is-eos" and self.base.special_roles.get("pad_token") is None:
            reserved = self._reserved_pad()
            if reserved is not None:
                return self._set_role("pad_token", reserved, code, why=f"a reserved token base has a row for (id "
                                      f"{self.base.token_id(reserved)}); base has no pad_token")
        return self._restore_role(key, code)

    def _reserved_pad(self) -> str | None:
        rows = self.model_rows or (self.base.model_config or {}).get("vocab_size") or self.base.length
        taken = {value for value in self.tuned.special_roles.values() if value}
        for token_id, added in sorted(self.base.added_tokens.items()):
            if (added.special and RESERVED.search(added.content) and token_id < rows and added.content not in taken
                    and self.tuned.id_to_token.get(token_id) == added.content):
                return added.content
        return None

    def _set_role(self, role: str, content: str, code: str, why: str) -> str | None:
        for name in (CONFIG, SPECIALS_MAP):
            doc = self.files.json(name)
            if isinstance(doc, dict) and (role in doc or name == CONFIG):
                before = doc.get(role, ABSENT)
                if not _same_token(before, content):
                    self.files.editable(name)[role] = content
                    self.files.record(name, f"{role}: {_shown(before)} -> {content!r} ({why})", code)
        return None

    def _restore_role(self, role: str, code: str) -> str | None:
        for name in (CONFIG, SPECIALS_MAP):
            doc = self.files.json(name)
            if not isinstance(doc, dict):
                continue
            base_doc = self.base_files.json(name)
            target = base_doc.get(role, ABSENT) if isinstance(base_doc, dict) else ABSENT
            if target is ABSENT and self.base.special_roles.get(role) is not None and (name == CONFIG or role in doc):
                target = self.base.special_roles[role]  # base keeps its roles in the other file
            before = doc.get(role, ABSENT)
            if _same_token(before, target) or (before is ABSENT and target is ABSENT):
                continue
            edited = self.files.editable(name)
            if target is ABSENT:
                del edited[role]
                self.files.record(name, f"{role}: removed {_shown(before)} (base has none)", code)
            else:
                edited[role] = target
                self.files.record(name, f"{role}: {_shown(before)} -> base's {_shown(target)}", code)
        return None

    def _restore_extras(self, code: str) -> str | None:
        """Base's list of extra special tokens, plus the new tokens tuned still has (an accepted
        added token stays listed: the list is part of that same change)."""
        tokenizer = self.files.json(TOKENIZER_JSON)
        still_added = {entry.get("content") for entry in tokenizer.get("added_tokens", [])} \
            if isinstance(tokenizer, dict) else set()
        kept_new = [content for content in self.tuned.extra_special_tokens
                    if self.base.token_id(content) is None and content in still_added]
        wanted = list(self.base.extra_special_tokens) + kept_new
        for name in (CONFIG, SPECIALS_MAP):
            doc = self.files.json(name)
            if not isinstance(doc, dict):
                continue
            for key in EXTRA_LISTS:
                value = doc.get(key)
                if not isinstance(value, list) or [token_content(item) for item in value] == wanted:
                    continue
                edited = self.files.editable(name)
                kept = {token_content(item): item for item in value}
                base_doc = self.base_files.json(name)
                if not wanted and not (isinstance(base_doc, dict) and key in base_doc):
                    del edited[key]
                else:
                    edited[key] = [kept.get(content, content) for content in wanted]
                self.files.record(name, f"{key} restored to base's list of {len(wanted)} (tuned had "
                                  f"{[token_content(item) for item in value]})", code)
        if code == "roles.extra-added" and kept_new:
            return (f"it lists {', '.join(map(repr, kept_new))}, a token tuned keeps (its addition was accepted); "
                    "if that is intended, pass --accept roles.extra-added too")
        return None

    # --- added-token flags, the tokenizer model, save format ------------------------------------

    def _flags(self, finding: Finding) -> str | None:
        found = re.search(r"\[(?:id=)?(\d+)\]", finding.where)
        if found is None:
            return f"no automatic repair for {finding.code}"
        self._restore_id(int(found.group(1)), finding.code)
        return None

    def _tokenizer_model(self, finding: Finding) -> str | None:
        _, key = parse_where(finding.where)
        match = re.match(r"model\.(\w+)", key)
        if match is None or match.group(1) == "type":
            return self._restore_json_key(TOKENIZER_JSON, ["model"], finding.code)
        return self._restore_json_key(TOKENIZER_JSON, ["model", match.group(1)], finding.code)

    def _save_format(self, finding: Finding) -> str | None:
        if finding.code == "format.merges-format":
            return self._restore_json_key(TOKENIZER_JSON, ["model", "merges"], finding.code)
        name = finding.where
        if finding.code in ("format.file-changed", "format.file-dropped") and self.base_files.path(name).is_file():
            self.files.copy_from(name, self.base_files.path(name))
            self.files.record(name, f"{name} copied from base", finding.code)
            return None
        return f"no automatic repair for {finding.code}"

    # --- the files beside the tokenizer ---------------------------------------------------------

    def _beside_file(self, finding: Finding) -> str | None:
        """A sentence-transformers config key restored, or a module config or custom-code file
        (never imported: copied as bytes) copied back from base, or removed where base has none."""
        name, key = parse_where(finding.where) if ": " in finding.where else (finding.where, "")
        if name.endswith(".json") and key:
            return self._restore_json_key(name, key.split("."), finding.code)
        names = [name] if name else []
        if finding.code in ("sentence-transformers.modules-missing", "sentence-transformers.modules-changed"):
            names = list(self.base.sentence_transformers)  # modules.json and every file it names
        for each in names:
            source = self.base_files.path(each)
            if source.is_file():
                self.files.copy_from(each, source)
                self.files.record(each, f"{each} copied from base", finding.code)
            elif self.files.path(each).is_file():
                self.files.set_json(each, ABSENT)
                self.files.record(each, f"{each} removed (base has none)", finding.code)
        return None if names else f"no automatic repair for {finding.code}"

    def _processor(self, finding: Finding) -> str | None:
        """An image-token id in config.json restored; otherwise base's processor files copied back
        (their layout too: a v5-nested processor_config.json a v4 loader cannot read) and any
        processor file base does not have left out."""
        name, key = parse_where(finding.where)
        if name == "config.json" and key:
            return self._restore_json_key(name, key.split("."), finding.code)
        for each in PROCESSOR_FILES[:3]:  # chat_template.json is the template repair's
            if self.base_files.path(each).is_file():
                self.files.copy_from(each, self.base_files.path(each))
                self.files.record(each, f"{each} copied from base", finding.code)
            elif self.files.path(each).is_file():
                self.files.set_json(each, ABSENT)
                self.files.record(each, f"{each} removed (base has none)", finding.code)
        return None

    def _length_keys(self, finding: Finding) -> str | None:
        """Each length key the finding names ("tokenizer_config.json model_max_length") back to base's."""
        for item in finding.where.split(", "):
            name, _, key = item.partition(" ")
            if not name.endswith(".json") or not key:
                return f"no automatic repair for {finding.code}"
            base_config = self.base_files.json(name)
            nested = name == "config.json" and isinstance(base_config, dict) and key in (base_config.get("text_config") or {})
            self._restore_json_key(name, ["text_config", key] if nested else [key], finding.code)
        return None

    # --- Ollama's Modelfile ---------------------------------------------------------------------

    def _modelfile(self, finding: Finding) -> str | None:
        """A PARAMETER line set to what base's files say (a stop at the turn end added, a sampling
        value or num_ctx restored); TEMPLATE and SYSTEM are Go templates no file of base holds."""
        path_text, _, _ = finding.where.partition(": ")
        path = Path(path_text)
        if path.parent.resolve() != self.files.directory.resolve():
            return "the Modelfile is not in TUNED (--modelfile): edit it where it is, as the finding's fix says"
        code = finding.code
        if code in ("ollama.stop-missing-turn-end", "ollama.sampling-differs"):
            line = finding.fix.removeprefix("add ")
        elif code == "ollama.num-ctx-beyond-context":
            line = f"PARAMETER num_ctx {finding.base}"
        elif code.startswith(("ollama.system", "ollama.template")):
            return ("TEMPLATE and SYSTEM are Go templates the exporter wrote from its own table: tokcheck does not "
                    "translate base's Jinja chat template into one; re-export, or write them from base's template "
                    "(docs/ollama.md has a faithful Modelfile)")
        else:
            return f"no automatic repair for {code}"
        name = path.name
        text = self.files.text(name) or ""
        _, parameter, *_ = line.split(" ", 2)
        replaced = parameter != "stop"  # stop is repeatable: one more line; the others are set anew
        kept = [row for row in text.splitlines()
                if not (replaced and re.match(rf"\s*parameter\s+{re.escape(parameter)}\s", row, re.IGNORECASE))]
        self.files.set_text(name, "\n".join([*kept, line]) + "\n")
        self.files.record(name, line + ("" if not replaced or len(kept) == len(text.splitlines()) else
                                        f" (replacing tuned's PARAMETER {parameter})"), code)
        return None

    # --- chat templates -------------------------------------------------------------------------

    def _templates(self, finding: Finding) -> str | None:
        base_texts = {name: entry.text for name, entry in self.base.chat_templates.items()}
        places = self.tuned.template_places or {
            location: dict(names) for location, names in self.base.template_places.items()
        }
        for location, names in places.items():
            wanted = {name: base_texts[name] for name in names if name in base_texts}
            if not wanted and "default" in names and "default" not in base_texts:
                wanted = {}
            self._write_template(location, wanted, finding.code)
        return None

    def _write_template(self, location: str, texts: dict[str, str], code: str) -> None:
        file, key = parse_where(location) if ": " in location else (location, "")
        if file.endswith(".jinja"):
            name = "default" if file == "chat_template.jinja" else file.rsplit("/", 1)[-1].removesuffix(".jinja")
            text = texts.get(name)
            if self.files.text(file) != text:
                self.files.set_text(file, text)
                self.files.record(file, "chat template restored to base's" if text is not None
                                  else "removed (base has no such template)", code)
            return
        doc = self.files.json(file)
        if not isinstance(doc, dict):
            return
        current = doc.get(key or "chat_template")
        if isinstance(current, list):
            value: Any = [{"name": name, "template": text} for name, text in texts.items()]
        else:
            value = texts.get("default")
        if current != value:
            edited = self.files.editable(file)
            if value is None or value == []:
                edited.pop(key or "chat_template", None)
            else:
                edited[key or "chat_template"] = value
            self.files.record(file, f"{key or 'chat_template'} restored to base's", code)

    # --- config.json and generation_config.json -------------------------------------------------

    def _model_config(self, finding: Finding) -> str | None:
        code = finding.code
        file, key = parse_where(finding.where)
        if not file:
            return f"no automatic repair for {code}"
        name = self.model_prefix + file if finding.check in MODEL_DIR_CHECKS else file
        base_doc = self.base_files.json(file)
        if base_doc is ABSENT:
            return f"base has no {file} to restore it from"
        if code in ("sampling.file-missing", "model-config.file-missing"):
            self.files.set_json(name, base_doc)
            self.files.record(name, f"{file} copied from base", code)
            return None
        tuned_doc = self.files.json(name)
        if code == "model-config.ids-beyond-vocab-size" and isinstance(tuned_doc, dict) \
                and base_doc.get("vocab_size") == tuned_doc.get("vocab_size"):
            return None  # answered by taking out the tokens past the model's rows
        if code in STOP_CODES or key == "eos_token_id":
            return self._stop_ids(name, file, code)
        return self._restore_json_key(name, key.split("."), code, base_name=file)

    def _stop_ids(self, name: str, file: str, code: str) -> str | None:
        """Put base's stop ids back into eos_token_id, keeping the ones tuned added."""
        doc = self.files.json(name)
        if not isinstance(doc, dict):
            return f"tuned has no {file}"
        base_ids = _ids(self.base_files.json(file).get("eos_token_id"))
        ids = _ids(doc.get("eos_token_id"))
        merged = ids + [i for i in base_ids if i not in ids]
        if merged == ids:
            return None
        value: Any = merged[0] if len(merged) == 1 else merged
        self.files.editable(name)["eos_token_id"] = value
        self.files.record(name, f"eos_token_id: {doc.get('eos_token_id')!r} -> {value!r} (base's stop ids put back)", code)
        return None


def _ids(value: Any) -> list[int]:
    if isinstance(value, int):
        return [value]
    return [i for i in value if isinstance(i, int)] if isinstance(value, list) else []


def _added_entry(tokenizer: Any, token_id: int) -> dict[str, Any] | None:
    for entry in tokenizer.get("added_tokens", []) if isinstance(tokenizer, dict) else []:
        if entry.get("id") == token_id:
            return dict(entry)
    return None


def _entry_change(token_id: int, before: Any, after: Any, where: str = "added_tokens") -> str:
    if after is None:
        return f"{where}: removed {token_content(before)!r} (id {token_id}; base has no token there)"
    if before is None:
        return f"{where}: restored base's {token_content(after)!r} at id {token_id}"
    if token_content(before) != token_content(after):
        return f"{where}: id {token_id} {token_content(before)!r} -> base's {token_content(after)!r}"
    flags = ", ".join(f"{flag} {before.get(flag)} -> {after.get(flag)}" for flag in sorted(after)
                      if isinstance(before, dict) and before.get(flag) != after.get(flag))
    return f"{where}: {token_content(after)!r} (id {token_id}) flags restored: {flags}"
