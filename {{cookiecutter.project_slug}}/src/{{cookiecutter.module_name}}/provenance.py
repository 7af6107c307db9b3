"""Where results came from: the code's git commit and the data's DVC hash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from . import paths


def _git(*args: str, root: Path) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def git_commit(root: Path = paths.ROOT) -> str:
    """The commit the code was at, marked when there were uncommitted changes."""
    try:
        commit = _git("rev-parse", "--short=12", "HEAD", root=root)
        dirty = _git("status", "--porcelain", "--untracked-files=no", root=root)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git repository, or no commit yet)"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def data_hash(raw: Path = paths.RAW_DATA, root: Path = paths.ROOT) -> str:
    """The MD5 that DVC recorded for the raw data, from dvc.lock or a ``.dvc`` file."""
    relative = raw.relative_to(root).as_posix()
    candidates = [root / "dvc.lock", raw.with_name(raw.name + ".dvc")]
    for path in candidates:
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        stages = document.get("stages", {"": document}).values()
        for stage in stages:
            for out in stage.get("outs", []):
                if out.get("path") in (relative, raw.name) and "md5" in out:
                    return f"md5:{out['md5']}"
    return "not yet recorded by DVC"
