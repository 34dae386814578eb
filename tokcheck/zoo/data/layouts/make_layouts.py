"""Regenerate the committed layouts for the zoo's "other major" benign variant: the config files
the installed transformers writes when it re-saves zoo:mistral-v3. Run once per major:

    .venv/bin/python tokcheck/zoo/data/layouts/make_layouts.py      # transformers 5
    .venv457/bin/python tokcheck/zoo/data/layouts/make_layouts.py   # transformers 4
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import transformers

from tokcheck import zoo

if __name__ == "__main__":
    major = transformers.__version__.split(".")[0]
    target = Path(__file__).parent / f"mistral-v3-transformers{major}"
    with tempfile.TemporaryDirectory() as work:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(zoo.path_for("mistral-v3")))
        tokenizer.save_pretrained(work)
        target.mkdir(exist_ok=True)
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            if (Path(work) / name).exists():
                shutil.copyfile(Path(work) / name, target / name)
    print(f"wrote {target} (transformers {transformers.__version__})")
