"""The split: deterministic, stratified, disjoint, faithful to the raw values, losing no row."""

import numpy as np
import pandas as pd
import pytest
from conftest import decide_for

from digits_practice_study import dataset


def split(raw, params, decisions=None):
    frame, _removed = dataset.usable_rows(raw, params["data"])
    decisions = decisions or dataset.decide(raw, params)
    train, test, _how = dataset.split_table(frame, decisions, params["prepare"])
    return train, test


def test_split_is_the_same_every_time(raw, params):
    first_train, first_test = split(raw, params)
    again_train, again_test = split(raw, params)
    pd.testing.assert_frame_equal(first_train, again_train)
    pd.testing.assert_frame_equal(first_test, again_test)


def test_split_sizes_follow_params(raw, params):
    train, test = split(raw, params)
    share = len(test) / (len(train) + len(test))
    assert abs(share - params["prepare"]["test_size"]) < 0.01


def test_no_row_is_in_both_sets(raw, params, decisions):
    train, test = split(raw, params)
    features = dataset.feature_names(decisions)
    dataset.assert_no_shared_rows(train[features], test[features])


def test_classes_keep_their_balance(raw, params):
    if dataset.decide(raw, params)["task"] != "classification":
        pytest.skip("regression: there are no classes to keep in balance")
    target = params["data"]["target"]
    train, test = split(raw, params)
    gap = train[target].value_counts(normalize=True) - test[target].value_counts(normalize=True)
    assert gap.abs().max() < 0.05


def test_prepare_does_not_change_values(raw, params):
    """Scaling or encoding before the split would leak test rows into training."""
    train, test = split(raw, params)
    target = params["data"]["target"]
    for part in (train, test):
        merged = part.merge(raw.drop_duplicates(), how="left", indicator=True)
        changed = (merged["_merge"] != "both").sum()
        assert changed == 0, (
            f"{changed} rows of the split differ from the raw data: prepare must not "
            "transform features; put preprocessing inside the model pipeline"
        )
    assert target in train.columns


def test_identical_rows_are_kept_and_stay_on_one_side(messy, params):
    doubled = pd.concat([messy, messy], ignore_index=True)  # every row twice
    decisions = decide_for(doubled, params, task="classification")
    train, test, how = dataset.split_table(doubled, decisions, params["prepare"])
    assert how["identical"] == "grouped"
    assert len(train) + len(test) == len(doubled)  # no row is lost
    features = dataset.feature_names(decisions)
    dataset.assert_no_shared_rows(train[features], test[features])


def test_repeats_are_expected_when_features_allow_few_combinations(params):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], 400), "age": rng.choice(["child", "adult"], 400)}
    )
    frame["target"] = rng.choice(["yes", "no"], 400)
    decisions = decide_for(frame, params, task="classification")
    train, test, how = dataset.split_table(frame, decisions, params["prepare"])
    assert how["identical"] == "expected"
    assert len(train) + len(test) == 400


def test_rows_without_a_target_are_removed_and_counted(messy, params):
    messy.loc[:4, "target"] = None
    kept, removed = dataset.usable_rows(messy, {**params["data"], "target": "target"})
    assert len(kept) == len(messy) - 5
    assert removed == [{"reason": "no value in the target column", "rows": 5}]


def test_a_class_too_small_to_split_names_the_class_and_the_fix(params):
    labels = pd.Series(["a"] * 50 + ["b"] * 50 + ["tiny"] * 2, name="kind")
    with pytest.raises(ValueError, match=r"class 'tiny' \(2 rows\).*data.drop_classes"):
        dataset.check_class_sizes(labels, params["prepare"], 5)


def test_every_feature_is_also_scored_alone(raw, params):
    _, _, decisions = dataset.prepare_table(raw, params)
    assert set(decisions["single_features"]["alone"]) == set(dataset.feature_names(decisions))


def test_a_feature_that_gives_the_answer_away_is_named(messy, params):
    messy["after_the_fact"] = messy["target"] * 10 + 3  # recorded after the outcome
    data = {**params["data"], "target": "target", "task": "classification", "columns": {}}
    _, _, decisions = dataset.prepare_table(messy, {**params, "data": data})
    alone = decisions["single_features"]["alone"]
    assert alone["after_the_fact"]["close_to_all"]
    assert not alone["colour"]["close_to_all"]
