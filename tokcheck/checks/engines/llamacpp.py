"""llama.cpp (llama-server, llama-cli, and what embeds it: Ollama's runner aside).

Sampling defaults: the converter
copies generation_config.json's top_k, top_p, min_p, temperature and repetition_penalty into the
GGUF's general.sampling.* keys (gguf-py/gguf/metadata.py Metadata.load, as vendored in
llama-cpp-python 0.3.36), and common/common.cpp reads them as the sampling defaults of a model
whose user set none; absent keys keep common_params_sampling's defaults (common/common.h:
temp 0.80, top_k 40, top_p 0.95, min_p 0.05, penalty_repeat 1.00).

Built-in templates: llama_chat_apply_template (what llama-cli, llama-server without --jinja and
the bindings that call it format chats with) does not run a template: it matches the GGUF's
tokenizer.chat_template to one of its built-in formats by substrings (src/llama-chat.cpp
llm_chat_detect_template) and formats with that. A tuned template it maps to another built-in, or
to none where base's maps to one, is served another prompt there, whatever transformers renders.
Found with llama.cpp itself (llama-cpp-python, tokcheck.sources.gguf.llamacpp_runtime)."""

from tokcheck.checks.engines.engine import Engine
from tokcheck.findings import Finding, Severity
from tokcheck.sources.gguf import llamacpp_runtime
from tokcheck.sources.snapshot import TokenizerSnapshot

LLAMACPP = Engine(
    name="llama.cpp (a GGUF converted from it)",
    source="gguf-py/gguf/metadata.py Metadata.load; common/common.h common_params_sampling",
    rule="convert_hf_to_gguf.py writes them as general.sampling.*, which llama.cpp samples with by default",
    sampling_defaults={
        "temperature": 0.8,
        "top_k": 40,
        "top_p": 0.95,
        "min_p": 0.05,
        "repetition_penalty": 1.0,
    },
)


def check_builtin_templates(base: TokenizerSnapshot, tuned: TokenizerSnapshot) -> list[Finding]:
    """Each chat template both sides have and that differs: the built-in llama.cpp matches it to,
    base against tuned (nothing without llama-cpp-python, or where base's matches none)."""
    changed = [name for name in sorted(set(base.chat_templates) & set(tuned.chat_templates))
               if base.chat_templates[name].text != tuned.chat_templates[name].text]
    if not changed or llamacpp_runtime.unavailable() is not None:
        return []
    findings = []
    for name in changed:
        before = llamacpp_runtime.builtin_chat_template(base.chat_templates[name].text)
        after = llamacpp_runtime.builtin_chat_template(tuned.chat_templates[name].text)
        if before is None or before == after:
            continue
        effect = ("it matches tuned's to none, so it cannot format tuned's chats (llama-server without --jinja "
                  "stops at it)" if after is None else f"tuned's to {after!r}, so it formats tuned's chats as {after}")
        findings.append(Finding(
            "chat_template", "template.llamacpp-builtin-changed", Severity.ERROR,
            f"llama.cpp's llama_chat_apply_template (llama-cli, llama-server without --jinja, the bindings that "
            f"call it) matches base's {name} template to its built-in {before!r} but {effect}",
            where=tuned.chat_templates[name].location, base=before, tuned=after,
            fix="keep the markers of base's template that llama.cpp recognises it by, or serve with --jinja",
            evidence={"engines": [LLAMACPP.name]},
        ))
    return findings
