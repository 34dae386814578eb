"""SGLang: with `--sampling-defaults model` (the default in python/sglang/srt/server_args.py) the
server takes repetition_penalty, temperature, top_k, top_p and min_p from the model's
generation_config.json as every request's defaults (python/sglang/srt/configs/model_config.py,
ModelConfig.get_default_sampling_params); absent keys keep SamplingParams' neutral defaults."""

from tokcheck.checks.engines.engine import Engine

SGLANG = Engine(
    name="SGLang",
    source="python/sglang/srt/configs/model_config.py ModelConfig.get_default_sampling_params",
    rule="--sampling-defaults model (the default) applies them to every request",
    sampling_defaults={
        "temperature": 1.0,
        "top_k": None,  # -1: no top-k
        "top_p": 1.0,
        "min_p": 0.0,
        "repetition_penalty": 1.0,
    },
)
