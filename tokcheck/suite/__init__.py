"""tokcheck's built-in regression suite: ordinary pytest modules, one named test per check, collected
by the plugin when a base and a tuned tokenizer are given."""
