"""Bring the template's improvements into this study, showing what changes before anything does.

    python -m <module>.kit.update check [--exit-code]  is the template newer? by how many commits?
    python -m <module>.kit.update diff [PATH ...]      the template's change, as a patch
    python -m <module>.kit.update apply [--yes]        show it, ask once, apply it, list the rest

`python3 run.py update-check` runs ``check`` and `python3 run.py update` runs ``apply``
(docs/updates.md).

``apply`` works from a clean git state only, so the whole update is one change you can review
and undo. It renders the template twice with your answers (from ``.cruft.json``): as it was
when the study was made or last updated, and as it is now. The difference between the two is
the template's change; it is applied to the study with git's three-way merge (cruft's own
apply step), so your edits to the same files are kept. Then it lists each conflict (a file
with conflict markers, or a ``.rej`` file) with what to do, and the git commands that review
and commit the update.

What it never does: touch the files you own (the ``skip`` list in ``.cruft.json``:
QUESTION.md, params.yaml, src/<module>/study.py, notebooks/, WRITEUP.md, data/README.md),
delete a file you changed, or commit. When the template changed a file you own, its change
is saved as a patch for you to take or leave; when it removed or moved a file you had
changed, your version stays and the report says where its code belongs now.

This file uses only the standard library and cruft (pinned in uv.lock), and no Jinja, so the
template's copy of it also runs as a plain script in a study made before it existed.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import fnmatch
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE = Path(".cruft.json")
# The template's changes to files you own, kept for you inside .git (never committed): the
# next update replaces them.
SET_ASIDE = "template-update"
# Lines git writes around a clash (the ======= between them is also a Markdown underline, so
# only these two count).
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")

# Where the template moved code you may have changed, by the file it was in: the file it is in
# now, and what to carry over. `{module}` is this study's package. An update that moves the
# learner's code adds its entry here (and, to move the code itself, see migrate_learner_code).
MOVED_CODE = {
    # The 10-module layout (Nov 2026): modelling.py's estimators became model.py's MODELS.
    # The learner's file (Dec 2026): model.py's add_features and MODELS moved to study.py,
    # which updates never touch; the machinery below them moved into kit/.
    "src/{module}/model.py": (
        "src/{module}/study.py",
        "your add_features and your MODELS entries (and their imports) go in study.py, the "
        "file that is yours; metrics of your own go in its METRICS",
    ),
    "src/{module}/modelling.py": (
        "src/{module}/model.py",
        "a model of yours goes in MODELS (one entry: its name, then its estimator for "
        "classification and for regression), a feature in add_features",
    ),
}


# Set when an older copy of this command started the newest template's copy (see apply).
STARTED_BY_OLDER_COPY = "STUDY_UPDATE_STARTED_BY_OLDER_COPY"


class Refused(Exception):
    """A reason not to go on, said plainly, with what to do instead."""


# ------------------------------------------------------------------------------ git and files


def git(*args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise Refused(f"`git {' '.join(args)}` failed: {done.stderr.strip()}")
    return done.stdout


def require_clean_git() -> None:
    """An update starts from a commit, so `git diff` shows it alone and `git reset` undoes it."""
    if git("rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise Refused(
            "This study is not a git repository, so an update could not be reviewed or undone."
            '\nMake it one first:  git init && git add -A && git commit -m "My study"'
        )
    if git("status", "--porcelain", "--untracked-files=all").strip():
        raise Refused(
            "This study has changes that are not committed (`git status` lists them). Commit "
            "them first, so the update is a change of its own that you can review and undo:"
            '\n    git add -A && git commit -m "My work so far"'
            "\nor set them aside and bring them back after the update:"
            "\n    git stash --include-untracked     (afterwards: git stash pop)"
        )


def read_state() -> dict:
    if not STATE_FILE.is_file():
        raise Refused(
            "This folder has no .cruft.json, so it does not know which template it came from. "
            "Run this in the study's folder; or link it: .venv/bin/cruft link <template address>"
        )
    return json.loads(STATE_FILE.read_text(encoding="utf-8"))


def files_in(folder: Path) -> dict[str, Path]:
    """Every file below ``folder``, by its path relative to it (with / on every system)."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def same_file(first: Path | None, second: Path | None) -> bool:
    if first is None or second is None:
        return first is second
    executable = (os.access(first, os.X_OK), os.access(second, os.X_OK))
    return first.read_bytes() == second.read_bytes() and executable[0] == executable[1]


def is_listed(path: str, patterns: list[str]) -> bool:
    """``path`` is one of ``patterns`` (a file, a folder, or a glob such as ``*.csv``)."""
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatch(path, pattern):
            return True
    return False


def text_of(path: Path | None) -> list[str] | None:
    """A file's lines, or None for a binary file."""
    if path is None:
        return []
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def has_conflict_markers(path: Path) -> bool:
    lines = text_of(path) if path.is_file() else []
    return bool(lines) and all(any(line.startswith(m) for line in lines) for m in CONFLICT_MARKERS)


# ------------------------------------------------------------------------- rendering the template


@dataclass
class Renders:
    """The template rendered with this study's answers, at the study's commit and at its newest."""

    old: Path
    new: Path
    commit: str
    newest: str
    # The answers as the newest template holds them (new questions with their defaults).
    answers: dict
    # Files of the old rendering that you deleted: an update leaves them deleted.
    you_deleted: set[str]


def forget_template_modules(folder: Path) -> None:
    """Unload the modules imported from the template's own folder (its Jinja extensions).

    cookiecutter imports a template's extension module by its name. Rendering the old and then
    the new template in one process would reuse the old module, and the new template would
    fail on a filter it does not have. Forgetting them makes each rendering import its own.
    """
    folder = folder.resolve()
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None)
        if source and Path(source).resolve().is_relative_to(folder):
            del sys.modules[name]
    importlib.invalidate_caches()


@contextlib.contextmanager
def template_renders(state: dict) -> Iterator[Renders]:
    """Both renderings, in a temporary folder that is removed afterwards."""
    # cruft's own steps (the versions uv.lock pins): clone the template, render it with the
    # study's answers. Imported here, so `check` and a refusal need no cruft.
    from cruft._commands.utils import generate
    from cruft._commands.utils.cookiecutter import get_cookiecutter_repo
    from cruft._commands.utils.iohelper import AltTemporaryDirectory

    # cruft's temporary folder puts the template on Python's path, for its extension module.
    with AltTemporaryDirectory(str(Path("repo", state.get("directory") or ""))) as tmp:
        tmp = Path(tmp)
        repo = get_cookiecutter_repo(state["template"], tmp / "repo", state.get("checkout"))
        newest = repo.head.object.hexsha
        you_deleted: set[Path] = set()
        write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        try:
            contexts = []
            for into, commit in ((tmp / "old", state["commit"]), (tmp / "new", newest)):
                forget_template_modules(Path(repo.working_dir))
                contexts.append(
                    generate.cookiecutter_template(
                        output_dir=into,
                        repo=repo,
                        # Every file, yours too: what the update may touch is decided later.
                        cruft_state={**state, "skip": []},
                        project_dir=Path("."),
                        checkout=commit,
                        deleted_paths=you_deleted,
                        update_deleted_paths=commit == state["commit"],
                    )
                )
        finally:
            sys.dont_write_bytecode = write_bytecode
            repo.close()
        answers = {
            key: value
            for key, value in contexts[1]["cookiecutter"].items()
            if not key.startswith("_") or key in ("_template", "_commit")
        }
        yield Renders(
            old=tmp / "old",
            new=tmp / "new",
            commit=state["commit"],
            newest=newest,
            answers=answers,
            you_deleted={Path(p).as_posix() for p in you_deleted},
        )


def patch_between(old: dict[str, Path], new: dict[str, Path], paths: list[str]) -> str:
    """A git patch that turns ``old``'s version of ``paths`` into ``new``'s (as cruft makes it)."""
    from cruft._commands.utils.diff import get_diff

    with tempfile.TemporaryDirectory() as tmp:
        trees = Path(tmp, "a"), Path(tmp, "b")
        for tree, files in zip(trees, (old, new), strict=True):
            tree.mkdir()
            for path in paths:
                if path in files:
                    (tree / path).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(files[path], tree / path)
        return get_diff(*trees)


# ------------------------------------------------------------------------------ what will change


@dataclass
class Plan:
    """What the update does to each file, decided before anything is touched."""

    renders: Renders
    skip: list[str]
    module: str
    # Files the template owns, as the template changes them.
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Files you own that the template changed: left alone; the change is saved as a patch.
    yours_changed: list[str] = field(default_factory=list)
    # Files the template adds where you already have a file of that name: yours stays.
    name_taken: list[str] = field(default_factory=list)
    # Your own changes to files the template owns: the diff of your file against the old
    # template's rendering of it.
    learner_changes: dict[str, str] = field(default_factory=dict)
    # Files the template removes (or moves) that you had changed: kept, never deleted.
    kept: list[str] = field(default_factory=list)
    # Files you changed whose code the template moves to another file in this update
    # (MOVED_CODE): your changes may no longer be used where they are.
    code_moved: list[str] = field(default_factory=list)
    # The files the template renamed: old path -> new path (git's rename detection).
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def applied(self) -> list[str]:
        """The files the patch touches."""
        kept = set(self.kept)
        return sorted(set(self.changed) | set(self.added) | (set(self.removed) - kept))

    @property
    def nothing_to_do(self) -> bool:
        return not (self.applied or self.yours_changed or self.name_taken)


def learner_diff(path: str, template_file: Path) -> str | None:
    """Your file against the old template's rendering of it, or None when they are the same."""
    yours = Path(path)
    if same_file(template_file, yours):
        return None
    before, after = text_of(template_file), text_of(yours)
    if before is None or after is None:
        return f"(a binary file: yours differs from the template's {path})\n"
    lines = difflib.unified_diff(before, after, f"template's {path}", f"your {path}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def renames(old: Path, new: Path) -> dict[str, str]:
    """Files the template moved, as git's rename detection sees them: old path -> new path."""
    listing = git(
        "diff", "--no-index", "--name-status", "-M", "-z", str(old), str(new), check=False
    )
    fields = listing.split("\0")
    moved = {}
    for index, status in enumerate(fields):
        if status.startswith("R") and index + 2 < len(fields):
            source = Path(fields[index + 1]).relative_to(old).as_posix()
            moved[source] = Path(fields[index + 2]).relative_to(new).as_posix()
    return moved


def plan_update(renders: Renders, state: dict) -> Plan:
    skip = list(state.get("skip", []))
    module = state["context"]["cookiecutter"].get("module_name", "")
    plan = Plan(renders=renders, skip=skip, module=module)
    old, new = files_in(renders.old), files_in(renders.new)
    for path in sorted(old.keys() | new.keys()):
        if path == STATE_FILE.name or is_listed(path, sorted(renders.you_deleted)):
            continue
        before, after = old.get(path), new.get(path)
        if is_listed(path, skip):
            if not same_file(before, after):
                plan.yours_changed.append(path)
            continue
        if before is not None:
            changes = learner_diff(path, before)
            if changes:
                plan.learner_changes[path] = changes
        if same_file(before, after):
            continue
        if before is None:
            (plan.name_taken if Path(path).exists() else plan.added).append(path)
        elif after is None:
            plan.removed.append(path)
            if path in plan.learner_changes:
                plan.kept.append(path)
        else:
            plan.changed.append(path)
    plan.renamed = renames(renders.old, renders.new)
    for path in sorted(set(plan.learner_changes) - set(plan.kept)):
        moved = moved_code(path, module)
        # Only in the update that makes the move: the file the code goes to is new in it.
        if moved and moved[0] in new and moved[0] not in old:
            plan.code_moved.append(path)
    return plan


def moved_code(path: str, module: str) -> tuple[str, str] | None:
    """(the file, what to carry over) when MOVED_CODE says the code of ``path`` moved; a code
    that moved twice (modelling.py -> model.py -> study.py) goes to its last place."""
    moves = {source.format(module=module): move for source, move in MOVED_CODE.items()}
    found, seen = None, {path}
    while path in moves:
        destination, what = moves[path]
        path = destination.format(module=module)
        if path in seen:  # a loop in MOVED_CODE: stop at the first place
            break
        seen.add(path)
        found = (path, what)  # the advice of the last move: where the code is now
    return found


def command_name(module: str) -> str:
    """How to run this command again: the study's copy, or this file (an older study)."""
    inside = Path(__file__).resolve().is_relative_to(Path.cwd().resolve())
    if inside or os.environ.get(STARTED_BY_OLDER_COPY):
        return f".venv/bin/python -m {module}.kit.update"
    return f'python "{__file__}"'


def show_plan(plan: Plan) -> None:
    r = plan.renders
    print(f"The template changed from {r.commit[:7]} (this study) to {r.newest[:7]} (newest).")
    sections = [
        ("Files it changes", plan.changed),
        ("Files it adds", plan.added),
        ("Files it removes", sorted(set(plan.removed) - set(plan.kept))),
    ]
    for title, paths in sections:
        if paths:
            print(f"\n{title} ({len(paths)}):")
            for path in paths:
                merged = " (you changed it too: merged with your changes)"
                print(f"  {path}{merged if path in plan.learner_changes else ''}")
    notes = [
        (plan.kept, "removed by the template, but you changed it: kept"),
        (plan.yours_changed, "yours: left as it is; the template's change is saved for you"),
        (plan.name_taken, "added by the template, but you have a file there: yours is kept"),
    ]
    if any(paths for paths, _ in notes):
        print("\nNot changed, and why:")
        for paths, why in notes:
            for path in paths:
                print(f"  {path}  ({why})")
    print(f"\nThe whole change, as a patch: {command_name(plan.module)} diff")


# ----------------------------------------------------------------------------- applying it


def ask(question: str) -> bool:
    """One yes/no question on the terminal, or on standard input in a script."""
    print(f"{question} [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    if not answer:  # end of input: a script that did not answer
        print()
        raise Refused("No answer was given, so nothing changed. To apply without asking: --yes")
    return answer.strip().lower() in ("y", "yes")


def apply_patch(patch: str) -> str:
    """Apply with cruft's own step: git's three-way merge, else `git apply --reject` (.rej files).

    Returns what git said when it could not apply everything cleanly.
    """
    from cruft._commands.update import _apply_patch

    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        _apply_patch(patch, Path("."), allow_untracked_files=False)
    return said.getvalue()


def set_aside_folder() -> Path:
    return Path(git("rev-parse", "--git-path", SET_ASIDE).strip())


def set_aside(plan: Plan) -> dict[str, Path]:
    """Save the template's changes to your files, for you to take or leave: path -> saved file."""
    folder = set_aside_folder()
    shutil.rmtree(folder, ignore_errors=True)
    old, new = files_in(plan.renders.old), files_in(plan.renders.new)
    saved = {}
    for path in plan.yours_changed:
        target = folder / f"{path}.patch"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(patch_between(old, new, [path]), encoding="utf-8")
        saved[path] = target
    for path in plan.name_taken:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(new[path], target)
        saved[path] = target
    return saved


def record(state: dict, plan: Plan) -> None:
    """.cruft.json now names the newest commit, and the newest template's answers and skip list."""
    rendered = plan.renders.new / STATE_FILE.name
    try:
        newest_skip = json.loads(rendered.read_text(encoding="utf-8")).get("skip", [])
    except (OSError, ValueError):
        newest_skip = []
    state["commit"] = plan.renders.newest
    state["context"] = {"cookiecutter": plan.renders.answers}
    # A file is yours once either version says so: the new list can only add to the old.
    state["skip"] = plan.skip + [path for path in newest_skip if path not in plan.skip]
    text = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    STATE_FILE.write_text(text, encoding="utf-8")


def migrate_learner_code(plan: Plan) -> list[str]:
    """THE HOOK for an update that moves the learner's code: move it, and say what was moved.

    It runs after the template's change is applied (and .cruft.json updated), before the
    conflicts are listed, in the study's folder. It is the NEWEST template's copy that runs
    (an older copy hands over to it, see ``apply``), so a migration added here runs in the
    update that needs it. What it has (``plan``):

    - ``plan.learner_changes[path]``: the learner's own changes to a template-owned file, as
      a diff against the OLD template's rendering of it (``plan.renders.old / path``);
    - ``plan.code_moved``: files the learner changed whose code MOVED_CODE says moves in this
      update (the destination is new in it), and ``plan.kept``: files the new template
      removes that the learner had changed. Both are still in the study as the learner left
      them (``git show HEAD:<path>`` has them too), and both are listed for the learner,
      with their hunk and MOVED_CODE's advice, unless a migration takes them off the list;
    - ``plan.renders.new / path``: the NEW template's rendering of any file.

    A migration writes the learner's code where the new layout wants it and returns one line
    per move for the report. For model.py -> study.py: add the MOVED_CODE entry
    ``"src/{module}/model.py": ("src/{module}/study.py", "add_features, MODELS, METRICS")``
    (the report then says exactly what to move where), and here read ``add_features``,
    ``MODELS`` and the metrics from the learner's model.py (``ast``), write them into
    ``src/<module>/study.py`` (already the new template's, from the patch), and take
    model.py off ``plan.code_moved``/``plan.kept`` only when every hunk of the learner's was
    carried over. Never delete the learner's file here: the report says what can go.

    No update of this template has needed one yet, so it moves nothing.
    """
    return []


@dataclass
class Conflict:
    path: str
    problem: str
    recipe: str
    # The .rej file git left beside it, if any.
    rejected: str | None = None


def where_code_goes(path: str, changes: str, plan: Plan) -> str:
    """Where the code of a removed file belongs in the new template, as exactly as known."""
    moved = moved_code(path, plan.module)
    if moved:
        return f"{moved[0]}: {moved[1]}"
    if path in plan.renamed:
        return f"{plan.renamed[path]} (the template moved the file there)"
    # The lines around your change, as the old template had them: the new template file that
    # has most of them is where that code lives now.
    around = {
        line[1:].strip()
        for line in changes.splitlines()
        if line[:1] in (" ", "-") and not line.startswith("---") and len(line.strip()) > 3
    }
    best, best_count, best_line = None, 0, 0
    for name, file in files_in(plan.renders.new).items():
        lines = text_of(file) or []
        found = [number for number, line in enumerate(lines, 1) if line.strip() in around]
        if len(found) > best_count:
            best, best_count, best_line = name, len(found), found[0]
    if best:
        return f"{best} (near line {best_line}, where the lines around your change are now)"
    return "no file of the new template: keep it as your own module, or drop it if unneeded"


def find_conflicts(plan: Plan) -> list[Conflict]:
    """Every file that needs you after the update, each with what to do."""
    status = git("status", "--porcelain", "-z", "--no-renames", "--untracked-files=all").split("\0")
    touched = sorted({entry[3:] for entry in status if len(entry) > 3})
    unmerged = set(git("diff", "--name-only", "--diff-filter=U", "-z").split("\0")) - {""}
    found = []
    for path in touched:
        if path.endswith(".rej"):
            target = path[: -len(".rej")]
            found.append(
                Conflict(
                    target,
                    f"part of the template's change did not fit your version; it is in {path}",
                    f"make that change in {target} by hand (in {path}, lines starting with - "
                    f"go and lines starting with + come), then: rm {path} && git add {target}",
                    rejected=path,
                )
            )
        elif path in unmerged or has_conflict_markers(Path(path)):
            found.append(
                Conflict(
                    path,
                    "you and the template changed the same lines; both versions are in the file",
                    "open it and find each block from <<<<<<< to >>>>>>>: above ======= is "
                    "yours, below it the template's. Keep what you want, delete the three "
                    f"marker lines, then: git add {path}",
                )
            )
    for path in plan.code_moved:
        changes = plan.learner_changes[path]
        found.append(
            Conflict(
                path,
                "the template moved code of this file elsewhere, so your changes here may no "
                "longer be used. Your changes:\n" + indent(changes, 8),
                f"move them to {where_code_goes(path, changes, plan)}; then take them out of "
                f"{path} and: git add {path}",
            )
        )
    for path in plan.kept:
        found.append(
            Conflict(
                path,
                "the template no longer has this file, but you had changed it: your version is "
                "kept. Your changes:\n" + indent(plan.learner_changes[path], 8),
                f"move them to {where_code_goes(path, plan.learner_changes[path], plan)}; "
                f"then, when nothing in it is needed any more: git rm {path}",
            )
        )
    return found


def indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def unstaged() -> set[Path]:
    return {Path(p) for p in git("diff", "--name-only", "-z").split("\0") if p}


def stage_update(conflicts: list[Conflict]) -> None:
    """Stage the update, but not what needs you: `git diff --staged` is the template's change,
    `git diff` what is left to resolve."""
    git("add", "--all", "--", ".", ":(exclude)*.rej")
    waiting = sorted({c.path for c in conflicts if Path(c.path).exists()})
    if waiting:
        git("reset", "--quiet", "--", *waiting)


def report(plan: Plan, conflicts: list, saved: dict, moved: list, git_said: str) -> None:
    r = plan.renders
    removed = len(plan.applied) - len(plan.changed) - len(plan.added)
    counts = f"{len(plan.changed)} files changed, {len(plan.added)} added, {removed} removed"
    print(f"\nUpdated from {r.commit[:7]} to {r.newest[:7]}: {counts}.")
    for line in moved:
        print(f"Moved for you: {line}")
    if git_said.strip() and not conflicts:
        print("git said:\n" + indent(git_said.strip(), 4))
    if conflicts:
        print(f"\nNeeds you ({len(conflicts)}):")
        for number, conflict in enumerate(conflicts, 1):
            print(f"  {number}. {conflict.path}: {conflict.problem}")
            print(f"     What to do: {conflict.recipe}")
    else:
        print("No conflicts: every change of the template merged with yours.")
    if saved:
        print(
            "\nThe template changed these files of yours; they are as you left them (if"
            f" `{command('study')}` now\nrefuses a setting of params.yaml, its change is why):"
        )
        for path, where in saved.items():
            if path in plan.yours_changed:
                print(f"  {path}: see the change: cat {where}")
                print(f"      take it (merged with yours): git apply -3 {where}")
            else:
                print(f"  {path}: the template's new file is {where}; yours was kept")
                print(f"      compare them: git diff --no-index {path} {where}")
    merged = sorted(set(plan.learner_changes) & set(plan.changed))
    if merged:
        print(f"\nYour own changes to template files, merged: {', '.join(merged)}")
    message = f"Update from the template ({r.commit[:7]} -> {r.newest[:7]})"
    print("\nNext (the update is one change, not committed yet):")
    print("  git status               what changed (staged) and what needs you (not staged)")
    print("  git diff --staged        read the template's change")
    if any(Path(c.path) in unstaged() for c in conflicts):
        print("  git diff                 the files left to resolve (listed above)")
    print(f"  {command('study')}, then {command('test')}: does everything still run?")
    print(f'  git add -A && git commit -m "{message}"')
    # git reset --hard also removes the files the update added (they are staged); the .rej
    # files git left are not known to git, so they go by name.
    leftovers = [f"rm {c.rejected}" for c in conflicts if c.rejected]
    undo = " && ".join(["git reset --hard", *leftovers])
    print(f"To undo it instead (back to your last commit): {undo}")


# ------------------------------------------------------------------------------ the commands


def check(exit_code: bool) -> int:
    """Is the template newer than this study, and by how many commits?"""
    state = read_state()
    template, checkout = state["template"], state.get("checkout") or "HEAD"
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp, "template.git")
        # History only: a local folder is cloned whole (fast), an address without file contents.
        slim = [] if Path(template).is_dir() else ["--filter=blob:none"]
        done = subprocess.run(
            ["git", "clone", "--quiet", "--bare", *slim, template, str(clone)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise Refused(
                f"Could not reach the template at {template}: {done.stderr.strip()}\n"
                'Its address is "template" in .cruft.json.'
            )
        newest = git("-C", str(clone), "rev-parse", checkout).strip()
        commit = state["commit"]
        if newest == commit:
            print(f"Up to date: the study has the template's newest commit ({commit[:7]}).")
            return 0
        # Fails when the study's commit is not in the template's history (rewritten, or
        # another template): then there is no count to give.
        counted = subprocess.run(
            ["git", "-C", str(clone), "rev-list", "--count", f"{commit}..{newest}"],
            capture_output=True,
            text=True,
            check=False,
        )
    if counted.returncode == 0:
        count = int(counted.stdout)
        how_far = f"{count} new commit{'s' if count != 1 else ''}"
    else:
        how_far = "a different history (the study's commit is not in it)"
    print(
        f"The template is newer: {how_far} since this study's {commit[:7]} "
        f"(newest {newest[:7]}).\nSee the change: {command('update')} (it shows it and asks first)."
    )
    return 1 if exit_code else 0


def diff(paths: list[str]) -> int:
    """Print the template's change: the patch an update applies (and, for files you own, the
    change it would not apply)."""
    state = read_state()
    with template_renders(state) as renders:
        plan = plan_update(renders, state)
        old, new = files_in(renders.old), files_in(renders.new)
        chosen = plan.applied + plan.yours_changed + plan.name_taken
        if paths:
            chosen = [path for path in chosen if is_listed(path, paths)]
        sys.stdout.write(patch_between(old, new, sorted(chosen)))
    return 0


def newest_copy(renders: Renders, module: str) -> Path | None:
    """The newest template's copy of this command, when it differs from the one running."""
    newest = renders.new / "src" / module / "kit" / "update.py"
    if os.environ.get(STARTED_BY_OLDER_COPY) or not newest.is_file():
        return None
    return None if newest.read_bytes() == Path(__file__).read_bytes() else newest


def apply(yes: bool) -> int:
    state = read_state()
    require_clean_git()
    with template_renders(state) as renders:
        plan = plan_update(renders, state)
        newest = newest_copy(renders, plan.module)
        if newest is None:
            return apply_plan(state, plan, yes)
        code = newest.read_bytes()
    # The newest template's copy of this command knows this update (the code it moves:
    # MOVED_CODE, migrate_learner_code), so it runs instead of this older copy.
    print("(The template's update command changed too: its newest version runs.)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "update.py")
        script.write_bytes(code)
        command = [sys.executable, str(script), "apply", *(["--yes"] if yes else [])]
        environment = {**os.environ, STARTED_BY_OLDER_COPY: "1"}
        return subprocess.run(command, env=environment, check=False).returncode


def apply_plan(state: dict, plan: Plan, yes: bool) -> int:
    renders = plan.renders
    if renders.newest == renders.commit:
        print(f"Up to date: the study has the template's newest commit ({renders.commit[:7]}).")
        return 0
    if plan.nothing_to_do:
        print("The template has new commits, but none changes a file of this study.")
    else:
        show_plan(plan)
    if not yes and not ask("\nApply this update?"):
        print("Nothing changed.")
        return 1
    old, new = files_in(renders.old), files_in(renders.new)
    patch = patch_between(old, new, plan.applied)
    git_said = apply_patch(patch) if patch.strip() else ""
    record(state, plan)
    saved = set_aside(plan)
    moved = migrate_learner_code(plan)
    conflicts = find_conflicts(plan)
    stage_update(conflicts)
    report(plan, conflicts, saved, moved, git_said)
    return 0


def command(verb: str) -> str:
    """One of the study's commands as it is typed here: run.py's (as kit/paths.py's RUN spells
    it; this file imports nothing of the study), or make's in a study made before run.py."""
    if not Path("run.py").is_file():
        return f"make {verb}"
    return f"{'py' if os.name == 'nt' else 'python3'} run.py {verb}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="is the template newer than this study?")
    checking.add_argument("--exit-code", action="store_true", help="exit with 1 when it is")
    showing = commands.add_parser("diff", help="the template's change, as a patch")
    showing.add_argument("paths", nargs="*", help="only these files or folders")
    applying = commands.add_parser("apply", help="show the change, ask once, apply it")
    applying.add_argument("--yes", action="store_true", help="apply without asking")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check(args.exit_code)
        if args.command == "diff":
            return diff(args.paths)
        return apply(args.yes)
    except Refused as reason:
        print(reason, file=sys.stderr)
        return 2
    except ModuleNotFoundError as missing:
        print(
            f"{missing.name} is not installed here: run `{command('setup')}`, which installs the "
            "versions uv.lock pins (cruft among them), then try again.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
