"""What made the results: the code's git commit, the data's DVC hash, the software
versions, and whether the hypothesis was committed before the first results."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .claims import answered
from .decisions import Choice
from .files import git, read_yaml
from .paths import METRICS, RAW_DATA, RAW_RECORD, ROOT

KEY_PACKAGES = ("scikit-learn", "pandas", "numpy", "matplotlib", "dvc")


class CodeState(Choice):
    """Whether the code that made the results can be found again from its commit."""

    COMMITTED = "committed"
    CHANGED = "uncommitted changes"  # the commit, plus changes git does not hold
    UNKNOWN = "unknown"  # not a git repository, or no commit yet


@dataclass(frozen=True)
class CodeVersion:
    state: CodeState  # what code decides from
    text: str  # the commit as the write-up, the ledger and run.py review show it

    def __str__(self) -> str:
        return self.text


def git_commit(root: Path = ROOT) -> CodeVersion:
    """The commit the code was at, and whether there were uncommitted changes."""
    try:
        commit = git("rev-parse", "--short=12", "HEAD", root=root)
        dirty = git("status", "--porcelain", "--untracked-files=no", root=root)
    except (OSError, subprocess.CalledProcessError):
        return CodeVersion(CodeState.UNKNOWN, "unknown (not a git repository, or no commit yet)")
    if dirty:
        return CodeVersion(CodeState.CHANGED, f"{commit} (with uncommitted changes)")
    return CodeVersion(CodeState.COMMITTED, commit)


@dataclass(frozen=True)
class DataVersion:
    md5: str | None  # the hash DVC recorded for the raw data; None: not recorded yet

    @property
    def text(self) -> str:
        return f"md5:{self.md5}" if self.md5 else "not yet recorded by DVC"

    def __str__(self) -> str:
        return self.text


def data_hash(root: Path = ROOT) -> DataVersion:
    """The MD5 that DVC recorded for the raw data, from dvc.lock or a ``.dvc`` file."""
    raw = root / RAW_DATA.relative_to(ROOT)
    relative = raw.relative_to(root).as_posix()
    for path in (root / "dvc.lock", root / RAW_RECORD.relative_to(ROOT)):
        if not path.exists():
            continue
        document = read_yaml(path) or {}
        for stage in document.get("stages", {"": document}).values():
            for out in stage.get("outs", []):
                if out.get("path") in (relative, raw.name) and "md5" in out:
                    return DataVersion(out["md5"])
    return DataVersion(None)


def versions() -> dict:
    """Python, the platform and the key packages, so a reader knows what made the results."""
    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "packages": packages,
    }


class Timing(Choice):
    """When the hypothesis in QUESTION.md was committed, against the first test results."""

    UNKNOWN = "cannot be checked"  # no git history, or no hypothesis committed yet
    BEFORE_ANY = "before any results"  # no test results committed yet
    BEFORE = "before the results"
    NOT_BEFORE = "with or after the results"


@dataclass
class Preregistration:
    timing: Timing
    text: str  # the sentence for the write-up and run.py review

    def __str__(self) -> str:
        return self.text


def preregistration(root: Path = ROOT, first_look: str | None = None) -> Preregistration:
    """Whether QUESTION.md's hypothesis was committed before the first results: the first
    committed ones, and the first look at the test set (``first_look``: its date in the
    ledger, reports/ledger.csv, UTC to the minute), committed or not."""
    results = METRICS.relative_to(ROOT).as_posix()
    try:
        question_commits = git("log", "--reverse", "--format=%H", "--", "QUESTION.md", root=root)
        result_commits = git("log", "--reverse", "--format=%H", "--", results, root=root)
    except (OSError, subprocess.CalledProcessError):
        return Preregistration(
            Timing.UNKNOWN,
            "Pre-registration cannot be checked: this study is not a git repository, or "
            "nothing is committed yet.",
        )
    hypothesis = next(
        (
            commit
            for commit in question_commits.split()
            if answered(git("show", f"{commit}:QUESTION.md", root=root), "My hypothesis")
        ),
        None,
    )
    if hypothesis is None:
        return Preregistration(
            Timing.UNKNOWN,
            "Pre-registration cannot be checked yet: no commit holds a hypothesis in "
            "QUESTION.md. Write it there and commit it before you look at test results.",
        )
    first_results = result_commits.split()[0] if result_commits else None
    when = git("show", "-s", "--format=%h, %cs", hypothesis, root=root)
    seconds = int(git("show", "-s", "--format=%ct", hypothesis, root=root))
    committed = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    if first_look and first_look < committed:  # a look at the test set before the hypothesis
        return Preregistration(
            Timing.NOT_BEFORE,
            f"The test set was first scored on {first_look} UTC (reports/ledger.csv), before "
            f"the hypothesis in QUESTION.md was committed ({when}): it may have been written "
            "knowing the results.",
        )
    if first_results is None:
        return Preregistration(
            Timing.BEFORE_ANY,
            f"The hypothesis in QUESTION.md was committed ({when}) before any test results "
            "were committed.",
        )
    results_when = git("show", "-s", "--format=%h, %cs", first_results, root=root)
    ancestor = subprocess.run(
        ["git", "merge-base", "--is-ancestor", hypothesis, first_results], cwd=root, check=False
    )
    if ancestor.returncode == 0 and hypothesis != first_results:
        return Preregistration(
            Timing.BEFORE,
            f"The hypothesis in QUESTION.md was committed ({when}) before the first commit of "
            f"test results ({results_when}): it was written without knowing them.",
        )
    return Preregistration(
        Timing.NOT_BEFORE,
        f"The hypothesis in QUESTION.md was first committed ({when}) with or after the first "
        f"commit of test results ({results_when}): it may have been written knowing them.",
    )
