"""cookiecutter's questions, typed at its real command line as a learner types them.

A quick start asks only what a study needs (5 questions for a bundled dataset, up to 8 for
the learner's own data) and lists the other answers it chose in its closing message;
`questions=all` asks every question that applies. A bad answer is refused the moment it is
typed (a private variable in cookiecutter.json renders a check right after its prompt), and
`cookiecutter --replay` then asks only from the refused answer on, keeping every answer
saved before it, whatever the refusal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, local_extensions
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

CHOICES = {  # the number to type for a choice, as cookiecutter lists them
    key: values
    for key, values in json.loads(
        (TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8")
    ).items()
    if isinstance(values, list) and not key.startswith("_")
}
# What a terminal shows cookiecutter's prompt counter as: "[3/5]".
COUNTER = re.compile(r"\[(\d+)/(\d+)\] [A-Z]")
REPLAY_HINT = "Nothing was created. Your answers so far are saved: `cookiecutter --replay "


def type_at_prompts(cwd: Path, lines: list[str], *options: str, env: dict | None = None):
    """Run cookiecutter's command line, typing `lines` (one answer each); output as shown.

    `options` are flags (before the template) and key=value answers (after it)."""
    flags = [o for o in options if o.startswith("-")]
    answers = [o for o in options if not o.startswith("-")]
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", *flags, str(TEMPLATE), *answers],
        cwd=cwd,
        input="".join(line + "\n" for line in lines),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
        check=False,
        env=env,
    )


def choice(key: str, value: str) -> str:
    return str(CHOICES[key].index(value) + 1)


def counters(output: str) -> list[tuple[int, int]]:
    return [(int(n), int(total)) for n, total in COUNTER.findall(output)]


def defaults_for(**answers) -> dict:
    """The answers cookiecutter works out when only `answers` are given."""
    context = generate_context(
        context_file=str(TEMPLATE / "cookiecutter.json"), extra_context=answers
    )
    return prompt_for_config(context, no_input=True)


def penguins(folder: Path) -> Path:
    table = folder / "penguins.csv"
    table.write_text("bill,flipper,species\n1,2,Adelie\n3,4,Gentoo\n", encoding="utf-8")
    return table


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
    table = penguins(tmp_path)
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


# --- The quick start ---


def test_a_bundled_dataset_asks_five_questions_and_lists_the_answers_it_chose(tmp_path):
    done = type_at_prompts(tmp_path, [choice("dataset", "iris"), "", "", "Ada", "ada@ex.org"])
    assert done.returncode == 0, done.stdout
    asked = counters(done.stdout)
    assert asked == [(n, 5) for n in range(1, 6)]
    study = tmp_path / "iris-practice-study"
    answers = json.loads((study / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert "iris species" in answers["question"]
    assert answers["author_name"] == "Ada" and answers["license"] == "MIT"
    # The first line says how to be asked everything; the closing message lists what was
    # chosen without asking, each with where it lives.
    assert "questions=all" in done.stdout.split("[1/5]")[0]
    for key in ("project_slug", "module_name", "license", "env_manager", "dvc_remote"):
        assert re.search(rf"^  - {key} = {re.escape(answers[key])}: ", done.stdout, re.M), key
    assert "  - compute = pandas: " in done.stdout
    assert "  - github_repo = (empty): " in done.stdout
    assert "  - task =" not in done.stdout  # a bundled set's task is known
    # The README states the measured count.
    assert "5 questions for a bundled dataset" in (TEMPLATE / "README.md").read_text()


def test_the_compute_note_says_dask_is_a_backend_of_the_one_prepare_stage(render):
    """The closing message's line for compute states what a Dask study is: the same prepare
    stage, reading its table through another backend (kit/table_dask.py)."""
    pandas, dask = render(), render(compute="dask")
    stage = "src/digits_practice_study/prepare.py"
    lines = zip(pandas.read(stage).splitlines(), dask.read(stage).splitlines(), strict=True)
    assert [(a, b) for a, b in lines if a != b] == [
        ("from .kit.table import open_table", "from .kit.table_dask import open_table")
    ]
    note = local_extensions.NOT_ASKED["compute"]
    assert "a backend of the same prepare stage" in note and "of its own" not in note


def test_own_data_asks_at_most_eight_questions(tmp_path):
    table = penguins(tmp_path)
    local = type_at_prompts(
        tmp_path, [choice("dataset", "local_file"), str(table), "", "", "", "Ada", "a@ex.org"]
    )
    assert local.returncode == 0, local.stdout
    assert [total for _, total in counters(local.stdout)] == [5] + [7] * 6
    assert "  - task = auto: " in local.stdout
    url = type_at_prompts(
        tmp_path,
        [choice("dataset", "csv_url"), "https://example.org/t.csv", "0" * 64, "species"]
        + ["", "URL Study", "Ada", "a@ex.org"],
    )
    assert url.returncode == 0, url.stdout
    assert [n for n, _ in counters(url.stdout)] == list(range(1, 9))
    assert counters(url.stdout)[-1] == (8, 8)
    assert "up to 8 for your own data" in (TEMPLATE / "README.md").read_text()


def test_an_answer_given_on_the_command_line_is_not_asked_and_is_listed(tmp_path):
    done = type_at_prompts(tmp_path, ["", "", "", "Ada", "a@ex.org"], "env_manager=pip")
    assert done.returncode == 0, done.stdout
    assert len(counters(done.stdout)) == 5
    assert "  - env_manager = pip: " in done.stdout
    assert (tmp_path / "digits-practice-study" / "requirements").is_dir()


def test_questions_all_asks_every_question_that_applies(tmp_path):
    answers = {
        "dataset": choice("dataset", "wine"),
        "project_slug": "my-wine",
        "module_name": "my_wine",
        "license": choice("license", "Apache-2.0"),
        "env_manager": choice("env_manager", "conda"),
        "dvc_remote": choice("dvc_remote", "s3"),
        "dvc_remote_url": "s3://bucket/wine",
        "github_repo": "ada/my-wine",
    }
    order = [
        "dataset",
        *("question", "project_name", "project_slug", "module_name", "author_name"),
        *("author_email", "license", "env_manager", "dvc_remote", "dvc_remote_url"),
        *("compute", "github_repo"),
    ]
    done = type_at_prompts(tmp_path, [answers.get(key, "") for key in order], "questions=all")
    assert done.returncode == 0, done.stdout
    # Own-data questions are not asked for a bundled set; the remote's address is, for s3.
    assert [n for n, _ in counters(done.stdout)] == list(range(1, len(order) + 1))
    assert counters(done.stdout)[-1] == (len(order), len(order))
    assert "Chosen for you" not in done.stdout
    state = json.loads((tmp_path / "my-wine" / ".cruft.json").read_text())
    saved = state["context"]["cookiecutter"]
    assert saved["dvc_remote_url"] == "s3://bucket/wine" and saved["env_manager"] == "conda"
    assert saved["license"] == "Apache-2.0" and saved["module_name"] == "my_wine"


def test_every_old_answer_is_still_a_question_of_its_own():
    """cruft gives a study's saved answers back by name: every answer a study made before the
    quick start saved is still a question (asked or not), so none is dropped."""
    before_quick_start = {
        *("dataset", "dataset_location", "dataset_sha256", "target_column", "question"),
        *("project_name", "project_slug", "module_name", "author_name", "author_email"),
        *("task", "license", "env_manager", "dvc_remote", "dvc_remote_url", "compute"),
        "github_repo",
    }
    assert before_quick_start <= set(local_extensions.QUESTIONS)


# --- Refused answers, then --replay ---


def refuse_then_replay(tmp_path, first: list[str], field: str, replay: list[str], *options):
    """Type `first` until `field` is refused; then replay, typing `replay`. Returns both runs."""
    refused = type_at_prompts(tmp_path, first, *options)
    assert refused.returncode == 1, refused.stdout
    assert "Traceback" not in refused.stdout
    assert f"ERROR: {field}: " in refused.stdout, refused.stdout
    assert "cookiecutter --replay " in refused.stdout
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []
    replayed = type_at_prompts(tmp_path, replay, "--replay")
    assert "Traceback" not in replayed.stdout
    return refused, replayed


def questions_asked(output: str) -> list[str]:
    """The text of each question shown, in order."""
    return re.findall(r"\[\d+/\d+\] ([^\n(]+)", output)


def test_a_mistyped_email_is_refused_at_once_and_replay_asks_only_the_rest(tmp_path):
    before_email = [choice("dataset", "iris"), "", "", "Ada Lovelace"]
    refused, replayed = refuse_then_replay(
        tmp_path, [*before_email, "ada-at-example.org"], "author_email", ["ada@example.org"]
    )
    last_lines = refused.stdout.strip().splitlines()[-2:]
    assert last_lines[0].endswith(
        "ERROR: author_email: 'ada-at-example.org' is not an email address (plain letters, "
        "digits and . _ % + - before the @). For example: ada@example.org"
    )
    assert last_lines[1] == f"{REPLAY_HINT}{TEMPLATE}` asks only the rest."
    # As the message says: replay asks the email again, and nothing before it.
    assert replayed.returncode == 0, replayed.stdout
    assert counters(replayed.stdout) == [(1, 1)]
    study = tmp_path / "iris-practice-study"
    pyproject = (study / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "Ada Lovelace", email = "ada@example.org"' in pyproject
    assert "iris species" in (study / "QUESTION.md").read_text(encoding="utf-8")


def test_refused_locations_then_replay_knows_the_dataset_each_time(tmp_path):
    """The learner's dataset is saved before the refused location: each replay checks the
    new location against it (it once answered "the dataset is the bundled ''"), and a
    refusal during a replay keeps what was saved before it."""
    table = penguins(tmp_path)
    table_json = table.with_suffix(".json")  # not a table file: refused, with a conversion
    table_json.write_text("[]")
    first = [choice("dataset", "local_file"), "penguins.csv"]  # a relative path
    _, missing = refuse_then_replay(tmp_path, first, "dataset_location", ["/no/such/t.csv"])
    assert missing.returncode == 1 and "points nowhere: no such file" in missing.stdout
    wrong_suffix = type_at_prompts(tmp_path, [str(table_json)], "--replay")
    assert wrong_suffix.returncode == 1 and "must be a table file" in wrong_suffix.stdout
    assert "To convert it" in wrong_suffix.stdout
    replayed = type_at_prompts(tmp_path, [str(table), "", "", "", "Ada", "a@ex.org"], "--replay")
    assert replayed.returncode == 0, replayed.stdout
    assert "Which dataset" not in replayed.stdout
    # The target column's default came from the saved dataset and the new location.
    assert "(species)" in replayed.stdout
    study = tmp_path / "penguins-practice-study"
    assert (study / "data" / "raw" / "penguins.csv").read_text() == table.read_text()


def test_a_checksum_that_does_not_match_the_local_file_then_replay(tmp_path):
    table = penguins(tmp_path)
    wrong = "0" * 64
    own = hashlib.sha256(table.read_bytes()).hexdigest()
    # A local file's checksum is optional: only questions=all asks it.
    first = [choice("dataset", "local_file"), str(table), wrong]
    _, replayed = refuse_then_replay(
        tmp_path,
        first,
        "dataset_sha256",
        [own, "", "", "", "", "", "Ada", "a@ex.org", "", "", "", "", "", ""],
        "questions=all",
    )
    assert replayed.returncode == 0, replayed.stdout
    state = json.loads((tmp_path / "penguins-practice-study" / ".cruft.json").read_text())
    assert state["context"]["cookiecutter"]["dataset_sha256"] == own
    assert state["context"]["cookiecutter"]["questions"] == "all"


def test_a_malformed_checksum_for_a_url_then_replay(tmp_path):
    first = [choice("dataset", "csv_url"), "https://example.org/t.csv", "abc"]
    _, replayed = refuse_then_replay(
        tmp_path, first, "dataset_sha256", ["0" * 64, "species", "", "", "Ada", "a@ex.org"]
    )
    assert replayed.returncode == 0, replayed.stdout
    assert counters(replayed.stdout)[0] == (1, 6)  # the checksum and the 5 after it


def test_a_target_column_not_in_the_file_then_replay_and_a_second_refusal(tmp_path):
    """Two refusals in a row: the second replay still has every answer saved by the first."""
    table = penguins(tmp_path)
    first = [choice("dataset", "local_file"), str(table), "Species"]
    refused, _ = refuse_then_replay(tmp_path, first, "target_column", ["species", "", "", "", "x"])
    assert "its columns are: bill, flipper, species" in refused.stdout
    again = type_at_prompts(tmp_path, ["ada@example.org"], "--replay")
    assert again.returncode == 0, again.stdout
    assert counters(again.stdout) == [(1, 1)]
    state = json.loads((tmp_path / "penguins-practice-study" / ".cruft.json").read_text())
    answers = state["context"]["cookiecutter"]
    assert answers["target_column"] == "species" and answers["dataset"] == "local_file"


@pytest.mark.parametrize(
    ("field", "bad", "good"),
    [
        pytest.param("project_slug", "../evil", "evil", id="slug"),
        pytest.param("module_name", "class", "my_class", id="module"),
        pytest.param("github_repo", "not a repo", "ada/study", id="github-repo"),
        pytest.param("dvc_remote_url", "my-bucket", "s3://my-bucket/study", id="remote-url"),
    ],
)
def test_every_question_of_questions_all_is_refused_then_replayed(tmp_path, field, bad, good):
    order = [
        "dataset",
        *("question", "project_name", "project_slug", "module_name", "author_name"),
        *("author_email", "license", "env_manager", "dvc_remote", "dvc_remote_url"),
        *("compute", "github_repo"),
    ]
    typed = {
        "project_name": "My Title",
        "author_name": "Ada",
        "author_email": "a@ex.org",
        "dvc_remote": choice("dvc_remote", "s3"),
        "dvc_remote_url": "s3://bucket/study",
    }
    lines = [typed.get(key, "") for key in order[: order.index(field)]] + [bad]
    _, replayed = refuse_then_replay(tmp_path, lines, field, [good] + [""] * 10, "questions=all")
    assert replayed.returncode == 0, replayed.stdout
    # From the refused question on (Enter keeps the local remote: no address to ask).
    rest = order[order.index(field) :]
    if field in ("project_slug", "module_name"):
        rest.remove("dvc_remote_url")
    assert len(questions_asked(replayed.stdout)) == len(rest)
    folder = "evil" if field == "project_slug" else "my-title"
    answers = json.loads((tmp_path / folder / ".cruft.json").read_text())["context"]
    assert answers["cookiecutter"][field] == good
    # The answers typed before the refused one are kept.
    assert answers["cookiecutter"]["project_name"] == "My Title"


def test_a_refusal_of_the_pre_gen_hook_then_replay(tmp_path):
    """The hook refuses a folder that already holds files; replay asks from the folder name
    on (the hook saves the answers before it; cookiecutter had saved them all)."""
    (tmp_path / "digits-practice-study").mkdir()
    (tmp_path / "digits-practice-study" / "notes.txt").write_text("mine")
    refused = type_at_prompts(tmp_path, ["", "", "", "Ada", "a@ex.org"], "-f")
    assert refused.returncode != 0
    assert "ERROR: project_slug: the folder 'digits-practice-study' already exists" in (
        refused.stdout
    )
    assert f"`cookiecutter --replay {TEMPLATE}`: it keeps your answers before " in (refused.stdout)
    assert (tmp_path / "digits-practice-study" / "notes.txt").read_text() == "mine"
    # The folder name is asked again (even by the quick start), then what follows.
    replayed = type_at_prompts(tmp_path, ["digits-two", "Ada", "a@ex.org"], "--replay")
    assert replayed.returncode == 0, replayed.stdout
    assert questions_asked(replayed.stdout)[0].startswith("A short folder name")
    answers = json.loads((tmp_path / "digits-two" / ".cruft.json").read_text())["context"]
    assert answers["cookiecutter"]["author_name"] == "Ada"


def test_own_datas_placeholder_question_is_what_make_study_points_out(render, tmp_path):
    table = penguins(tmp_path)
    study = render(dataset="local_file", dataset_location=str(table), target_column="species")
    assert local_extensions.QUESTION_PLACEHOLDER in study.read("QUESTION.md")
    # `python3 run.py study` says so while QUESTION.md holds this (kit/changes.py).
    changes = next((study.path / "src").glob("*/kit/changes.py")).read_text(encoding="utf-8")
    placeholder = re.search(r'^PLACEHOLDER = "(.*)"$', changes, re.M).group(1)
    assert placeholder in study.read("QUESTION.md")


# --- The closing message: its steps, done as printed, in order ---

# The closing message's step done by hand, as a learner would do it in an editor: the
# template's prompt under "My hypothesis" in QUESTION.md replaced by words of their own.
WRITE_HYPOTHESIS = r"""
import pathlib, re
question = pathlib.Path("QUESTION.md")
text = question.read_text(encoding="utf-8")
mine = r"\1A linear model beats the baseline clearly.\n"
question.write_text(re.sub(r"(## My hypothesis\n\n)\*.*?\*\n", mine, text, flags=re.S), "utf-8")
"""


def printed_steps(output: str) -> list[tuple[str, list[str]]]:
    """The closing message's numbered steps, in order: (what to do, its commands). A step
    without commands is done by hand."""
    message = output[output.index("Next, step by step, from here:") :]
    steps = []
    for line in message.splitlines()[1:]:
        numbered = re.match(r"  \d+\. (.*)$", line)
        if numbered:
            steps.append((numbered.group(1), []))
        elif line.startswith("       ") and steps:
            steps[-1][1].append(line.strip())
    return steps


def printed_commands(output: str) -> list[str]:
    """The closing message's commands, in order."""
    return [command for _, commands in printed_steps(output) for command in commands]


def first_step_with(steps, words: str) -> int:
    return next(i for i, (what, commands) in enumerate(steps) if words in what + str(commands))


@pytest.mark.parametrize("identity", ["with-identity", "without-identity"])
def test_the_closing_messages_steps_run_as_printed_from_where_cookiecutter_ran(tmp_path, identity):
    env = {**os.environ, "PWD": str(tmp_path)}
    if identity == "without-identity":
        for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME"):
            env.pop(var, None)
        env.pop("GIT_COMMITTER_EMAIL", None)
        home = tmp_path / "home"
        home.mkdir()
        # useConfigOnly: git must not guess a name from the host, as on many laptops.
        (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
        env.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(home / ".gitconfig"))
    done = type_at_prompts(tmp_path, [""] * 5, env=env)
    assert done.returncode == 0, done.stdout
    steps = printed_steps(done.stdout)
    assert steps[0][1] == ["cd ./digits-practice-study"]
    if identity == "without-identity":
        assert any(c.startswith("git commit") for c in printed_commands(done.stdout))
    # The hypothesis is written by hand, then committed, before the first study scores the
    # test set: a hypothesis committed after that counts as written after the results.
    by_hand = [what for what, commands in steps if not commands]
    assert len(by_hand) == 1 and '"My hypothesis" in QUESTION.md' in by_hand[0]
    written = first_step_with(steps, "QUESTION.md")
    committed = first_step_with(steps, 'git commit -m "My hypothesis')
    assert written < committed < first_step_with(steps, "run.py study")
    # Every step as printed, top to bottom, in one shell started where cookiecutter ran; the
    # step done by hand done as a learner would. run.py's commands only check that the
    # command exists here (the full tier runs them: tests/test_first_hour.py).
    (tmp_path / "write_hypothesis.py").write_text(WRITE_HYPOTHESIS, encoding="utf-8")
    edit = f"command python3 {shlex.quote(str(tmp_path / 'write_hypothesis.py'))}"
    script = 'set -e\npython3() { command python3 run.py help | grep -q "^  $2 "; }\n'
    for _, commands in steps:
        script += "\n".join(commands or [edit]) + "\n"
    ran = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    # The study has its first commit, then the hypothesis, and nothing is left uncommitted.
    study = tmp_path / "digits-practice-study"
    for check in (["rev-parse", "--verify", "HEAD"], ["diff", "--quiet", "HEAD"]):
        assert subprocess.run(["git", *check], cwd=study, env=env, check=False).returncode == 0
    status = ["git", "status", "--porcelain"]
    assert subprocess.run(status, cwd=study, env=env, capture_output=True).stdout == b""
    last = ["git", "show", "HEAD:QUESTION.md"]
    head = subprocess.run(last, cwd=study, env=env, capture_output=True, text=True).stdout
    assert "A linear model beats the baseline clearly." in head
    # The study's README gives the same order, with the same commands, before any study.
    readme = (study / "README.md").read_text(encoding="utf-8")
    hypothesis = readme.index("write your hypothesis under *My hypothesis* in `QUESTION.md`")
    commit = steps[committed][1]
    assert hypothesis < readme.index("\n".join(f"   {c}" for c in commit))
    assert readme.index(commit[-1]) < readme.index("run.py study")
