"""What ``run.py study`` says last: every file that changed since your last commit, and the
one git command that commits them all.

    python -m <package>.kit.changes

Every file is listed, not only the results: a commit of the results without QUESTION.md (or
params.yaml, or your code) would record results that nothing in git explains. Then, when
it applies, the notes: the placeholder question, and data that no one else can reach yet.
While QUESTION.md still holds the template's prompt and no results are committed, it asks
for the hypothesis first (kit/preregister.py) instead of the command that commits them.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

from .params import read_params
from .paths import AND, QUESTION, ROOT, WRITEUP, shown
from .preregister import hypothesis_first
from .sharing import after_study_note

# A study made from your own data starts with this question (local_extensions.py).
PLACEHOLDER = "TODO: my question about this data"


def changed_files(root=ROOT) -> list[str] | None:
    """Every path git would commit with `git add` (edited, new, deleted), QUESTION.md
    first; None when this is not a git repository."""
    try:  # -z: paths exactly as they are, one NUL after each (a new folder as one path)
        listing = subprocess.run(
            ["git", "status", "--porcelain", "-z"], cwd=root, capture_output=True, check=True
        ).stdout.decode("utf-8", errors="replace")
    except (OSError, subprocess.CalledProcessError):
        return None
    entries, paths = listing.split("\0"), []
    while entries:
        entry = entries.pop(0)
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC" and entries:  # a rename names its old path next: git add takes it
            paths.append(entries.pop(0))
    question = shown(QUESTION)
    return sorted(dict.fromkeys(paths), key=lambda path: (path != question, path))


def last_lines(root=ROOT) -> list[str]:
    lines = []
    question = root / QUESTION.relative_to(ROOT)
    if question.exists() and PLACEHOLDER in question.read_text(encoding="utf-8"):
        lines.append(
            "Note: QUESTION.md still holds the placeholder question; write yours there and "
            "in README.md."
        )
    note = after_study_note(read_params()["data"], root)
    if note:
        lines.append(note)
    changed = changed_files(root)
    first = hypothesis_first(root)  # what to do before committing results, if anything
    done = f"Done: {shown(WRITEUP)}."
    if changed is None:
        lines.append(f"{done} (Not a git repository: git init, then commit the study.)")
    elif not changed:
        lines.append(f"{done} Nothing changed since your last commit.")
    elif first is not None:  # results before a hypothesis would spoil it for good
        lines.append(f"{done} Changed: {' '.join(changed)} - {first}")
    else:
        add = " ".join(shlex.quote(path) for path in changed)
        lines.append(
            f"{done} Changed: {' '.join(changed)} - commit them: "
            f"git add {add}{AND}git commit -m 'Run the study'"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    print("\n".join(last_lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
