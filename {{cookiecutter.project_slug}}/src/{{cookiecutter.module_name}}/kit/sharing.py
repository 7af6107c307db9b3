"""Where the study's data lives for someone else, and whether they can reach it.

    python -m <package>.kit.sharing share
    python -m <package>.kit.sharing push
    python -m <package>.kit.sharing pull

(run.py share, run.py push and run.py pull.)

Git carries the code, the text and the results; the raw data travels another way, by kind:

- a bundled dataset ships with scikit-learn: the get_data stage writes it again anywhere;
- a URL: get_data downloads it again and checks its SHA-256 (a copy on the DVC remote keeps
  the study reproducible if the address ever stops serving the file);
- your own file exists only where you put it: on this computer, and on the DVC remote once
  you push it there. A clone elsewhere gets it from the remote, so the remote must be one
  that others can reach (cloud storage, an SSH server, a shared drive). The default remote,
  a folder beside the study, is a backup on this computer only.

``run.py share`` checks each of these, pushes, and says either "shareable" with the commands
a reviewer types, or exactly what is missing.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .decisions import Choice
from .files import DVC_ADVICE, git
from .params import read_params
from .paths import METRICS, RAW_DATA, RAW_RECORD, ROOT, RUN, shown

DVC_CONFIG = ROOT / ".dvc" / "config"
DVC_LOCAL_CONFIG = ROOT / ".dvc" / "config.local"
ADD_REMOTE = (
    ".venv/bin/dvc remote add --default storage /path/to/a/folder   (or s3://..., docs/data.md)"
)
POINT_REMOTE = (
    "    .venv/bin/dvc remote modify storage url s3://bucket/path   (or gs://..., azure://...,\n"
    "        ssh://server/path, or /path/to/a/shared/folder that your reviewers mount too)\n"
    f"    {RUN} share\n"
    "    git add .dvc/config && git commit -m 'Share the data'"
)


class Source(Choice):
    """Where the raw data comes from."""

    BUNDLED = "scikit-learn"  # written again by get_data, anywhere
    URL = "a URL"  # downloaded again by get_data, checksum verified
    OWN = "your own file"  # only on this computer and the DVC remote


class Reach(Choice):
    """Who can reach a DVC remote, judged by its address."""

    NONE = "no remote"
    BESIDE = "a folder beside the study"  # a relative address: beside each copy, wherever it is
    FOLDER = "a folder"  # an absolute path: others reach it only on a shared drive
    ONLINE = "online storage"  # s3://, gs://, azure://, ssh://, https:// ...


def source(data: dict) -> Source:
    """By ``data.dataset``: csv_url, local_file, or the name of a bundled dataset."""
    return {"csv_url": Source.URL, "local_file": Source.OWN}.get(data["dataset"], Source.BUNDLED)


def read_config(path: Path) -> dict[str, dict[str, str]]:
    """A DVC config file as {section: {key: value}}; ``remote "storage"`` becomes
    ``remote.storage``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    if path.exists():
        parser.read(path, encoding="utf-8")
    found = {}
    for section in parser.sections():
        named = re.fullmatch(r"'?\s*(\w+)\s+\"([^\"]+)\"\s*'?", section)
        found[f"{named[1]}.{named[2]}" if named else section.strip("'")] = dict(parser[section])
    return found


@dataclass
class Remote:
    """The default DVC remote: as a clone gets it (.dvc/config) and as this copy uses it."""

    name: str | None
    url: str | None  # in .dvc/config, the file git shares
    here: str | None  # with .dvc/config.local (git-ignored) on top: what `dvc push` uses

    @property
    def reach(self) -> Reach:
        return reach_of(self.url)


def reach_of(url: str | None) -> Reach:
    if not url:
        return Reach.NONE
    if "://" in url:
        return Reach.ONLINE
    return Reach.FOLDER if Path(url).is_absolute() else Reach.BESIDE


def remote(root: Path = ROOT) -> Remote:
    shared = read_config(root / DVC_CONFIG.relative_to(ROOT))
    local = read_config(root / DVC_LOCAL_CONFIG.relative_to(ROOT))
    name = local.get("core", {}).get("remote") or shared.get("core", {}).get("remote")
    if not name:
        return Remote(None, None, None)
    url = shared.get(f"remote.{name}", {}).get("url")
    here = local.get(f"remote.{name}", {}).get("url") or url
    return Remote(name, url, here)


def where(found: Remote) -> str:
    """The remote in words, e.g. ``storage (../../x-dvc-storage, a folder on this computer)``."""
    return f"`{found.name}` ({found.url}, {found.reach})"


def dvc_program() -> Path:
    """The study's DVC: beside the Python running this, in .venv (bin/, or Scripts\\ on
    Windows, where conda keeps python.exe a folder above)."""
    return Path(sysconfig.get_path("scripts")) / ("dvc.exe" if os.name == "nt" else "dvc")


def dvc(*args: str, root: Path = ROOT, quiet: bool = False) -> subprocess.CompletedProcess:
    """Run the study's DVC (from .venv); its output is shown, without its advice, unless
    ``quiet``."""
    command = [str(dvc_program()), *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if not quiet:
        for stream, text in ((sys.stdout, done.stdout), (sys.stderr, done.stderr)):
            shown_lines = [ln for ln in text.splitlines() if not DVC_ADVICE.match(ln)]
            if shown_lines:
                print("\n".join(shown_lines), file=stream, flush=True)
    return done


# ---------------------------------------------------------------- what others need


def unreachable(data: dict, found: Remote) -> list[str]:
    """Why a clone elsewhere cannot get the raw data, and who can fix it: [] when it can."""
    kind = source(data)
    if kind is Source.BUNDLED:
        return []
    if kind is Source.URL and found.reach is not Reach.ONLINE:
        return []  # the URL is the source; a remote would only be a spare copy
    own = f"The raw data, {shown(RAW_DATA)}, is the author's own file"
    if kind is Source.URL:
        own = f"The raw data, {shown(RAW_DATA)}, comes from {data.get('url')}"
    if found.reach is Reach.NONE:
        return [
            f"{own}, and the study shares no DVC remote (.dvc/config names none): the data is "
            "only on the author's computer.",
            f"Who can fix it: the author, with `{RUN} share` (it says how to add a remote that "
            "others can reach, pushes the data there, and what to commit).",
        ]
    if found.reach is Reach.BESIDE:
        return [
            f"{own}, kept on the study's DVC remote {where(found)}: a folder beside the "
            "author's copy of the study, on their computer. No one else can reach it.",
            f"Who can fix it: the author, with `{RUN} share` (it says how to point the remote at "
            "storage others can reach, pushes the data there, and what to commit).",
        ]
    return []


def missing_data_advice(data: dict, root: Path = ROOT) -> str:
    """What to do when the raw data is not in this copy of the study."""
    found, kind = remote(root), source(data)
    if kind is Source.OWN:
        lines = [
            f"{shown(RAW_DATA)} is not here. It is the author's own file: DVC recorded it "
            f"({shown(RAW_RECORD)}), and a copy comes from the DVC remote: {RUN} pull"
        ]
        lines += unreachable(data, found)
        if found.reach is Reach.BESIDE:
            lines.append(
                "If you can reach the author's storage folder (the same computer, a shared "
                "drive): .venv/bin/dvc remote modify --local storage url "
                f"/full/path/to/that/folder, then {RUN} pull."
            )
        return "\n".join(lines)
    return f"{shown(RAW_DATA)} is not here: {RUN} study writes it again from {kind}."


def after_study_note(data: dict, root: Path = ROOT) -> str | None:
    """The line `run.py study` ends with when others could not get the raw data yet."""
    found, kind = remote(root), source(data)
    if kind is Source.URL:
        return (
            f"Sharing: a reviewer's copy downloads {data.get('url')} again and checks its "
            f"sha256 ({data.get('sha256')}); should that address stop serving the file, a copy "
            f"on a DVC remote others can reach keeps the study reproducible ({RUN} share)."
            if found.reach is not Reach.ONLINE
            else None
        )
    if kind is Source.OWN and unreachable(data, found):
        return (
            f"Sharing: your data ({shown(RAW_DATA)}) is only on this computer, so no one else "
            f"can rerun this study yet. To share it: {RUN} share (docs/data.md, Sharing the data)."
        )
    return None


# ---------------------------------------------------------------- the commands


@dataclass
class Step:
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"  {'ok ' if self.ok else 'NO '} {self.text}"


def not_committed(needed: list[str], root: Path = ROOT) -> list[str]:
    """What a clone would lack or get otherwise: ``needed`` files git does not track, and
    every tracked file with changes that are not committed."""
    try:
        tracked = set(git("ls-files", "--", *needed, root=root).splitlines())
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return ["(this is not a git repository: git init, then commit the study)"]
    missing = [path for path in needed if (root / path).exists() and path not in tracked]
    return sorted({*missing, *(line[3:] for line in changed)})


def share(root: Path = ROOT) -> int:
    """Check what a reviewer's clone needs, push the data, and give the verdict."""
    data = read_params()["data"]
    found, kind = remote(root), source(data)
    steps = []
    if kind is Source.BUNDLED:
        steps.append(Step(True, f"the data: {data['dataset']}, written by get_data from {kind}"))
    elif kind is Source.URL:
        steps.append(Step(True, f"the data: downloaded from {data['url']}, sha256 checked"))
    else:
        steps.append(Step(True, f"the data: your own file, recorded in {shown(RAW_RECORD)}"))
    blocked = unreachable(data, found)
    if found.reach is Reach.NONE:
        steps.append(Step(not blocked, "no DVC remote" + (": " + blocked[0] if blocked else "")))
    else:
        text = f"the DVC remote: {where(found)}"
        if found.reach is Reach.FOLDER:
            text += ": others reach it only if they mount that folder too (a shared drive)"
        elif found.reach is Reach.ONLINE:
            text += ": others need their own access to it (docs/data.md)"
        elif blocked:
            text += ": no one else can reach it"
        steps.append(Step(not blocked, text))
        print(f"share: dvc push (to {found.here})", flush=True)
        pushed = dvc("push", root=root).returncode == 0
        missing = ""
        if pushed:
            status = dvc("status", "--cloud", "--json", root=root, quiet=True)
            missing = status.stdout.strip() if status.returncode == 0 else "?"
        complete = pushed and missing in ("", "{}")
        steps.append(
            Step(
                complete or kind is Source.BUNDLED,
                "pushed: the remote holds every file of this version"
                if complete
                else "not pushed: dvc push failed (above)"
                if not pushed
                else f"the remote lacks files after the push: {missing[:200]}",
            )
        )
    needed = [".dvc/config", "dvc.lock", shown(METRICS), "params.yaml"]
    if kind is Source.OWN:
        needed.append(shown(RAW_RECORD))
    pending = not_committed(needed, root)
    steps.append(
        Step(
            not pending,
            "committed: the code, the remote's address, the data's record and the results"
            if not pending
            else f"not committed yet: git add {' '.join(pending)} && git commit -m 'Share it'",
        )
    )
    print("share: what a reviewer's copy of this study needs")
    print("\n".join(map(str, steps)))
    if all(step.ok for step in steps):
        print(
            "Shareable: push the git repository where your reviewer can clone it; they run\n"
            f"    git clone <its address> && cd <the folder> && {RUN} reproduce\n"
            "which reruns the study and compares every metric with reports/metrics.json."
        )
        return 0
    print("Not shareable yet.")
    if blocked:
        print(blocked[0])
        print("Point the remote at storage others can reach, then share again:")
        print(POINT_REMOTE)
    return 1


def no_remote() -> int:
    print("This study has no DVC remote yet. Add one, then run this again:")
    print(f"  {ADD_REMOTE}")
    return 1


def push(root: Path = ROOT) -> int:
    found = remote(root)
    if found.reach is Reach.NONE:
        return no_remote()
    done = dvc("push", root=root)
    if done.returncode != 0:
        return done.returncode
    data = read_params()["data"]
    blocked = unreachable(data, found)
    if blocked:
        print(f"push: a backup on {found.reach}, out of others' reach. To share: {RUN} share")
    return 0


def pull(root: Path = ROOT) -> int:
    found = remote(root)
    data = read_params()["data"]
    kind = source(data)
    if found.reach is Reach.NONE:
        no_remote()
        if kind is Source.OWN:
            print(unreachable(data, found)[1])
        return 1
    done = dvc("pull", root=root)
    if done.returncode == 0:
        return 0
    print(f"The remote {where(found)} did not give the data back (above).")
    if kind is Source.OWN:
        blocked = unreachable(data, found)
        print(
            "\n".join(blocked)
            if blocked
            else "Check its address and your access to it (docs/data.md)."
        )
        print(
            "If the data is already there and you can reach it (the author's computer, a "
            f"shared drive), point this copy at it, then {RUN} pull again:\n"
            "  .venv/bin/dvc remote modify --local storage url /full/path/to/the/storage"
        )
        return 1
    if found.reach is Reach.BESIDE:
        print(
            "It is a folder beside the study: a clone in another folder looks beside itself. "
            f"Point it at the original storage, then run {RUN} pull again:\n"
            "  .venv/bin/dvc remote modify --local storage url /full/path/to/the/storage"
        )
    else:
        print("Check its address and your credentials (docs/data.md).")
    print(f"Or run {RUN} study to rebuild the data from its source ({kind}; docs/data.md).")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"{RUN} share | {RUN} push | {RUN} pull")
    parser.add_argument("command", choices=["share", "push", "pull"])
    command = parser.parse_args(argv).command
    return {"share": share, "push": push, "pull": pull}[command]()


if __name__ == "__main__":
    sys.exit(main())
