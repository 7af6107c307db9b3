"""Is this computer ready for the study? One line per finding, each with what to do.

    python3 run.py doctor        (PowerShell: py run.py doctor)

Checks the Python that builds .venv, git and the name and email it records, the free disk
space, uv (or pip, or conda), and whether the DVC remote answers. Setup runs the first four
before it installs anything (`preflight`). Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import environment
from .environment import MANAGER, SUPPORTED, VENV, Stop
from .paths import ROOT, RUN, shown

GB = 1e9
# A fresh .venv is ~750 MB, and the installer keeps a cache of the downloads as large.
NEEDED_FOR_SETUP = 1.5 * GB
NEEDED_LATER = 0.3 * GB
# How long to wait for the DVC remote's host to answer.
TIMEOUT_SECONDS = 3
# Where each kind of cloud remote is reached (the bucket or account goes in front).
HOSTS = {"s3": "s3.amazonaws.com", "gs": "storage.googleapis.com", "azure": "blob.core.windows.net"}
PORTS = {"s3": 443, "gs": 443, "azure": 443, "https": 443, "http": 80, "ssh": 22}


@dataclass
class Finding:
    level: str  # "ok", "note" (works, but read this) or "FAIL" (setup cannot go on)
    text: str

    def __str__(self) -> str:
        return f"  {self.level:<5} {self.text}"


# --- The checks ---------------------------------------------------------------------------


def python() -> Finding:
    """The Python of .venv when there is one, else the one setup would build it from."""
    in_venv = environment.venv_python().exists()
    if in_venv:
        where, why = environment.venv_python(), "in .venv"
    else:
        try:
            where, why = environment.chosen_python()
        except Stop as problem:
            return Finding("FAIL", str(problem))
    version = environment.version_of(where)
    number = ".".join(map(str, version)) if version else "?"
    if environment.in_range(version):
        return Finding("ok", f"Python {number} ({why}: {where}), in {SUPPORTED}")
    if MANAGER == "conda":
        return Finding("ok", f"Python {number} runs this; conda installs environment.yml's own")
    if MANAGER == "uv" and not in_venv:
        return Finding(
            "note",
            f"Python {number} ({where}) is outside {SUPPORTED}: uv picks one in range; to "
            f"choose, {environment.how_to_pick_python()}",
        )
    return Finding(
        "FAIL",
        f"Python {number} ({why}: {where}) is outside {SUPPORTED}: "
        f"{environment.how_to_pick_python()}",
    )


def git_says(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def git() -> Finding:
    if not shutil.which("git"):
        return Finding("FAIL", "git is not installed (DVC needs it): install it from git-scm.com")
    version = git_says("--version").removeprefix("git version ")
    # What a commit records: GIT_AUTHOR_NAME and _EMAIL when set, else git's settings.
    name = os.environ.get("GIT_AUTHOR_NAME") or git_says("config", "user.name")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or git_says("config", "user.email")
    if not (name and email):
        return Finding(
            "note",
            f"git {version} has no name and email yet, which every commit records: "
            'git config --global user.name "Your Name"; '
            'git config --global user.email "you@example.com"',
        )
    return Finding("ok", f"git {version}, committing as {name} <{email}>")


def disk() -> Finding:
    free = shutil.disk_usage(ROOT).free
    needed = NEEDED_LATER if VENV.exists() else NEEDED_FOR_SETUP
    if free < needed:
        return Finding(
            "FAIL",
            f"only {free / GB:.1f} GB free on this disk; the study needs about "
            f"{needed / GB:.1f} GB (its .venv is ~750 MB): free some space",
        )
    return Finding("ok", f"{free / GB:.1f} GB free on this disk")


def installer() -> Finding:
    if MANAGER == "pip":
        return Finding("ok", "pip installs the packages (from requirements.txt): no uv needed")
    if MANAGER == "conda":
        try:
            return Finding("ok", f"conda: {environment.conda_program()}")
        except Stop as problem:
            return Finding("FAIL", str(problem))
    found = environment.find_uv()
    if found is None:
        return Finding(
            "note",
            "no uv on PATH: setup installs a private copy from PyPI into .tools/ (~20 s); "
            "or install uv (docs.astral.sh/uv)",
        )
    done = subprocess.run([str(found), "--version"], capture_output=True, text=True, check=False)
    version = done.stdout.split()[1] if done.returncode == 0 and done.stdout.split()[1:] else "?"
    return Finding("ok", f"uv {version} ({shown(found)})")


def dvc_config() -> dict[str, dict[str, str]]:
    """.dvc/config, then .dvc/config.local over it: {section: {key: value}}. Section names
    as DVC writes them, unquoted: `remote "storage"`."""
    sections: dict[str, dict[str, str]] = {}
    for name in ("config", "config.local"):
        path = ROOT / ".dvc" / name
        if not path.is_file():
            continue
        section = None
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]'")
                sections.setdefault(section, {})
            elif "=" in line and section is not None:
                key, _, value = line.partition("=")
                sections[section][key.strip()] = value.strip()
    return sections


def answers(host: str, port: int) -> str | None:
    """None when host:port accepts a connection, else why not."""
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS):
            return None
    except OSError as error:
        return error.strerror or type(error).__name__


def default_remote() -> tuple[str, dict[str, str]]:
    """The study's default DVC remote: its name and settings ("" and {} when it has none)."""
    config = dvc_config()
    name = config.get("core", {}).get("remote", "")
    return name, config.get(f'remote "{name}"', {}) if name else {}


def local_folder(url: str) -> Path | None:
    """The folder a remote's address names, when it is a folder on this computer (a relative
    address is read from the .dvc folder, as DVC reads it)."""
    if len(urlsplit(url).scheme) > 1:  # s3://... (a Windows drive letter is one letter)
        return None
    return (ROOT / ".dvc" / url).resolve()


def local_remote() -> Path | None:
    """The default remote's folder, when the remote is a folder on this computer."""
    url = default_remote()[1].get("url")
    return local_folder(url) if url else None


def remote(network: bool = True) -> Finding:
    name, settings = default_remote()
    url = settings.get("url")
    if not url:
        return Finding(
            "note",
            "no DVC remote yet (the data stays on this computer): add one with "
            f"{shown(environment.venv_program('dvc'))} remote add --default storage "
            "<folder or URL> (docs/data.md)",
        )
    folder = local_folder(url)
    if folder is not None:
        if folder.is_dir():
            return Finding("ok", f"DVC remote {name!r}: the folder {folder}")
        if folder.parent.is_dir():
            return Finding("ok", f"DVC remote {name!r}: the folder {folder} (setup creates it)")
        return Finding(
            "note", f"DVC remote {name!r}: {folder} is not reachable from here (docs/data.md)"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    endpoint = settings.get("endpointurl")
    if endpoint:
        parts, scheme = urlsplit(endpoint), urlsplit(endpoint).scheme
    host = parts.hostname or ""
    if scheme in ("s3", "gs") and not endpoint:
        host = HOSTS[scheme] if scheme == "gs" else f"{host}.{HOSTS['s3']}"
    elif scheme == "azure":
        account = settings.get("account_name")
        if not account:
            return Finding(
                "note",
                f"DVC remote {name!r} ({url}): no account_name set yet, so it cannot be "
                "reached (docs/data.md says how)",
            )
        host = f"{account}.{HOSTS['azure']}"
    port = parts.port or PORTS.get(scheme, 443)
    if not network:
        return Finding("ok", f"DVC remote {name!r}: {url}")
    trouble = answers(host, port)
    if trouble:
        return Finding(
            "note",
            f"DVC remote {name!r} ({url}): {host}:{port} does not answer ({trouble}); "
            "offline? The study runs without it (push and pull need it)",
        )
    return Finding(
        "ok", f"DVC remote {name!r} ({url}): {host}:{port} answers (credentials: docs/data.md)"
    )


# --- Running them -------------------------------------------------------------------------


def findings(network: bool = True) -> list[Finding]:
    return [python(), git(), disk(), installer(), remote(network)]


def preflight() -> None:
    """Before a first install: say what is not right, and stop if setup cannot work."""
    found = [f for f in findings(network=False) if f.level != "ok"]
    for finding in found:
        print(finding, flush=True)
    failed = [f for f in found if f.level == "FAIL"]
    if failed:
        raise Stop(f"Setup cannot go on (FAIL above). `{RUN} doctor` checks everything again.")


def main() -> int:
    print(f"Checking this computer for the study in {ROOT}:")
    results = findings()
    for finding in results:
        print(finding)
    failed = sum(f.level == "FAIL" for f in results)
    notes = sum(f.level == "note" for f in results)
    if failed:
        print(f"{failed} problem(s) to fix before setup can work.")
    else:
        print("Ready." + (f" ({notes} note(s) above: worth reading.)" if notes else ""))
    return 1 if failed else 0
