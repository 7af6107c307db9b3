"""Full tier: a study of the learner's own file, from its author to a reviewer elsewhere.

One penguins study with the default remote (a folder beside it), used in order as it would
be: the author writes a hypothesis but forgets to commit it (the first look at the test set
stops), commits it, runs the study and commits what it lists. A reviewer clones it into
another folder with a fresh HOME: CI and `make reproduce` say the data is out of reach and
who can fix it. The author shares the data (`make share`), the reviewer pulls the commit and
`make reproduce` says reproduced, leaving their copy untouched. Then the raw file is
truncated and corrupted (each stops the pipeline, the record unchanged), and looks at the
test set are counted: `make clean && make study` adds none, a changed param one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import subprocess
from types import SimpleNamespace

import pytest
from conftest import PENGUINS_CSV, Study, render_into
from test_study_ci import run_workflow

pytestmark = pytest.mark.slow

MODULE = "penguin_review"
RAW, RECORD = "data/raw/penguins.csv", "data/raw/penguins.csv.dvc"
HYPOTHESIS = "A linear model beats the baseline clearly, because bill sizes differ by species."


def suggested_commit(run) -> str:
    """The command the last line of `make study` gives, exactly as printed."""
    last = run.stdout.strip().splitlines()[-1]
    assert "commit them: " in last, last
    return last.split("commit them: ", 1)[1]


def looks(study: Study) -> int:
    with open(study.path / "reports/ledger.csv", newline="", encoding="utf-8") as f:
        return sum(row["kind"] == "test" for row in csv.DictReader(f))


@pytest.fixture(scope="module")
def author(tmp_path_factory):
    study = render_into(
        tmp_path_factory.mktemp("author"),
        dataset="local_file",
        dataset_location=str(PENGUINS_CSV),
        target_column="species",
        project_name="Penguin Review",
    )
    question = study.read("QUESTION.md")
    prompt = re.search(r"## My hypothesis\n\n(\*.*?\*)\n", question, re.DOTALL).group(1)
    study.write("QUESTION.md", question.replace(prompt, HYPOTHESIS))
    run = SimpleNamespace(study=study)
    # Written, not committed: the first look at the test set waits for it.
    run.forgot = study.make("study", check=False)
    run.ledger_after_forgetting = study.has_file("reports/ledger.csv")
    told = run.forgot.stdout + run.forgot.stderr
    study.run("sh", "-c", re.search(r"^    (git add QUESTION.md .*)$", told, re.M).group(1))
    run.first = study.make("study")
    study.run("sh", "-c", suggested_commit(run.first))
    run.review = study.make("review")
    return run


def test_the_first_look_waits_for_the_hypothesis_to_be_committed(author):
    forgot = author.forgot
    assert forgot.returncode != 0
    said = forgot.stdout + forgot.stderr
    assert "QUESTION.md holds your hypothesis, but it is not committed" in said
    assert "git add QUESTION.md && git commit -m" in said
    assert "Running stage 'evaluate'" in said and not author.ledger_after_forgetting
    # Committed, the study ran, and its own review finds the hypothesis came first.
    assert re.search(r"^passed +hypothesis +written before results", author.review.stdout, re.M)
    assert author.study.run("git", "status", "--porcelain").stdout == ""


def test_the_author_is_told_where_their_data_must_live(author):
    out = author.first.stdout
    assert "Sharing: your data (data/raw/penguins.csv) is only on this computer" in out
    assert "run.py share" in out
    assert RECORD in suggested_commit(author.first)


@pytest.fixture(scope="module")
def reviewer_env(tmp_path_factory):
    """A reviewer's machine: a HOME of their own, with nothing of the author's in it."""
    home = tmp_path_factory.mktemp("reviewer-home")
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")} | {
        "XDG_DATA_HOME": str(home / ".local" / "share")
    }


@contextlib.contextmanager
def as_reviewer(reviewer_env):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in reviewer_env.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def unshared(author, reviewer_env, tmp_path_factory):
    """The reviewer's clone, elsewhere, of the study as committed: its CI, then make
    reproduce and make pull by hand."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    clone = Study(elsewhere / "clone" / author.study.path.name)
    clone.path.parent.mkdir()
    with as_reviewer(reviewer_env):
        subprocess.run(["git", "clone", "-q", str(author.study.path), str(clone.path)], check=True)
        found = SimpleNamespace(clone=clone)
        found.ci_ran, found.ci_summary, found.ci_printed = run_workflow(clone.path, elsewhere)
        found.reproduce = clone.make("reproduce", check=False)
        found.pull = clone.make("pull", check=False)
        found.status = clone.run("git", "status", "--porcelain").stdout
    return found


def test_ci_reports_the_data_out_of_its_reach_as_such(unshared):
    assert "Reproduce the study (run.py reproduce)" in unshared.ci_ran
    assert "Run the study's tests, notebooks included" not in unshared.ci_ran  # needs the data
    assert "::warning title=Data not reachable from CI::" in unshared.ci_printed
    assert "COULD NOT RUN" in unshared.ci_summary and "run.py share" in unshared.ci_summary


def test_an_unshared_clone_is_told_what_is_missing_and_who_can_fix_it(unshared):
    reproduced = unshared.reproduce
    assert reproduced.returncode != 0
    said = reproduced.stdout
    assert "COULD NOT RUN" in said
    assert "data/raw/penguins.csv, is the author's own file" in said
    assert "a folder beside the author's copy of the study, on their computer" in said
    assert "Who can fix it: the author, with `python3 run.py share`" in said
    pulled = unshared.pull.stdout + unshared.pull.stderr
    assert unshared.pull.returncode != 0 and "run.py share" in pulled
    for said in (reproduced.stdout, pulled):
        assert "rebuild" not in said and "from its source" not in said
    assert unshared.status == ""


@pytest.fixture(scope="module")
def shared(author, unshared, reviewer_env, tmp_path_factory):
    """The author shares the data as make share says; the reviewer pulls and reproduces."""
    study = author.study
    found = SimpleNamespace(refused=study.make("share", check=False))
    storage = tmp_path_factory.mktemp("shared-drive") / "penguin-review"
    study.run(".venv/bin/dvc", "remote", "modify", "storage", "url", str(storage))
    found.uncommitted = study.make("share", check=False)
    study.run("sh", "-c", "git add .dvc/config && git commit -q -m 'Share the data'")
    found.shareable = study.make("share")
    clone = unshared.clone
    with as_reviewer(reviewer_env):
        clone.run("git", "pull", "-q")
        found.ledger = clone.read("reports/ledger.csv")
        found.reproduce = clone.make("reproduce", check=False)
        found.status = clone.run("git", "status", "--porcelain").stdout
        found.worktrees = clone.run("git", "worktree", "list").stdout.splitlines()
        found.clone = clone
    return found


def test_make_share_refuses_a_remote_only_the_author_can_reach(shared):
    refused = shared.refused.stdout
    assert shared.refused.returncode != 0 and "Not shareable yet." in refused
    assert "NO  the DVC remote: `storage` (../../penguin-review-dvc-storage" in refused
    assert "dvc remote modify storage url s3://" in refused
    assert "not committed yet: git add .dvc/config" in shared.uncommitted.stdout
    assert "Shareable" in shared.shareable.stdout and "run.py reproduce" in shared.shareable.stdout


def test_a_shared_study_reproduces_in_the_reviewers_clone_leaving_it_untouched(shared):
    reproduced = shared.reproduce
    assert reproduced.returncode == 0, reproduced.stdout[-3000:] + reproduced.stderr[-2000:]
    assert re.search(r"## Reproduction of commit \w+: REPRODUCED", reproduced.stdout)
    assert "the author's own file, from the DVC remote" in reproduced.stdout
    assert "matches the committed one (numbers within 1e-06" in reproduced.stdout
    assert "Running stage 'prepare'" in reproduced.stdout  # rerun, not restored
    # Nothing in the reviewer's copy changed: no file, no look, no worktree left behind.
    assert shared.status == ""
    assert shared.clone.read("reports/ledger.csv") == shared.ledger
    assert len(shared.worktrees) == 1


# --- The raw file: nothing re-records it silently --------------------------------------------


@pytest.fixture
def raw_file(author):
    study = author.study
    original = (study.path / RAW).read_bytes()
    record = study.read(RECORD)
    yield SimpleNamespace(study=study, original=original, record=record)
    (study.path / RAW).write_bytes(original)
    study.write(RECORD, record)
    assert study.run("git", "status", "--porcelain").stdout == ""


def stops_twice(raw_file, damaged: bytes, words: list[str]) -> None:
    """`make study` and a bare `dvc repro` each stop on ``damaged`` with ``words``; the
    record stays as git has it."""
    study = raw_file.study
    (study.path / RAW).write_bytes(damaged)
    ran = study.make("study", check=False)
    assert ran.returncode != 0
    assert "The pipeline stopped: data/raw/penguins.csv is not the file" in ran.stderr
    assert "Running stage" not in ran.stdout  # before any stage
    # As a learner with the study's environment activated types it.
    bare = study.run("sh", "-c", 'PATH="$PWD/.venv/bin:$PATH" dvc repro', check=False)
    assert bare.returncode != 0
    said = bare.stdout + bare.stderr
    assert "prepare stopped: data/raw/penguins.csv is not the file" in said
    for output in (ran.stderr, said):
        assert "run.py accept-data" in output and "Traceback" not in output
        for word in words:
            assert word in output, output
    # The record, prepare's outputs in git and dvc.lock are as they were.
    assert study.read(RECORD) == raw_file.record
    assert study.run("git", "status", "--porcelain", "--", "data", "dvc.lock").stdout == ""


def test_a_truncated_raw_file_stops_the_pipeline_and_keeps_its_record(raw_file):
    stops_twice(
        raw_file,
        raw_file.original[:8000],
        ["rows: 344 recorded, 181 now", "classes gone: `Chinstrap`", "ends in the middle"],
    )
    # Taking it deliberately records it, staged for the next commit.
    study = raw_file.study
    accepted = study.make("accept-data")
    assert "the new version is recorded" in accepted.stdout
    assert study.read(RECORD) != raw_file.record
    assert study.run("git", "diff", "--cached", "--name-only").stdout.split() == [RECORD]
    study.run("git", "reset", "-q")


def test_a_corrupted_raw_file_stops_the_pipeline_and_keeps_its_record(raw_file):
    damaged = bytearray(raw_file.original)
    damaged[4000:4400] = bytes(range(200)) * 2
    stops_twice(raw_file, bytes(damaged), ["but different bytes", "cannot be read as a table"])


# --- Looks at the test set, counted honestly --------------------------------------------------


def test_scoring_the_same_again_is_no_new_look_and_a_changed_param_is(author):
    study = author.study
    before = looks(study)
    study.make("clean")
    again = study.make("study")
    assert "Running stage 'evaluate'" in again.stdout
    assert "not counted again" in again.stdout and looks(study) == before
    params = study.read("params.yaml")
    study.write("params.yaml", params.replace("C: 1.0", "C: 0.5", 1))
    try:
        changed = study.make("study")
        assert "not counted again" not in changed.stdout and looks(study) == before + 1
    finally:
        study.write("params.yaml", params)
        study.run("git", "checkout", "--", "reports", "dvc.lock")


def test_intervals_and_curves_hold_at_a_perfect_score(author):
    """Penguins is easy: 69 of 69 test rows right. Its interval is Wilson's, not a point,
    and the learning curve's band stays at or below 1.0."""
    study = author.study
    metrics = json.loads(study.read("reports/metrics.json"))
    ci = metrics["model"]["test_ci"]
    assert metrics["model"]["test"]["accuracy"] == 1.0
    assert ci["method"] == "wilson" and 0.9 < ci["low"] < 0.96 and ci["high"] == 1.0
    html = study.read("reports/writeup.html")
    assert "Wilson&#39;s score interval" in html or "Wilson's score interval" in html
    assert "one table of the author" in html and "small public dataset" not in html
    band = study.run(
        ".venv/bin/python",
        "-c",
        f"import numpy as np; from {MODULE}.kit.figures import spread_band; "
        "low, high = spread_band(np.array([[1.0, 1.0, 0.9], [1.0, 1.0, 1.0]]), (0.0, 1.0)); "
        "print(float(high.max()), float(low.min()))",
    )
    high, low = map(float, band.stdout.split())
    assert high == 1.0 and 0.9 < low < 1.0
