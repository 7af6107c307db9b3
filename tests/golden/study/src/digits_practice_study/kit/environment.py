"""The study's own Python environment, the ``.venv`` folder: built, checked and repaired.

``run.py`` calls this with whatever Python 3.10-3.13 the learner has, before ``.venv``
exists, so this module (like ``cli.py`` and ``doctor.py``) uses only the standard library.
It installs exactly what the lock pins (uv.lock; requirements.txt for pip, environment.yml
for conda), proves every module of the study imports, and writes ``.venv/.synced``: the
folder it was built in and a fingerprint of the files it was built from. While both still
match, nothing is installed again.

Every command is a list of arguments (never a shell line) and every path a ``Path``, so a
folder name with spaces or accents, and Windows, need nothing special.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import answers
from .paths import ROOT, RUN, shown

MODULE = answers.MODULE_NAME
# How this study installs its packages: uv (from uv.lock), pip (requirements.txt, with
# hashes) or conda (environment.yml). Chosen when the study was made.
MANAGER = answers.ENV_MANAGER
# The optional extras of pyproject.toml this study installs: the DVC plugin its remote needs,
# and Dask when it computes with Dask.
CLOUD_REMOTES = ("s3", "gcs", "azure", "ssh")
EXTRAS: tuple[str, ...] = (
    *([answers.DVC_REMOTE] if answers.DVC_REMOTE in CLOUD_REMOTES else []),
    *(["dask"] if answers.COMPUTE == "dask" else []),
)
# The Pythons uv.lock is made for (the template's `make lock` resolves it for each).
OLDEST_PYTHON, NEWEST_PYTHON = (3, 10), (3, 13)
SUPPORTED = "3.10-3.13"
# uv, when the computer has none: a private copy from PyPI in .tools/, the version that
# wrote uv.lock, so a study made today installs the same way next year.
PRIVATE_UV_VERSION = "0.13.9"

VENV = ROOT / ".venv"
TOOLS = ROOT / ".tools"
SYNCED = VENV / ".synced"
# Marks that `lab` installed JupyterLab (the `lab` group), so a later sync keeps it.
WITH_LAB = VENV / ".with-lab"
WINDOWS = os.name == "nt"
# What a Windows program exits with when Ctrl-C stops it (STATUS_CONTROL_C_EXIT).
WINDOWS_CTRL_C = 0xC000013A

# Proves the environment works before .synced marks it done: every file each installed
# package lists (its RECORD) is there, at its size, so an install cut short is seen even in a
# package the study imports only when it needs it; and every module of the study imports.
# A new .venv compiles each module the first time it is imported (some 2,300: seconds of CPU
# on one core), so two Pythons share the work side by side (imports_work), each starting with
# its half of the libraries the kit imports, split about evenly by the time each took.
IMPORT_CHECKS = (
    """
import importlib.metadata, os, sys
for dist in importlib.metadata.distributions():
    for file in dist.files or []:
        if file.size is None or str(file).startswith(".."):  # no size; a program in bin/
            continue
        try:
            whole = os.stat(file.locate()).st_size == file.size
        except OSError:
            whole = False
        if not whole:
            sys.exit(dist.metadata["Name"] + " is not whole: " + str(file) + " is missing or short")
import dvc.repo, pandas, pandera, matplotlib.pyplot
""",
    f"""
import importlib, pkgutil
import sklearn.base, scipy.stats, {MODULE} as study
for module in pkgutil.walk_packages(study.__path__, study.__name__ + "."):
    importlib.import_module(module.name)
""",
)


class Stop(Exception):
    """A command cannot go on; the message says why and what to do. No traceback."""


class Interrupted(Exception):
    """Ctrl-C stopped a program the study ran."""


# --- Where things are, on every OS ------------------------------------------------------


def scripts_folder(prefix: Path) -> Path:
    """Where an environment keeps its programs: bin/ on Linux and macOS, Scripts\\ on Windows."""
    return prefix / ("Scripts" if WINDOWS else "bin")


def venv_python() -> Path:
    """The Python of .venv (a conda environment on Windows keeps it at the top)."""
    if WINDOWS:
        for candidate in (VENV / "Scripts" / "python.exe", VENV / "python.exe"):
            if candidate.exists():
                return candidate
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def venv_program(name: str) -> Path:
    """A program .venv installed (dvc, pre-commit, jupyter ...)."""
    return scripts_folder(VENV) / (f"{name}.exe" if WINDOWS else name)


def venv_env() -> dict[str, str]:
    """The environment for programs run in .venv: its programs first on PATH, as an
    activated environment has it, so `python` in dvc.yaml's commands is the study's."""
    env = dict(os.environ)
    first = [scripts_folder(VENV)]
    if WINDOWS and MANAGER == "conda":  # conda keeps DLLs and python.exe outside Scripts
        first = [VENV, VENV / "Library" / "bin", *first]
    env["PATH"] = os.pathsep.join([*map(str, first), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(VENV)
    for name in ("PYTHONHOME", "UV_PROJECT_ENVIRONMENT"):
        env.pop(name, None)
    return env


def running_inside() -> bool:
    """Is this Python the one in .venv?"""
    try:
        return Path(sys.prefix).resolve() == VENV.resolve()
    except OSError:
        return False


# --- Running programs ---------------------------------------------------------------------


def run(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    keep: Callable[[str], bool] | None = None,
    stream: str = "stdout",
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run a program in the study's folder and wait for it.

    keep: show only the lines of its output (``stream``) for which it returns True.
    capture: return its output instead of showing it. Ctrl-C reaches the program as well (the
    terminal sends it to both): this waits for the program to stop, then stops too
    (Interrupted), without a traceback.
    """
    argv = [str(part) for part in command]
    piped = keep is not None or capture
    if piped:  # a Python program writes its output to a pipe as UTF-8, as it is read here
        env = {**(os.environ if env is None else env), "PYTHONIOENCODING": "utf-8"}
    pipe = {stream: subprocess.PIPE} if piped else {}
    if capture:
        pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    try:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, text=True, encoding="utf-8", errors="replace", **pipe
        )
    except FileNotFoundError:
        raise Stop(f"{argv[0]} was not found: is it installed?") from None
    out = err = None
    interrupted = False
    while True:  # until the program has stopped, whatever Ctrl-C comes meanwhile
        try:
            if capture:
                out, err = process.communicate()
            elif keep is not None:
                shown_to = sys.stdout if stream == "stdout" else sys.stderr
                for line in getattr(process, stream):
                    if keep(line.rstrip("\n")):
                        shown_to.write(line)
                        shown_to.flush()
            process.wait()
            break
        except KeyboardInterrupt:  # a program may ask before it stops (JupyterLab does)
            interrupted = True
    code = process.returncode
    if code in (-signal.SIGINT, 130, WINDOWS_CTRL_C, WINDOWS_CTRL_C - (1 << 32)) or (
        interrupted and code != 0
    ):
        raise Interrupted
    return subprocess.CompletedProcess(argv, code, out, err)


def say(text: str) -> None:
    print(text, flush=True)


# --- Which Python builds .venv ------------------------------------------------------------


def version_of(python: Path) -> tuple[int, int] | None:
    """A Python's (major, minor), or None when it does not run."""
    try:
        done = subprocess.run(
            [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = done.stdout.split()
    return (int(parts[0]), int(parts[1])) if done.returncode == 0 and len(parts) == 2 else None


def in_range(version: tuple[int, int] | None) -> bool:
    return version is not None and OLDEST_PYTHON <= version <= NEWEST_PYTHON


def base_python() -> Path:
    """The interpreter running this, or, inside a virtual environment, the one it was made
    from (which outlives the environment when it is built again)."""
    if sys.prefix == sys.base_prefix:
        return Path(sys.executable)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    names = ["python.exe"] if WINDOWS else [f"python{version}", "python3", "python"]
    base = Path(sys.base_prefix)
    for folder in (base, base / "bin"):
        for name in names:
            if (folder / name).is_file():
                return folder / name
    return Path(sys.executable)


def chosen_python() -> tuple[Path, str]:
    """The Python .venv is made from, and why, in words: PYTHON when it is set, else this one."""
    wanted = os.environ.get("PYTHON", "").strip()
    if wanted:
        found = shutil.which(wanted)
        if not found:
            raise Stop(
                f"PYTHON={wanted} is not a program on this computer: give the path or name of "
                f"a Python {SUPPORTED} (say PYTHON=python3.12), or unset PYTHON."
            )
        return Path(found), "from PYTHON"
    return base_python(), "the Python running this"


def how_to_pick_python() -> str:
    return (
        f"run setup with another Python {SUPPORTED}: `python3.12 run.py setup` (in PowerShell "
        "`py -3.12 run.py setup`), or set PYTHON to its path; `uv python install 3.12` gets "
        "one and `uv python find 3.12` prints its path"
    )


# --- uv: the computer's, or a private copy -------------------------------------------------


def private_uv() -> Path:
    return scripts_folder(TOOLS) / ("uv.exe" if WINDOWS else "uv")


def find_uv() -> Path | None:
    found = shutil.which("uv")
    if found:
        return Path(found)
    return private_uv() if private_uv().is_file() else None


def install_private_uv() -> Path:
    """uv from PyPI into .tools/ (a small virtual environment of its own): no admin rights."""
    say("uv is not installed: installing a private copy into .tools/ (no sudo needed, ~20 s)")
    python, _ = chosen_python()
    remove(TOOLS)
    made = run([python, "-m", "venv", TOOLS], capture=True)
    if made.returncode != 0:
        raise Stop(
            f"Could not make .tools/ with `{python} -m venv` ({last_line(made)}). On Debian "
            "or Ubuntu: sudo apt install python3-venv. Or install uv yourself "
            "(docs.astral.sh/uv), then run this again."
        )
    tools_python = scripts_folder(TOOLS) / ("python.exe" if WINDOWS else "python")
    pip = [tools_python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    if run([*pip, f"uv=={PRIVATE_UV_VERSION}"]).returncode != 0:
        raise Stop("pip could not install uv into .tools/ (above): is PyPI reachable?")
    say(f"uv installed: {shown(private_uv())}. Now the study's packages, as pinned in uv.lock:")
    return private_uv()


def last_line(done: subprocess.CompletedProcess) -> str:
    lines = ((done.stderr or "") + (done.stdout or "")).strip().splitlines()
    return lines[-1] if lines else f"exit code {done.returncode}"


# --- The stamp: built where, from what ------------------------------------------------------


def built_from() -> list[Path]:
    """The files .venv is built from: when one changes, it is built again."""
    files = [ROOT / "pyproject.toml"]
    if MANAGER == "uv":
        files.append(ROOT / "uv.lock")
    else:
        files.append(ROOT / "requirements.txt")
        files += [ROOT / "requirements" / f"{extra}.txt" for extra in EXTRAS]
    if MANAGER == "conda":
        files.append(ROOT / "environment.yml")
    return files


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in built_from():
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    digest.update(repr((MANAGER, EXTRAS)).encode())
    return digest.hexdigest()


def stamp() -> dict:
    try:
        return json.loads(SYNCED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or the empty one the Makefile of older studies wrote


def write_stamp() -> None:
    record = {"folder": str(ROOT), "built_from": fingerprint()}
    SYNCED.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def moved_from() -> str | None:
    """The folder .venv was built in, when the study has moved since."""
    folder = stamp().get("folder")
    if folder and Path(folder) != ROOT:
        return folder
    return None


def is_ready() -> bool:
    record = stamp()
    return (
        venv_python().exists()
        and record.get("folder") == str(ROOT)
        and record.get("built_from") == fingerprint()
    )


# --- Building .venv ---------------------------------------------------------------------


def remove(folder: Path) -> None:
    """Delete a folder the study made (.venv, .tools), read-only files too (Windows)."""

    def writable_then_retry(function, path, _error):
        os.chmod(path, stat.S_IWRITE)
        function(path)

    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        if sys.version_info >= (3, 12):
            shutil.rmtree(folder, onexc=writable_then_retry)
        else:
            shutil.rmtree(folder, onerror=writable_then_retry)


# The one line per package (160-280 of them) and per download that installers print:
# shown only with --verbose.
PACKAGE_LINES = ("+ ", "- ", "~ ", "Downloading ", "Downloaded ", "Building ", "Built ")


def installer_line(verbose: bool) -> Callable[[str], bool]:
    return lambda line: verbose or not line.lstrip().startswith(PACKAGE_LINES)


def installer_env() -> dict[str, str]:
    """The learner's environment, with .venv as the environment to install into (an
    activated environment of another project would make uv warn)."""
    env = {**os.environ, "VIRTUAL_ENV": str(VENV)}
    env.pop("UV_PROJECT_ENVIRONMENT", None)  # would move .venv elsewhere
    return env


def uv_python() -> list[str]:
    """--python for uv when it makes .venv: the chosen Python, or any in range."""
    if venv_python().exists() and not os.environ.get("PYTHON"):
        return []  # .venv keeps the Python it has
    chosen, why = chosen_python()
    version = version_of(chosen)
    if in_range(version):
        return ["--python", str(chosen)]
    found = ".".join(map(str, version)) if version else "not a working Python"
    say(f"{chosen} ({why}) is Python {found}, outside {SUPPORTED}: uv picks one in range.")
    oldest, newest = OLDEST_PYTHON, NEWEST_PYTHON
    return ["--python", f">={oldest[0]}.{oldest[1]},<{newest[0]}.{newest[1] + 1}"]


def uv_sync(uv: Path, verbose: bool, groups: Sequence[str] = ()) -> bool:
    if WITH_LAB.exists():
        groups = [*groups, "lab"]
    command = [
        uv,
        "sync",
        "--locked",
        *(f"--extra={extra}" for extra in EXTRAS),
        *(f"--group={group}" for group in dict.fromkeys(groups)),
        *uv_python(),
    ]
    done = run(command, env=installer_env(), keep=installer_line(verbose), stream="stderr")
    return done.returncode == 0


def pip_install(*args: str, verbose: bool) -> None:
    quiet = [] if verbose else ["--quiet"]
    # --no-compile: as uv does, Python compiles each module the first time it is imported,
    # instead of pip compiling all of them now (half pip's install time: 107 s -> 51 s here).
    command = [
        venv_python(),
        "-m",
        "pip",
        "--disable-pip-version-check",
        "install",
        "--no-compile",
        *quiet,
        *args,
    ]
    if run(command, env=installer_env()).returncode != 0:
        raise Stop("pip could not install the study's packages (its message is above).")


def extra_requirements() -> list[str]:
    """requirements/<extra>.txt: the pins (with hashes) each extra adds to the base set."""
    return [arg for extra in EXTRAS for arg in ("-r", f"requirements/{extra}.txt")]


def imports_work() -> subprocess.CompletedProcess:
    """Both halves of the import check, side by side; the first that failed, if one did
    (a file missing from a package says more than the import error it causes)."""
    with ThreadPoolExecutor(len(IMPORT_CHECKS)) as pool:
        done = list(
            pool.map(
                lambda check: run([venv_python(), "-c", check], env=venv_env(), capture=True),
                IMPORT_CHECKS,
            )
        )
    return next((check for check in done if check.returncode != 0), done[0])


def require_imports() -> None:
    checked = imports_work()
    if checked.returncode != 0:
        raise Stop(f"The study's code does not import in .venv:\n{checked.stderr}")


def build_with_uv(verbose: bool) -> None:
    uv = find_uv() or install_private_uv()
    say(
        "Installing the study's packages into .venv, exactly as uv.lock pins them "
        "(~600 MB, a minute the first time):"
    )
    if not uv_sync(uv, verbose):
        raise Stop(
            "uv could not install the study's packages (its message is above); "
            f"`{RUN} doctor` checks this computer."
        )
    checked = imports_work()
    if checked.returncode != 0:
        # An install cut short (Ctrl-C) can leave packages half-written that uv then counts as
        # installed: the import check notices, and .venv is built again from scratch.
        say(
            "The environment in .venv is broken (an install cut short?): building it again. "
            f"({last_line(checked)})"
        )
        remove(VENV)
        if not uv_sync(uv, verbose):
            raise Stop("uv could not install the study's packages (its message is above).")
        require_imports()


def build_with_pip(verbose: bool) -> None:
    # requirements.txt holds uv.lock's pins with their hashes: pip refuses any file whose
    # hash differs, and a fresh .venv holds nothing else.
    python, why = chosen_python()
    version = version_of(python)
    if not in_range(version):
        found = ".".join(map(str, version)) if version else "not a working Python"
        raise Stop(
            f"{python} ({why}) is Python {found}, outside {SUPPORTED}: {how_to_pick_python()}."
        )
    remove(VENV)
    made = run([python, "-m", "venv", VENV], capture=True)
    if made.returncode != 0:
        raise Stop(
            f"`{python} -m venv .venv` failed ({last_line(made)}). "
            "On Debian or Ubuntu: sudo apt install python3-venv."
        )
    say(
        "Installing the study's packages into .venv with pip, as requirements.txt pins them "
        "(every file's hash checked; a few minutes):"
    )
    pins = ["-r", "requirements.txt", *extra_requirements()]
    pip_install("--require-hashes", *pins, verbose=verbose)
    pip_install("--no-deps", "--editable", ".", verbose=verbose)
    require_imports()


def conda_program() -> Path:
    """conda (or mamba): CONDA names it, or the folder conda is installed in (as GitHub's
    runners set it); else the one on PATH."""
    wanted = os.environ.get("CONDA", "").strip()
    if wanted and Path(wanted).is_dir():
        for inside in ("condabin/conda.bat", "Scripts/conda.exe", "bin/conda", "condabin/conda"):
            if (Path(wanted) / inside).is_file():
                return Path(wanted) / inside
    found = shutil.which(wanted or "conda") or (None if wanted else shutil.which("mamba"))
    if not found:
        raise Stop(
            "conda not found: install Miniforge (conda-forge.org), or set CONDA=mamba "
            "(or the path of your conda), then run this again."
        )
    return Path(found)


def build_with_conda(verbose: bool) -> None:
    # conda builds the environment of environment.yml (a pinned Python, then uv.lock's pins
    # with their hashes through pip) in .venv, so no `conda activate` is needed.
    conda = conda_program()
    remove(VENV)
    say("Creating .venv with conda from environment.yml (Python and every pin; a few minutes):")
    quiet = [] if verbose else ["--quiet"]
    create = [conda, "env", "create", *quiet, "--prefix", VENV, "--file", "environment.yml"]
    if run(create, env=installer_env()).returncode != 0:
        raise Stop("conda could not create .venv (its message is above).")
    if EXTRAS:
        pip_install("--require-hashes", *extra_requirements(), verbose=verbose)
    pip_install("--no-deps", "--editable", ".", verbose=verbose)
    require_imports()


BUILDERS = {"uv": build_with_uv, "pip": build_with_pip, "conda": build_with_conda}


def ensure(verbose: bool = False) -> bool:
    """Make .venv what the lock pins, for this folder. Returns True when it (re)built it."""
    if is_ready():
        return False
    old_folder = moved_from()
    if old_folder:
        say(
            f"This study moved here from {old_folder}: its .venv still points there, so it is "
            "built again for this folder."
        )
        remove(VENV)
    BUILDERS[MANAGER](verbose)  # each ends with every module of the study imported
    write_stamp()
    return True


def install_lab(verbose: bool = False) -> None:
    """JupyterLab (the `lab` group, ~85 MB) on first use: the pipeline never needs it."""
    if WITH_LAB.exists() and venv_program("jupyter-lab").exists():
        return
    say("Installing JupyterLab into .venv (first use only), as the lock pins it:")
    if MANAGER == "uv":
        uv = find_uv() or install_private_uv()
        if not uv_sync(uv, verbose, groups=["lab"]):
            raise Stop("uv could not install JupyterLab (above).")
    else:
        base = [] if MANAGER == "conda" else ["-r", "requirements.txt"]
        lab = [*base, *extra_requirements(), "-r", "requirements/lab.txt"]
        pip_install("--require-hashes", *lab, verbose=verbose)
    WITH_LAB.write_text("JupyterLab is installed: a sync keeps it.\n", encoding="utf-8")
