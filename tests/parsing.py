"""Parse every rendered file by its type; shared by the fast-tier tests."""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Cookiecutter syntax that should never survive a render. The write-up's own placeholders
# ({{ results_table }} and friends) are meant to stay, so only `cookiecutter.` and block
# tags count.
LEFTOVER = re.compile(r"\{\{-?\s*cookiecutter\.|\{%-?\s*(if|for|raw|endraw|set|now)\b")


def parse(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix
    if suffix == ".py":
        return compile(text, str(path), "exec")
    if suffix in (".json", ".ipynb"):
        return json.loads(text)
    if suffix == ".toml" or path.name == "uv.lock":
        return _toml(text)
    if suffix in (".yaml", ".yml") or path.name in ("dvc.lock",):
        return _yaml(text)
    return None


# Most renders ship the same uv.lock and lock exports. Parsing the 1.5 MB lock takes ~0.15 s
# of CPU, and 56 of the fast tier's 64 TOML parses were of a text already parsed: parse each
# text once per session. Callers only read what these return.
@functools.lru_cache(maxsize=32)
def _toml(text: str) -> dict:
    return tomllib.loads(text)


@functools.lru_cache(maxsize=32)
def _yaml(text: str) -> list:
    return list(yaml.safe_load_all(text))


def leftovers(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    return [m.group(0) for m in LEFTOVER.finditer(text)]
