"""Every command a study's README and docs tell the learner to type works as written.

A learner's fresh shell has neither the study's `.venv/bin` nor a privately installed uv on
its PATH. So each command in a code block must be one of the study's commands, typed as its
docs give them: `python3 run.py <command>` in bash (Linux, macOS), `py run.py <command>` in
PowerShell (Windows), or the `make <command>` alias; a program setup puts in `.venv/bin`
(`.venv\\Scripts` on Windows, typed with that path); or a program the learner has anyway
(git) or installs for their remote. Each page gives its run.py commands in both shells.
Inline `python3 run.py ...` and `make ...` in the text must name a real command too.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

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
# Programs setup installs into .venv/bin, and the package of pyproject.toml they come in.
VENV_PROGRAMS = {
    "dvc": "dvc",
    "python": "",
    "study": "",  # the study's own command layer ([project.scripts])
    "dask": "dask",
    "jupyter": "jupyterlab",
    "jupytext": "jupytext",
    "pytest": "pytest",
    "pre-commit": "pre-commit",
}
# Programs a learner has (git, and make for those who like it) or installs for one option.
OWN_PROGRAMS = {"git", "make", "cd"}
SHELLS = {"": "bash", "bash": "bash", "sh": "bash", "shell": "bash", "powershell": "powershell"}
# How each shell starts the study's command layer, and where .venv keeps its programs.
RUN_PY = {"bash": "python3", "powershell": "py"}
VENV_BIN = {"bash": ".venv/bin/", "powershell": ".venv\\Scripts\\"}
MARKDOWN = MarkdownIt("commonmark")


def pages(study) -> dict[str, str]:
    paths = [study.path / "README.md", *sorted((study.path / "docs").glob("*.md"))]
    return {p.relative_to(study.path).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def fenced_commands(markdown: str) -> list[tuple[str, str]]:
    """(shell, command) for each command line of the shell code blocks, without its comment."""
    commands = []
    for token in MARKDOWN.parse(markdown):
        shell = SHELLS.get(token.info.strip()) if token.type == "fence" else None
        if shell is None:
            continue
        for line in token.content.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append((shell, command))
    return commands


def inline_commands(markdown: str) -> list[tuple[str, str]]:
    found = []
    for token in MARKDOWN.parse(markdown):
        for child in token.children or []:
            text = child.content if child.type == "code_inline" else ""
            if text.startswith(("make ", "python3 run.py ")):
                found.append(("bash", text))
            elif text.startswith("py run.py "):
                found.append(("powershell", text))
    return found


def make_targets(study) -> set[str]:
    makefile = study.read("Makefile")
    return {
        m
        for line in re.findall(r"^([a-zA-Z][\w-]*(?: [\w-]+)*):", makefile, re.MULTILINE)
        for m in line.split()
    }


def words_of(shell: str, command: str) -> list[str]:
    if shell == "powershell":  # backslashes are path separators there, not escapes
        command = re.sub(r"^\$env:\w+\s*=\s*\S+;\s*", "", command)  # $env:X = "..."; cmd
        return shlex.split(command.replace("\\", "/"), posix=True)
    words = shlex.split(command)
    while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value before the program
        words.pop(0)
    return words


def problem(study, shell: str, command: str, commands: set[str]) -> str | None:
    words = words_of(shell, command)
    if shell == "powershell":
        words[0] = words[0].replace(".venv/Scripts/", ".venv/bin/")
    program, args = words[0], words[1:]
    if args[:1] == ["run.py"]:
        if program != RUN_PY[shell]:
            return f"in {shell}, the study's commands start `{RUN_PY[shell]} run.py`"
        words = [a for a in args[1:] if a not in ("-v", "--verbose")]  # run.py's own option
        unknown = [a for a in words[:1] if a not in commands]
        return f"run.py has no command {unknown} (python3 run.py help)" if unknown else None
    if program == "make":
        unknown = [a for a in args if "=" not in a and not a.startswith("-") and a not in commands]
        return f"no make target {unknown}" if unknown else None
    if program.startswith(".venv/bin/"):
        name = program.removeprefix(".venv/bin/")
        if name not in VENV_PROGRAMS:
            return f"{program} is not something setup installs"
        package = VENV_PROGRAMS[name]
        if package and f'"{package}' not in study.read("pyproject.toml"):
            return f"{program}: the study does not depend on {package}"
        return None
    if program in OWN_PROGRAMS:
        return None
    return f"{program!r} is not on a fresh shell's PATH: use run.py or {VENV_BIN[shell]}{program}"


def run_py_commands(found: list[tuple[str, str]], shell: str) -> list[str]:
    """The run.py commands of one shell, without the program that starts them."""
    return [
        " ".join(words_of(s, c)[2:])
        for s, c in found
        if s == shell and words_of(s, c)[1:2] == ["run.py"]
    ]


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    return {
        name: render_into(tmp_path_factory.mktemp(name), **answers)
        for name, answers in VARIANTS.items()
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_command_in_a_studys_docs_works_in_a_fresh_shell(studies, variant):
    study = studies[variant]
    commands = set(study.command_layer("list(cli.COMMANDS)"))
    assert {"setup", "study", "diff", "lab", "push", "pull", "update", "doctor"} <= commands
    # make is an alias: a target for each command, and nothing else.
    assert make_targets(study) == commands
    found, problems = 0, []
    for page, text in pages(study).items():
        fenced = fenced_commands(text)
        for shell, command in fenced + inline_commands(text):
            found += 1
            trouble = problem(study, shell, command, commands)
            if trouble:
                problems.append(f"{page}: `{command}`: {trouble}")
        bash, powershell = run_py_commands(fenced, "bash"), run_py_commands(fenced, "powershell")
        if bash != powershell:
            problems.append(f"{page}: run.py commands for bash {bash}, for PowerShell {powershell}")
    assert found >= 5
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_command_that_needs_the_venv_on_path(studies):
    study = studies["default"]
    commands = set(study.command_layer("list(cli.COMMANDS)"))
    assert problem(study, "bash", "dvc metrics diff", commands)
    assert problem(study, "bash", "uvx cruft check", commands)
    assert problem(study, "bash", "make deploy", commands)  # no such target
    assert problem(study, "bash", "python3 run.py deploy", commands)  # no such command
    assert problem(study, "bash", "py run.py study", commands)  # Windows' launcher, in bash
    assert problem(study, "powershell", "python3 run.py study", commands)
    assert problem(study, "bash", ".venv/bin/dvc metrics diff", commands) is None
    assert problem(study, "powershell", ".venv\\Scripts\\dvc metrics diff", commands) is None
    assert problem(study, "powershell", "py run.py try train.model=knn", commands) is None
    block = "```bash\npython3 run.py study   # run it\n# a note\n```\n"
    assert fenced_commands(block) == [("bash", "python3 run.py study")]


def test_the_studys_own_messages_name_run_py_not_make(studies):
    """make is only an alias: what the study's code and config tell the learner to run is a
    run.py command (kit/update.py names make's only to a study made before run.py)."""
    targets = "|".join(sorted(make_targets(studies["default"]), key=len, reverse=True))
    found = []
    for variant, study in studies.items():
        for path in study.files():
            relative = path.relative_to(study.path).as_posix()
            if path.suffix not in (".py", ".yaml", ".yml", ".toml", ".cfg", ".ipynb", ""):
                continue
            if path.name in ("Makefile", "LICENSE") or relative.endswith("kit/update.py"):
                continue
            text = path.read_text(encoding="utf-8")
            text = re.sub(r'"\s*\n\s*f?"', "", text)  # a message split over string literals
            messages = re.finditer(rf"\bmake ({targets})\b", text)
            found += [f"{variant}: {relative}: {m.group(0)}" for m in messages]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("variant", "fix"),
    [("default", "compute=dask"), ("own-file-s3-conda-dask", "prepare.train_rows")],
)
def test_a_python_the_system_killed_is_explained(studies, variant, fix):
    """DVC runs the stages in .venv's Python (kit/repro.py), so the out-of-memory killer ends
    it before DVC can say a word: run.py says what most likely happened, with the fix for the
    study's backend, and ends with a shell's code for the signal."""
    study = studies[variant]
    module = next(p.parents[1].name for p in (study.path / "src").glob("*/kit/cli.py"))

    def killed_by(number: int) -> subprocess.CompletedProcess:
        code = f"import sys; sys.path.insert(0, 'src'); from {module}.kit import cli; "
        return subprocess.run(
            [sys.executable, "-I", "-S", "-c", f"{code}sys.exit(cli.killed({number}))"],
            cwd=study.path,
            capture_output=True,
            text=True,
            check=False,
        )

    done = killed_by(9)
    assert done.returncode == 137
    assert "the out-of-memory killer" in done.stderr and fix in done.stderr, done.stderr
    other = killed_by(15)
    assert other.returncode == 143 and "ended by SIGTERM" in other.stderr, other.stderr
