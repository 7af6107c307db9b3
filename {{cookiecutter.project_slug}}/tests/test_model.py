"""Your study.py and the model pipeline: fitted on training rows only, robust to messy tables.

The tests on the small messy table check the preprocessing with your ``add_features`` left
out (it is written for your table's columns); the first test runs it, on your own rows.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import decide_for, prepare_in_memory, with_data
from sklearn.metrics import log_loss

from {{ cookiecutter.module_name }} import evaluate, study, train
from {{ cookiecutter.module_name }}.kit import pipeline, preprocess, scoring
from {{ cookiecutter.module_name }}.kit.params import ParamsProblem


@pytest.fixture
def preprocessing_only(monkeypatch):
    monkeypatch.setattr(study, "add_features", lambda table: table)


@pytest.mark.parametrize("name", study.MODELS)
def test_every_model_fits_your_rows_with_your_features(raw, params, decisions, name):
    if decisions.task not in study.MODELS[name]:
        pytest.skip(f"{name} has no {decisions.task} estimator")
    rows = raw.dropna(subset=[decisions.target])
    rows = rows.sample(min(len(rows), 500), random_state=0)
    fitted = train.fit(rows, {"train": {**params["train"], "model": name}}, decisions)
    predicted = fitted.predict(rows.drop(columns=[decisions.target]))
    assert len(predicted) == len(rows) and not pd.isna(predicted).any()


@pytest.mark.usefixtures("preprocessing_only")
def test_dates_become_numbers_and_rare_text_values_are_pooled(messy, params):
    rng = np.random.default_rng(2)
    messy["when"] = pd.date_range("2020-01-01", periods=len(messy), freq="D").astype(str)
    messy["plate"] = [f"N{i:04d}X" for i in rng.integers(0, 90, len(messy))]  # many values
    decisions = decide_for(messy, params, task="classification")
    roles = decisions.roles()
    assert roles["when"] == "datetime" and roles["plate"] == "categorical"
    fitted = train.fit(messy, {"train": params["train"]}, decisions)
    names = list(fitted.named_steps["preprocess"].get_feature_names_out())
    assert "datetime__when_month" in names
    assert sum(n.startswith("categorical__plate") for n in names) <= preprocess.MAX_CATEGORIES


@pytest.mark.usefixtures("preprocessing_only")
def test_yes_no_columns_are_categories(messy, params):
    messy["member"] = messy["weight"] > 48  # a CSV column of true/false is read as bool
    decisions = decide_for(messy, params, task="classification")
    assert decisions.roles()["member"] == "categorical"
    fitted = train.fit(messy, {"train": params["train"]}, decisions)
    names = fitted.named_steps["preprocess"].get_feature_names_out()
    assert {"categorical__member_False", "categorical__member_True"} <= set(names)


@pytest.mark.usefixtures("preprocessing_only")
def test_preprocessing_learns_from_training_rows_only(messy, params):
    part = messy.iloc[:60]
    decisions = decide_for(messy, params, task="classification")
    fitted = train.fit(part, {"train": params["train"]}, decisions)
    imputer, scaler = fitted.named_steps["preprocess"].named_transformers_["numeric"]
    numeric = part[["size", "weight"]]
    np.testing.assert_allclose(imputer.statistics_, numeric.median().to_numpy())
    np.testing.assert_allclose(scaler.mean_, numeric.fillna(numeric.median()).mean().to_numpy())
    assert not np.allclose(imputer.statistics_, messy[["size", "weight"]].median().to_numpy())


def test_unknown_model_is_named_in_the_error(params):
    with pytest.raises(ParamsProblem, match="train.model"):
        pipeline.build({**params["train"], "model": "magic"}, "classification", {})


def test_settings_reach_scikit_learn_as_written(params):
    settings = {**params["train"], "model": "linear", "linear": {"regression": {"alpha": 3.0}}}
    assert pipeline.estimator(settings, "regression").alpha == 3.0
    settings["linear"] = {"classification": {"C": 0.25}}
    assert pipeline.estimator(settings, "classification").C == 0.25


def test_a_misspelt_setting_is_named_with_the_right_ones(params):
    settings = {**params["train"], "model": "random_forest", "random_forest": {"n_trees": 5}}
    with pytest.raises(
        ParamsProblem, match="train.random_forest: .* no setting n_trees; its settings"
    ):
        pipeline.estimator(settings, "classification")


def test_a_setting_of_the_wrong_type_is_refused_before_any_fit(params):
    """scikit-learn's own rules for each setting, checked when the model is built."""
    wrong_type = {"n_estimators": "200"}
    settings = {**params["train"], "model": "random_forest", "random_forest": wrong_type}
    with pytest.raises(ParamsProblem, match=r"n_estimators = '200': .* needs an int"):
        pipeline.estimator(settings, "classification")


def test_new_columns_from_add_features_reach_the_model(messy, params, monkeypatch):
    def add_features(table):
        return table.assign(size_per_weight=table["size"] / table["weight"])

    monkeypatch.setattr(study, "add_features", add_features)
    decisions = decide_for(messy, params, task="classification")
    fitted = train.fit(messy, {"train": params["train"]}, decisions)
    assert "numeric__size_per_weight" in fitted.named_steps["preprocess"].get_feature_names_out()


@pytest.mark.usefixtures("preprocessing_only")
def test_a_metric_of_yours_on_probabilities_is_scored_on_the_test_rows(messy, params, monkeypatch):
    mine = {
        "log_loss": {
            "task": "classification",
            "score": log_loss,
            "greater_is_better": False,
            "probabilities": True,
        }
    }
    monkeypatch.setattr(study, "METRICS", mine)
    settings = with_data(params, task="classification")
    settings["evaluate"] = {**params["evaluate"], "metric": "log_loss", "bootstrap_resamples": 100}
    train_rows, test_rows, decisions = prepare_in_memory(messy, settings)
    fitted = train.fit(train_rows, settings, decisions)
    results = evaluate.evaluate(fitted, train_rows, test_rows, settings, decisions)
    x_test = test_rows.drop(columns=["target"])
    expected = log_loss(test_rows["target"], fitted.predict_proba(x_test)[:, 1])
    assert results["metric"] == "log_loss"
    assert results["model"]["test"]["log_loss"] == pytest.approx(expected)
    assert results["model"]["cv"]["mean"] > 0  # a loss, as it is: lower is better


def test_a_metric_of_yours_written_wrongly_is_named(monkeypatch):
    monkeypatch.setattr(study, "METRICS", {"mine": {"score": log_loss}})
    with pytest.raises(ValueError, match=r"METRICS\['mine'\] in study.py needs at least 'task'"):
        scoring.metrics_for("classification")
