"""The vocabulary check: tokens added, dropped, renamed in place or moved, and ids past base's end."""

from __future__ import annotations

from tokcheck.checks.static.common import capped, id_ranges, more, q
from tokcheck.findings import Finding, Severity
from tokcheck.sources.snapshot import TokenizerSnapshot

CHECK = "vocabulary"
_RESTORE = "restore the base tokenizer files (tokenizer.json, tokenizer_config.json) into the checkpoint"


def check_vocabulary(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    base_tokens, tuned_tokens = base.id_to_token, tuned.id_to_token
    findings: list[Finding] = []
    if base_tokens != tuned_tokens:  # equal maps: nothing added, renamed, moved or dropped
        findings += _changed_tokens(base, tuned)
    holes = sorted(set(range(base.length, tuned.length)) - set(tuned_tokens))
    if holes:
        findings.append(
            Finding(
                CHECK,
                "vocab.id-holes",
                Severity.WARNING,
                f"tuned leaves ids {id_ranges(holes)} unused: its highest id is {tuned.length - 1}, "
                f"but only {len(tuned_tokens):,} ids are tokens",
                where="tokenizer.json: added_tokens",
                fix="new tokens should take the ids right after base's last id; rebuild them with add_tokens",
            )
        )
    return findings


def _changed_tokens(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    base_tokens, tuned_tokens = base.id_to_token, tuned.id_to_token
    base_ids = _first_id_by_token(base_tokens)
    tuned_ids = _first_id_by_token(tuned_tokens)
    findings: list[Finding] = []
    findings += capped(
        [
            _added(base, tuned, token_id)
            for token_id in sorted(tuned_tokens)
            if tuned_tokens[token_id] not in base_ids
            # a new content at an id whose base token is gone is a rename, reported below
            and (token_id not in base_tokens or base_tokens[token_id] in tuned_ids)
        ],
        more(CHECK, "vocab.added", Severity.ERROR, "tokens added"),
    )
    findings += capped(
        [
            _renamed(base, tuned, token_id)
            for token_id in sorted(set(base_tokens) & set(tuned_tokens))
            if base_tokens[token_id] != tuned_tokens[token_id]
            and base_tokens[token_id] not in tuned_ids
            and tuned_tokens[token_id] not in base_ids
        ],
        more(CHECK, "vocab.renamed", Severity.ERROR, "ids renamed"),
    )
    findings += capped(
        [
            _moved(base, tuned, token, base_ids[token], tuned_ids[token])
            for token in sorted(base_ids, key=base_ids.__getitem__)
            if token in tuned_ids and base_ids[token] != tuned_ids[token]
        ],
        more(CHECK, "vocab.moved", Severity.ERROR, "tokens moved"),
    )
    findings += capped(
        [
            _dropped(base, token_id)
            for token_id in sorted(base_tokens)
            if base_tokens[token_id] not in tuned_ids and token_id not in tuned_tokens
        ],
        more(CHECK, "vocab.dropped", Severity.ERROR, "tokens dropped"),
    )
    return findings


def _first_id_by_token(id_to_token: dict[int, str]) -> dict[str, int]:
    # highest id first, so the lowest id of a token that several ids spell is the one kept
    return {token: token_id for token_id, token in sorted(id_to_token.items(), reverse=True)}


def _kind(snapshot: TokenizerSnapshot, token_id: int) -> str:
    added = snapshot.added_tokens.get(token_id)
    if added is None:
        return "token"
    return "special token" if added.special else "added token"


def _where(snapshot: TokenizerSnapshot, token_id: int) -> str:
    if token_id in snapshot.added_tokens:
        return f"tokenizer.json: added_tokens[id={token_id}]"
    return f"tokenizer.json: model.vocab[id={token_id}]"


def _rows(snapshot: TokenizerSnapshot) -> int | None:
    """config.json's vocab_size (text_config's for multimodal configs), when the files say."""
    config = snapshot.model_config or {}
    size = config.get("vocab_size") or (config.get("text_config") or {}).get("vocab_size")
    return int(size) if isinstance(size, int) else None


def _added(base: TokenizerSnapshot, tuned: TokenizerSnapshot, token_id: int) -> Finding:
    token = tuned.id_to_token[token_id]
    kind = _kind(tuned, token_id)
    where = _where(tuned, token_id)
    if token_id in base.id_to_token:  # the base token of this id moved elsewhere (reported as a move)
        return Finding(
            CHECK,
            "vocab.added",
            Severity.ERROR,
            f"tuned adds {kind} {q(token)} at id {token_id}, the id of {q(base.id_to_token[token_id])} in base; "
            f"row {token_id} was trained for that token",
            where=where,
            base={"id": token_id, "content": base.id_to_token[token_id]},
            tuned={"id": token_id, "content": token},
            fix=_RESTORE,
        )
    if token_id >= base.length:
        rows = _rows(base)
        if rows is not None and token_id < rows:
            consequence = (
                f"the model has {rows:,} embedding rows, so row {token_id} exists but was never trained for it"
            )
        else:
            consequence = "so a model sized for base has no embedding row for it"
        return Finding(
            CHECK,
            "vocab.added-beyond-base",
            Severity.ERROR,
            f"tuned adds {kind} {q(token)} at id {token_id}; base has ids 0-{base.length - 1}, {consequence}",
            where=where,
            base=None,
            tuned={"id": token_id, "content": token},
            fix=f"{_RESTORE}, or resize and train the embeddings and output layer to cover id {token_id}",
        )
    return Finding(
        CHECK,
        "vocab.added",
        Severity.ERROR,
        f"tuned adds {kind} {q(token)} at id {token_id}, an id base leaves unused; "
        "text containing it now encodes differently",
        where=where,
        tuned={"id": token_id, "content": token},
        fix=f"{_RESTORE}, or train the embedding row {token_id} for it",
    )


def _renamed(base: TokenizerSnapshot, tuned: TokenizerSnapshot, token_id: int) -> Finding:
    before, after = base.id_to_token[token_id], tuned.id_to_token[token_id]
    return Finding(
        CHECK,
        "vocab.renamed",
        Severity.ERROR,
        f"id {token_id} is {q(before)} in base but {q(after)} in tuned: the token was renamed in place, "
        f"so {q(before)} in text is split into pieces and row {token_id} now means {q(after)}",
        where=_where(tuned, token_id),
        base={"id": token_id, "content": before},
        tuned={"id": token_id, "content": after},
        fix=f"{_RESTORE} (renaming tokens in place, e.g. to map a chat template's stop word onto eos, "
        "changes what the model's rows mean)",
    )


def _moved(base: TokenizerSnapshot, tuned: TokenizerSnapshot, token: str, base_id: int, tuned_id: int) -> Finding:
    beyond = f"; id {tuned_id} is past base's last id {base.length - 1}" if tuned_id >= base.length else ""
    return Finding(
        CHECK,
        "vocab.moved",
        Severity.ERROR,
        f"{q(token)} is id {base_id} in base but id {tuned_id} in tuned{beyond}: the model's rows are "
        "indexed by id, so the token now reads another token's row",
        where=_where(tuned, tuned_id),
        base={"id": base_id, "content": token},
        tuned={"id": tuned_id, "content": token},
        fix=_RESTORE,
    )


def _dropped(base: TokenizerSnapshot, token_id: int) -> Finding:
    token = base.id_to_token[token_id]
    return Finding(
        CHECK,
        "vocab.dropped",
        Severity.ERROR,
        f"tuned drops {_kind(base, token_id)} {q(token)} (id {token_id} in base): text containing it "
        "now encodes differently and the model can no longer produce it",
        where=_where(base, token_id),
        base={"id": token_id, "content": token},
        fix=_RESTORE,
    )
