"""Name the template's Jinja extension module after its content (`make extensions`).

cruft updates a study by rendering the template version it was made from and the newest
one in ONE Python process, and cookiecutter imports the module named in cookiecutter.json's
``_extensions`` by its name: the first version imported stays in ``sys.modules``, so the
other version would run with the wrong filters ("No filter named ..."). The module's file
name therefore ends in a hash of its content, ``local_extensions_<8 hex of sha256>.py``:
two versions with different code never share a name.

``python tools/extension_name.py`` renames the module after an edit and rewrites every
reference to the old name (cookiecutter.json, and any tracked text file that names it);
``--check`` only says whether the name is stale (tests/test_extensions.py does the same).
Tests and tools load the module with :func:`load`, which reads the name from
cookiecutter.json, so they never name the hash.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
COOKIECUTTER_JSON = ROOT / "cookiecutter.json"
STEM = "local_extensions"
# The module's name: the stem, then (after the first rename) the hash of its content.
NAME = re.compile(rf"\b{STEM}(?:_[0-9a-f]{{8}})?\b")
FIX = "make extensions (python tools/extension_name.py)"


def module_name() -> str:
    """The module cookiecutter.json's ``_extensions`` loads (its first entry)."""
    extensions = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))["_extensions"]
    return extensions[0].rsplit(".", 1)[0]


def content_hash(path: Path) -> str:
    """8 hex digits of the SHA-256 of the module's text, line endings as in git (\\n),
    so a Windows checkout (CRLF) gives the same name."""
    text = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(text).hexdigest()[:8]


def expected_name(path: Path) -> str:
    return f"{STEM}_{content_hash(path)}"


def problem() -> str | None:
    """Why the module's name does not fit its content, or None."""
    name = module_name()
    path = ROOT / f"{name}.py"
    if not path.is_file():
        return f"cookiecutter.json loads {name}, but {path.name} does not exist"
    others = sorted(p.name for p in ROOT.glob(f"{STEM}*.py") if p != path)
    if others:
        return f"{', '.join(others)} beside {path.name}: only one extension module may exist"
    if name != expected_name(path):
        return (
            f"{path.name} was edited, so its name no longer carries the hash of its content "
            f"(expected {expected_name(path)}.py): run `{FIX}`"
        )
    return None


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return [
        ROOT / name
        for name in listed
        if name and not name.startswith("tests/golden/") and (ROOT / name).is_file()
    ]


def rename() -> str:
    """Rename the module after its content and update every reference; returns its name."""
    old = module_name()
    path = ROOT / f"{old}.py"
    new = expected_name(path)
    if new == old:
        return new
    path.rename(ROOT / f"{new}.py")
    for file in tracked_text_files():
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        # Only the old full name: prose that says "local_extensions" stays as written.
        updated = re.sub(rf"\b{re.escape(old)}\b", new, text) if old != STEM else text
        if file == COOKIECUTTER_JSON:
            updated = updated.replace(f'"{old}.SafeText"', f'"{new}.SafeText"')
        if updated != text:
            file.write_text(updated, encoding="utf-8")
    return new


def load() -> ModuleType:
    """The template's extension module, imported as cookiecutter imports it."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    return importlib.import_module(module_name())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    args = parser.parse_args()
    if args.check:
        found = problem()
        print(found or f"{module_name()}.py is named after its content")
        return 1 if found else 0
    print(f"The extension module is {rename()}.py")
    found = problem()
    if found:
        print(found, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
