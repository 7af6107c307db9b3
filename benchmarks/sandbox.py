"""A throw-away folder and environment for measured commands, as on a learner's machine.

Every tool's home, temp and cache folder points inside the sandbox (as in tests/conftest.py),
so the benchmark leaves nothing behind and starts from the same state every time. uv's
package cache is the sandbox's own: "warm" means filled by the warm-up run, "cold" a fresh
empty folder per run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path

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
