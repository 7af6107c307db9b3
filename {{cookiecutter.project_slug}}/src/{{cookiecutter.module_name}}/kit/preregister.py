"""Pre-registration that following the study's commands cannot spoil by accident.

The write-up and ``run.py review`` judge pre-registration from git (kit/provenance.py): a
hypothesis counts from the first commit that holds it, against the first commit of test
results. So before the test set is scored for the first time, the evaluate stage asks:

- QUESTION.md holds your hypothesis, but not committed: it stops, with the command that
  commits it (a moment's work now; a hypothesis "written after the results" for good if not);
- QUESTION.md still holds the template's prompt: it warns, and goes on (a fresh study runs
  end to end, so you can see how it works before you write anything).

After the first look (reports/ledger.csv has one), nothing here stops a run. And while
QUESTION.md still holds the prompt and no results are committed, ``run.py study``'s last
line asks for the hypothesis and its commit instead of the command that commits the results
(``hypothesis_first``, kit/changes.py).
"""

from __future__ import annotations

import subprocess

from .claims import answered
from .files import git
from .paths import AND, METRICS, QUESTION, ROOT, RUN, shown

# It commits QUESTION.md alone (`-- QUESTION.md`), whatever else is staged. The same words as
# the render's closing message and the README's first steps.
COMMIT_QUESTION = (
    f'git add {shown(QUESTION)}{AND}git commit -m "My hypothesis, before any results" '
    f"-- {shown(QUESTION)}"
)


def uncommitted(path, root=ROOT) -> bool | None:
    """Whether ``path`` differs from the last commit (edited, staged or never committed);
    None when git cannot tell (not a repository)."""
    try:
        return bool(git("status", "--porcelain", "--", shown(path), root=root))
    except (OSError, subprocess.CalledProcessError):
        return None


def results_committed(root=ROOT) -> bool:
    """Whether test results (reports/metrics.json) were ever committed: from then on, git
    has settled whether the hypothesis came first (kit/provenance.py)."""
    try:
        return bool(git("log", "-1", "--format=%H", "--", shown(METRICS), root=root))
    except (OSError, subprocess.CalledProcessError):
        return False


def hypothesis_first(root=ROOT) -> str | None:
    """What to do before committing results, when QUESTION.md still holds the template's
    prompt and no results are committed yet: the hypothesis first, said to come after the
    run's look at the test set (kit/provenance.py reads the ledger). None otherwise."""
    question = root / QUESTION.relative_to(ROOT)
    text = question.read_text(encoding="utf-8") if question.exists() else ""
    if answered(text, "My hypothesis") or results_committed(root):
        return None
    return (
        "not to commit yet: QUESTION.md still holds the template's prompt. This run scored "
        "the test set, so a hypothesis written now comes after a first look at the results "
        "(reports/ledger.csv keeps its date, and the review says so): write it under "
        f'"My hypothesis" before you read the write-up, commit it: {COMMIT_QUESTION}; '
        f"then {RUN} study again ends with the command that commits the results."
    )


def before_first_look(rows: list[dict], root=ROOT) -> str | None:
    """Stop (SystemExit) when the hypothesis is written but not committed and the test set
    was never scored; return a warning to print when it is still the template's prompt."""
    if any(row["kind"] == "test" for row in rows):
        return None  # the first look is behind us: pre-registration is settled in git
    question = root / QUESTION.relative_to(ROOT)
    text = question.read_text(encoding="utf-8") if question.exists() else ""
    pending = uncommitted(question, root)
    if not answered(text, "My hypothesis"):
        return (
            "evaluate: note: QUESTION.md's hypothesis is still the template's prompt, and the "
            "test set is scored now, for the first time: a hypothesis written after this is "
            "written knowing the results. A fresh study runs anyway, to show how it works; in "
            "a study you mean, write the hypothesis and commit it before its first "
            f"{RUN} study: {COMMIT_QUESTION}"
        )
    if pending is None:
        return (
            "evaluate: note: this study is not a git repository, so QUESTION.md's hypothesis "
            "cannot be on record before the results (git init, then commit it)."
        )
    if pending:
        raise SystemExit(
            "evaluate: QUESTION.md holds your hypothesis, but it is not committed. The test "
            "set has not been scored yet: commit the question first, so git records that it "
            f"came before any result:\n    {COMMIT_QUESTION}\nthen run {RUN} study again."
        )
    return None
