"""Refresh the study's lock file from its one dependency list (`make lock`).

The study's ``pyproject.toml`` in the template is the single source of its dependencies.
This renders the default study, runs ``uv lock`` there (universal: every OS, Python
3.10-3.13, from the public index), and writes the lock back into the template with the
project's name turned into a template variable.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "{{cookiecutter.project_slug}}"
LOCK = STUDY / "uv.lock"
SLUG_VARIABLE = "{{ cookiecutter.project_slug }}"
DEFAULT_SLUG = "digits-practice-study"


def render(into: Path) -> Path:
    return Path(
        cookiecutter(str(ROOT), no_input=True, output_dir=str(into), accept_hooks=False)
    )


def templated(lock_text: str) -> str:
    # Only the study's own entry carries its name; everything else is the same for all.
    return re.sub(
        rf'^name = "{DEFAULT_SLUG}"$', f'name = "{SLUG_VARIABLE}"', lock_text, flags=re.M
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest")
    args = parser.parse_args()
    uv = shutil.which("uv") or sys.exit("uv is needed: pip install uv")
    with tempfile.TemporaryDirectory() as tmp:
        study = render(Path(tmp))
        command = [uv, "lock", "--quiet"]
        if args.upgrade:
            command.append("--upgrade")
        subprocess.run(command, cwd=study, check=True)
        text = (study / "uv.lock").read_text(encoding="utf-8")
    LOCK.write_text(templated(text), encoding="utf-8")
    print(f"wrote {LOCK.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
