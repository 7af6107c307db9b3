"""Option matrix: a few named combinations of choices, each through every gate.

Every value of every choice renders and parses in the fast tier (test_render.py). Here, the
choices that change how a study runs are combined so that each pair of their values is run
at least once, in four studies: the default (run by test_study.py) and three more.
"""

from __future__ import annotations

import itertools
import json

import pytest
from conftest import TEMPLATE, local_extensions

OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
DEFAULT = {k: v[0] for k, v in OPTIONS.items() if isinstance(v, list) and not k.startswith("_")}
# Free text a learner might type, which the write-up page must show as text, never run.
# (No braces: given this way, cookiecutter renders them; test_freetext.py types them.)
HOSTILE_TEXT = {
    "project_name": '<script>alert(1)</script> Study: "yes" & no',
    "author_name": "O'Brien <b>&amp;</b> $(touch pwned)",
    "question": "Is *x* < y? `id` # no",
}
COMBINATIONS = [
    pytest.param({}, id="default"),
    pytest.param(
        {
            "dataset": "iris",
            "task": "classification",
            "env_manager": "pip",
            "compute": "dask",
            "dvc_remote": "none",
            "license": "BSD-3-Clause",
        },
        id="iris-pip-dask",
    ),
    pytest.param(
        {
            "dataset": "diabetes",
            "env_manager": "uv",
            "compute": "dask",
            "dvc_remote": "none",
            "license": "none",
        },
        id="diabetes-uv-dask",
    ),
    pytest.param(
        {
            "dataset": "diabetes",
            "task": "regression",
            "env_manager": "pip",
            "compute": "pandas",
            "license": "CC-BY-4.0",
            **HOSTILE_TEXT,
        },
        id="diabetes-pip-hostile-text",
    ),
]
# conda is left out: it is not on the machines CI runs on, and not on PyPI.
RUNNABLE = {"env_manager": {"uv", "pip"}, "compute": {"pandas", "dask"}}


def kind(answers: dict) -> str:
    """What the model predicts: the one thing about the data that changes every stage."""
    task = answers.get("task", DEFAULT["task"])
    if task != "auto":
        return task
    return local_extensions.bundled_task(answers.get("dataset", DEFAULT["dataset"]))


def classes(answers: dict) -> dict[str, str]:
    full = {**DEFAULT, **answers}
    return {"kind": kind(answers), "env_manager": full["env_manager"], "compute": full["compute"]}


def test_the_combinations_cover_every_pair_of_what_changes_a_run():
    rows = [classes(p.values[0]) for p in COMBINATIONS]
    values = {"kind": {"classification", "regression"}, **RUNNABLE}
    assert set(RUNNABLE["env_manager"]) <= set(OPTIONS["env_manager"])
    assert set(RUNNABLE["compute"]) == set(OPTIONS["compute"])
    for a, b in itertools.combinations(values, 2):
        missing = set(itertools.product(values[a], values[b])) - {(r[a], r[b]) for r in rows}
        assert not missing, f"no combination runs {a} x {b} = {sorted(missing)}"
    full = [{**DEFAULT, **p.values[0]} for p in COMBINATIONS]
    for choice in ("task", "dvc_remote"):
        runnable = {"task": set(OPTIONS["task"]), "dvc_remote": {"local", "none"}}[choice]
        assert runnable <= {row[choice] for row in full}, choice
    assert {row["license"] == "none" for row in full} == {True, False}


@pytest.mark.slow
@pytest.mark.parametrize("answers", COMBINATIONS[1:])
def test_a_combination_passes_every_gate(render, answers):
    study = render(**answers)
    study.make("study")  # setup, then the pipeline
    study.make("check")  # the git hooks on every file, then the study's own tests
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["task"] == kind(answers)
    if "project_name" in answers:
        html = study.read("reports/writeup.html")
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Study" in html
