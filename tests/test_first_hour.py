"""A learner's first hour in a study: run it, commit what it says, open a notebook.

One iris study (small and quick) is made once for the module and used in order: the steps
the render's closing message prints, done as printed up to the first `run.py study` (the
hypothesis written and committed first), the commit its last line suggests, the review's
pre-registration verdict, then JupyterLab as `make lab` starts it, driven by headless
Chromium (tests/lab_browser.py) the way a learner's mouse would.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import TEMPLATE, Study
from test_prompts import WRITE_HYPOTHESIS, printed_steps

TESTS = Path(__file__).parent
# What DVC prints after every run that changed something (git add, autostage, dvc push).
DVC_ADVICE = ("To track the changes with git", "core.autostage", "dvc push")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """An iris study made with cookiecutter's command line, then the steps its closing
    message prints, done in order up to the first `run.py study`: the step done by hand
    (the hypothesis, written in QUESTION.md) as a learner would, every command as printed."""
    here = tmp_path_factory.mktemp("first-hour")
    made = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE)]
        + ["dataset=iris", "project_name=First Hour"],
        cwd=here,
        env={**os.environ, "PWD": str(here)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    for _, commands in printed_steps(made.stdout):
        if not commands:  # by hand, in an editor
            subprocess.run([sys.executable, "-c", WRITE_HYPOTHESIS], cwd=here, check=True)
        for command in commands:
            if command.startswith("cd "):  # the shell's cd: the next commands run there
                here = here / shlex.split(command)[1]
                continue
            done = subprocess.run(
                command, shell=True, cwd=here, capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            if command.endswith("run.py study"):
                study = Study(here.resolve())
                study.first_run = done
                return study
    raise AssertionError(f"no run.py study among the printed steps:\n{made.stdout}")


def git_status(study) -> str:
    return study.run("git", "status", "--porcelain").stdout


@pytest.mark.slow
def test_make_study_ends_saying_what_to_commit_and_that_commit_leaves_git_clean(study):
    output = study.first_run.stdout
    assert not [advice for advice in DVC_ADVICE if advice in output], output[-2000:]
    # Progress: the private uv says it is being installed, and each stage as it starts.
    if (study.path / ".tools" / "bin" / "uv").exists():
        assert "installing a private copy into .tools/" in output
        assert "uv installed: .tools/bin/uv" in output
    assert "Pipeline (dvc.yaml; a stage runs only if its inputs changed): get_data ->" in output
    for stage in ("get_data", "prepare", "train", "evaluate", "report"):
        assert f"Running stage '{stage}'" in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("Done: reports/writeup.html. Changed: "), last
    suggested = last.split("commit them: ", 1)[1]
    study.run("sh", "-c", suggested)  # exactly as printed, git hooks included
    assert git_status(study) == ""
    rerun = study.make("study").stdout.strip().splitlines()[-1]
    assert rerun == "Done: reports/writeup.html. Nothing changed since your last commit."


@pytest.mark.slow
def test_following_the_printed_steps_keeps_the_hypothesis_pre_registered(study):
    """Issue #23: the closing message's steps, then the commit the study suggests, never
    spoil pre-registration: the review finds the hypothesis committed before the results."""
    first = study.first_run.stdout + study.first_run.stderr
    assert "hypothesis is still the template's prompt" not in first
    reviewed = study.make("review", check=False).stdout
    assert re.search(r"^passed +hypothesis +written before results", reviewed, re.M), reviewed
    assert "with or after the first commit of test results" not in reviewed


@pytest.mark.slow
def test_the_readmes_commands_run_in_a_shell_without_uv_dvc_or_the_venv(study):
    """A fresh shell: only the system's folders on PATH, no uv, no dvc, no .venv/bin."""
    path = os.pathsep.join(["/usr/bin", "/bin"])
    assert not [tool for tool in ("uv", "dvc") if shutil.which(tool, path=path)]
    shell = {**os.environ, "PATH": path}
    shell.pop("VIRTUAL_ENV", None)
    readme = study.read("README.md")
    for command in ("python3 run.py study", "python3 run.py test", "python3 run.py diff"):
        assert f"`{command}`" in readme or f"{command} " in readme, command
    # The test command (the study's own tests, notebooks included) runs in tests of its own;
    # `make study` is the alias (make is on this PATH, as on many learners' computers).
    for command in (
        "python3 run.py study",
        "python3 run.py diff",
        ".venv/bin/dvc status",
        "python3 run.py",
        "make study",
    ):
        done = subprocess.run(
            ["sh", "-c", command],
            cwd=study.path,
            env=shell,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{command}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert git_status(study) == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, lab: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            raise AssertionError(f"make lab stopped:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"JupyterLab did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


def study_kernel(study) -> str:
    """The name of the kernel `make setup` registered for this study (its .venv's Python)."""
    specs = json.loads(study.run(".venv/bin/jupyter", "kernelspec", "list", "--json").stdout)
    python = str(study.path / ".venv" / "bin" / "python")
    names = [
        name for name, spec in specs["kernelspecs"].items() if spec["spec"]["argv"][0] == python
    ]
    assert len(names) == 1, specs
    return names[0]


@pytest.mark.slow
def test_a_double_click_in_jupyterlab_opens_a_notebook_in_the_study_kernel(study, tmp_path):
    before = git_status(study)
    port, token = free_port(), "first-hour-test"
    env = {
        **os.environ,
        "JUPYTER_PORT": str(port),
        "JUPYTER_TOKEN": token,
        "BROWSER": "true",
    }  # BROWSER: JupyterLab opens no window of its own
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        lab = subprocess.Popen(
            ["make", "lab"],
            cwd=study.path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(f"{base}/api/status?token={token}", lab, log)
        driven = subprocess.run(
            [
                str(study.path / ".venv" / "bin" / "python"),
                str(TESTS / "lab_browser.py"),
                f"{base}/lab/tree/notebooks?token={token}",
                "01_explore.py",
                "Python (first-hour)",
                "120 training rows, 5 columns",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "LAB_SCREENSHOT": str(tmp_path / "lab.png")},
        )
        assert driven.returncode == 0, driven.stdout + driven.stderr[-4000:]
        seen = json.loads(driven.stdout)
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=30) as answer:
            sessions = json.load(answer)
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
    # A notebook, not the text editor, in the study's own kernel; its first cell ran.
    assert not seen["editor_opened"]
    assert "Python (first-hour)" in seen["toolbar"]
    assert "120 training rows, 5 columns" in seen["output"] and seen["saved"]
    kernels = {s["path"]: s["kernel"]["name"] for s in sessions}
    assert kernels == {"notebooks/01_explore.py": study_kernel(study)}
    # Saving wrote the outputs to the .ipynb twin (ignored by git); the .py is unchanged.
    assert "120 training rows" in study.read("notebooks/01_explore.ipynb")
    assert git_status(study) == before
