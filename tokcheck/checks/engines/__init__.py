"""What each serving engine does with a checkpoint, one module per engine (transformers, vLLM,
SGLang, llama.cpp, MLX), each stating its rules with the engine's source file and version: the
files it reads and the sampling defaults it applies. The checks here compare each engine's view of
base and of tuned. Pure: configs in, Findings out."""
