"""Parse every rendered file by its type; shared by the fast-tier tests.

``parse`` raises when a file is not well-formed for its type and returns what it read:
Python compiles; JSON, TOML and YAML load; Makefiles pass GNU make's own reading (a dry run
of an empty target); shell scripts pass ``bash -n``; Jinja templates compile; Markdown's
front matter is a YAML mapping, every code fence is closed and every relative link points
at a file of the study or one its pipeline writes. Plain-text files (LICENSE, .gitignore,
requirements) have no grammar to check and return None; ``leftovers`` checks all files.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Cookiecutter syntax that should never survive a render. The write-up's own placeholders
# ({{ results_table }} and friends) are meant to stay, so only `cookiecutter.` and block
# tags count.
LEFTOVER = re.compile(r"\{\{-?\s*cookiecutter\.|\{%-?\s*(if|for|raw|endraw|set|now)\b")
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
SHELL_SCRIPTS = {"postBuild"}


class Malformed(ValueError):
    """A file that its format's reader accepts, but that is not what its author meant."""


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
    if path.name == "Makefile":
        return _makefile(path)
    if suffix == ".sh" or path.name in SHELL_SCRIPTS:
        subprocess.run(["bash", "-n", str(path)], check=True, capture_output=True, text=True)
        return text
    if suffix == ".j2":
        return jinja2.Environment().parse(text)
    if suffix == ".md":
        return markdown(path, text)
    if suffix == ".cff":
        citation = yaml.safe_load(text)
        if problems := cff_problems(citation):
            raise ValueError("not valid CFF 1.2.0: " + "; ".join(problems))
        return citation
    return None


@functools.cache
def _cff_validator():
    """The official Citation File Format 1.2.0 schema, as check-jsonschema ships it."""
    from importlib.resources import files

    import jsonschema

    schema = files("check_jsonschema.builtin_schemas.vendor") / "citation-file-format.json"
    validator = jsonschema.Draft7Validator
    return validator(json.loads(schema.read_text("utf-8")), format_checker=validator.FORMAT_CHECKER)


def cff_problems(citation: object) -> list[str]:
    """Every way a CITATION.cff breaks CFF 1.2.0 (what GitHub's citation button reads)."""
    found = _cff_validator().iter_errors(citation)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in found]


# Most renders ship the same uv.lock and lock exports. Parsing the 1.5 MB lock takes ~0.15 s
# of CPU, and 56 of the fast tier's 64 TOML parses were of a text already parsed: parse each
# text once per session. Callers only read what these return.
@functools.lru_cache(maxsize=32)
def _toml(text: str) -> dict:
    return tomllib.loads(text)


@functools.lru_cache(maxsize=32)
def _yaml(text: str) -> list:
    return list(yaml.safe_load_all(text))


def _makefile(path: Path) -> str:
    """GNU make reads the whole file (a syntax error stops it) and runs nothing: the one
    target asked for is an empty one added on the command line."""
    done = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "--eval", "parsing-check: ; @:"]
        + ["-f", path.name, "parsing-check"],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise Malformed(f"make cannot read it: {done.stderr.strip()}")
    return done.stdout


def markdown(path: Path, text: str) -> list:
    """The tokens of a Markdown file, after checking what a reader would trip over."""
    tokens = MARKDOWN.parse(text)
    lines = text.splitlines()
    if text.startswith("---\n"):
        front_matter(text)
    for token in tokens:
        if token.type == "fence":
            start, end = token.map
            closing = lines[end - 1].strip() if end - 1 > start else ""
            fence = token.markup[0]
            if not (closing.startswith(token.markup) and set(closing) == {fence}):
                raise Malformed(f"the code fence on line {start + 1} is never closed")
        for child in token.children or []:
            if child.type == "link_open":
                _check_link(path, child.attrs.get("href", ""))
    return tokens


def front_matter(text: str) -> dict:
    """The YAML block atop a Markdown file, between two --- lines."""
    front = [t for t in MARKDOWN.parse(text) if t.type == "front_matter"]
    if not front:
        raise Malformed("front matter opened with --- but never closed")
    meta = yaml.safe_load(front[0].content)
    if not isinstance(meta, dict):
        raise Malformed("front matter is not a YAML mapping of keys to values")
    return meta


def _check_link(path: Path, href: str) -> None:
    if not href.strip():
        raise Malformed("a link with an empty target")
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:  # a web address, mail, or #anchor
        return
    target = (path.parent / unquote(parts.path)).resolve()
    written = pipeline_outputs(path)
    if target.exists() or any(out == target or out in target.parents for out in written):
        return
    raise Malformed(f"the link to {href!r} points at nothing in the study")


def pipeline_outputs(path: Path) -> set[Path]:
    """What the study's dvc.yaml stages write (paths that exist once it has run)."""
    root = next((p for p in path.resolve().parents if (p / "dvc.yaml").is_file()), None)
    if root is None:
        return set()
    found = set()
    for stage in (
        (yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8")) or {})
        .get("stages", {})
        .values()
    ):
        for key in ("outs", "metrics", "plots"):
            for entry in stage.get(key, []):
                name = next(iter(entry)) if isinstance(entry, dict) else entry
                found.add((root / name).resolve())
    return found


def leftovers(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    return [m.group(0) for m in LEFTOVER.finditer(text)]
