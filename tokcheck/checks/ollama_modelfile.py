"""The Ollama Modelfile an export writes beside a checkpoint or its GGUF (drift class 38), against
base's Hugging Face chat template, default system prompt, stop set and sampling defaults.

- TEMPLATE: the fixed transcripts that end with a user turn, rendered as Ollama's /api/chat does
  (tokcheck.checks.engines.ollama: Go text/template semantics, the Modelfile's SYSTEM as the default
  system message) and tokenized by tuned as Ollama's runner tokenizes a prompt (llama.cpp adds the
  BOS token itself: `_ollama_ids`), against base's render with a generation prompt, tokenized by base
  as apply_chat_template does (no special tokens added). A difference is an error naming the first differing token. Left out: the transcript whose
  content has edge whitespace (Llama 3.1's template trims it with Jinja's `trim`, which Go templates
  cannot do) and the tool transcripts (a Modelfile's tool format is its own).
- SYSTEM: where set, base's render without a system message must equal its render with SYSTEM as
  the system message (else SYSTEM is not base's default: an error); where not set and base's
  template writes a default system prompt, Ollama renders none: an error.
- PARAMETER stop: the token base's template ends an assistant turn with must be among them (an
  error); a stop base's configs do not stop at is a warning; none at all is info (Ollama then stops
  at the GGUF's end-of-generation tokens only).
- temperature, top_p, top_k, repeat_penalty, min_p: the value Ollama samples with (the PARAMETER, else its
  own default, api/types.go DefaultOptions) against base's generation_config.json: a warning with
  both values. num_ctx above base's max_position_embeddings: a warning; below it: info.
- No TEMPLATE: info saying what Ollama does instead (see engines/ollama.py); the GGUF's own chat
  template is what the chat_template check compares.
- MESSAGE lines: info (Ollama puts them before every chat; a few-shot history is the Modelfile
  author's choice, so the renders are compared without them)."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokcheck.checks.engines.gotemplate import GoTemplateError
from tokcheck.checks.engines.ollama import (
    OLLAMA_DEFAULTS,
    SAMPLING_PARAMETERS,
    OllamaTemplate,
    prefers_chat_template,
    render_chat,
)
from tokcheck.display import describe_ids_mismatch, escaped, first_difference
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.session import Side
from tokcheck.sources.modelfile import Modelfile, find_modelfile, read_modelfile

if TYPE_CHECKING:
    from tokcheck.inputs.transcripts import Transcript

CHECK = "ollama"
_PROBE_USER = {"role": "user", "content": "Hello!"}
_MAX_PIECES = 256  # token boxes drawn per side


def modelfile_path(tuned: Side, given: Path | None) -> Path | None:
    """`--modelfile PATH` where given (it must exist), else a Modelfile in the tuned directory or
    beside a tuned .gguf."""
    if given is not None:
        if not given.is_file():
            raise TokcheckUsageError(f"--modelfile {given}: no such file")
        return given
    return find_modelfile(tuned.source.path)


def check_ollama_modelfile(base: Side, tuned: Side, given: Path | None = None) -> list[Finding]:
    path = modelfile_path(tuned, given)
    if path is None:
        return []
    modelfile = read_modelfile(path)
    where = str(path)
    found: list[Finding] = []
    template_text = modelfile.template
    if template_text is None:
        found.append(_no_template(tuned, where))
    else:
        try:
            template = OllamaTemplate(template_text)
        except GoTemplateError as error:
            raise TokcheckUsageError(f"{where}: Ollama cannot parse its TEMPLATE: {error}") from None
        found += _overridden(tuned, template, where)
        system_findings = _system(base, modelfile, where)
        found += system_findings
        found += _renders(base, tuned, template, modelfile.system, where, skip_system_only=bool(system_findings))
    found += _stops(base, modelfile, where)
    found += _sampling(base, modelfile, where)
    if modelfile.messages():
        found.append(Finding(CHECK, "ollama.messages-prepended", Severity.INFO,
                             f"the Modelfile's {len(modelfile.messages())} MESSAGE line(s) go before every chat under "
                             "Ollama (server/routes.go ChatHandler); the renders above are compared without them",
                             where=f"{where}: MESSAGE", tuned=[f"{r}: {c}" for r, c in modelfile.messages()]))
    return found


def _overridden(tuned: Side, template: OllamaTemplate, where: str) -> list[Finding]:
    """Info where Ollama since v0.30.11 renders the model's own chat template (the one its GGUF
    carries: tuned's) in place of this TEMPLATE; the TEMPLATE still rules older Ollama and
    OLLAMA_GO_TEMPLATE=1, so its findings stand."""
    entry = tuned.snapshot.chat_templates.get("default")
    prefer, why = prefers_chat_template(template, entry.text if entry is not None else None)
    if not prefer:
        return []
    return [Finding(CHECK, "ollama.template-overridden", Severity.INFO,
                    f"Ollama v0.30.11 and later render the model's own chat template in place of this TEMPLATE ({why}; "
                    "server/images.go shouldPreferChatTemplate) unless OLLAMA_GO_TEMPLATE is set; earlier Ollama and "
                    "OLLAMA_GO_TEMPLATE=1 use the TEMPLATE, which the findings here judge",
                    where=f"{where}: TEMPLATE")]


def _encode(side: Side, text: str) -> list[int]:
    return list(side.tokenizer.encode(text, add_special_tokens=False))


def _ollama_ids(tuned: Side, text: str) -> list[int]:
    """The ids Ollama's runner feeds the model for a rendered prompt. Ollama v0.33.0-rc2 sends the
    text to llama-server's /completion (llm/llama_server.go), which tokenizes it with add_special and
    parse_special: llama.cpp adds BOS (and EOS) where the GGUF's add_bos_token (add_eos_token) says
    so, even when the text already starts with one. Only a literal leading "<bos>" is stripped first
    (completionPrompt, for a model whose tokenizer adds BOS). What tuned's tokenizer adds around a
    text stands for the GGUF's flags (the GGUF checks compare those with the files)."""
    plain = _encode(tuned, "a")
    special = list(tuned.tokenizer.encode("a", add_special_tokens=True))
    at = next((i for i in range(len(special) - len(plain) + 1) if special[i:i + len(plain)] == plain), 0)
    before, after = special[:at], special[at + len(plain):]
    if before:
        text = text.removeprefix("<bos>")
    return [*before, *_encode(tuned, text), *after]


def _hf(base: Side, messages: list[dict[str, Any]]) -> str | None:
    """Base's render with a generation prompt; None where its template rejects these messages."""
    from tokcheck.inputs.transcripts import rendered_text  # imported here: it imports Hypothesis

    return rendered_text(base.tokenizer, messages, add_generation_prompt=True)


def _compared() -> list[Transcript]:
    from tokcheck.inputs.transcripts import FIXED_TRANSCRIPTS

    return [t for t in FIXED_TRANSCRIPTS if t.messages[-1]["role"] == "user" and t.tools is None
            and t.name != "whitespace-edges"]


def _renders(base: Side, tuned: Side, template: OllamaTemplate, system: str | None, where: str,
             skip_system_only: bool) -> list[Finding]:
    for transcript in _compared():
        if skip_system_only and transcript.messages[0]["role"] != "system":
            continue  # the SYSTEM finding already names why these differ
        expected = _hf(base, transcript.messages)
        if expected is None:
            continue
        try:
            ollama = render_chat(template, transcript.messages, system)
        except GoTemplateError as error:
            return [Finding(CHECK, "ollama.template-fails", Severity.ERROR,
                            f"Ollama's rendering of the Modelfile's TEMPLATE fails on the {transcript.name!r} "
                            f"transcript: {error}", where=f"{where}: TEMPLATE")]
        base_ids, tuned_ids = _encode(base, expected), _ollama_ids(tuned, ollama)
        if first_difference(base_ids, tuned_ids) is None:
            continue
        return [_render_differs(base, tuned, transcript, expected, ollama, base_ids, tuned_ids, where)]
    return []


def _render_differs(base: Side, tuned: Side, transcript: Transcript, expected: str, ollama: str,
                    base_ids: list[int], tuned_ids: list[int], where: str) -> Finding:
    described = describe_ids_mismatch(escaped(transcript.messages[-1]["content"]), base_ids, tuned_ids,
                                      base.tokenizer, tuned.tokenizer, labels=("base's HF template", "Ollama"))
    pieces = _pieces(base.tokenizer, base_ids), _pieces(tuned.tokenizer, tuned_ids)
    bos = getattr(tuned.tokenizer, "bos_token_id", None)
    doubled = bos is not None and tuned_ids[:2] == [bos, bos] and base_ids[:2] != [bos, bos]
    why = (": its prompt starts with two BOS tokens, the one llama.cpp adds (the GGUF's add_bos_token) and the "
           "one the TEMPLATE writes" if doubled else
           ": the Modelfile's TEMPLATE (with its SYSTEM as the default system) is not the model's prompt format")
    return Finding(
        CHECK, "ollama.template-renders-differ", Severity.ERROR,
        f"Ollama renders the {transcript.name!r} chat differently from base's chat template{why}",
        where=f"{where}: TEMPLATE",
        base=base_ids, tuned=tuned_ids,
        fix=("remove the BOS token from the start of TEMPLATE: llama.cpp adds it" if doubled else
             "write TEMPLATE from the checkpoint's own chat template (Ollama's Go template syntax), not from "
             "the exporter's table of templates"),
        detail="\n".join([*replace(transcript, add_generation_prompt=True).lines(), *described.splitlines()[1:],
                          f"base's HF render: {escaped(expected)}", f"Ollama's render:  {escaped(ollama)}"]),
        evidence={"tokens": {"base": pieces[0], "tuned": pieces[1]}},
    )


def _pieces(tokenizer: Any, ids: list[int]) -> dict[str, Any]:
    """The report's token boxes ({"ids", "tokens", "pieces", "special", "cut"}, the form of
    behaviour/pieces.py token_pieces, which this check cannot import: the behaviour checks import the
    session that runs this one): each id's share of the decoded text, its name and special flag."""
    cut, ids = max(0, len(ids) - _MAX_PIECES), ids[:_MAX_PIECES]
    # The ids are the tokenizer's own encoding of a render: each decodes and has a name.
    prefixes = [str(tokenizer.decode(ids[:k], skip_special_tokens=False)) for k in range(len(ids) + 1)]
    names = [str(name) for name in tokenizer.convert_ids_to_tokens(ids)]
    special = set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
    pieces = [after[len(before):] if after.startswith(before) else names[k]
              for k, (before, after) in enumerate(pairwise(prefixes))]
    return {"ids": ids, "tokens": names, "pieces": pieces, "special": [i in special for i in ids], "cut": cut}


def _system(base: Side, modelfile: Modelfile, where: str) -> list[Finding]:
    default = _hf(base, [_PROBE_USER])
    if default is None:
        return []
    system = modelfile.system
    if system is not None:
        with_system = _hf(base, [{"role": "system", "content": system}, _PROBE_USER])
        if with_system is None or with_system == default:
            return []
        return [Finding(CHECK, "ollama.system-differs", Severity.ERROR,
                        f"the Modelfile's SYSTEM {escaped(system)} is not the default system prompt of base's chat "
                        "template: under Ollama every chat without a system message gets it",
                        where=f"{where}: SYSTEM", base=default, tuned=with_system,
                        fix="set SYSTEM to the default system prompt of the checkpoint's chat template, or remove it "
                            "where the template has none")]
    if _hf(base, [{"role": "system", "content": ""}, _PROBE_USER]) not in (default, None):
        # Base's template writes a system prompt of its own when none is given; Ollama will not.
        return [Finding(CHECK, "ollama.system-missing", Severity.ERROR,
                        "the Modelfile has no SYSTEM while base's chat template writes a default system prompt: "
                        "under Ollama a chat without a system message gets none",
                        where=where, base=default, fix="set SYSTEM to the checkpoint template's default system prompt")]
    return []


def _stops(base: Side, modelfile: Modelfile, where: str) -> list[Finding]:
    from tokcheck.inputs.transcripts import Transcript, renders_chat
    from tokcheck.inputs.turn_end import closing_token, with_final_needle

    stops = modelfile.parameters().get("stop", [])
    if not stops:
        return [Finding(CHECK, "ollama.no-stop", Severity.INFO,
                        "the Modelfile sets no PARAMETER stop: Ollama stops at the GGUF's end-of-generation tokens only",
                        where=where)]
    snapshot = base.snapshot
    eos = getattr(base.tokenizer, "eos_token_id", None)
    base_stops = {str(base.tokenizer.convert_ids_to_tokens(i)) for i in snapshot.stop_ids(eos)}
    found = []
    turn_end = None
    if renders_chat(base.tokenizer):
        turn_end_id = closing_token(base.tokenizer, with_final_needle(Transcript([_PROBE_USER])))[0]
        turn_end = None if turn_end_id is None else str(base.tokenizer.convert_ids_to_tokens(turn_end_id))
    if turn_end is not None and turn_end not in stops:
        found.append(Finding(CHECK, "ollama.stop-missing-turn-end", Severity.ERROR,
                             f"PARAMETER stop lacks {turn_end!r}, the token base's chat template ends every assistant "
                             "turn with: under Ollama the model runs on past its answer",
                             where=f"{where}: PARAMETER stop", base=sorted(base_stops), tuned=stops,
                             fix=f'add PARAMETER stop "{turn_end}"'))
    extra = [stop for stop in stops if stop not in base_stops and stop != turn_end]
    if extra:
        found.append(Finding(CHECK, "ollama.stop-extra", Severity.WARNING,
                             f"PARAMETER stop {extra} are not among base's stop tokens {sorted(base_stops)}: "
                             "Ollama cuts the output wherever the text contains one",
                             where=f"{where}: PARAMETER stop", base=sorted(base_stops), tuned=stops,
                             fix="keep only the checkpoint's own end-of-turn and end-of-text tokens"))
    return found


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _sampling(base: Side, modelfile: Modelfile, where: str) -> list[Finding]:
    params = modelfile.parameters()
    config = base.snapshot.generation_config or {}
    found = []
    for parameter, key in SAMPLING_PARAMETERS.items():
        if config.get(key) is None:
            continue
        given = params.get(parameter)
        value = _number(given[-1]) if given else OLLAMA_DEFAULTS[parameter]
        if value is None or value == float(config[key]):
            continue
        source = f"PARAMETER {parameter} {given[-1]}" if given else f"no PARAMETER {parameter}: Ollama's default {value:g}"
        found.append(Finding(CHECK, "ollama.sampling-differs", Severity.WARNING,
                             f"Ollama samples with {parameter} {value:g} ({source}) where base's generation_config.json "
                             f"sets {key} {config[key]}",
                             where=f"{where}: PARAMETER {parameter}", base=config[key], tuned=value,
                             fix=f"PARAMETER {parameter} {config[key]}"))
    context = (base.snapshot.model_config or {}).get("max_position_embeddings")
    num_ctx = _number(params["num_ctx"][-1]) if params.get("num_ctx") else None
    if isinstance(context, int) and num_ctx is not None and num_ctx != context:
        larger = num_ctx > context
        found.append(Finding(CHECK, "ollama.num-ctx-beyond-context" if larger else "ollama.num-ctx-below-context",
                             Severity.WARNING if larger else Severity.INFO,
                             f"PARAMETER num_ctx {num_ctx:g} is {'above' if larger else 'below'} base's context length "
                             f"{context} (config.json max_position_embeddings)"
                             + (": Ollama runs the model past the positions it was trained on" if larger else ""),
                             where=f"{where}: PARAMETER num_ctx", base=context, tuned=num_ctx))
    return found


def _no_template(tuned: Side, where: str) -> Finding:
    if tuned.snapshot.chat_templates:
        return Finding(CHECK, "ollama.no-template", Severity.INFO,
                       "the Modelfile has no TEMPLATE: Ollama takes the model's tokenizer.chat_template and uses the "
                       "built-in template closest to it (Levenshtein distance under 100, template/index.json), else "
                       "renders the Jinja template itself; the chat_template check compares that template with base's",
                       where=where)
    return Finding(CHECK, "ollama.no-template", Severity.ERROR,
                   "the Modelfile has no TEMPLATE and the model no chat template: Ollama renders only "
                   "{{ .Prompt }} (template.DefaultTemplate), with no chat markers at all",
                   where=where, fix="add a TEMPLATE written from base's chat template")
