"""Every flag and ini key of tokcheck, once: the plugin adds them to pytest, `tokcheck diff` adds
the ones it shares to its own parser, and both read them back through the helpers here. A flag
wins over its ini key; relative paths in ini keys are relative to the ini file.

Reading an ini key copes with one quirk: pytest picks its config file from the arguments that are
existing paths, option values included, so ``pytest --tuned /elsewhere/ckpt`` run inside a
project that pins the base in its pyproject.toml reads the wrong file (see inifile)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokcheck.checks.behaviour.settings import DEFAULT_SHARDS, EXAMPLES, QUICK_EXAMPLES, QUICK_SAMPLE
from tokcheck.environment import truthy
from tokcheck.plugin.inifile import find_config

if TYPE_CHECKING:
    import pytest

GROUP = "tokcheck"
GROUP_DESCRIPTION = "tokcheck: tokenizer drift between a base model and a tuned checkpoint"

BASE_OPTION = "--base-tokenizer"
TUNED_OPTION = "--tuned"
TUNED_ALIAS = "--tuned-tokenizer"
REPORT_OPTION = "--tokcheck-report"
STRICT_OPTION = "--tokcheck-strict"
TRUST_REMOTE_CODE_OPTION = "--trust-remote-code"
ALLOW_DOWNLOAD_OPTION = "--tokcheck-allow-download"
NO_SUITE_OPTION = "--tokcheck-no-suite"
NO_ENCODING_CACHE_OPTION = "--tokcheck-no-encoding-cache"
ACCEPT_OPTION = "--tokcheck-accept"
GOLDEN_OPTION = "--tokcheck-golden"
UPDATE_GOLDEN_OPTION = "--tokcheck-update-golden"
TUNED_MODEL_OPTION = "--tuned-model"
BASE_MODEL_OPTION = "--base-model"
EXAMPLES_OPTION = "--tokcheck-examples"
PROFILE_OPTION = "--tokcheck-profile"
SWEEP_SAMPLE_OPTION = "--tokcheck-sweep-sample"
SWEEP_SHARDS_OPTION = "--tokcheck-sweep-shards"
QUICK_OPTION = "--tokcheck-quick"
FULL_SWEEPS_OPTION = "--tokcheck-full-sweeps"
HYPOTHESIS_SEED_DEST = "hypothesis_seed"  # Hypothesis's own --hypothesis-seed

BASE_INI = "tokcheck_base_tokenizer"
TUNED_INI = "tokcheck_tuned_tokenizer"
STRICT_INI = "tokcheck_strict"
ACCEPT_INI = "tokcheck_accept"
GOLDEN_INI = "tokcheck_golden"
TUNED_MODEL_INI = "tokcheck_tuned_model"
BASE_MODEL_INI = "tokcheck_base_model"
MODELFILE_OPTION = "--modelfile"
FIX_OPTION = "--tokcheck-fix"
MODELFILE_INI = "tokcheck_modelfile"


@dataclass(frozen=True)
class Ini:
    name: str
    help: str
    type: str | None = None  # pytest's ini types: None (a string), "bool", "linelist"

    @property
    def default(self) -> Any:
        return {"bool": False, "linelist": []}.get(self.type or "")


@dataclass(frozen=True)
class Option:
    """One setting: its pytest flags, where its value goes, its ini key, and the flag `tokcheck
    diff` takes for it (None: pytest only)."""

    flags: tuple[str, ...]
    dest: str
    help: str
    metavar: str | None = None
    action: str | None = None  # "store_true", "append", or None (a value)
    ini: Ini | None = None
    cli: str | None = None

    @property
    def default(self) -> Any:
        return {"store_true": False, "append": []}.get(self.action or "")

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for addoption / add_argument."""
        arguments: dict[str, Any] = {"dest": self.dest, "help": self.help, "default": self.default}
        if self.action:
            arguments["action"] = self.action
        if self.metavar:
            arguments["metavar"] = self.metavar
        return arguments


BASE = Option((BASE_OPTION,), "tokcheck_base", "base tokenizer: a save_pretrained directory, a tokenizer.json, a hub "
              "id[@revision] from the local Hugging Face cache, or zoo:NAME.", "SPEC",
              ini=Ini(BASE_INI, "base tokenizer spec (relative paths are relative to the ini file)."))
TUNED = Option((TUNED_OPTION, TUNED_ALIAS), "tokcheck_tuned", "tuned (fine-tuned) tokenizer to compare with the base; "
               "same forms as --base-tokenizer. Repeatable, and takes globs ('saves/run1/checkpoint-*') and "
               "training output directories (every checkpoint-N/ folder, then the directory's own save): each "
               "checkpoint gets its own tests, named by its id ([checkpoint-1500]).", "SPEC", "append",
               ini=Ini(TUNED_INI, "tuned tokenizer specs, one per line (relative paths are relative to the ini "
                       "file).", "linelist"))
REPORT = Option((REPORT_OPTION,), "tokcheck_report", "also write the drift report to PATH: JSON, Markdown when "
                "PATH ends in .md, a self-contained HTML page when it ends in .html. Repeatable: one file each "
                "(r.json and r.html).", "PATH", action="append", cli="--report")
STRICT = Option((STRICT_OPTION,), "tokcheck_strict", "warnings fail too, not only errors.", action="store_true",
                ini=Ini(STRICT_INI, "warnings fail too (true/false).", "bool"), cli="--strict")
TRUST_REMOTE_CODE = Option((TRUST_REMOTE_CODE_OPTION,), "tokcheck_trust_remote_code", "allow tokenizers that ship "
                           "their own Python code (auto_map); off by default.", action="store_true",
                           cli="--trust-remote-code")
ALLOW_DOWNLOAD = Option((ALLOW_DOWNLOAD_OPTION,), "tokcheck_allow_download", "download hub ids that are not in the "
                        "local Hugging Face cache (network; off by default).", action="store_true",
                        cli="--allow-download")
NO_SUITE = Option((NO_SUITE_OPTION,), "tokcheck_no_suite", "do not collect tokcheck's built-in regression suite; "
                  "only the fixtures are provided.", action="store_true")
ACCEPT = Option((ACCEPT_OPTION,), "tokcheck_accept", "accept intended drift: findings whose code matches (wildcards "
                "allowed) and whose message contains TEXT are reported as accepted and do not fail. Repeatable.",
                "CODE[:TEXT]", "append", Ini(ACCEPT_INI, "accepted drift, one CODE[:TEXT] pattern per line.", "linelist"),
                cli="--accept")
GOLDEN = Option((GOLDEN_OPTION,), "tokcheck_golden", "compare the tuned tokenizer (or the base, when only it is "
                "given) with the golden files in DIR, recording them on the first run; no base is needed.", "DIR",
                ini=Ini(GOLDEN_INI, "golden-file directory (relative to the ini file)."))
UPDATE_GOLDEN = Option((UPDATE_GOLDEN_OPTION,), "tokcheck_update_golden", "rewrite the golden files from the current "
                       "tokenizer (the run still fails: review the diff).", action="store_true")
TUNED_MODEL = Option((TUNED_MODEL_OPTION,), "tokcheck_tuned_model", "tuned model directory (config.json + "
                     "safetensors or pytorch_model.bin, or a PEFT adapter) whose embedding and output rows are "
                     "checked against the tuned tokenizer; default: the --tuned directory when it holds weights.",
                     "PATH", ini=Ini(TUNED_MODEL_INI, "tuned model directory (relative to the ini file)."))
BASE_MODEL = Option((BASE_MODEL_OPTION,), "tokcheck_base_model", "base model directory, to compare row counts and as "
                    "a PEFT adapter's base; default: the --base-tokenizer directory when it holds weights, or the "
                    "adapter's base_model_name_or_path.", "PATH",
                    ini=Ini(BASE_MODEL_INI, "base model directory (relative to the ini file)."))
MODELFILE = Option((MODELFILE_OPTION,), "tokcheck_modelfile", "the Ollama Modelfile to check against base (its "
                   "TEMPLATE, SYSTEM, PARAMETER stop and sampling); default: a Modelfile in the --tuned directory "
                   "or beside a tuned .gguf.", "PATH", ini=Ini(MODELFILE_INI, "Ollama Modelfile (relative to the ini "
                   "file)."), cli=MODELFILE_OPTION)
EXAMPLES_PER_PROPERTY = Option((EXAMPLES_OPTION,), "tokcheck_examples", "Hypothesis examples per behaviour property "
                               "(default: the profile's: " + ", ".join(f"{name} {count}" for name, count in EXAMPLES.items())
                               + ").", "N")
PROFILE = Option((PROFILE_OPTION,), "tokcheck_profile", "Hypothesis profile of the behaviour checks: dev, ci "
                 "(derandomized; the default when CI=true) or thorough. Projects' own Hypothesis tests keep their "
                 "profile.", "NAME")
SWEEP_SAMPLE = Option((SWEEP_SAMPLE_OPTION,), "tokcheck_sweep_sample", "check a deterministic sample of this fraction "
                      "of each large sweep (vocabulary, code points, ASCII pairs, apostrophes) instead of every input "
                      "(default 1).", "FRACTION")
SWEEP_SHARDS = Option((SWEEP_SHARDS_OPTION,), "tokcheck_sweep_shards", "split each large sweep into N tests, spread "
                      f"over xdist workers by -n (default {DEFAULT_SHARDS}).", "N")
QUICK = Option((QUICK_OPTION,), "tokcheck_quick", f"fast behaviour checks: {EXAMPLES_OPTION} {QUICK_EXAMPLES} and "
               f"{SWEEP_SAMPLE_OPTION} {QUICK_SAMPLE} unless given (for self-tests over many pairs; still catches "
               "pipeline, flag and template drift).", action="store_true")
FULL_SWEEPS = Option((FULL_SWEEPS_OPTION,), "tokcheck_full_sweeps", "encode every sweep input with both tokenizers, "
                     "also those that tuned provably encodes like base (its pipeline is base's but for added tokens "
                     "the input does not contain); slower, the same findings.", action="store_true")

NO_ENCODING_CACHE = Option((NO_ENCODING_CACHE_OPTION,), "tokcheck_no_encoding_cache", "do not keep the base "
                           "side's large sweep encodings in tokcheck's cache directory for the next run (also "
                           "TOKCHECK_NO_ENCODING_CACHE=1); an unwritable cache directory just runs uncached.",
                           action="store_true")
FIX = Option((FIX_OPTION,), "tokcheck_fix", "after a failing run, write a repaired copy of the tuned checkpoint "
             "into OUT (new or empty), as `tokcheck fix BASE TUNED -o OUT` does, and print the command that checks "
             "it.", "OUT")

# In the order `pytest --help` lists them.
OPTIONS: tuple[Option, ...] = (
    BASE, TUNED, REPORT, STRICT, TRUST_REMOTE_CODE, ALLOW_DOWNLOAD, NO_SUITE, ACCEPT, GOLDEN, UPDATE_GOLDEN,
    TUNED_MODEL, BASE_MODEL, MODELFILE, EXAMPLES_PER_PROPERTY, PROFILE, SWEEP_SAMPLE, SWEEP_SHARDS, QUICK,
    FULL_SWEEPS, NO_ENCODING_CACHE, FIX,
)  # fmt: skip


def add_to_pytest(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, GROUP_DESCRIPTION)
    for option in OPTIONS:
        group.addoption(*option.flags, **option.arguments())
        if option.ini is not None:
            parser.addini(option.ini.name, option.ini.help, type=option.ini.type, default=option.ini.default)  # type: ignore[arg-type]


def add_to_argparse(parser: argparse.ArgumentParser, options: tuple[Option, ...]) -> None:
    """The CLI's flags for `options`, with their help and the same dest as in pytest."""
    for option in options:
        assert option.cli is not None, option.dest
        parser.add_argument(option.cli, **option.arguments())


# --- reading them back ------------------------------------------------------------------------


def option_or_ini(config: pytest.Config, option: Option) -> tuple[str, Path] | None:
    """A path-like setting and the directory it is relative to: the flag (relative to the
    invocation directory) wins over the ini key (relative to its file)."""
    flag = config.getoption(option.dest)
    if flag:
        return str(flag), config.invocation_params.dir
    if option.ini is None:
        return None
    value, ini_dir = ini_value(config, option.ini)
    if value:
        return str(value).strip(), ini_dir
    return None


def option_or_ini_list(config: pytest.Config, option: Option) -> tuple[list[tuple[str, Path]], bool]:
    """A repeatable path-like setting: each value with the directory it is relative to, and
    whether they came from the command line (the flags win over the ini key's lines)."""
    flags = [str(value).strip() for value in config.getoption(option.dest) or [] if str(value).strip()]
    if flags:
        return [(value, config.invocation_params.dir) for value in flags], True
    if option.ini is None:
        return [], False
    value, ini_dir = ini_value(config, option.ini)
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    return [(line.strip(), ini_dir) for line in lines if str(line).strip()], False


def ini_value(config: pytest.Config, ini: Ini) -> tuple[Any, Path]:
    """An ini value and the directory of the file it came from; read from the invocation
    directory's config file when pytest missed it (see _config_pytest_missed)."""
    value = config.getini(ini.name)
    if value:
        return value, config.inipath.parent if config.inipath else config.rootpath
    found = _config_pytest_missed(config)
    if found is None or ini.name not in found[1]:
        return value, config.rootpath
    raw = found[1][ini.name]
    if ini.type == "linelist":
        raw = raw if isinstance(raw, list) else [line.strip() for line in str(raw).splitlines() if line.strip()]
    elif ini.type == "bool":
        raw = raw if isinstance(raw, bool) else truthy(raw)
    return raw, found[0].parent


def _config_pytest_missed(config: pytest.Config) -> tuple[Path, dict[str, Any]] | None:
    """The config file of the invocation directory, when pytest chose another one (or none)
    because an option value such as `--tuned /elsewhere/ckpt` looked like a path to it."""
    found = find_config(config.invocation_params.dir)
    if found is None or found[0] == config.inipath:
        return None
    return found
