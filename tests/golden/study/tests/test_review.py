"""python3 run.py review's checks, each on its own, on a small study folder made here.

Every automated check has a state of the folder that makes it pass and one that makes it
fail (``STATES``): a check that cannot fail proves nothing.
"""

import csv
import functools
import io
import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import prepare_in_memory, with_data

from digits_practice_study.kit import guards, paths, provenance, review
from digits_practice_study.kit.ledger import (
    LEDGER_COLUMNS,
    configuration,
)
from digits_practice_study.kit.params import load_params
from digits_practice_study.kit.review import Status, Study


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "reports").mkdir()
    return tmp_path


def run(check_id: str, folder) -> review.Result:
    (check,) = [c for c in review.REFORMS + review.RULES if c.id == check_id]
    return check.run(Study(folder))


def test_there_is_one_check_for_each_reforms_item_each_documented():
    ids = [check.id for check in review.REFORMS]
    assert len(ids) == 32 == len(set(ids))
    assert ids[0] == "1a" and ids[-1] == "8b"
    for check in review.REFORMS + review.RULES:
        assert check.run.__doc__ or not check.automated, check.id


def test_a_section_is_failed_while_its_prompt_stands_then_needs_a_human(folder):
    writeup = folder / "WRITEUP.md"
    writeup.write_text("## Study goals\n\n*What you asked.*\n", encoding="utf-8")
    assert run("1a", folder).status is Status.FAILED
    writeup.write_text("## Study goals\n\nWhether digits can be read.\n", encoding="utf-8")
    assert run("1a", folder).status is Status.HUMAN


def test_a_reviewers_question_always_needs_a_human(folder):
    assert run("6c", folder).status is Status.HUMAN


def test_a_decisions_file_of_an_older_version_fails_the_checks_that_read_it(folder):
    """data/decisions.json is read through its typed records (kit/decisions.py): one an
    older version wrote is named, never read as it comes."""
    old = {"task": "classification", "single_features": {"alone": {}}}
    (folder / "data" / "decisions.json").write_text(json.dumps(old), encoding="utf-8")
    result = run("features", folder)
    assert result.status is Status.FAILED and "older version" in result.evidence


def test_provenance_gives_what_it_found_as_a_state_beside_its_words(folder):
    """The review decides from these states, never from the words shown to people."""
    code = provenance.git_commit(folder)  # not a git repository
    assert code.state is provenance.CodeState.UNKNOWN and str(code) == code.text
    data = provenance.data_hash(folder)  # no dvc.lock, no .dvc record
    assert data.md5 is None and str(data) == "not yet recorded by DVC"


# ---------------------------------------------------------------- each check, pass and fail


@functools.cache
def small_table():
    """What prepare decides about a small table (80 rows, two numbers, two classes)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    frame["target"] = (frame["a"] + frame["b"] + rng.normal(size=80) > 0).astype(int)
    _, _, decided = prepare_in_memory(frame, with_data(load_params(), task="classification"))
    return decided


def decisions(strong: bool = False) -> str:
    """data/decisions.json of the small table; ``strong``: a feature alone reaches nearly
    what all features reach."""
    decided = small_table()
    alone = {
        name: score.model_copy(update={"close_to_all": strong})
        for name, score in decided.single_features.alone.items()
    }
    screened = decided.single_features.model_copy(update={"alone": alone})
    return decided.model_copy(update={"single_features": screened}).model_dump_json()


def metrics(**changes) -> str:
    """reports/metrics.json as evaluate writes it; a change to None leaves that key out."""
    interval = {"low": 0.8, "high": 0.95, "method": "wilson"}
    written = {
        "task": "classification",
        "metric": "accuracy",
        "n_train": 64,
        "n_test": 16,
        "model": {"cv": {"mean": 0.9, "sd": 0.05}, "test": {"accuracy": 0.9}, "test_ci": interval},
        "baseline": {"cv": {"mean": 0.5, "sd": 0.01}, "test": {"accuracy": 0.5}},
        "difference": {"test": 0.4, "test_ci": {"low": 0.3, "high": 0.5}},
        "confidence": 0.95,
        "leakage_guards": [guard.value for guard in guards.run_by_evaluate(small_table().split)],
    }
    written.update(changes)
    return json.dumps({key: value for key, value in written.items() if value is not None})


def ledger(*kinds: str, configured: str = "linear()") -> str:
    """reports/ledger.csv with one row of each kind given ("try" or "test")."""
    text = io.StringIO()
    writer = csv.DictWriter(text, LEDGER_COLUMNS)
    writer.writeheader()
    for kind in kinds:
        writer.writerow(
            dict.fromkeys(LEDGER_COLUMNS, "") | {"kind": kind, "configuration": configured}
        )
    return text.getvalue()


TRAIN = {"model": "linear", "linear": {"C": 0.5}}
TRIED = configuration(TRAIN, "classification")  # the line the ledger keeps for it
RAW = paths.RAW_DATA.relative_to(paths.ROOT).as_posix()
DVC_LOCK = f"stages:\n  get_data:\n    outs:\n    - path: {RAW}\n      md5: 0a1b2c3d\n"
GUARDS_TESTED = {"tests/test_leakage_guards.py": "def test_the_guards(): ...\n"}
RESULTS = {"reports/metrics.json": metrics, "data/decisions.json": decisions}
FEEDBACK = (
    "## Feedback received and what I changed\n\n| Reviewer | Feedback | Change |\n|---|---|---|\n"
)


def git(folder, *args: str) -> None:
    who = ["-c", "user.name=Learner", "-c", "user.email=learner@example.org"]
    subprocess.run(["git", *who, *args], cwd=folder, check=True, capture_output=True)


def committed(*files: dict, then: dict | None = None):
    """A state: a git repository with one commit per dict of files, then ``then`` written
    without a commit."""

    def state(folder, monkeypatch):
        git(folder, "init", "--quiet")
        for number, written in enumerate(files):
            for name, text in written.items():
                (folder / name).write_text(text, encoding="utf-8")
            git(folder, "add", "--all")
            git(folder, "commit", "--quiet", "--message", f"commit {number}")
        for name, text in (then or {}).items():
            (folder / name).write_text(text, encoding="utf-8")

    return state


def dvc_status(stdout: str, returncode: int = 0):
    """A state: `dvc status --json` answers ``stdout``."""

    def state(folder, monkeypatch):
        done = subprocess.CompletedProcess(["dvc"], returncode, stdout=stdout, stderr="failed")
        monkeypatch.setattr(review.subprocess, "run", lambda *args, **kwargs: done)

    return state


QUESTION = {"QUESTION.md": "## My hypothesis\n\nThe model beats the baseline.\n"}
RESULTS_COMMITTED = {"reports/metrics.json": "{}"}
# (check id, the status, what the folder holds, the state: files to write or a function)
STATES = [
    ("2a", Status.PASSED, "dvc.lock records the raw data", {"dvc.lock": DVC_LOCK}),
    ("2a", Status.FAILED, "DVC recorded no raw data", {}),
    ("2b", Status.PASSED, "every change committed", committed({"README.md": "Study\n"})),
    (
        "2b",
        Status.FAILED,
        "a committed file changed since",
        committed({"README.md": "Study\n"}, then={"README.md": "Changed\n"}),
    ),
    ("2c", Status.PASSED, "versions recorded", {"reports/environment.json": "{}"}),
    ("2c", Status.FAILED, "no versions recorded", {}),
    ("2d", Status.PASSED, "README says how", {"README.md": "Rerun: python3 run.py study\n"}),
    ("2d", Status.FAILED, "README does not say how", {"README.md": "# A study\n"}),
    *[
        row
        for check_id in ("2e", "pipeline")
        for row in (
            (check_id, Status.PASSED, "dvc status finds nothing to rerun", dvc_status("{}")),
            (
                check_id,
                Status.FAILED,
                "dvc status finds a stage to rerun",
                dvc_status('{"train": []}'),
            ),
            (check_id, Status.FAILED, "dvc status fails", dvc_status("", returncode=1)),
        )
    ],
    *[
        row
        for check_id in ("3d", "3e", "3f")
        for row in (
            (check_id, Status.PASSED, "data summary measured", {"data/summary.md": "- Rows: 80\n"}),
            (check_id, Status.FAILED, "no data summary", {}),
        )
    ],
    *[
        row
        for check_id in ("4c", "6a")
        for row in (
            (check_id, Status.PASSED, "guards recorded and tested", RESULTS | GUARDS_TESTED),
            (
                check_id,
                Status.FAILED,
                "evaluate recorded no guards",
                RESULTS
                | GUARDS_TESTED
                | {"reports/metrics.json": lambda: metrics(leakage_guards=None)},
            ),
            (
                check_id,
                Status.FAILED,
                "evaluate recorded too few guards for the split",
                RESULTS
                | GUARDS_TESTED
                | {"reports/metrics.json": lambda: metrics(leakage_guards=[])},
            ),
            (check_id, Status.FAILED, "the guards' tests deleted", RESULTS),
            (check_id, Status.FAILED, "no results yet", GUARDS_TESTED),
        )
    ],
    (
        "5a",
        Status.PASSED,
        "tries in the ledger, shown",
        RESULTS | {"WRITEUP.md": "tries_table\n", "reports/ledger.csv": ledger("try")},
    ),
    ("5a", Status.FAILED, "the write-up hides the tries", RESULTS | {"WRITEUP.md": "Tries.\n"}),
    ("5c", Status.PASSED, "cross-validated, then tested", RESULTS),
    ("5c", Status.FAILED, "no results yet", {}),
    (
        "5c",
        Status.FAILED,
        "no cross-validation recorded",
        {"reports/metrics.json": lambda: metrics(model={"test": {"accuracy": 0.9}})},
    ),
    (
        "5d",
        Status.PASSED,
        "the final model was tried",
        RESULTS
        | {
            "params.yaml": json.dumps({"train": TRAIN}),
            "reports/ledger.csv": ledger("try", configured=TRIED),
        },
    ),
    (
        "5d",
        Status.FAILED,
        "what prepare decided is missing",
        {"reports/metrics.json": metrics, "params.yaml": json.dumps({"train": TRAIN})},
    ),
    ("5f", Status.PASSED, "baseline scored alike", RESULTS),
    (
        "5f",
        Status.FAILED,
        "no baseline scored",
        {"reports/metrics.json": lambda: metrics(baseline=None)},
    ),
    ("7b", Status.PASSED, "CV spread and an interval", RESULTS),
    (
        "7b",
        Status.FAILED,
        "no interval on the test rows",
        {"reports/metrics.json": lambda: metrics(model={"cv": {"mean": 0.9, "sd": 0.05}})},
    ),
    ("7c", Status.PASSED, "no claim of significance", RESULTS | {"WRITEUP.md": "It scored 0.9.\n"}),
    (
        "7c",
        Status.FAILED,
        "significant, without a test",
        RESULTS | {"WRITEUP.md": "The difference is significant.\n"},
    ),
    ("QUESTION.md", Status.PASSED, "every prompt answered", QUESTION),
    (
        "QUESTION.md",
        Status.FAILED,
        "a prompt left",
        {"QUESTION.md": "## My hypothesis\n\n*What do you expect, and why?*\n"},
    ),
    ("WRITEUP.md", Status.PASSED, "every prompt answered", {"WRITEUP.md": "## Data\n\nDigits.\n"}),
    ("WRITEUP.md", Status.FAILED, "a prompt left", {"WRITEUP.md": "## Data\n\n*Which data?*\n"}),
    ("data card", Status.PASSED, "every field filled", {"data/README.md": "## Source\n\nUCI.\n"}),
    (
        "data card",
        Status.FAILED,
        "a field left",
        {"data/README.md": "## Source\n\n*Where from?*\n"},
    ),
    ("licence", Status.PASSED, "stated", {"data/README.md": "- Licence: CC BY 4.0\n"}),
    ("licence", Status.FAILED, "not stated", {"data/README.md": "- Licence: *not stated yet*\n"}),
    ("claims", Status.PASSED, "none flagged", RESULTS | {"WRITEUP.md": "It scored 0.9.\n"}),
    (
        "claims",
        Status.FAILED,
        "a claim about all data",
        RESULTS | {"WRITEUP.md": "This model works for all data.\n"},
    ),
    ("test set", Status.PASSED, "scored once", {"reports/ledger.csv": ledger("try", "test")}),
    ("test set", Status.FAILED, "scored twice", {"reports/ledger.csv": ledger("test", "test")}),
    (
        "hypothesis",
        Status.PASSED,
        "committed before the results",
        committed(QUESTION, RESULTS_COMMITTED),
    ),
    (
        "hypothesis",
        Status.FAILED,
        "committed with the results",
        committed(QUESTION | RESULTS_COMMITTED),
    ),
    (
        "feedback",
        Status.PASSED,
        "a row filled in",
        {"WRITEUP.md": FEEDBACK + "| Sam | Why? | Said |\n"},
    ),
    ("feedback", Status.FAILED, "no row yet", {"WRITEUP.md": FEEDBACK}),
    ("features", Status.PASSED, "no feature alone comes close", {"data/decisions.json": decisions}),
    ("features", Status.FAILED, "what prepare decided is missing", {}),
    (
        "features",
        Status.HUMAN,
        "a feature alone comes close",
        {"data/decisions.json": lambda: decisions(strong=True)},
    ),
]


@pytest.mark.parametrize(
    ("check_id", "status", "what", "state"),
    STATES,
    ids=[f"{check_id} {status.value}: {what}" for check_id, status, what, _ in STATES],
)
def test_each_check_on_a_state_of_the_study(folder, monkeypatch, check_id, status, what, state):
    if callable(state):
        state(folder, monkeypatch)
    else:
        for name, text in state.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text() if callable(text) else text, encoding="utf-8")
    result = run(check_id, folder)
    assert result.status is status, result.evidence


def test_every_automated_check_can_pass_and_fail():
    automated = {check.id for check in review.REFORMS + review.RULES if check.automated}
    for status in (Status.PASSED, Status.FAILED):
        shown = {check_id for check_id, found, _, _ in STATES if found is status}
        assert shown == automated, status
