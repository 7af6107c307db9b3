"""Evaluation on the study's data: metrics in range, intervals around their estimates."""

import pytest

from {{ cookiecutter.module_name }} import evaluate, prepare, train


@pytest.fixture(scope="module")
def results(raw, params):
    train_rows, test_rows, decisions = prepare.prepare_table(raw, params)
    quick = {**params, "evaluate": {**params["evaluate"], "bootstrap_resamples": 200}}
    model = train.fit(train_rows, quick, decisions)
    return evaluate.evaluate(model, train_rows, test_rows, quick, decisions)


def test_model_and_baseline_are_both_scored(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        assert set(results[label]) == {"cv", "test", "test_ci"}
        assert name in results[label]["test"]


def test_every_feature_is_also_scored_alone(results, raw, params):
    features = prepare.feature_names(prepare.decide(raw, params))
    assert set(results["single_features"]) == set(features)


def test_a_feature_that_copies_the_answer_is_named(messy, params):
    from conftest import decide_for

    messy["after_the_fact"] = messy["weight"] + 0.01  # known only after the outcome
    decisions = decide_for(messy, params, task="classification")
    train_rows, test_rows = messy.iloc[:90], messy.iloc[90:]
    decisions["split"] = {"kind": "random", "identical": "none"}
    quick = {
        **params,
        "evaluate": {**params["evaluate"], "bootstrap_resamples": 100, "metric": "accuracy"},
    }
    model = train.fit(train_rows, quick, decisions)
    alone = evaluate.evaluate(model, train_rows, test_rows, quick, decisions)["single_features"]
    assert alone["weight"]["close_to_model"] and alone["after_the_fact"]["close_to_model"]
    assert not alone["colour"]["close_to_model"]


def test_interval_contains_the_estimate(results):
    name = results["metric"]
    for label in ("model", "baseline"):
        ci = results[label]["test_ci"]
        assert ci["low"] <= results[label]["test"][name] <= ci["high"]
