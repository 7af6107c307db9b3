"""python3 run.py review's checks, each on its own, on a small study folder made here."""

import csv
import json

import pytest

from {{ cookiecutter.module_name }}.kit import provenance, review
from {{ cookiecutter.module_name }}.kit.ledger import LEDGER_COLUMNS
from {{ cookiecutter.module_name }}.kit.review import Status, Study


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
        assert check.run.__doc__ or not check.home.startswith("check:"), check.id


def test_a_section_is_failed_while_its_prompt_stands_then_needs_a_human(folder):
    writeup = folder / "WRITEUP.md"
    writeup.write_text("## Study goals\n\n*What you asked.*\n", encoding="utf-8")
    assert run("1a", folder).status is Status.FAILED
    writeup.write_text("## Study goals\n\nWhether digits can be read.\n", encoding="utf-8")
    assert run("1a", folder).status is Status.HUMAN


def test_a_reviewers_question_always_needs_a_human(folder):
    assert run("6c", folder).status is Status.HUMAN


def test_checks_of_results_fail_until_the_pipeline_has_run(folder):
    result = run("5c", folder)
    assert result.status is Status.FAILED and "python3 run.py study" in result.evidence
    metrics = {"n_train": 80, "n_test": 20, "baseline": {"cv": {"mean": 0.5}}}
    (folder / "reports" / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert run("5c", folder).status is Status.PASSED
    assert "0.500" in run("5f", folder).evidence


def test_the_test_set_scored_twice_fails(folder):
    with (folder / "reports" / "ledger.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, LEDGER_COLUMNS)
        writer.writeheader()
        for _ in range(2):
            writer.writerow({column: "" for column in LEDGER_COLUMNS} | {"kind": "test"})
    result = run("test set", folder)
    assert result.status is Status.FAILED and "2 time(s)" in result.evidence


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("- Licence: CC BY 4.0", Status.PASSED),
        ("- Licence: *not stated yet*", Status.FAILED),
    ],
)
def test_the_data_licence_must_be_stated(folder, line, status):
    (folder / "data" / "README.md").write_text(f"# Data\n\n{line}\n", encoding="utf-8")
    assert run("licence", folder).status is status


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
