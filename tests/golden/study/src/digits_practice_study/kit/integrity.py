"""Your raw data is what was recorded: a changed file stops the pipeline before prepare, and
a new version is taken only when you say so.

    python -m <package>.kit.integrity check
    python -m <package>.kit.integrity accept

(``check``: run.py study, run.py try and run.py report run it before dvc repro; ``accept``:
run.py accept-data.)

Your own data file is tracked by DVC: ``data/raw/<file>.dvc`` holds its hash and size, and
git keeps that record. Left alone, ``dvc repro`` re-records a changed file without a word
before any stage runs, so a file truncated or damaged by accident would become "the data"
of your next commit. Here instead:

- ``run.py study`` (and ``run.py try``, ``run.py report``) compares the file with its record first.
  A difference stops everything, saying what changed (size, rows, columns, classes, against
  what data/decisions.json recorded), and ``run.py accept-data`` takes the new version
  deliberately: it records it and stages the record for your next commit.
- In a bare ``dvc repro``, DVC has re-recorded the file before prepare starts, so prepare
  compares the record with the one git holds (committed or staged): when they differ, it
  puts git's record back and stops the same way.

Bundled and downloaded data have no such record: the get_data stage writes them again (and
checks a download's checksum), so a changed copy is replaced, never taken.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .decisions import Decisions, DecisionsProblem, Task
from .decisions import parse as parse_decisions
from .files import git, write_text
from .params import read_params
from .paths import DATA_SUMMARY, DECISIONS, RAW_DATA, RAW_RECORD, ROOT, RUN, shown
from .sharing import dvc, missing_data_advice

ACCEPT = f"{RUN} accept-data"
# Reading the table to say how its rows, columns and classes changed: for files up to this
# size (larger ones are described by their size; reading them would take a while).
DESCRIBE_UP_TO = 200 * 2**20
# Where the check remembers the file it last found intact, so an unchanged big file is not
# hashed again on every run: DVC's own folder for such state (git ignores it).
VERIFIED = ROOT / ".dvc" / "tmp" / "raw-data-verified.json"


class DataChanged(SystemExit):
    """The raw data is not what was recorded; the message says what changed and what to do."""


@dataclass(frozen=True)
class Record:
    md5: str
    size: int | None


def parse_record(text: str) -> Record | None:
    """The hash and size a ``.dvc`` file records, or None if it records no file."""
    try:  # every value as text: an MD5 of digits only must not become a number
        document = yaml.load(text, Loader=yaml.BaseLoader) or {}  # noqa: S506 - no objects
    except yaml.YAMLError:
        return None
    outs = document.get("outs") if isinstance(document, dict) else None
    out = outs[0] if isinstance(outs, list) and outs and isinstance(outs[0], dict) else {}
    if not out.get("md5"):
        return None
    size = out.get("size")
    return Record(out["md5"], int(size) if size and size.isdigit() else None)


def git_record(root: Path = ROOT) -> Record | None:
    """The record as git holds it: staged, or else committed (None: git has none)."""
    try:
        return parse_record(git("show", f":{shown(RAW_RECORD)}", root=root))
    except (OSError, subprocess.CalledProcessError):
        return None


def md5_of(path: Path) -> str:
    """The MD5 of a file's bytes, as DVC computes it for a file."""
    digest = hashlib.md5()  # noqa: S324 - DVC's content hash, not a security measure
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stamp(path: Path) -> list[int]:
    found = path.stat()
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def current_md5(path: Path, record: Record, root: Path = ROOT) -> str:
    """The file's MD5, hashed only when it is not the file last found to match ``record``."""
    verified = root / VERIFIED.relative_to(ROOT)
    try:
        last = json.loads(verified.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    if last.get("md5") == record.md5 and last.get("stamp") == stamp(path):
        return record.md5
    found = md5_of(path)
    if found == record.md5:
        write_text(json.dumps({"md5": found, "stamp": stamp(path)}) + "\n", verified)
    return found


def recorded_decisions(root: Path = ROOT) -> Decisions | None:
    """What prepare last recorded about the table: data/decisions.json, or git's copy when a
    failed run took it away; None when there is neither. An older version's file, or a
    damaged one, raises DecisionsProblem: its fields cannot be trusted to mean today's."""
    path = root / DECISIONS.relative_to(ROOT)
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path.exists()
            else git("show", f":{shown(DECISIONS)}", root=root)
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return parse_decisions(text)


def listed(names) -> str:
    return ", ".join(f"`{name}`" for name in names)


def what_changed(record: Record, path: Path = RAW_DATA, root: Path = ROOT) -> list[str]:
    """How the file differs from what was recorded: its size, then (for a readable table of
    moderate size) its rows, columns and classes against data/decisions.json."""
    size = path.stat().st_size
    if record.size is None:
        lines = [f"size: {size:,} bytes now"]
    elif record.size == size:
        lines = [f"size: {size:,} bytes, as recorded, but different bytes"]
    else:
        lines = [f"size: {record.size:,} bytes recorded, {size:,} now"]
    if size and not path.suffix.lower().startswith((".parquet", ".pq")):
        with path.open("rb") as f:
            f.seek(-1, 2)
            if f.read(1) != b"\n":  # a text table ends with a line break: this one was cut
                lines.append("the file ends in the middle of a line (was it cut short?)")
    if size > DESCRIBE_UP_TO:
        return lines
    try:
        before = recorded_decisions(root)
    except DecisionsProblem:
        # Compared as it comes, an older record would report changes that never happened.
        return [
            *lines,
            f"{shown(DECISIONS)} is from an older version of the study, or damaged: the rows, "
            "columns and classes it recorded cannot be compared",
        ]
    if before is None:
        return lines
    from .reading import DataProblem, read_table  # pandas: only when there is a change to tell

    try:
        table = read_table(path, read_params()["data"].get("read"))
    except DataProblem as problem:
        return [*lines, f"it cannot be read as a table any more: {problem}"]
    if before.rows.raw != len(table):
        lines.append(f"rows: {before.rows.raw:,} recorded, {len(table):,} now")
    columns = [c.name for c in before.columns]
    gone = [c for c in columns if c not in table.columns]
    new = [str(c) for c in table.columns if c not in columns]
    if gone:
        lines.append(f"columns gone: {listed(gone)}")
    if new:
        lines.append(f"columns new: {listed(new)}")
    target = before.target
    if before.task is Task.CLASSIFICATION and target in table.columns:
        had = set(before.class_shares)
        has = {str(value) for value in table[target].dropna().unique()}
        if had - has:
            lines.append(f"classes gone: {listed(sorted(had - has))}")
        if has - had:
            lines.append(f"classes new: {listed(sorted(has - had))}")
    return lines


def changed_message(record: Record, changes: list[str], stopped: str) -> str:
    return (
        f"{stopped}: {shown(RAW_DATA)} is not the file that was recorded "
        f"({shown(RAW_RECORD)}, md5 {record.md5}). What changed:\n"
        + "\n".join(f"  - {line}" for line in changes)
        + "\nIf this happened by accident, bring back the recorded version from DVC's cache "
        f"(it replaces the changed file): .venv/bin/dvc checkout --force {shown(RAW_RECORD)}\n"
        f"If it is a new version you want, take it deliberately: {ACCEPT} (it records it, "
        f"and {RUN} study then lists the record with the results to commit)."
    )


def check(root: Path = ROOT) -> None:
    """Before ``dvc repro``: stop (DataChanged) unless the raw file is the recorded one."""
    record_file = root / RAW_RECORD.relative_to(ROOT)
    if not record_file.exists():
        return  # bundled or downloaded data, or your file before the first run.py setup
    record = parse_record(record_file.read_text(encoding="utf-8"))
    raw = root / RAW_DATA.relative_to(ROOT)
    if record is None:
        raise DataChanged(f"{shown(RAW_RECORD)} records no file: {ACCEPT} records it again")
    if not raw.exists():
        raise DataChanged(missing_data_advice(read_params()["data"], root))
    in_git = git_record(root)
    if in_git is not None and in_git != record:
        raise DataChanged(
            f"{shown(RAW_RECORD)} is not the record git holds (md5 {in_git.md5}): it was "
            f"re-recorded (by dvc add, or DVC itself in a dvc repro) without {ACCEPT}.\n"
            + changed_message(in_git, what_changed(in_git, raw, root), "The pipeline stopped")
        )
    if current_md5(raw, record, root) != record.md5:
        raise DataChanged(
            changed_message(record, what_changed(record, raw, root), "The pipeline stopped")
        )


def guard_in_prepare(root: Path = ROOT) -> None:
    """In prepare: stop if DVC re-recorded the raw file, putting git's record back."""
    record_file = root / RAW_RECORD.relative_to(ROOT)
    in_git = git_record(root)
    if in_git is None or not record_file.exists():
        return
    record = parse_record(record_file.read_text(encoding="utf-8"))
    if record == in_git:
        return
    # DVC has just rewritten the record; git's is the accepted one: it goes back in place.
    write_text(git("show", f":{shown(RAW_RECORD)}", root=root) + "\n", record_file)
    # DVC removed prepare's outputs before it started; git's copies of the two it keeps come
    # back, so git shows only what really changed: the raw file.
    gone = [shown(out) for out in (DECISIONS, DATA_SUMMARY) if not (root / shown(out)).exists()]
    if gone:  # no git hooks: the study's post-checkout hook would run DVC inside this run
        restore = ["git", "-c", "core.hooksPath=/dev/null", "checkout", "--", *gone]
        subprocess.run(restore, cwd=root, capture_output=True, check=False)
    raw = root / RAW_DATA.relative_to(ROOT)
    raise DataChanged(
        changed_message(in_git, what_changed(in_git, raw, root), "prepare stopped")
        + f"\n{shown(RAW_RECORD)} is as git holds it again: DVC had re-recorded the new file."
    )


def accept(root: Path = ROOT) -> int:
    """Take the raw file as it is now as the study's data: record it and stage the record."""
    raw, record_file = root / RAW_DATA.relative_to(ROOT), root / RAW_RECORD.relative_to(ROOT)
    if not raw.exists():
        print(missing_data_advice(read_params()["data"], root))
        return 1
    before = git_record(root) or (
        parse_record(record_file.read_text(encoding="utf-8")) if record_file.exists() else None
    )
    if before is not None and md5_of(raw) == before.md5:
        print(f"accept-data: {shown(RAW_DATA)} is the recorded file already; nothing to accept.")
        return 0
    if before is not None:
        print(f"accept-data: {shown(RAW_DATA)} changed since it was recorded:")
        print("\n".join(f"  - {line}" for line in what_changed(before, raw, root)))
    if dvc("add", shown(RAW_DATA), root=root).returncode != 0:
        return 1
    subprocess.run(["git", "add", shown(RAW_RECORD)], cwd=root, check=False)
    print(
        f"accept-data: the new version is recorded ({shown(RAW_RECORD)}, staged). Run {RUN} "
        "study, then commit the record with the results it lists."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"{RUN} accept-data (accept), before dvc repro (check)")
    parser.add_argument("command", choices=["check", "accept"], nargs="?", default="check")
    if parser.parse_args(argv).command == "accept":
        return accept()
    check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
