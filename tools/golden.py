"""Render the canonical study and store it as the golden snapshot (`make golden`).

tests/test_golden.py renders the same study (every answer at its default) and compares it
with tests/golden/, so every change to what the template renders shows up as a reviewable
diff. After an intended change: run `make golden`, read `git diff tests/golden`, and commit
the snapshot with the change.

What varies from one render to the next is replaced by a placeholder: the licence year and,
in .cruft.json, the template's address and commit. Files that are not text, and the pin files
`make lock` writes (uv.lock, requirements.txt, ...: tools/lock.py's PIN_FILES), are kept as a
SHA-256 in tests/golden/CHECKSUMS: a change to them shows as a changed checksum, and
tests/test_environments.py checks their content against uv.lock.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lock import PIN_FILES  # noqa: E402 - tools/lock.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
CHECKSUMS = GOLDEN / "CHECKSUMS"
YEAR = re.compile(r"(Copyright (?:\(c\) )?)\d{4}")


@dataclass(frozen=True)
class Digest:
    """A file kept as its SHA-256 only."""

    sha256: str


def normalise(relative: str, text: str) -> str:
    if relative == "LICENSE":
        return YEAR.sub(r"\g<1><year>", text)
    if relative == ".cruft.json":
        state = json.loads(text)
        state.update(template="<template>", commit="<commit>")
        state["context"]["cookiecutter"].update(_template="<template>", _commit="<commit>")
        return json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    return text


def snapshot(study: Path) -> dict[str, str | Digest]:
    """{path: normalised text or Digest} for every file the study's git tracks."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=study, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    files = {}
    for relative in sorted(filter(None, tracked)):
        data = (study / relative).read_bytes().replace(b"\r\n", b"\n")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or any(fnmatch.fnmatch(relative, p) for p in PIN_FILES):
            files[relative] = Digest(hashlib.sha256(data).hexdigest())
        else:
            files[relative] = normalise(relative, text)
    return files


def stored() -> dict[str, str | Digest]:
    """The committed snapshot, in the form snapshot() returns."""
    files = {}
    for line in CHECKSUMS.read_text(encoding="utf-8").splitlines():
        digest, relative = line.split("  ", 1)
        files[relative] = Digest(digest)
    for path in GOLDEN.rglob("*"):
        if path.is_file() and path != CHECKSUMS:
            relative = path.relative_to(GOLDEN / "study").as_posix()
            files[relative] = path.read_bytes().replace(b"\r\n", b"\n").decode("utf-8")
    return dict(sorted(files.items()))


def store(files: dict[str, str | Digest]) -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    (GOLDEN / "study").mkdir(parents=True)
    sums = []
    for relative, content in files.items():
        if isinstance(content, Digest):
            sums.append(f"{content.sha256}  {relative}\n")
            continue
        target = GOLDEN / "study" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))
    CHECKSUMS.write_text("".join(sums), encoding="utf-8")


def render_canonical(output: Path) -> Path:
    """`cookiecutter --no-input` into output, with a throwaway home and temp folder."""
    home, temp = output / "home", output / "tmp"
    home.mkdir(parents=True)
    temp.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(temp),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Golden",
        "GIT_COMMITTER_NAME": "Golden",
        "GIT_AUTHOR_EMAIL": "golden@example.org",
        "GIT_COMMITTER_EMAIL": "golden@example.org",
    }
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(ROOT), "-o", str(output)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    (study,) = [p for p in output.iterdir() if p.name not in ("home", "tmp")]
    return study


def main() -> None:
    with tempfile.TemporaryDirectory() as output:
        files = snapshot(render_canonical(Path(output)))
    store(files)
    print(
        f"Wrote {len(files)} files to {GOLDEN.relative_to(ROOT)}/: review `git diff "
        f"{GOLDEN.relative_to(ROOT)}` and commit it with the template change."
    )


if __name__ == "__main__":
    main()
