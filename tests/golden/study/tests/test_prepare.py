"""The split: deterministic, stratified, disjoint, faithful to the raw values, losing no row."""

import numpy as np
import pandas as pd
import pytest
from conftest import prepare_in_memory, with_data

from digits_practice_study.kit import guards, split


def test_split_is_the_same_every_time(raw, params, prepared):
    first_train, first_test, _ = prepared
    again_train, again_test, _ = prepare_in_memory(raw, params)
    pd.testing.assert_frame_equal(first_train, again_train)
    pd.testing.assert_frame_equal(first_test, again_test)


def test_split_sizes_follow_params(prepared, params):
    train, test, _ = prepared
    share = len(test) / (len(train) + len(test))
    assert abs(share - params["prepare"]["test_size"]) < 0.01


def test_no_row_is_in_both_sets(prepared):
    train, test, decisions = prepared
    features = decisions.feature_names()
    guards.assert_no_shared_rows(train[features], test[features])


def test_classes_keep_their_balance(prepared):
    train, test, decisions = prepared
    if decisions.task != "classification":
        pytest.skip("regression: there are no classes to keep in balance")
    target = decisions.target
    gap = train[target].value_counts(normalize=True) - test[target].value_counts(normalize=True)
    assert gap.abs().max() < 0.05


def test_prepare_does_not_change_values(prepared, raw):
    """Scaling or encoding before the split would leak test rows into training."""
    train, test, decisions = prepared
    for part in (train, test):
        merged = part.merge(raw.drop_duplicates(), how="left", indicator=True)
        changed = (merged["_merge"] != "both").sum()
        assert changed == 0, (
            f"{changed} rows of the split differ from the raw data: prepare must not "
            "transform features; put preprocessing inside the model pipeline"
        )
    assert decisions.target in train.columns


def test_identical_rows_are_kept_and_stay_on_one_side(messy, params):
    doubled = pd.concat([messy, messy], ignore_index=True)  # every row twice
    train, test, decisions = prepare_in_memory(doubled, with_data(params, task="classification"))
    assert decisions.split.identical == "grouped"
    assert len(train) + len(test) == len(doubled)  # no row is lost
    features = decisions.feature_names()
    guards.assert_no_shared_rows(train[features], test[features])


def test_repeats_are_expected_when_features_allow_few_combinations(params):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], 400), "age": rng.choice(["child", "adult"], 400)}
    )
    frame["target"] = rng.choice(["yes", "no"], 400)
    train, test, decisions = prepare_in_memory(frame, with_data(params, task="classification"))
    assert decisions.split.identical == "expected"
    assert len(train) + len(test) == 400


def test_rows_without_a_target_are_removed_and_counted(messy, params):
    messy.loc[:4, "target"] = None
    kept, removed = split.usable_rows(messy["target"], {**params["data"], "target": "target"})
    assert kept.sum() == len(messy) - 5
    assert [(r.reason, r.rows) for r in removed] == [("no value in the target column", 5)]


def test_a_class_too_small_to_split_names_the_class_and_the_fix(params):
    labels = pd.Series(["a"] * 50 + ["b"] * 50 + ["tiny"] * 2, name="kind")
    with pytest.raises(ValueError, match=r"class 'tiny' \(2 rows\).*data.drop_classes"):
        split.check_class_sizes(labels, params["prepare"], 5)


def test_a_time_split_tests_on_the_latest_rows(messy, params):
    messy["when"] = pd.date_range("2020-01-01", periods=len(messy), freq="D").astype(str)
    settings = with_data(params, task="classification")
    settings["prepare"] = {**params["prepare"], "split": "time", "time_column": "when"}
    train, test, decisions = prepare_in_memory(messy, settings)
    assert train["when"].max() < test["when"].min()
    assert decisions.split.kind == "time" and decisions.split.test_from.startswith("2020-")


def test_a_group_split_keeps_each_group_on_one_side(messy, params):
    messy["shop"] = [f"shop{i % 12}" for i in range(len(messy))]
    settings = with_data(params, task="classification")
    settings["prepare"] = {**params["prepare"], "split": "group", "group_column": "shop"}
    train, test, decisions = prepare_in_memory(messy, settings)
    assert not set(train["shop"]) & set(test["shop"])
    assert decisions.split.groups == 12


def test_every_feature_is_also_scored_alone(prepared):
    _, _, decisions = prepared
    assert set(decisions.single_features.alone) == set(decisions.feature_names())


def test_a_feature_that_gives_the_answer_away_is_named(messy, params):
    messy["after_the_fact"] = messy["target"] * 10 + 3  # recorded after the outcome
    _, _, decisions = prepare_in_memory(messy, with_data(params, task="classification"))
    alone = decisions.single_features.alone
    assert alone["after_the_fact"].close_to_all
    assert not alone["colour"].close_to_all


def test_codes_for_unknown_are_read_as_missing_and_counted(messy):
    from digits_practice_study.kit import values

    messy["colour"] = messy["colour"].astype(object).where(messy.index % 9 != 0, "?")
    messy["weight"] = messy["weight"].where(messy.index % 13 != 0, -999)
    messy["change"] = np.where(messy.index % 2, -1, 3)  # a real -1: no code
    rules = values.find(messy, {})
    assert rules["colour"].codes == {"?": int((messy["colour"] == "?").sum())}
    assert rules["weight"].missing_codes() == {"-999": int((messy["weight"] == -999).sum())}
    assert "change" not in rules
    read = values.apply(messy, rules, {})
    assert read["colour"].isna().sum() == (messy["colour"].isna() | (messy["colour"] == "?")).sum()
    kept = values.find(messy, {"keep_values": ["?", -999]})
    assert "weight" not in kept and not kept.get("colour", values.Rules()).codes


def test_numbers_as_spreadsheets_write_them_are_numbers():
    from digits_practice_study.kit import values

    frame = pd.DataFrame({"price": ["$1,499", "$999", " $12,000 ", "N/A"], "name": list("abcd")})
    rules = values.find(frame, {})
    assert [m.value for m in rules["price"].marks] == [
        "thousands separators",
        "currency signs",
        "spaces around the numbers",
    ]
    read = values.apply(frame, rules, {})
    assert read["price"].tolist()[:3] == [1499.0, 999.0, 12000.0] and pd.isna(read["price"][3])
    assert (
        "price" not in values.find(frame, {"thousands": "none"})
        or not values.find(frame, {"thousands": "none"})["price"].numbers
    )


def test_a_year_and_quarter_split_by_time(params):
    rng = np.random.default_rng(2)
    years = np.repeat(np.arange(1990, 2010), 4)
    frame = pd.DataFrame(
        {"year": years, "quarter": np.tile([1, 2, 3, 4], 20), "x": rng.normal(size=80)}
    )
    frame["target"] = frame["year"] * 0.1 + frame["x"]
    settings = with_data(params, task="regression")
    settings["prepare"] = {**params["prepare"], "split": "time", "time_column": "year"}
    train, test, decisions = prepare_in_memory(frame, settings)
    assert decisions.split.time_columns == ["year", "quarter"]
    assert decisions.split.test_from == "2006 Q1"
    assert (train["year"] * 4 + train["quarter"]).max() < (test["year"] * 4 + test["quarter"]).min()
    assert decisions.folds.kind == "time"


def test_an_entity_seen_every_year_is_split_as_a_group(params):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"person": np.repeat(np.arange(30), 5), "year": np.tile(range(2000, 2005), 30)}
    )
    frame["x"] = rng.normal(size=len(frame))
    frame["target"] = frame["x"] + frame["person"] % 3
    train, test, decisions = prepare_in_memory(frame, with_data(params, task="regression"))
    assert [e.column for e in decisions.entities] == ["person"]
    assert decisions.split.kind == "group" and decisions.split.column == "person"
    assert not set(train["person"]) & set(test["person"])
    assert "person" not in decisions.feature_names()
    ids = frame.assign(person=np.arange(len(frame)))  # an id that never repeats: no entity
    _, _, plain = prepare_in_memory(ids, with_data(params, task="regression"))
    assert not plain.entities and plain.split.kind == "random"


def test_two_entities_stop_the_study_naming_the_setting(params):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"user_id": np.repeat(np.arange(20), 6), "movie_id": np.tile(range(12), 10)}
    )
    frame["x"] = rng.normal(size=len(frame))
    frame["target"] = frame["x"] + rng.normal(size=len(frame))
    with pytest.raises(ValueError, match=r"`user_id` .* and `movie_id` .*prepare.group_column"):
        prepare_in_memory(frame, with_data(params, task="regression"))
    settings = with_data(params, task="regression")
    settings["prepare"] = {**params["prepare"], "split": "random"}
    _, _, decided = prepare_in_memory(frame, settings)  # the learner's choice, said in the summary
    assert decided.split.kind == "random" and len(decided.entities) == 2
