"""Jinja filters that let free-text answers land safely in any file format.

Cookiecutter loads this module through ``_extensions`` in cookiecutter.json. Each filter
turns an answer into a literal of one format, so quotes, colons, ``#``, backslashes, YAML
words such as ``no`` and emoji all read back unchanged.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

from jinja2.ext import Extension

# Names a study package must not shadow: what the study imports, besides the stdlib.
DEPENDENCY_MODULES = frozenset(
    """dvc git jinja2 joblib jupyter jupytext markdown_it matplotlib nbclient numpy pandas
    pytest scipy sklearn test tests yaml ipykernel pooch pandera pyarrow dask distributed
    """.split()
)


def reserved_module_names() -> frozenset[str]:
    return DEPENDENCY_MODULES | frozenset(sys.stdlib_module_names)


def module_name(slug: str) -> str:
    """A valid, importable package name derived from a slug (never an error)."""
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", slug).strip("_").lower() or "study"
    if name[0].isdigit():
        name = f"study_{name}"
    if keyword.iskeyword(name) or name in reserved_module_names():
        name = f"{name}_study"
    return name


def _escape_chars(text: str, allowed: callable) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif allowed(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def toml_string(value: object) -> str:
    """A TOML basic string; control characters are escaped, everything else kept."""
    return _escape_chars(str(value), lambda ch: ch >= " " and ch != "\x7f")


def yaml_string(value: object) -> str:
    """A YAML double-quoted scalar, so words like ``no`` or ``null`` stay strings."""

    def printable(ch: str) -> bool:
        code = ord(ch)
        return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
                or code >= 0x10000) and code != 0xFEFF

    return _escape_chars(str(value), printable)


def json_string(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def python_string(value: object) -> str:
    return repr(str(value))


class SafeText(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            module_name=module_name,
            toml=toml_string,
            yaml=yaml_string,
            json_str=json_string,
            py=python_string,
        )
        environment.globals["reserved_module_names"] = reserved_module_names
