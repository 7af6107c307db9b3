"""Bad answers are refused with a message naming the field; nothing is written anywhere.

A slug, an email, a data location or checksum, a remote address and a GitHub repository are
refused while cookiecutter is still asking (``checked`` in local_extensions.py), before it
creates the study's folder; every other answer by hooks/pre_gen_project.py, which checks
them all again for renders that skip prompting (``--replay``).
"""

from __future__ import annotations

import json
import keyword
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import TEMPLATE, local_extensions, render_into
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from hypothesis import given, settings
from hypothesis import strategies as st

REFUSED = [
    *(
        pytest.param("project_slug", slug, id=f"slug={slug!r}")
        for slug in [
            "../evil",
            "a/b",
            "has space",
            ".hidden",
            "-lead",
            "Upper",
            "a--b",
            "x" * 65,
            "ok\n",
        ]
    ),
    *(
        pytest.param("module_name", name, id=f"module={name!r}")
        for name in ["my-mod", "class", "1abc", "sklearn", "os", "Digits"]
    ),
    *(
        pytest.param("author_email", email, id=f"email={email!r}")
        for email in ["not-an-email", "a@b", 'x"@example.org']
    ),
    pytest.param("project_name", "   ", id="name=spaces"),
    pytest.param("question", "two\nlines", id="question=newline"),
    pytest.param("author_name", "tab\there", id="author=tab"),
    pytest.param("question", "line\u2028separator", id="question=U+2028"),
]


@pytest.fixture
def sandbox(tmp_path):
    """An output folder inside an otherwise empty folder, to see anything written beside it."""
    (tmp_path / "out").mkdir()
    return tmp_path


def assert_nothing_written(sandbox: Path) -> None:
    assert [p.name for p in sandbox.iterdir()] == ["out"], "written beside the output folder"
    assert list((sandbox / "out").iterdir()) == [], "a folder was left in the output folder"


@pytest.mark.parametrize(("field", "answer"), REFUSED)
def test_a_bad_answer_is_refused_naming_its_field(sandbox, capfd, field, answer):
    with pytest.raises(FailedHookException) as refused:
        render_into(sandbox / "out", **{field: answer})
    message = f"{refused.value}\n{capfd.readouterr().err}"
    if field in ("project_slug", "author_email"):  # refused while asking, before any folder
        # ... so the answers typed so far are kept, and the message says how to reuse them.
        assert "cookiecutter --replay " in message
    assert f"ERROR: {field}: " in message
    assert "For example: " in message
    assert_nothing_written(sandbox)


def test_every_problem_the_hook_finds_is_reported_at_once(sandbox, capfd):
    """Answers checked as they are typed (the email) stop earlier; the hook lists the rest."""
    with pytest.raises(FailedHookException):
        render_into(sandbox / "out", module_name="class", author_name="a\tb", question=" ")
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR")]
    # In the order cookiecutter asks them.
    assert [line.split(":")[1].strip() for line in errors] == [
        "question",
        "module_name",
        "author_name",
    ]
    assert_nothing_written(sandbox)


def test_the_command_line_refuses_a_slug_plainly(sandbox):
    done = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "project_slug=../evil"],
        cwd=sandbox / "out",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "ERROR: project_slug: '../evil'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert_nothing_written(sandbox)


def test_a_replayed_slug_is_still_refused_by_the_hook(sandbox, capfd):
    """--replay skips prompting, so the hook's own slug check is what stops it."""
    cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(sandbox / "first"), accept_hooks=False
    )
    replay_file = Path(os.environ["HOME"], ".cookiecutter_replay", f"{TEMPLATE.name}.json")
    replay = json.loads(replay_file.read_text(encoding="utf-8"))
    replay["cookiecutter"]["project_slug"] = "../evil"
    edited = sandbox / "first" / "replay.json"
    edited.write_text(json.dumps(replay), encoding="utf-8")
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE), replay=str(edited), output_dir=str(sandbox / "out"))
    assert "ERROR: project_slug: '../evil'" in capfd.readouterr().err
    # Test hygiene (conftest.py): the replay file and the hook scripts cookiecutter leaves
    # behind went to this session's temporary home and temp folder, not the real ones.
    assert replay_file.is_relative_to(sandbox.parent)
    assert list(Path(tempfile.gettempdir()).glob("tmp*.py"))
    assert Path(tempfile.gettempdir()).is_relative_to(sandbox.parent)
    # cookiecutter made sandbox/evil before the hook ran, and removed it when it failed.
    assert sorted(p.name for p in sandbox.iterdir()) == ["first", "out"]
    assert list((sandbox / "out").iterdir()) == []


def derived(project_name: str) -> dict:
    """The answers cookiecutter derives from a project name, through cookiecutter.json."""
    context = generate_context(
        context_file=str(TEMPLATE / "cookiecutter.json"),
        extra_context={"project_name": project_name},
    )
    return prompt_for_config(context, no_input=True)


@pytest.mark.parametrize(
    ("name", "slug", "module"),
    [
        ("Study 2024/25: a/b test", "study-2024-25-a-b-test", "study_2024_25_a_b_test"),
        ("2024 Study: Iris/Petals!", "2024-study-iris-petals", "study_2024_study_iris_petals"),
        ("import", "import", "import_study"),
        ("sklearn", "sklearn", "sklearn_study"),
        ("OS", "os", "os_study"),
        ("Test", "test", "test_study"),
        ("../../escape", "escape", "escape"),
        ("Étude für Straße", "etude-fur-strasse", "etude_fur_strasse"),
        ("😀 ✨", "practice-study", "practice_study"),
    ],
)
def test_names_derived_from_any_project_name_are_valid(name, slug, module):
    answers = derived(name)
    assert (answers["project_slug"], answers["module_name"]) == (slug, module)


# Braces are left out: cookiecutter renders a project name given this way as Jinja.
NAMES = st.text(
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="{}%#"),
    min_size=1,
    max_size=80,
)


@settings(max_examples=40, deadline=None)
@given(name=NAMES)
def test_any_project_name_derives_a_slug_and_module_the_hook_accepts(name):
    answers = derived(name)
    slug, module = answers["project_slug"], answers["module_name"]
    assert re.match(local_extensions.SLUG_PATTERN, slug), slug
    assert module.isidentifier() and module.isascii() and module == module.lower(), module
    assert not keyword.iskeyword(module)
    assert module not in local_extensions.reserved_module_names()


def test_a_study_named_like_a_path_renders_inside_the_output_folder(sandbox):
    study = render_into(sandbox / "out", project_name="../../escape: import os")
    assert study.path.parent == sandbox / "out"
    assert study.path.name == "escape-import-os"
    assert study.has_file("src/escape_import_os/train.py")
    assert [p.name for p in sandbox.iterdir()] == ["out"]


def test_without_git_the_study_still_renders_and_says_how_to_finish(sandbox, monkeypatch, capfd):
    empty = sandbox / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # the hooks run with this Python's full path
    study = render_into(sandbox / "out", project_name="No Git Study")
    assert study.has_file("dvc.yaml") and study.has_file("LICENSE")
    assert not (study.path / ".git").exists()
    assert "git is not installed" in capfd.readouterr().out
