"""Full tier: every bundled dataset runs end to end in a study of its own: digits in
test_study.py, iris and diabetes in test_matrix.py, the other two here.

A module of its own: the full tier hands each test module whole to one worker
(`--dist loadscope`), and these studies need not wait for the default study's tests.
"""

from __future__ import annotations

import json

import pytest
from conftest import local_extensions

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("dataset", ["wine", "breast_cancer"])
def test_every_dataset_runs_end_to_end(render, dataset):
    study = render(dataset=dataset, project_name=f"{dataset} study")
    study.make("study")
    metrics = json.loads(study.read("reports/metrics.json"))
    expected = local_extensions.bundled_task(dataset)
    assert metrics["task"] == expected
    figure = "residuals.png" if expected == "regression" else "confusion_matrix.png"
    assert study.has_file(f"reports/figures/{figure}")
    study.make("test")
