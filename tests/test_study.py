"""Full tier: render studies and run them for real, as a learner would."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

pytestmark = pytest.mark.slow

EXECUTE_TO_IPYNB = """
import sys, jupytext, nbclient
source = sys.argv[1]
nb = jupytext.read(source)
nbclient.NotebookClient(nb, resources={"metadata": {"path": "notebooks"}}).execute()
jupytext.write(nb, source.replace(".py", ".ipynb"))
"""
STAGE_RUN = re.compile(r"Running stage '([a-z_]+)'")
STUDY_PY = "src/digits_practice_study/study.py"


def test_make_study_runs_every_stage_and_writes_results(default_study):
    ran = STAGE_RUN.findall(default_study.first_run.stdout)
    assert ran == ["get_data", "prepare", "train", "evaluate", "report"]
    metrics = json.loads(default_study.read("reports/metrics.json"))
    assert metrics["model"]["test"]["accuracy"] > metrics["baseline"]["test"]["accuracy"]
    figures = sorted(p.name for p in (default_study.path / "reports/figures").glob("*.png"))
    assert figures == ["confusion_matrix.png", "learning_curve.png"]
    html = default_study.read("reports/writeup.html")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 2 and all(i.startswith("data:image/png;base64,") for i in images)
    assert "reports/writeup.html" in default_study.first_run.stdout


def test_raw_data_is_tracked_by_dvc_not_git(default_study):
    study = default_study
    assert study.has_file("data/raw/digits.csv")
    ignored = study.run("git", "check-ignore", "data/raw/digits.csv", check=False)
    assert ignored.returncode == 0
    lock = yaml.safe_load(study.read("dvc.lock"))
    outs = lock["stages"]["get_data"]["outs"]
    assert outs[0]["path"] == "data/raw/digits.csv" and outs[0]["md5"]


def test_second_run_changes_nothing(default_study):
    # Tests of other modules share this study and may have edited a file and put it back:
    # DVC is then asked, and finds every stage up to date.
    again = default_study.make("study")
    assert STAGE_RUN.findall(again.stdout) == []
    # Now no file changed since the last run: DVC is not started, and it agrees.
    third = default_study.make("study")
    assert "Nothing changed since the last run: every stage is up to date." in third.stdout
    status = default_study.run(".venv/bin/dvc", "status").stdout
    assert "Data and pipelines are up to date" in status


def test_dvc_reads_its_yaml_files_with_the_c_parser(default_study):
    """DVC reads dvc.lock, dvc.yaml and params.yaml several times a run. ruamel.yaml 0.19
    made its C parser optional (ruamel.yaml.clib, in the study's pyproject.toml); without it
    each read of the default study's dvc.lock takes 0.06 s instead of 0.012 s."""
    parser = default_study.run(
        ".venv/bin/python", "-c", "from ruamel.yaml import YAML; print(YAML(typ='safe').Parser)"
    ).stdout
    assert "CParser" in parser


def test_study_tests_pass(default_study):
    result = default_study.make("test")
    assert re.search(r"\d+ passed", result.stdout)
    assert " skipped" not in result.stdout.splitlines()[-1]


def test_changing_a_training_param_reruns_only_what_depends_on_it(default_study):
    params = default_study.read("params.yaml")
    default_study.write("params.yaml", params.replace("C: 1.0", "C: 0.5", 1))
    rerun = default_study.make("study")
    assert STAGE_RUN.findall(rerun.stdout) == ["train", "evaluate", "report"]
    diff = default_study.run(".venv/bin/dvc", "params", "diff").stdout
    assert "train.linear.classification.C" in diff


def test_switching_the_model_updates_metrics_figures_and_writeup(default_study):
    study = default_study
    study.run("git", "add", "--all")
    study.run("git", "commit", "--quiet", "-m", "results with the linear model")
    params = study.read("params.yaml")
    study.write("params.yaml", params.replace("model: linear", "model: random_forest", 1))
    study.make("study")
    assert json.loads(study.read("reports/metrics.json"))["estimator"] == "RandomForestClassifier"
    assert "RandomForestClassifier" in study.read("reports/writeup.html")
    diff = study.run(".venv/bin/dvc", "metrics", "diff").stdout
    assert "model.test.accuracy" in diff
    changed = study.run("git", "status", "--porcelain").stdout
    assert "reports/figures/learning_curve.png" in changed


def test_notebook_changes_diff_as_plain_python(default_study):
    study = default_study
    # What JupyterLab leaves behind: an executed .ipynb twin, outputs and all.
    study.run(".venv/bin/python", "-c", EXECUTE_TO_IPYNB, "notebooks/01_explore.py")
    assert '"outputs": [\n' in study.read("notebooks/01_explore.ipynb")
    assert study.run("git", "status", "--porcelain", "notebooks").stdout == ""
    source = study.read("notebooks/01_explore.py")
    study.write("notebooks/01_explore.py", source.replace("frame.head()", "frame.tail()", 1))
    changed = study.run("git", "diff", "--name-only").stdout.split()
    assert "notebooks/01_explore.py" in changed
    assert not [name for name in changed if name.endswith(".ipynb")]


def test_a_bare_dvc_repro_gives_what_run_py_study_gave(default_study):
    """run.py study runs the stages in DVC's own Python (kit/repro.py); `dvc repro` typed in
    a terminal runs each in a Python of its own. A reviewer gets the same numbers either way."""
    study = default_study
    study.make("study")  # the results of run.py study, whatever other tests left behind
    before = json.loads(study.read("reports/metrics.json"))
    programs = str(study.path / ".venv" / "bin")  # `python` in dvc.yaml's commands
    bare = subprocess.run(
        [".venv/bin/dvc", "repro", "--force", "--downstream", "train"],
        cwd=study.path,
        env={**os.environ, "PATH": programs + os.pathsep + os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert bare.returncode == 0, bare.stdout[-3000:] + bare.stderr[-3000:]
    assert STAGE_RUN.findall(bare.stdout) == ["train", "evaluate", "report"]
    assert json.loads(study.read("reports/metrics.json")) == before


def test_a_stage_that_fails_shows_its_own_traceback(default_study):
    study = default_study
    original = study.read(STUDY_PY)
    broken = original.replace("    return table\n", "    return table / not_defined\n", 1)
    assert broken != original
    study.write(STUDY_PY, broken)
    try:
        failed = study.make("study", check=False)
    finally:
        study.write(STUDY_PY, original)
    assert failed.returncode != 0
    frames = failed.stderr[failed.stderr.index("Traceback") :].splitlines()
    # From the stage's own code on, as `python -m` shows it: no frames of DVC or kit/repro.py.
    assert "digits_practice_study/train.py" in frames[1], frames[:3]
    assert not any("site-packages/dvc" in line or "kit/repro.py" in line for line in frames)
    assert "NameError: name 'not_defined' is not defined" in failed.stderr
    assert "failed to reproduce 'train'" in failed.stderr
    study.make("study")  # DVC checks out the model the failed run removed, from its cache
    assert study.has_file("models/model.joblib")
