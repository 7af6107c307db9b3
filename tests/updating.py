"""Helpers for following a study through template updates, as a learner lives them.

- ``template_history(into)``: a clone of this repository whose newest commit is the working
  tree as it is now (committed or not), so studies made at older commits can update to it;
- ``render_at(history, commit, output)``: the study the template made at ``commit``, made
  from that clone, so its ``.cruft.json`` follows it;
- ``LEARNER_EDITS``: what a learner changes in a study (a feature and a model in their code,
  a params.yaml value, a sentence in WRITEUP.md, a notebook cell, a figure of their own).
  Each edit knows how to make itself in each layout the study's code has had, and how to
  find itself afterwards: extend it when the layout changes (study.py);
- ``run_in_terminal(...)``: a command at a real terminal (a pty), answering its prompts.

Renders run in a subprocess: cookiecutter imports a template's Jinja extension module by name,
so one process could not render two versions of the template.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import TEMPLATE, Study

# A template repository's `python -m <module>.kit.update` for studies made before it existed:
# the template's own copy runs as a plain script (it imports only the standard library and cruft).
UPDATE_SCRIPT = (
    TEMPLATE / "{{cookiecutter.project_slug}}" / "src" / "{{cookiecutter.module_name}}" / "kit"
)
UPDATE_SCRIPT = UPDATE_SCRIPT / "update.py"


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


# ------------------------------------------------------------------ the template and its history


def template_history(into: Path) -> Path:
    """A clone of this repository with one more commit: the working tree as it is now."""
    git(into.parent, "clone", "--quiet", str(TEMPLATE), str(into))
    git(into, "checkout", "--quiet", "--detach", git(TEMPLATE, "rev-parse", "HEAD"))
    git(into, "checkout", "--quiet", "-B", "main")
    for entry in into.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    listed = git(TEMPLATE, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE / name
        if source.is_file():  # a file deleted but not yet committed is still listed
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    git(into, "add", "--all")
    if git(into, "status", "--porcelain"):
        git(into, "commit", "--quiet", "--no-verify", "-m", "The working tree, as it is now")
    return into


def extension_module_file(commit: str = "HEAD") -> str:
    """The template's Jinja extension module, as cookiecutter.json names it at ``commit``."""
    text = git(TEMPLATE, "show", f"{commit}:cookiecutter.json")
    return json.loads(text)["_extensions"][0].rsplit(".", 1)[0] + ".py"


def before_last_extension_change() -> str:
    """The newest commit on main's own line whose extension module differs from today's.

    The module is named after its content, so any change renames it; the name is compared,
    not the file's history, which a rename inside a merge hides from ``git log --follow``.
    """
    today = extension_module_file()
    for commit in git(TEMPLATE, "rev-list", "--first-parent", "HEAD").split():
        if extension_module_file(commit) != today:
            return commit
    raise AssertionError("the Jinja extension module never changed: nothing to update across")


def render_at(history: Path, commit: str, output: Path, **answers: str) -> Study:
    """The study made from ``history`` checked out at ``commit``; its .cruft.json follows it."""
    git(history, "checkout", "--quiet", "--detach", commit)
    try:
        extra = [f"{key}={value}" for key, value in answers.items()]
        command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output)]
        # Run from the output folder: Python puts the working folder first on its path, and
        # from this repository it would import today's extension module, not the commit's.
        done = subprocess.run(
            [*command, str(history), *extra], cwd=output, capture_output=True, text=True
        )
    finally:
        git(history, "checkout", "--quiet", "main")
    assert done.returncode == 0, done.stdout + done.stderr
    (folder,) = [p for p in output.iterdir() if (p / ".cruft.json").is_file()]
    state = json.loads((folder / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == git(history, "rev-parse", commit)
    return Study(folder)


def template_commit(history: Path, message: str, change: Callable[[Path], None]) -> str:
    """Change the template's study folder in ``history`` and commit it; its id."""
    change(history / "{{cookiecutter.project_slug}}")
    git(history, "add", "--all")
    git(history, "commit", "--quiet", "--no-verify", "-m", message)
    return git(history, "rev-parse", "HEAD")


# ------------------------------------------------------------------------------ learner edits


def learner_code_file(study: Study) -> Path:
    """The file where a learner adds features and models, in the study's layout."""
    package = next((study.path / "src").iterdir())
    for name in ("study.py", "model.py", "modelling.py"):
        if (package / name).is_file():
            return package / name
    raise AssertionError(f"no learner code file in {package}")


FEATURE_LINE = 'table["ink"] = table.select_dtypes("number").sum(axis=1)  # my feature'
MODEL_NAME = "nearest_neighbours"
MODEL_IMPORT = "from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor"


def add_feature_and_model(study: Study) -> None:
    """A feature and a model, written where the study's layout wants them."""
    path = learner_code_file(study)
    code = path.read_text(encoding="utf-8")
    if MODEL_NAME in code:
        return
    code = code.replace("\nfrom sklearn", f"\n{MODEL_IMPORT}\nfrom sklearn", 1)
    if path.name == "modelling.py":  # before Nov 2026: a tuple of names, one branch each
        code = code.replace('"gradient_boosting")', f'"gradient_boosting", "{MODEL_NAME}")', 1)
        code = code.replace(
            '    raise ValueError(f"train.model must be one of',
            f'    if name == "{MODEL_NAME}":\n'
            "        return (KNeighborsClassifier if classify else KNeighborsRegressor)()\n"
            '    raise ValueError(f"train.model must be one of',
            1,
        )
        code = code.replace(
            '    return Pipeline([("preprocess"',
            '    return Pipeline([("features", FunctionTransformer(add_features)), ("preprocess"',
            1,
        )
        code += f"\n\ndef add_features(table):\n    table = table.copy()\n    {FEATURE_LINE}\n"
        code += "    return table\n"
    else:  # model.py's add_features and MODELS (and study.py's, once it exists)
        code = code.replace(
            "    return table\n",
            f"    table = table.copy()\n    {FEATURE_LINE}\n    return table\n",
            1,
        )
        code = code.replace(
            "MODELS = {\n",
            f'MODELS = {{\n    "{MODEL_NAME}": '
            '{"classification": KNeighborsClassifier, "regression": KNeighborsRegressor},\n',
            1,
        )
    assert MODEL_NAME in code and FEATURE_LINE in code, f"{path}: the layout is not known"
    path.write_text(code, encoding="utf-8")


def has_feature_and_model(study: Study) -> bool:
    code = learner_code_file(study).read_text(encoding="utf-8")
    return FEATURE_LINE in code and f'"{MODEL_NAME}"' in code


def choose_model_and_resamples(study: Study) -> None:
    """params.yaml: the learner's model, and fewer bootstrap resamples (a faster run)."""
    params = study.read("params.yaml")
    params = re.sub(r"(?m)^(  model:) linear\b", rf"\1 {MODEL_NAME}", params, count=1)
    params = re.sub(r"(?m)^(  bootstrap_resamples:) \d+", r"\1 200", params, count=1)
    study.write("params.yaml", params)


def has_model_and_resamples(study: Study) -> bool:
    params = study.read("params.yaml")
    return f"  model: {MODEL_NAME}" in params and "  bootstrap_resamples: 200" in params


SENTENCE = "My own finding: the ink feature barely moves the score."


def write_sentence(study: Study) -> None:
    if SENTENCE not in study.read("WRITEUP.md"):
        study.write("WRITEUP.md", study.read("WRITEUP.md") + f"\n{SENTENCE}\n")


CELL = '# %%\n# My cell: how much ink each digit has\nprint("my own cell")\n'


def add_cell(study: Study) -> None:
    notebook = "notebooks/01_explore.py"
    if CELL not in study.read(notebook):
        study.write(notebook, study.read(notebook).rstrip("\n") + "\n\n" + CELL)


# A 1x1 PNG, as a learner's own figure would be (any bytes would do: git keeps them).
FIGURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def save_figure(study: Study) -> None:
    (study.path / "figures" / "my_figure.png").write_bytes(FIGURE)


@dataclass
class LearnerEdit:
    name: str
    make: Callable[[Study], None]  # makes it, in the study's layout (again: no change)
    is_there: Callable[[Study], bool]


LEARNER_EDITS = [
    LearnerEdit("a feature and a model", add_feature_and_model, has_feature_and_model),
    LearnerEdit("params.yaml values", choose_model_and_resamples, has_model_and_resamples),
    LearnerEdit(
        "a sentence in WRITEUP.md", write_sentence, lambda s: SENTENCE in s.read("WRITEUP.md")
    ),
    LearnerEdit("a notebook cell", add_cell, lambda s: CELL in s.read("notebooks/01_explore.py")),
    LearnerEdit(
        "a figure of their own",
        save_figure,
        lambda s: (s.path / "figures" / "my_figure.png").read_bytes() == FIGURE,
    ),
]


# ------------------------------------------------------------------------------ a real terminal


def run_in_terminal(
    command: list[str], cwd: Path, answers: dict[str, str], timeout: float = 600
) -> tuple[int, str]:
    """Run ``command`` at a pseudo-terminal; type each answer when its prompt shows.

    Returns the exit status and everything the terminal showed.
    """
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command, cwd=cwd, stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True
    )
    os.close(terminal)
    shown, waiting, deadline = b"", dict(answers), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed: the command ended
                    break
                if not chunk:
                    break
                shown += chunk
                for prompt in list(waiting):
                    if prompt.encode() in shown:
                        os.write(controller, waiting.pop(prompt).encode())
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise AssertionError(f"{command} did not end in {timeout} s:\n{shown.decode()}")
    finally:
        os.close(controller)
    return process.wait(timeout=30), shown.decode(errors="replace").replace("\r\n", "\n")
