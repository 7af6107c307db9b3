"""A study made at an earlier commit of this template, with a learner's work in it, updates to
today's template (full tier).

Each study is made from a clone of this repository checked out at an old commit, run once
(`make study` as it was then) and edited as a learner does (tests/updating.py: a feature and a
model in their code, a params.yaml value, a sentence in WRITEUP.md, a notebook cell, a figure of
their own, all committed). Then the update command of today's template brings it to the clone's
newest commit, which is the working tree as it is now. After it: the learner's work is all
there, or the report says exactly where it goes now; every conflict is listed with what to do;
the update is one change, staged and not committed; and once the learner has done what the
report says, `make study` runs and its result is the learner's model.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Study
from updating import (
    LEARNER_EDITS,
    MODEL_NAME,
    UPDATE_SCRIPT,
    before_last_extension_change,
    git,
    learner_code_file,
    render_at,
    run_in_terminal,
    template_commit,
    template_history,
)

pytestmark = pytest.mark.slow

# The commits a study is made at. A name stands for a commit found at test time.
BEFORE_EXTENSION_CHANGE = "the commit before the last change to the Jinja extension module"
UPDATED_FROM = [
    "af0a86d",  # the template before it had an update command of its own (Dec 2026)
    "91ea08c",  # mid-turn: study.py and kit/ new, the update command and run.py not yet
    BEFORE_EXTENSION_CHANGE,  # old and new template have different local extensions
]


def commit_id(spec: str) -> str:
    if spec == BEFORE_EXTENSION_CHANGE:
        return before_last_extension_change()
    return spec


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    return template_history(tmp_path_factory.mktemp("history") / "template")


@dataclass
class Needs:
    """One item of the report's "Needs you" list."""

    path: str
    problem: str
    recipe: str


@dataclass
class Updated:
    study: Study
    made_at: str
    output: str
    status: list[str]  # `git status --porcelain` right after the update
    staged: set[str]
    needs: list[Needs]


def needs_you(report: str) -> list[Needs]:
    found = []
    items = re.findall(r"(?ms)^  \d+\. (\S+): (.*?)\n     What to do: (.*?)$", report)
    for path, problem, recipe in items:
        found.append(Needs(path, problem, recipe))
    return found


def update(study: Study) -> subprocess.CompletedProcess:
    """Today's update command on the study. A study made before it existed has no copy of its
    own: the template's runs as a script, with the template's cruft (no terminal, --yes)."""
    own = list(study.path.glob("src/*/kit/update.py"))
    script = own[0] if own else UPDATE_SCRIPT
    return study.run(sys.executable, str(script), "apply", "--yes", check=False, timeout=300)


@pytest.fixture(
    scope="module", params=UPDATED_FROM, ids=["af0a86d", "91ea08c", "before-extension-change"]
)
def updated(request, history, tmp_path_factory) -> Updated:
    made_at = git(history, "rev-parse", commit_id(request.param))
    # iris: 150 rows, so that its three runs cost seconds (the layout is what is tested).
    study = render_at(history, made_at, tmp_path_factory.mktemp("made"), dataset="iris")
    for edit in LEARNER_EDITS:
        edit.make(study)
    study.make("study")
    study.run("git", "add", "--all")
    # --no-verify: the learner's quick edits are not what this tests (tests/test_gates.py is).
    study.run("git", "commit", "--quiet", "--no-verify", "-m", "My study, with its results")
    done = update(study)
    assert done.returncode == 0, done.stdout + done.stderr
    status = study.run("git", "status", "--porcelain", "--untracked-files=all").stdout
    staged = set(study.run("git", "diff", "--staged", "--name-only").stdout.split())
    return Updated(study, made_at, done.stdout, status.splitlines(), staged, needs_you(done.stdout))


def test_the_study_follows_the_newest_template(updated, history):
    state = json.loads(updated.study.read(".cruft.json"))
    newest = git(history, "rev-parse", "main")
    assert state["commit"] == newest
    assert state["context"]["cookiecutter"]["_commit"] == newest
    assert f"Updated from {updated.made_at[:7]} to {newest[:7]}" in updated.output
    # The report came before anything changed, with the files it would change.
    assert updated.output.index("Files it changes") < updated.output.index("Updated from")


def test_every_learner_edit_is_kept_or_its_new_place_is_named(updated):
    study = updated.study
    missing = []
    for edit in LEARNER_EDITS:
        if edit.is_there(study):
            continue
        # Moved: the learner's file is kept as it was, and the report says where the code goes.
        where = learner_code_file(study).relative_to(study.path).as_posix()
        sent_on = [
            need
            for need in updated.needs
            if MODEL_NAME in study.read(need.path)
            and f"move them to {where}" in need.recipe
            and "ink" in need.problem  # the learner's hunk is shown
        ]
        if not sent_on:
            missing.append(edit.name)
    assert missing == [], updated.output


# A block git leaves where both sides changed the same lines.
MARKED = re.compile(r"(?ms)^<<<<<<< .*?^>>>>>>> ")


def test_every_conflict_is_listed_with_what_to_do(updated):
    study = updated.study
    listed = {need.path for need in updated.needs}
    files = study.run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    unreported = []
    for name in filter(None, files.stdout.split("\0")):
        path = study.path / name
        if name.endswith(".rej"):
            clash = name[: -len(".rej")]
        elif path.is_file() and re.search(MARKED, path.read_text(errors="replace")):
            clash = name
        else:
            continue
        if clash not in listed:
            unreported.append(name)
    assert unreported == [], updated.output
    for need in updated.needs:
        assert (study.path / need.path).exists(), need
        assert need.recipe.strip() and need.problem.strip(), need


def test_the_update_is_one_change_staged_for_review(updated):
    study = updated.study
    head = study.run("git", "log", "-1", "--format=%s").stdout.strip()
    assert head == "My study, with its results"  # nothing committed for the learner
    assert ".cruft.json" in updated.staged and len(updated.staged) > 1
    listed = {need.path for need in updated.needs}
    # Staged, or waiting for the learner (listed); nothing else, and nothing new unknown to git.
    stray = [
        line
        for line in updated.status
        if not (line[0] in "MADR" and line[1] == " ") and line[3:] not in listed
    ]
    assert stray == [], updated.output
    # The report's closing commands: review, then commit it as one change.
    assert "git diff --staged" in updated.output
    assert re.search(r'git add -A && git commit -m "Update from the template', updated.output)
    assert "git reset --hard" in updated.output


def keep_the_templates_side(text: str) -> str:
    """Resolve each conflict block by keeping the template's lines (the learner redoes theirs)."""
    return re.sub(r"(?ms)^<<<<<<< [^\n]*\n.*?^=======\n(.*?)^>>>>>>> [^\n]*\n", r"\1", text)


def test_after_the_learner_does_what_it_says_the_study_runs(updated):
    """The learner takes the template's changes to their files, resolves what is listed, moves
    their code where the report says, and `make study` runs their model."""
    study = updated.study
    for patch in re.findall(r"take it \(merged with yours\): git apply -3 (\S+)", updated.output):
        study.run("git", "apply", "-3", patch, check=False)  # conflicts are resolved below
    for name in study.run("git", "diff", "--name-only", "--diff-filter=U").stdout.split():
        study.write(name, keep_the_templates_side(study.read(name)))
    for need in updated.needs:
        if (study.path / need.path).is_file() and "<<<<<<<" in study.read(need.path):
            study.write(need.path, keep_the_templates_side(study.read(need.path)))
        if "git rm" in need.recipe:  # moved code: carried over below, then the old file goes
            study.run("git", "rm", "--quiet", need.path)
    for edit in LEARNER_EDITS:
        edit.make(study)  # in the new layout, where the report said; no change if still there
        assert edit.is_there(study), edit.name
    study.make("study")
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["estimator"] == "KNeighborsClassifier"
    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "--no-verify", "-m", "Update from the template")
    assert study.run("git", "status", "--porcelain").stdout == ""


# ------------------------------------------------------------------------ at a real terminal


@pytest.fixture(scope="module")
def terminal_history(tmp_path_factory) -> Path:
    """A history of its own: the commits these tests add must not reach the studies above."""
    return template_history(tmp_path_factory.mktemp("terminal") / "template")


@pytest.fixture(scope="module")
def current_study(terminal_history, tmp_path_factory) -> Study:
    """A study of the newest template, its environment built by `make update-check`."""
    study = render_at(terminal_history, "main", tmp_path_factory.mktemp("current"))
    assert "Up to date" in study.make("update-check").stdout
    return study


def add_review_line(line: str):
    def change(folder: Path) -> None:
        review = folder / "REVIEW.md"
        review.write_text(review.read_text(encoding="utf-8") + f"\n- [ ] {line}\n")

    return change


def test_typing_y_at_a_terminal_applies_the_update(current_study, terminal_history):
    study = current_study
    for number in (1, 2):
        template_commit(
            terminal_history, f"Checklist {number}", add_review_line(f"Later check {number}.")
        )
    assert "2 new commits" in study.make("update-check").stdout

    status, shown = run_in_terminal(
        ["make", "update"], study.path, {"Apply this update? [y/N]": "y\n"}
    )
    assert status == 0, shown
    assert "Traceback" not in shown and "Files it changes (1):\n  REVIEW.md" in shown
    assert "Later check 2." in study.read("REVIEW.md")
    assert study.run("git", "diff", "--staged", "--name-only").stdout.split() == [
        ".cruft.json",
        "REVIEW.md",
    ]


def test_cruft_itself_takes_y_at_a_terminal_with_the_pinned_typer(current_study, terminal_history):
    """The field notes' AssertionError: typer 0.29 at cruft's own prompt. The study pins typer
    below 0.26, where `cruft update` asks, and y applies."""
    study = current_study
    if study.run("git", "status", "--porcelain").stdout:  # the update of the test above
        study.run("git", "add", "--all")
        study.run("git", "commit", "--quiet", "--no-verify", "-m", "Update from the template")
    template_commit(terminal_history, "Checklist 3", add_review_line("Later check 3."))
    status, shown = run_in_terminal(
        [".venv/bin/cruft", "update"], study.path, {"Apply diff and update?": "y\n"}
    )
    assert status == 0 and "AssertionError" not in shown, shown
    assert "Later check 3." in study.read("REVIEW.md")
