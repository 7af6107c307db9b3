"""Writing the study's outputs safely, reading them back, Markdown tables, and git."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .paths import ROOT, RUN, shown

# DVC ends a run with advice (git add dvc.lock, core.autostage, dvc push) that the study's
# own last lines replace (kit/changes.py): the study leaves these lines (and blank ones) out.
DVC_ADVICE = re.compile(
    r"^(\s*|To track the changes with git.*|To enable auto staging.*|\s+git add .*"
    r"|\s+dvc config core\.autostage.*|Use `dvc push`.*)$"
)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; move it into place only on success, so a
    crash never leaves a half-written file behind.

    The file gets the usual permissions (0644 under the common umask), not mkstemp's
    owner-only 0600, so a colleague or a web server can read the outputs.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(text: str, target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(data: Any, target: Path) -> None:
    write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", target)


def read_json(path: Path) -> Any:
    if not path.exists():
        raise FileNotFoundError(f"{shown(path)} is missing: run `{RUN} study` first")
    return json.loads(path.read_text(encoding="utf-8"))


def read_yaml(path: Path) -> Any:
    """A YAML file that DVC writes or reads (dvc.lock, dvc.yaml, a .dvc record), read with
    PyYAML's C parser where it has one: eight times faster than the pure-Python parser on
    dvc.lock, which lists every file each stage depends on."""
    import yaml  # here, not above: the command layer imports this module before .venv exists

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; each value stays inside its cell (``|`` and line breaks escaped)."""

    def cell(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(cell, row)) + " |" for row in rows])


def fmt(value: float) -> str:
    """How every score appears in the write-up and the summary: three decimals."""
    return f"{value:.3f}"


def plural(n: int, one: str, many: str) -> str:
    """``1 row``, ``2 rows``: a count with the word that fits it."""
    return f"{n} {one if n == 1 else many}"


def git(*args: str, root: Path = ROOT) -> str:
    """What a git command prints in the study (CalledProcessError when it fails)."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()
