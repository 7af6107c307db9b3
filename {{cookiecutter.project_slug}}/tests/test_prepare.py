"""The split: deterministic, stratified, disjoint, and faithful to the raw values."""

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import checks, prepare


def split(raw, params):
    frame = prepare.usable_rows(raw, params["data"]["target"])
    return prepare.split(frame, params["data"], params["prepare"])


def test_split_is_the_same_every_time(raw, params):
    first_train, first_test = split(raw, params)
    again_train, again_test = split(raw, params)
    pd.testing.assert_frame_equal(first_train, again_train)
    pd.testing.assert_frame_equal(first_test, again_test)


def test_split_sizes_follow_params(raw, params):
    train, test = split(raw, params)
    share = len(test) / (len(train) + len(test))
    assert abs(share - params["prepare"]["test_size"]) < 0.01


def test_no_row_is_in_both_sets(raw, params):
    train, test = split(raw, params)
    checks.assert_no_shared_rows(train, test, params["data"]["target"])


def test_classes_keep_their_balance(raw, params):
    if params["data"]["task"] != "classification":
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


def test_duplicates_are_dropped_before_splitting(messy):
    doubled = pd.concat([messy, messy.head(10)], ignore_index=True)
    assert len(prepare.drop_duplicate_rows(doubled, "target")) == len(messy)
