"""The files beside a tokenizer that inference reads as well: the sentence-transformers modules
(modules.json and each module's config), a multimodal processor's files and the Python files
`auto_map` points to. Read as data
only: a .py file's bytes are hashed and kept as text, never imported or run."""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.files import read_json, read_object

# sentence-transformers' own files at the top of a checkpoint (SentenceTransformer.save writes them).
ST_MODULES = "modules.json"
ST_TOP_FILES = ("sentence_bert_config.json", "config_sentence_transformers.json")
# A multimodal processor's files, in both layouts. transformers 4 saves each part in its own file
# (the image processor in preprocessor_config.json, the video processor in
# video_preprocessor_config.json, processor_config.json only for the processor's own kwargs, the
# template in chat_template.json); transformers 5 (processing_utils.py ProcessorMixin.save_pretrained
# and to_dict, 5.24) writes one processor_config.json with each part nested under its attribute name
# ("image_processor", "video_processor") and "processor_class", and the template to chat_template.jinja.
PROCESSOR_FILES = (
    "preprocessor_config.json",
    "processor_config.json",
    "video_preprocessor_config.json",
    "chat_template.json",
)
# The configs that name custom code in an auto_map, and what reads them.
AUTO_MAP_FILES = ("tokenizer_config.json", "config.json")


def read_sentence_transformers(directory: Path, label: str) -> dict[str, Any]:
    """modules.json, sentence_bert_config.json, config_sentence_transformers.json and each module's
    config.json ("1_Pooling/config.json"), by path; empty when the directory has no modules.json
    and no sentence_bert_config.json (not a sentence-transformers checkpoint)."""
    found: dict[str, Any] = {}
    modules_path = directory / ST_MODULES
    if modules_path.is_file():
        modules = read_json(modules_path, label=f"{label}: {ST_MODULES}")
        if not isinstance(modules, list):
            raise TokcheckUsageError(f"{label}: {ST_MODULES}: not a JSON list of modules")
        found[ST_MODULES] = modules
        for module in modules:
            folder = module.get("path") if isinstance(module, dict) else None
            if not isinstance(folder, str) or not folder or not _inside(directory, folder):
                continue  # "" is the Transformer module: the checkpoint's own top-level files
            config = directory / folder / "config.json"
            if config.is_file():
                found[f"{folder}/config.json"] = read_object(config, label=f"{label}: {folder}/config.json")
    for name in ST_TOP_FILES:
        path = directory / name
        if path.is_file():
            found[name] = read_object(path, label=f"{label}: {name}")
    return found


def read_processor(directory: Path, label: str) -> dict[str, Any]:
    """The processor files a directory has, by name, each a JSON object; empty for a text-only checkpoint."""
    return {name: read_object(directory / name, label=f"{label}: {name}")
            for name in PROCESSOR_FILES if (directory / name).is_file()}


def _inside(directory: Path, relative: str) -> bool:
    """Whether a path a file names stays inside the checkpoint (no '..', no absolute path)."""
    parts = Path(relative).parts
    return not Path(relative).is_absolute() and ".." not in parts


@dataclass(frozen=True)
class CodeFile:
    """One .py file custom code needs: where it is named (`named_by`, e.g. "tokenizer_config.json
    auto_map AutoTokenizer"), its sha256 and text (None for both when the file is missing)."""

    name: str
    named_by: str
    sha256: str | None
    text: str | None

    @property
    def present(self) -> bool:
        return self.text is not None


def auto_map_modules(config: dict[str, Any] | None, config_name: str) -> dict[str, str]:
    """The module files an auto_map names ("tokenization_chatglm.py"), each with what names it.
    A reference into another repo ("org/repo--module.Class") has its code there, not here."""
    auto_map = (config or {}).get("auto_map")
    if isinstance(auto_map, (list, tuple)):  # the old tokenizer format: a bare [slow, fast] pair
        auto_map = {"AutoTokenizer": auto_map}
    if not isinstance(auto_map, dict):
        return {}
    found: dict[str, str] = {}
    for auto_class, value in auto_map.items():
        for reference in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(reference, str) or "--" in reference or "." not in reference:
                continue
            module = reference.rpartition(".")[0]
            if module.isidentifier():
                found.setdefault(f"{module}.py", f"{config_name} auto_map {auto_class}")
    return found


def read_custom_code(directory: Path, configs: dict[str, dict[str, Any] | None]) -> dict[str, CodeFile]:
    """Every .py file the configs' auto_maps name, and the files those import relatively (transformers
    copies them with the module), as bytes hashed and text kept; never imported."""
    named: dict[str, str] = {}
    for config_name in AUTO_MAP_FILES:
        for module, by in auto_map_modules(configs.get(config_name), config_name).items():
            named.setdefault(module, by)
    files: dict[str, CodeFile] = {}
    queue = list(named.items())
    while queue:
        name, by = queue.pop(0)
        if name in files:
            continue
        path = directory / name
        if not path.is_file():
            files[name] = CodeFile(name, by, None, None)
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise TokcheckUsageError(f"{directory / name}: cannot read ({error.strerror})") from None
        text = data.decode("utf-8", errors="replace")
        files[name] = CodeFile(name, by, hashlib.sha256(data).hexdigest(), text)
        queue += [(module, f"imported by {name}") for module in relative_imports(text)]
    return files


def relative_imports(text: str) -> list[str]:
    """The sibling modules a file imports (`from .configuration_x import ...`), read from its syntax
    tree as transformers' dynamic_module_utils.get_relative_imports does (by regex there)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module and node.module.isidentifier():
                found.append(f"{node.module}.py")
            elif node.module is None:
                found += [f"{alias.name}.py" for alias in node.names if alias.name.isidentifier()]
    return found


def beside_files(directory: Path) -> list[str]:
    """Every file these readers may read, for a snapshot's content key: the sentence-transformers
    files, the processor files, the config.json of each module folder modules.json names (not any
    subfolder's: a run's checkpoint-N folders are not its modules), and the top-level .py files
    (chat_template.json is a tokenizer file already)."""
    names = [name for name in (ST_MODULES, *ST_TOP_FILES, *PROCESSOR_FILES[:3]) if (directory / name).is_file()]
    names += sorted(f"{folder}/config.json" for folder in _module_folders(directory)
                    if (directory / folder / "config.json").is_file())
    return names + sorted(path.name for path in directory.glob("*.py"))


def _module_folders(directory: Path) -> list[str]:
    """The module folders modules.json names; none where it is missing or unreadable (the snapshot
    reports a bad modules.json; a content key only needs the files it would read)."""
    try:
        modules = json.loads((directory / ST_MODULES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(modules, list):
        return []
    return [module["path"] for module in modules if isinstance(module, dict) and isinstance(module.get("path"), str)
            and module["path"] and _inside(directory, module["path"])]
