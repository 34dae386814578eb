"""llama.cpp (llama-server, llama-cli, and what embeds it: Ollama's runner aside): the converter
copies generation_config.json's top_k, top_p, min_p, temperature and repetition_penalty into the
GGUF's general.sampling.* keys (gguf-py/gguf/metadata.py Metadata.load, as vendored in
llama-cpp-python 0.3.36), and common/common.cpp reads them as the sampling defaults of a model
whose user set none; absent keys keep common_params_sampling's defaults (common/common.h:
temp 0.80, top_k 40, top_p 0.95, min_p 0.05, penalty_repeat 1.00)."""

from tokcheck.checks.engines.engine import Engine

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
