"""Every command a study's README and docs tell the learner to type works as written.

A learner's fresh shell has neither the study's `.venv/bin` nor a privately installed uv on
its PATH. So each command in a code block must be a `make` target of the study's Makefile,
a program `make setup` puts in `.venv/bin` (typed with that path), or a program the learner
has anyway (git) or installs for their remote or package manager (named where the docs
explain it). Inline `make ...` in the text must name a real target too.
"""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import render_into
from markdown_it import MarkdownIt

VARIANTS = {
    "default": {},
    "own-file-s3-conda-dask": {
        "dataset": "csv_url",
        "dataset_location": "https://example.org/penguins.csv",
        "dataset_sha256": "0" * 64,
        "target_column": "species",
        "dvc_remote": "s3",
        "dvc_remote_url": "s3://bucket/study",
        "env_manager": "conda",
        "compute": "dask",
    },
    "pip-no-remote-github": {
        "env_manager": "pip",
        "dvc_remote": "none",
        "github_repo": "ada/study",
    },
    "gcs": {"dvc_remote": "gcs", "dvc_remote_url": "gs://bucket/study"},
    "azure": {"dvc_remote": "azure", "dvc_remote_url": "azure://box/study"},
    "ssh": {"dvc_remote": "ssh", "dvc_remote_url": "ssh://me@host/srv/dvc"},
}
# Programs `make setup` installs into .venv/bin, and the package of pyproject.toml they come in.
VENV_PROGRAMS = {
    "dvc": "dvc",
    "python": "",
    "dask": "dask",
    "jupyter": "jupyterlab",
    "jupytext": "jupytext",
    "pytest": "pytest",
    "pre-commit": "pre-commit",
}
# Programs a learner has (the README asks for git and make) or installs for one option.
OWN_PROGRAMS = {"git", "make", "cd"}
MARKDOWN = MarkdownIt("commonmark")


def pages(study) -> dict[str, str]:
    paths = [study.path / "README.md", *sorted((study.path / "docs").glob("*.md"))]
    return {p.relative_to(study.path).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def fenced_commands(markdown: str) -> list[str]:
    """Each command line of the shell code blocks, without its trailing comment."""
    commands = []
    for token in MARKDOWN.parse(markdown):
        if token.type != "fence" or token.info.strip() not in ("", "bash", "sh", "shell"):
            continue
        for line in token.content.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def inline_make_commands(markdown: str) -> list[str]:
    found = []
    for token in MARKDOWN.parse(markdown):
        for child in token.children or []:
            if child.type == "code_inline" and child.content.startswith("make "):
                found.append(child.content)
    return found


def make_targets(study) -> set[str]:
    makefile = study.read("Makefile")
    return {
        m
        for line in re.findall(r"^([a-zA-Z][\w-]*(?: [\w-]+)*):", makefile, re.MULTILINE)
        for m in line.split()
    }


def problem(study, command: str, targets: set[str]) -> str | None:
    words = shlex.split(command)
    while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value before the program
        words.pop(0)
    program, args = words[0], words[1:]
    if program == "make":
        unknown = [a for a in args if "=" not in a and not a.startswith("-") and a not in targets]
        return f"no make target {unknown}" if unknown else None
    if program.startswith(".venv/bin/"):
        name = program.removeprefix(".venv/bin/")
        if name not in VENV_PROGRAMS:
            return f"{program} is not something make setup installs"
        package = VENV_PROGRAMS[name]
        if package and f'"{package}' not in study.read("pyproject.toml"):
            return f"{program}: the study does not depend on {package}"
        return None
    if program in OWN_PROGRAMS:
        return None
    return f"{program!r} is not on a fresh shell's PATH: use make or .venv/bin/{program}"


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    return {
        name: render_into(tmp_path_factory.mktemp(name), **answers)
        for name, answers in VARIANTS.items()
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_command_in_a_studys_docs_works_in_a_fresh_shell(studies, variant):
    study = studies[variant]
    targets = make_targets(study)
    assert {"setup", "study", "diff", "lab", "push", "pull", "update"} <= targets
    found, problems = 0, []
    for page, text in pages(study).items():
        for command in fenced_commands(text) + inline_make_commands(text):
            found += 1
            trouble = problem(study, command, targets)
            if trouble:
                problems.append(f"{page}: `{command}`: {trouble}")
    assert found >= 5
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_command_that_needs_the_venv_on_path(studies):
    study = studies["default"]
    targets = make_targets(study)
    assert problem(study, "dvc metrics diff", targets)
    assert problem(study, "uvx cruft check", targets)
    assert problem(study, "make deploy", targets)  # no such target
    assert problem(study, ".venv/bin/dvc metrics diff", targets) is None
    assert fenced_commands("```bash\nmake study   # run it\n# a note\n```\n") == ["make study"]
