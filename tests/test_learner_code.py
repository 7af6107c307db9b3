"""Full tier: the places a learner changes in study.py, changed as docs/model.md says, end to
end.

One iris study (150 rows): a model added by one MODELS entry (and its import) plus one
params.yaml change, a feature added by editing only add_features, a metric on probabilities
added by one METRICS entry; then `make study` and the study's own tests. The trained pipeline
must hold the new estimator and see the new column; the metric must be scored on the test rows.
"""

from __future__ import annotations

import json

import pytest
from conftest import render_into

pytestmark = pytest.mark.slow

MODULE = "iris_study"
STUDY_PY = f"src/{MODULE}/study.py"
KNN = '"knn": {"classification": KNeighborsClassifier, "regression": KNeighborsRegressor},'
LOG_LOSS = (
    '"log_loss": {"task": "classification", "score": log_loss, '
    '"greater_is_better": False, "probabilities": True},'
)
FEATURE = 'table = table.assign(petal_area=table["petal length (cm)"] * table["petal width (cm)"])'


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    study = render_into(
        tmp_path_factory.mktemp("learner"), project_name="Iris Study", dataset="iris"
    )
    source = study.read(STUDY_PY)
    # One registry entry (and its import), as docs/model.md shows.
    source = source.replace(
        "from sklearn.linear_model import",
        "from sklearn.metrics import log_loss\n"
        "from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor\n"
        "from sklearn.linear_model import",
        1,
    )
    source = source.replace("MODELS = {\n", f"MODELS = {{\n    {KNN}\n", 1)
    # One metric on probabilities, as the example in study.py shows.
    assert "\nMETRICS = {}\n" in source
    source = source.replace("\nMETRICS = {}\n", f"\nMETRICS = {{\n    {LOG_LOSS}\n}}\n", 1)
    # A feature, in the body of add_features only.
    body = '    """'
    head, rest = source.split("def add_features(", 1)
    signature, after = rest.split("\n    return table\n", 1)
    assert body in signature, "add_features keeps its docstring"
    source = f"{head}def add_features({signature}\n    {FEATURE}\n    return table\n{after}"
    study.write(STUDY_PY, source)
    params = study.read("params.yaml")
    assert "  model: linear\n" in params
    study.write(
        "params.yaml",
        params.replace("  model: linear\n", "  model: knn\n  knn:\n    n_neighbors: 7\n", 1),
    )
    study.make("study")
    return study


def test_a_model_added_by_one_entry_is_trained_and_scored(changed):
    metrics = json.loads(changed.read("reports/metrics.json"))
    assert metrics["estimator"] == "KNeighborsClassifier"
    assert metrics["model"]["test"]["accuracy"] > metrics["baseline"]["test"]["accuracy"]
    fitted = changed.run(
        ".venv/bin/python",
        "-c",
        "import joblib; m = joblib.load('models/model.joblib'); "
        "print(m[-1].get_params()['n_neighbors']); "
        "print(list(m.named_steps['preprocess'].get_feature_names_out()))",
    ).stdout.splitlines()
    assert fitted[0] == "7"  # the setting reached scikit-learn as written
    assert "numeric__petal_area" in fitted[1]  # the new feature reached the model
    # The metric of one's own is scored on the test rows, beside the built-in ones.
    assert 0 < metrics["model"]["test"]["log_loss"] < metrics["baseline"]["test"]["log_loss"]


def test_the_changed_study_passes_its_own_tests(changed):
    # The study's tests fit every MODELS entry on a messy table, the new one included.
    result = changed.make("test")
    assert (
        "test_every_model_fits_your_rows_with_your_features[knn]"
        in changed.run(
            ".venv/bin/python", "-m", "pytest", "--collect-only", "-q", "tests/test_model.py"
        ).stdout
    )
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_a_misspelt_setting_is_refused_before_any_model_is_fitted(changed):
    """Only the train section changed: train is the first stage to run, and it checks the
    settings against study.py before it fits anything (run.py leaves scikit-learn unloaded)."""
    params = changed.read("params.yaml")
    model = (changed.path / "models" / "model.joblib").read_bytes()
    changed.write("params.yaml", params.replace("n_neighbors: 7", "neighbours: 7", 1))
    try:
        run = changed.run("make", "study", check=False)
    finally:
        changed.write("params.yaml", params)
    said = run.stdout + run.stderr
    assert run.returncode != 0
    assert "train.knn: KNeighborsClassifier (classification) has no setting neighbours" in said
    assert "Traceback" not in said
    assert "Running stage 'evaluate'" not in run.stdout
    # Nothing was fitted with it. DVC removes a stage's output before it runs the stage: the
    # old model comes back from DVC's cache, as it is in dvc.lock.
    fitted = changed.path / "models" / "model.joblib"
    assert not fitted.exists() or fitted.read_bytes() == model
    changed.run(".venv/bin/dvc", "checkout", "--quiet", "train")
    assert fitted.read_bytes() == model
