"""Exhaustive sweeps: registry.py says what each sweep feeds and how it is sampled and sharded;
run.py runs one shard of one through every view and returns the smallest failing inputs."""
