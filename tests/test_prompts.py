"""cookiecutter's questions, typed at its real command line as a learner types them.

The dataset comes first, so the question and title defaults suit it; a bad answer is refused
the moment it is typed (a private variable in cookiecutter.json renders a check right after
its prompt), and `cookiecutter --replay` then asks only from the refused answer on.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

sys.path.append(str(TEMPLATE))
import local_extensions  # noqa: E402 - the template's own filters, as cookiecutter loads them

CHOICES = {  # the number to type for a choice, as cookiecutter lists them
    key: values
    for key, values in json.loads(
        (TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8")
    ).items()
    if isinstance(values, list) and not key.startswith("_")
}
# What a terminal shows cookiecutter's prompt counter as: "[3/17]".
COUNTER = re.compile(r"\[(\d+)/(\d+)\] [A-Z]")


def type_at_prompts(cwd: Path, lines: list[str], *options: str):
    """Run cookiecutter's command line, typing `lines` (one answer each); output as shown."""
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", *options, str(TEMPLATE)],
        cwd=cwd,
        input="".join(line + "\n" for line in lines),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=False,
    )


def choice(key: str, value: str) -> str:
    return str(CHOICES[key].index(value) + 1)


def defaults_for(**answers) -> dict:
    """The answers cookiecutter works out when only `answers` are given."""
    context = generate_context(
        context_file=str(TEMPLATE / "cookiecutter.json"), extra_context=answers
    )
    return prompt_for_config(context, no_input=True)


@pytest.mark.parametrize("dataset", ["digits", "iris", "wine", "breast_cancer", "diabetes"])
def test_the_default_question_and_title_suit_the_chosen_dataset(dataset):
    answers = defaults_for(dataset=dataset)
    word = {
        "digits": "digits",
        "iris": "iris",
        "wine": "wine",
        "breast_cancer": "tumours",
        "diabetes": "diabetes",
    }[dataset]
    assert word in answers["question"]
    assert answers["project_name"] == f"{dataset.replace('_', ' ').title()} Practice Study"


def test_own_data_gets_a_placeholder_question_and_a_title_from_its_file(tmp_path):
    table = tmp_path / "penguins.csv"
    table.write_text("bill,species\n1,a\n", encoding="utf-8")
    answers = defaults_for(
        dataset="local_file", dataset_location=str(table), target_column="species"
    )
    assert answers["question"] == local_extensions.QUESTION_PLACEHOLDER
    assert answers["project_name"] == "Penguins Practice Study"
    # The target column's default is the file's last column.
    assert (
        defaults_for(dataset="local_file", dataset_location=str(table))["target_column"]
        == "species"
    )
    assert defaults_for(dataset="iris")["target_column"] == "target"


def test_choosing_iris_at_the_prompt_gives_an_iris_study_by_default(tmp_path):
    done = type_at_prompts(tmp_path, [choice("dataset", "iris")] + [""] * 25)
    assert done.returncode == 0, done.stdout
    cruft = json.loads((tmp_path / "iris-practice-study" / ".cruft.json").read_text())
    answers = cruft["context"]["cookiecutter"]
    assert "iris species" in answers["question"]
    assert "iris species" in (tmp_path / "iris-practice-study" / "QUESTION.md").read_text()
    # The measurement the README states: how many questions a bundled-data study asks.
    counters = {int(total) for _, total in COUNTER.findall(done.stdout)}
    asked = len(COUNTER.findall(done.stdout))
    assert counters == {17} and asked == 17
    assert "17 questions" in (TEMPLATE / "README.md").read_text(encoding="utf-8")


def test_a_mistyped_email_is_refused_at_once_and_replay_asks_only_the_rest(tmp_path):
    before_email = [choice("dataset", "iris"), "", "", "", "", "", "", "", "Ada Lovelace"]
    done = type_at_prompts(tmp_path, [*before_email, "ada-at-example.org"])
    assert done.returncode == 1
    assert "Traceback" not in done.stdout
    # The refusal is the last thing printed: no question was asked after the email.
    last_lines = done.stdout.strip().splitlines()[-2:]
    assert last_lines[0].endswith(
        "ERROR: author_email: 'ada-at-example.org' is not an email address (plain letters, "
        "digits and . _ % + - before the @). For example: ada@example.org"
    )
    assert last_lines[1] == (
        "Nothing was created. Your answers so far are saved: "
        f"`cookiecutter --replay {TEMPLATE}` asks only the rest."
    )
    assert "What kind of prediction" not in done.stdout
    assert list(tmp_path.iterdir()) == []

    # As the message says: replay asks the email again and what follows, nothing before it.
    replayed = type_at_prompts(tmp_path, ["ada@example.org"] + [""] * 10, "--replay")
    assert replayed.returncode == 0, replayed.stdout
    assert "Which dataset" not in replayed.stdout
    assert "Your name" not in replayed.stdout
    study = tmp_path / "iris-practice-study"
    pyproject = (study / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "Ada Lovelace", email = "ada@example.org"' in pyproject
    assert "iris species" in (study / "QUESTION.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        pytest.param(
            {"dataset": "local_file", "dataset_location": "/no/such/penguins.csv"},
            "dataset_location",
            id="missing-file",
        ),
        pytest.param(
            {"dataset": "csv_url", "dataset_location": "example.org/t.csv"},
            "dataset_location",
            id="url-without-scheme",
        ),
        pytest.param(
            {
                "dataset": "csv_url",
                "dataset_location": "https://example.org/t.csv",
                "dataset_sha256": "abc",
            },
            "dataset_sha256",
            id="short-checksum",
        ),
        pytest.param(
            {"dataset": "iris", "dataset_location": "/tmp/x.csv"},
            "dataset_location",
            id="location-for-bundled",
        ),
        pytest.param(
            {"dvc_remote": "s3", "dvc_remote_url": "my-bucket"},
            "dvc_remote_url",
            id="remote-without-scheme",
        ),
        pytest.param({"github_repo": "not a repo"}, "github_repo", id="github-repo"),
        pytest.param({"project_slug": "../evil"}, "project_slug", id="slug"),
    ],
)
def test_each_checked_answer_is_refused_before_the_next_question(answers, field):
    with pytest.raises(local_extensions.RefusedAnswer) as refused:
        defaults_for(**answers)
    assert str(refused.value).startswith(f"ERROR: {field}: ")
    assert "--replay" in str(refused.value)


def test_a_bundled_study_skips_the_own_data_and_remote_questions_with_enter():
    """Every question a bundled-data study does not need has an empty default that passes."""
    answers = defaults_for(dataset="wine")
    for field in ("dataset_location", "dataset_sha256", "dvc_remote_url", "github_repo"):
        assert answers[field] == ""


def test_own_datas_placeholder_question_is_what_make_study_points_out(render, tmp_path):
    table = tmp_path / "penguins.csv"
    table.write_text("bill,species\n1,a\n2,b\n", encoding="utf-8")
    study = render(dataset="local_file", dataset_location=str(table), target_column="species")
    assert local_extensions.QUESTION_PLACEHOLDER in study.read("QUESTION.md")
    # `python3 run.py study` says so while QUESTION.md holds this (kit/cli.py).
    assert study.command_layer("cli.PLACEHOLDER") in study.read("QUESTION.md")
