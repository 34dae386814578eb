"""vLLM: since 0.8 (`--generation-config auto`, the default, PR #12622) the server and
LLM take repetition_penalty, temperature, top_k, top_p, min_p and max_new_tokens (as max_tokens)
from the model's generation_config.json as the default sampling of every request
(vllm/config/model.py, ModelConfig.get_diff_sampling_param); absent keys keep SamplingParams'
neutral defaults (vllm/sampling_params.py). do_sample is not read."""

from tokcheck.checks.engines.engine import Engine

VLLM = Engine(
    name="vLLM",
    source="vllm/config/model.py ModelConfig.get_diff_sampling_param; vllm/sampling_params.py",
    rule="--generation-config auto (the default since 0.8) applies them to every request",
    sampling_defaults={
        "temperature": 1.0,
        "top_k": None,  # 0 / -1: no top-k
        "top_p": 1.0,
        "min_p": 0.0,
        "repetition_penalty": 1.0,
        "max_new_tokens": None,  # the context length
    },
)
