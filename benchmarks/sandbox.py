"""A throw-away folder and environment for measured commands, as on a learner's machine.

Every tool's home, temp and cache folder points inside the sandbox (as in tests/conftest.py),
so the benchmark leaves nothing behind and starts from the same state every time. uv's
package cache is the sandbox's own: "warm" means filled by the warm-up run, "cold" a fresh
empty folder per run.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TypeVar

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
Result = TypeVar("Result")

# Variables of this shell that would change what is measured.
DROPPED = (
    "VIRTUAL_ENV",
    # Set on these shared machines, unset on a learner's: without .pyc files every Python
    # start compiles its imports again, which would inflate every figure.
    "PYTHONDONTWRITEBYTECODE",
    "UV_CACHE_DIR",
    "UV_COMPILE_BYTECODE",
)


def find_uv() -> str:
    """uv from PATH, else the copy in this Python's environment (a dev dependency)."""
    beside = Path(sys.executable).parent / "uv"
    found = shutil.which("uv") or (str(beside) if beside.exists() else None)
    if not found:
        raise SystemExit("uv is needed: put it on PATH or run `make dev` first")
    return found


@dataclass
class Sandbox:
    root: Path
    uv: str

    def __post_init__(self) -> None:
        self._numbers = count()
        for name in ("home", "tmp", "uv-cache-warm"):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    @classmethod
    def create(cls) -> Sandbox:
        return cls(Path(tempfile.mkdtemp(prefix="bench-")), find_uv())

    def fresh(self, name: str) -> Path:
        """A new empty folder, never reused within this sandbox."""
        folder = self.root / f"{name}-{next(self._numbers)}"
        folder.mkdir()
        return folder

    def env(self, uv_cache: Path | None = None) -> dict[str, str]:
        home, tmp = self.root / "home", self.root / "tmp"
        env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        env.update(
            HOME=str(home),
            TMPDIR=str(tmp),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_CACHE_HOME=str(home / ".cache"),
            PRE_COMMIT_HOME=str(self.root / "pre-commit"),
            UV_CACHE_DIR=str(uv_cache or self.root / "uv-cache-warm"),
            DVC_NO_ANALYTICS="1",
            DVC_SITE_CACHE_DIR=str(tmp / "dvc-site"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Bench Learner",
            GIT_COMMITTER_NAME="Bench Learner",
            GIT_AUTHOR_EMAIL="learner@example.org",
            GIT_COMMITTER_EMAIL="learner@example.org",
            # A study's Makefile finds uv on PATH, as a learner's shell would.
            PATH=os.pathsep.join([str(Path(self.uv).parent), env.get("PATH", "")]),
        )
        return env

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def render(self, folder: Path, **answers: str) -> Path:
        """The template rendered into ``folder`` with ``answers``, as the sandbox's learner."""
        os.environ.update(self.env())  # cookiecutter's replay file and first commit use it
        return Path(
            cookiecutter(str(ROOT), no_input=True, output_dir=str(folder), extra_context=answers)
        )


def measure_each(
    names: list[str], measure: Callable[[str, int, Sandbox], Result], runs: int
) -> dict[str, Result]:
    """``measure(name, runs, sandbox)`` for each name, in one sandbox removed afterwards."""
    sandbox = Sandbox.create()
    try:
        return {name: measure(name, runs, sandbox) for name in names}
    finally:
        sandbox.remove()


def publish(text: str, output: Path) -> None:
    """Write a benchmark's Markdown page and show it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(text)


def machine_line(what: str) -> str:
    """The closing line of a benchmark page: the machine and how loaded it was."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Machine: {platform.platform(terse=True)}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load} (the machine is "
        f"shared: treat the {what} as upper bounds)."
    )
