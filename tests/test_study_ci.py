"""The study's own CI: the `run:` steps of study.yml, executed in order as a GitHub runner
would, in a clean clone of a fresh study.

The shell gets a runner's PATH: system folders, the runner's own Python and uv (which the
`setup-uv` step provides), never the study's .venv, which a runner does not put on the PATH.
`uses:` steps are replaced by what they provide here (the clone is the checkout). A step's
`if:` is evaluated as GitHub would, for the few conditions the workflow uses, from the outputs
earlier steps wrote to $GITHUB_OUTPUT.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import Study

pytestmark = pytest.mark.slow

# What each action gives the steps after it, here.
PROVIDED = {
    "actions/checkout": "the clean clone the steps run in",
    "astral-sh/setup-uv": "uv on the PATH",
    "actions/upload-artifact": "nothing the later steps use (it keeps reports/ on GitHub)",
}
SECRET = re.compile(r"\$\{\{\s*secrets\.\w+\s*\}\}")
# The conditions study.yml uses: always(), and a step output compared with a string.
OUTPUT_TEST = re.compile(r"steps\.([\w-]+)\.outputs\.(\w+) *(==|!=) *'([^']*)'")


def runs(condition: str | None, outputs: dict[str, dict[str, str]]) -> bool:
    """Whether a step with this `if:` runs, after steps that all succeeded."""
    if condition is None or condition.strip() == "always()":
        return True
    found = OUTPUT_TEST.fullmatch(condition.strip())
    assert found, f"teach this test the condition {condition!r}"
    step, name, test, value = found.groups()
    actual = outputs.get(step, {}).get(name, "")
    return (actual == value) if test == "==" else (actual != value)


def runner_tools(folder: Path) -> Path:
    """A folder with what a runner has on its PATH besides the system's: python and python3
    (a Python without the study's packages) and uv."""
    folder.mkdir()
    base_python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    for name in ("python", "python3"):
        (folder / name).symlink_to(base_python)
    (folder / "uv").symlink_to(shutil.which("uv"))
    return folder


def run_workflow(clone: Path, scratch: Path) -> tuple[list[str], str, str]:
    """Run study.yml's steps in order, as a runner would: (the names of the steps that ran,
    the job summary, everything they printed). Fails on the first failing step."""
    workflow = yaml.safe_load((clone / ".github/workflows/study.yml").read_text())
    tools = runner_tools(scratch / "runner-bin")
    github_path, summary = scratch / "github_path", scratch / "step_summary.md"
    github_path.touch()
    summary.touch()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PATH")}
    env |= {k: str(v) for k, v in workflow.get("env", {}).items()}
    env |= {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(clone),
        "GITHUB_PATH": str(github_path),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    system_path = f"{tools}:/usr/local/bin:/usr/bin:/bin"
    ran, printed, outputs = [], [], {}
    for number, step in enumerate(workflow["jobs"]["study"]["steps"]):
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert action in PROVIDED, f"{action}: say what it provides in this test"
            continue
        if not runs(step.get("if"), outputs):
            continue
        # Lines added to GITHUB_PATH go before the PATH of every later step, newest first.
        added = github_path.read_text().split()[::-1]
        output_file = scratch / f"github_output_{number}"
        output_file.touch()
        step_env = env | {
            "PATH": ":".join([*added, system_path]),
            "GITHUB_OUTPUT": str(output_file),
        }
        step_env |= {k: SECRET.sub("", str(v)) for k, v in step.get("env", {}).items()}
        assert "${{" not in step["run"], step["name"]
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=clone,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert done.returncode == 0, (
            f"step {step['name']!r} failed with {done.returncode}\n"
            f"--- stdout ---\n{done.stdout[-5000:]}\n--- stderr ---\n{done.stderr[-5000:]}"
        )
        ran.append(step["name"])
        printed.append(done.stdout)
        if "id" in step:
            lines = output_file.read_text().splitlines()
            outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
    return ran, summary.read_text(), "".join(printed)


def clean_clone(study: Study, folder: Path) -> Study:
    subprocess.run(["git", "clone", "--quiet", str(study.path), str(folder)], check=True)
    return Study(folder)


def test_study_workflow_runs_on_a_clean_clone(render, tmp_path):
    study = render()
    study.make("study")  # the author runs the study and commits its results, as it says
    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "--no-verify", "-m", "Run the study")
    clone = clean_clone(study, tmp_path / "checkout")
    ran, summary, _ = run_workflow(clone.path, tmp_path)
    assert "Reproduce the study (run.py reproduce)" in ran
    assert "Run the study's tests, notebooks included" in ran
    assert clone.has_file("reports/writeup.html") and clone.has_file("dvc.lock")
    # The verdict is the job's summary: the committed results came out again.
    assert re.search(r"## Reproduction of commit \w+: REPRODUCED", summary), summary


def test_study_workflow_runs_with_pip_and_no_remote(render, tmp_path):
    """env_manager=pip, and no DVC remote: the bundled data is written again. Then
    `make pull` and `make push` stop with the advice to add a remote, instead of exiting 0."""
    clone = clean_clone(render(env_manager="pip", dvc_remote="none"), tmp_path / "checkout")
    ran, summary, _ = run_workflow(clone.path, tmp_path)
    # A new study's first push: no results committed yet, so nothing to compare, but the
    # pipeline and the tests ran, and the job passes with a notice saying so.
    assert "NOTHING TO COMPARE" in summary and "holds no reports/metrics.json" in summary
    assert "Run the study's tests, notebooks included" in ran
    # The whole workflow ran with pip alone (hashes checked: requirements.txt), no uv.
    assert clone.has_file("reports/writeup.html")
    assert not clone.has_file(".tools/bin/uv"), "a pip study must not need uv"
    for target in ("pull", "push"):
        result = clone.make(target, check=False)
        assert result.returncode != 0, target
        assert "no DVC remote yet" in result.stdout
        assert "dvc remote add --default storage" in result.stdout
