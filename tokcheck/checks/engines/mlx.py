"""MLX-LM: reads generation_config.json for its eos_token_id only (mlx_lm/utils.py load_config,
mlx-lm 0.32.2); its sampling defaults are its own command-line defaults, whatever the file says."""

from tokcheck.checks.engines.engine import Engine

MLX = Engine(
    name="MLX-LM",
    source="mlx_lm/utils.py load_config (mlx-lm 0.32.2)",
    rule="no sampling default is read from generation_config.json",
)
