"""transformers' generate() (and pipeline("text-generation")): PreTrainedModel.from_pretrained
loads generation_config.json into model.generation_config, whose values every generate() call
starts from (transformers/generation/configuration_utils.py, GenerationConfig.__init__ defaults,
4.57 and 5.x). With do_sample false (its default) it decodes greedily and the sampler keys change
nothing."""

from typing import Any

from tokcheck.checks.engines.engine import Engine

TRANSFORMERS = Engine(
    name="transformers generate()",
    source="transformers/generation/configuration_utils.py GenerationConfig (4.57, 5.x)",
    rule="model.generation_config from generation_config.json, the default of every generate() call",
    sampling_defaults={
        "do_sample": False,
        "temperature": 1.0,
        "top_k": 50,
        "top_p": 1.0,
        "min_p": None,
        "typical_p": 1.0,
        "repetition_penalty": 1.0,
        "max_new_tokens": None,
    },
    greedy_unless_do_sample=True,
)


def syntax_tree(template: str) -> Any:
    """A chat template's syntax tree as transformers' own environment parses it (its
    {% generation %} tag and loop controls included; vLLM reads the same tree), or None when it
    does not parse (transformers cannot render it either)."""
    from jinja2.exceptions import TemplateError
    from transformers.utils.chat_template_utils import _compile_jinja_template

    try:
        return _compile_jinja_template(template).environment.parse(template)
    except TemplateError:
        return None
