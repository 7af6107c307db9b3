"""Template updates: a study records where it came from, and `cruft update` brings changes in.

The study's `.cruft.json` is what cruft needs (template address, commit, answers, and a skip
list of the files the learner owns). These tests follow a study through a template change, with
the template in a git repository of its own, as a learner's clone of it would be.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, Study
from cookiecutter.main import cookiecutter

CRUFT = str(Path(sys.executable).with_name("cruft"))
STUDY_TEMPLATE = "{{cookiecutter.project_slug}}"
LEARNER_OWNED = [
    "QUESTION.md",
    "params.yaml",
    "src/wine_study/study.py",
    "notebooks",
    "WRITEUP.md",
    "data/README.md",
]


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def copy_template(into: Path, *, as_git_repo: bool = True) -> Path:
    """This template's files as they are now (committed or not), optionally in a fresh repo."""
    listed = git(TEMPLATE, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE / name
        if source.is_file():  # files deleted but not yet committed are still listed
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    if as_git_repo:
        git(into, "init", "--quiet", "--initial-branch=main")
        git(into, "add", "--all")
        git(into, "commit", "--quiet", "-m", "Template as released")
    return into


def render_from(template: Path, output: Path, **answers) -> Study:
    folder = cookiecutter(
        str(template), no_input=True, output_dir=str(output), extra_context=answers
    )
    return Study(Path(folder))


def cruft(study: Study, *args: str, check: bool = True):
    return study.run(CRUFT, *args, check=check, timeout=300)


def test_study_records_the_template_and_its_answers(tmp_path):
    template = copy_template(tmp_path / "template")
    study = render_from(template, tmp_path / "out", project_name="Wine Study", dataset="wine")
    state = json.loads(study.read(".cruft.json"))
    assert state["template"] == str(template)
    assert state["commit"] == git(template, "rev-parse", "HEAD")
    answers = state["context"]["cookiecutter"]
    assert answers["project_name"] == "Wine Study" and answers["dataset"] == "wine"
    assert answers["project_slug"] == "wine-study"
    # cruft re-renders from these answers, so every question of cookiecutter.json is there.
    questions = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    assert {k for k in answers if not k.startswith("_")} == {
        k for k in questions if not k.startswith("_")
    }
    # Every learner-owned path is skipped, and each one exists, so a rename cannot slip by.
    assert set(LEARNER_OWNED) <= set(state["skip"])
    for path in state["skip"]:
        assert (study.path / path).exists(), path
    # The study's page on updates names every file cruft leaves alone.
    page = study.read("docs/updates.md")
    assert [path for path in state["skip"] if f"`{path}" not in page] == []
    assert ".cruft.json" in study.run("git", "ls-files").stdout.split()


def test_template_outside_git_leaves_no_cruft_record(tmp_path, capfd):
    template = copy_template(tmp_path / "template", as_git_repo=False)
    study = render_from(template, tmp_path / "out")
    assert not study.has_file(".cruft.json")
    assert "cruft link" in capfd.readouterr().out
    assert study.has_file("dvc.yaml")


@pytest.mark.slow
def test_cruft_update_brings_template_changes_and_keeps_learner_files(tmp_path):
    template = copy_template(tmp_path / "template")
    study = render_from(template, tmp_path / "out")
    assert "up to date" in cruft(study, "check").stdout

    # The learner writes their hypothesis and tunes a parameter, and commits.
    question = study.read("QUESTION.md") + "\nMy hypothesis: well above chance.\n"
    study.write("QUESTION.md", question)
    params = study.read("params.yaml").replace("C: 1.0", "C: 0.3", 1)
    study.write("params.yaml", params)
    study.run("git", "commit", "--quiet", "-am", "My question and settings")

    # Meanwhile the template improves a shared file and changes learner-owned ones too.
    shared = template / STUDY_TEMPLATE / "REVIEW.md"
    shared.write_text(shared.read_text() + "\n- [ ] A check the template added later.\n")
    for owned in ("QUESTION.md", "params.yaml"):
        path = template / STUDY_TEMPLATE / owned
        path.write_text(path.read_text() + "\n# changed by the template\n")
    git(template, "commit", "--quiet", "-am", "Improve the review checklist")

    outdated = cruft(study, "check", check=False)
    assert outdated.returncode != 0 and "out of date" in outdated.stdout

    cruft(study, "update", "--skip-apply-ask")

    assert "A check the template added later." in study.read("REVIEW.md")
    assert study.read("QUESTION.md") == question
    assert study.read("params.yaml") == params
    assert not list(study.path.rglob("*.rej"))
    state = json.loads(study.read(".cruft.json"))
    assert state["commit"] == git(template, "rev-parse", "HEAD")
    assert "up to date" in cruft(study, "check").stdout
    changed = study.run("git", "status", "--porcelain").stdout
    assert "REVIEW.md" in changed and "QUESTION.md" not in changed


# --- The study's own update command (src/<module>/kit/update.py) ---


def update_command(study: Study, *args: str, check: bool = False):
    """The study's `python -m <module>.kit.update`, run with the template's cruft."""
    (script,) = study.path.glob("src/*/kit/update.py")
    return study.run(sys.executable, str(script), *args, check=check, timeout=120)


def improve_review_checklist(template: Path, line: str) -> None:
    shared = template / STUDY_TEMPLATE / "REVIEW.md"
    shared.write_text(shared.read_text(encoding="utf-8") + f"\n- [ ] {line}\n")
    git(template, "commit", "--quiet", "-am", f"Checklist: {line}")


@pytest.fixture
def linked(tmp_path):
    """A template in a git repository of its own, and a study made from it."""
    template = copy_template(tmp_path / "template")
    return template, render_from(template, tmp_path / "out")


def test_check_counts_the_new_commits_and_diff_shows_them(linked):
    template, study = linked
    assert "Up to date" in update_command(study, "check", check=True).stdout
    improve_review_checklist(template, "A first later check.")
    improve_review_checklist(template, "A second later check.")
    said = update_command(study, "check", check=True).stdout
    assert "2 new commits" in said and "run.py update" in said
    assert update_command(study, "check", "--exit-code").returncode == 1
    patch = update_command(study, "diff", check=True).stdout
    assert "+- [ ] A second later check." in patch and "REVIEW.md" in patch
    assert study.run("git", "status", "--porcelain").stdout == ""  # only looked


def test_apply_refuses_uncommitted_work_and_says_how_to_commit_it(linked):
    template, study = linked
    improve_review_checklist(template, "A later check.")
    study.write("QUESTION.md", study.read("QUESTION.md") + "\nNot committed yet.\n")
    done = update_command(study, "apply", "--yes")
    assert done.returncode == 2
    assert "git add -A && git commit" in done.stderr and "git stash" in done.stderr
    assert "A later check." not in study.read("REVIEW.md")


def test_a_clash_is_listed_with_its_file_and_what_to_do(linked):
    """The learner and the template change the same line: conflict markers, listed, unstaged."""
    template, study = linked
    question = study.read("QUESTION.md") + "\nMy hypothesis.\n"
    study.write("QUESTION.md", question)
    study.write("REVIEW.md", study.read("REVIEW.md") + "\n- [ ] My own check.\n")
    study.run("git", "commit", "--quiet", "--no-verify", "-am", "My work")
    improve_review_checklist(template, "The template's check.")

    done = update_command(study, "apply", "--yes", check=True)
    review = study.read("REVIEW.md")
    assert "<<<<<<< " in review and "My own check." in review and "The template's check." in review
    assert re.search(
        r"(?m)^  1\. REVIEW\.md: you and the template changed the same lines", done.stdout
    )
    assert "then: git add REVIEW.md" in done.stdout
    status = study.run("git", "status", "--porcelain").stdout.splitlines()
    assert set(status) == {"M  .cruft.json", " M REVIEW.md"}
    assert study.read("QUESTION.md") == question


def test_a_change_that_cannot_merge_three_ways_is_left_as_a_listed_rej_file(linked):
    """Without the old version in git (a study whose history was restarted), git cannot merge
    three ways: the change that does not fit is a .rej file, listed; the rest applies."""
    template, study = linked
    study.write("REVIEW.md", study.read("REVIEW.md").replace("## Overall", "## All in all"))
    shutil.rmtree(study.path / ".git")
    study.run("git", "init", "--quiet", "--initial-branch=main")
    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "--no-verify", "-m", "Started again")
    improve_review_checklist(template, "The template's check.")
    readme = template / STUDY_TEMPLATE / "docs" / "updates.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA later note.\n", encoding="utf-8")
    git(template, "commit", "--quiet", "-am", "A later note")

    done = update_command(study, "apply", "--yes", check=True)
    assert study.has_file("REVIEW.md.rej")
    assert "REVIEW.md: part of the template's change did not fit" in done.stdout
    assert "rm REVIEW.md.rej && git add REVIEW.md" in done.stdout
    assert "A later note." in study.read("docs/updates.md")
    assert "git reset --hard && rm REVIEW.md.rej" in done.stdout


def test_a_file_the_template_moves_keeps_the_learners_version_and_names_its_new_place(linked):
    template, study = linked
    study.write("docs/checks.md", study.read("docs/checks.md") + "\nMy note on the checks.\n")
    study.run("git", "commit", "--quiet", "--no-verify", "-am", "My note")
    git(template, "mv", f"{STUDY_TEMPLATE}/docs/checks.md", f"{STUDY_TEMPLATE}/docs/gates.md")
    git(template, "commit", "--quiet", "-m", "checks.md is gates.md now")

    done = update_command(study, "apply", "--yes", check=True)
    assert "My note on the checks." in study.read("docs/checks.md")  # kept, never deleted
    assert study.has_file("docs/gates.md")
    assert "+My note on the checks." in done.stdout  # the learner's hunk
    assert "move them to docs/gates.md (the template moved the file there)" in done.stdout
    assert "git rm docs/checks.md" in done.stdout


def test_the_newest_command_runs_and_names_code_the_template_moves(linked):
    """An update that moves the learner's code knows the move (MOVED_CODE) in the template's
    newest copy of the command: the study's older copy hands over to it."""
    template, study = linked
    stage = next(study.path.glob("src/*/train.py"))
    mine = "# my note on the fit\n"
    stage.write_text(stage.read_text().replace("\ndef fit(", "\n" + mine + "def fit(", 1))
    study.run("git", "commit", "--quiet", "--no-verify", "-am", "My note")
    package = template / STUDY_TEMPLATE / "src" / "{{cookiecutter.module_name}}"
    command = package / "kit" / "update.py"
    command.write_text(
        command.read_text().replace(
            "MOVED_CODE = {\n",
            "MOVED_CODE = {\n"
            '    "src/{module}/train.py": ("src/{module}/fitting.py", "the fit"),\n',
        )
    )
    (package / "fitting.py").write_text(
        '"""The fit, moved here."""\n\n\ndef fit(t):\n    return t\n'
    )
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "-m", "The fit moves to fitting.py")

    done = update_command(study, "apply", "--yes", check=True)
    assert "its newest version runs" in done.stdout
    where = stage.relative_to(study.path).as_posix()
    assert f"{where}: the template moved code of this file elsewhere" in done.stdout
    assert f"+{mine}" in done.stdout  # the learner's hunk
    assert f"move them to {where.replace('train.py', 'fitting.py')}: the fit" in done.stdout
    assert mine in stage.read_text()  # merged as it was, never lost
    assert "def fit(t)" in study.read(where.replace("train.py", "fitting.py"))
