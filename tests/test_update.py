"""Template updates: a study records where it came from, and `cruft update` brings changes in.

The study's `.cruft.json` is what cruft needs (template address, commit, answers, and a skip
list of the files the learner owns). These tests follow a study through a template change, with
the template in a git repository of its own, as a learner's clone of it would be.
"""

from __future__ import annotations

import json
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
