"""The session as the checks see it: both sides (tokcheck.session) and the static findings of the
pair, computed once, a changed chat template judged by its renders (tokcheck.checks.template_renders)
and by the built-in format llama.cpp matches it to (tokcheck.checks.engines.llamacpp),
which the behaviour checks also read (they add the tokenizer.json view only where the pipelines
differ). The plugin's tokcheck_session fixture and the CLI hand this out."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from tokcheck.checks.engines.llamacpp import check_builtin_templates
from tokcheck.checks.ollama_modelfile import CHECK as OLLAMA
from tokcheck.checks.ollama_modelfile import check_ollama_modelfile
from tokcheck.checks.static import STATIC_CHECKS, static_findings
from tokcheck.checks.static.gguf_pair import gguf_pair_findings, is_gguf_pair
from tokcheck.checks.template_renders import judged_by_renders
from tokcheck.findings import Finding
from tokcheck.session import TokcheckSession

# The static checks the session computes with the live tokenizers (not from the snapshots alone).
LIVE_STATIC_CHECKS = (OLLAMA,)


class CheckedSession(TokcheckSession):
    @cached_property
    def static(self) -> dict[str, list[Finding]]:
        """Every static check's findings, keyed by check name."""
        base, tuned = self.pair()
        if is_gguf_pair(base, tuned):  # llama.cpp's metadata, compared by llama.cpp's conversion rules
            found = gguf_pair_findings(base, tuned, list(STATIC_CHECKS))
        else:
            found = static_findings(base.snapshot, tuned.snapshot)
            found["chat_template"] = judged_by_renders(found["chat_template"], base, tuned)
        found["chat_template"] = found.get("chat_template", []) + check_builtin_templates(base.snapshot, tuned.snapshot)
        found[OLLAMA] = self.ollama
        return found

    @cached_property
    def ollama(self) -> list[Finding]:
        """The Ollama Modelfile beside tuned (or --modelfile) against base (tokcheck.checks.ollama_modelfile):
        a static check that renders with both live tokenizers, so it is not in STATIC_CHECKS."""
        base, tuned = self.pair()
        given = self.settings.modelfile
        path = None if given is None else (given.relative_to or Path.cwd()) / given.spec
        return check_ollama_modelfile(base, tuned, path)
