"""The template's Jinja extension module survives `cruft update` between any two versions.

cruft renders the study's old template version and the newest one in one Python process,
and cookiecutter imports the module named in cookiecutter.json's ``_extensions`` by name: a
module name shared by two versions with different code would give the second render the
first one's filters. The module's file name carries a hash of its content
(tools/extension_name.py), so these tests render the version before that rule
(``local_extensions.py`` at commit af0a86d) and this one, in one process, in both orders.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from conftest import TEMPLATE, Study
from cookiecutter.main import cookiecutter

from tools import extension_name

# The last commit whose extension module was plain `local_extensions.py`.
OLD_COMMIT = "af0a86d"
CRUFT = str(Path(sys.executable).with_name("cruft"))


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_extension_module_is_named_after_its_content():
    assert extension_name.problem() is None, extension_name.problem()
    name = extension_name.module_name()
    assert name == extension_name.expected_name(TEMPLATE / f"{name}.py")


def test_a_stale_name_is_reported_with_the_command_that_fixes_it(tmp_path, monkeypatch):
    name = extension_name.module_name()
    (tmp_path / f"{name}.py").write_text("# edited\n", encoding="utf-8")
    shutil.copy(TEMPLATE / "cookiecutter.json", tmp_path / "cookiecutter.json")
    (tmp_path / "README.md").write_text(f"Filters: `{name}.py`\n", encoding="utf-8")
    git(tmp_path, "init", "--quiet")
    monkeypatch.setattr(extension_name, "ROOT", tmp_path)
    monkeypatch.setattr(extension_name, "COOKIECUTTER_JSON", tmp_path / "cookiecutter.json")
    found = extension_name.problem()
    assert found and "make extensions" in found

    expected = extension_name.expected_name(tmp_path / f"{name}.py")
    assert expected != name
    assert extension_name.rename() == expected
    assert extension_name.problem() is None
    # Every reference follows the new name.
    assert extension_name.module_name() in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.glob("local_extensions*.py")] == [
        f"{extension_name.module_name()}.py"
    ]


def old_template_tree(into: Path) -> Path:
    """The template's files at OLD_COMMIT (from this repository's history)."""
    done = subprocess.run(
        ["git", "archive", "--format=tar", OLD_COMMIT],
        cwd=TEMPLATE,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"commit {OLD_COMMIT} is not in this clone's history (a shallow clone?)")
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        # Only plain files and folders (the filter exists from Python 3.10.12 on).
        archive.extractall(into, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    return into


def this_template_tree(into: Path) -> Path:
    """The template's files as they are now, committed or not."""
    listed = git(TEMPLATE, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def commit_tree(repo: Path, tree: Path, message: str) -> str:
    """Replace the repository's files with `tree`'s and commit them; returns the commit."""
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(tree, repo, dirs_exist_ok=True)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def template_history(tmp_path_factory):
    """A template repository with two commits: the old version, then this one."""
    root = tmp_path_factory.mktemp("history")
    repo = root / "template"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    old = commit_tree(repo, old_template_tree(root / "old"), "The version before the hash")
    new = commit_tree(repo, this_template_tree(root / "new"), "This version")
    return repo, old, new


# cruft's own code path (cruft/_commands/update.py): one clone, reset to each commit in
# turn, rendered by cookiecutter in the same process, without prompting.
AS_CRUFT_DOES = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from git import Repo
    from cruft._commands.utils.generate import cookiecutter_template
    from cruft._commands.utils.iohelper import AltTemporaryDirectory

    url, out, *commits = sys.argv[1:]
    answers = {"project_name": "Wine Study", "dataset": "wine", "license": "BSD-3-Clause"}
    with AltTemporaryDirectory("repo") as tmp:
        repo = Repo.clone_from(url, Path(tmp) / "repo")
        for number, commit in enumerate(commits):
            state = {"template": url, "commit": commit, "directory": None, "skip": [],
                     "context": {"cookiecutter": answers}}
            cookiecutter_template(output_dir=Path(out) / str(number), repo=repo,
                                  cruft_state=state, project_dir=Path(out), checkout=commit)
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("local_extensions"))))
    """
)


@pytest.mark.parametrize("order", ["old-then-new", "new-then-old"])
def test_two_versions_render_in_one_process_as_cruft_does(template_history, tmp_path, order):
    repo, old, new = template_history
    commits = [old, new] if order == "old-then-new" else [new, old]
    done = subprocess.run(
        [sys.executable, "-c", AS_CRUFT_DOES, str(repo), str(tmp_path), *commits],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Each version imported its own module: none was served from the other's cache.
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == sorted(["local_extensions", extension_name.module_name()])
    rendered = {commit: tmp_path / str(number) for number, commit in enumerate(commits)}
    for study in rendered.values():
        # Both versions' hooks ran on their own answers: the chosen licence is kept.
        assert "BSD" in (study / "LICENSE").read_text(encoding="utf-8")
        assert not (study / "licenses").exists()
        assert "Wine Study" in (study / "README.md").read_text(encoding="utf-8")
    # The new version renders what it renders alone (here: its CITATION.cff).
    assert (rendered[new] / "CITATION.cff").is_file()
    assert not (rendered[old] / "CITATION.cff").exists()


@pytest.mark.slow
def test_cruft_update_from_the_old_version_to_this_one(tmp_path):
    """A study made before the hashed name is updated by the real `cruft update`."""
    repo = tmp_path / "template"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    old = commit_tree(repo, old_template_tree(tmp_path / "old"), "The version before the hash")
    folder = cookiecutter(
        str(repo),
        no_input=True,
        output_dir=str(tmp_path / "out"),
        extra_context={"project_name": "Wine Study", "dataset": "wine"},
    )
    study = Study(Path(folder))
    assert json.loads(study.read(".cruft.json"))["commit"] == old
    question = study.read("QUESTION.md")

    new = commit_tree(repo, this_template_tree(tmp_path / "new"), "This version")
    done = study.run(CRUFT, "update", "--skip-apply-ask", check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No filter named" not in done.stdout + done.stderr

    state = json.loads(study.read(".cruft.json"))
    assert state["commit"] == new
    assert study.has_file("CITATION.cff")  # a file this version added
    assert "Wine Study" in study.read("CITATION.cff")
    assert study.read("QUESTION.md") == question  # a learner-owned file, skipped
    assert not list(study.path.rglob("*.rej"))
