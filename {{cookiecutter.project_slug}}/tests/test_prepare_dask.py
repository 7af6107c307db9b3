"""The Dask variant of prepare: the same train and test rows as pandas, in the same order."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import dataset
from {{ cookiecutter.module_name }} import prepare as prepare_dask

DATA = {
    "target": "target",
    "task": "classification",
    "drop_classes": [],
    "columns": {},
    "read": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
}
SETTINGS = {"test_size": 0.25, "seed": 3}


@pytest.fixture(scope="module")
def client():
    with prepare_dask.connect("1GiB") as client:
        yield client


@pytest.fixture
def raw_file(messy, tmp_path):
    """The messy table, with a few identical rows and a missing target, as a CSV file."""
    frame = pd.concat([messy, messy.iloc[:5]], ignore_index=True)
    frame["target"] = frame["target"].astype("Float64")
    frame.loc[3, "target"] = None
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    return path


def test_dask_prepare_gives_the_rows_of_pandas(client, raw_file, tmp_path, params, monkeypatch):
    monkeypatch.setattr(prepare_dask, "PART_ROWS", 10)  # parts of 10 rows: several per split
    raw = pd.read_csv(raw_file)
    settings = {**params, "data": DATA, "prepare": {**params["prepare"], **SETTINGS}}
    want_train, want_test, decisions = dataset.prepare_table(raw, settings)
    features = dataset.feature_names(decisions)

    frame = prepare_dask.read_partitioned(raw_file, raw.dtypes, workers=3, data=DATA)
    assert frame.npartitions == 3  # one per worker, so the split crosses partitions
    keys = frame.map_partitions(prepare_dask.row_keys, "target", features).compute()
    expected = dataset.repeats_expected(raw.dropna(subset=["target"])[features])
    split = prepare_dask.assign_rows(keys, settings, decisions, expected)
    assert split["removed"] == [{"reason": "no value in the target column", "rows": 1}]
    assert split["identical"] == decisions["split"]["identical"] == "grouped"
    assert split["repeated"] == decisions["rows"]["identical"]

    pairs = ((split["train"], want_train, "train"), (split["test"], want_test, "test"))
    for rows, want, name in pairs:
        target = tmp_path / f"{name}.parquet"
        prepare_dask.write_rows(frame, {target: rows})
        assert len(list(target.glob("part-*.parquet"))) == frame.npartitions  # 3: one each
        pd.testing.assert_frame_equal(dataset.read_table(target), want.reset_index(drop=True))


def test_a_table_larger_than_the_sample_is_counted_whole(client, raw_file, params, monkeypatch):
    """Roles come from a sample; rows, missing values and class shares from every row."""
    monkeypatch.setattr(prepare_dask, "SAMPLE_ROWS", 40)
    raw = pd.read_csv(raw_file)
    settings = {**params, "data": DATA, "prepare": {**params["prepare"], **SETTINGS}}
    frame = prepare_dask.read_partitioned(raw_file, raw.dtypes, workers=3, data=DATA)
    facts = prepare_dask.table_facts(frame, "target", seed=3)
    assert not facts["whole"] and len(facts["sample"]) <= 42
    assert facts["rows"] == len(raw)
    assert facts["missing"].to_dict() == raw.isna().sum().to_dict()
    assert facts["distinct"]["colour"] == 3 and facts["distinct"]["size"] == raw["size"].nunique()
    decisions = prepare_dask.decide(facts, settings)
    shares = raw["target"].dropna().value_counts(normalize=True)
    assert decisions["class_shares"] == pytest.approx({str(k): v for k, v in shares.items()})
    roles = {c["name"]: c["role"] for c in decisions["columns"]}
    assert roles == {
        "size": "numeric",
        "weight": "numeric",
        "colour": "categorical",
        "target": "target",
    }


def test_the_training_sample_keeps_each_class_share(params):
    labels = np.array([0] * 900 + [1] * 100)
    rows = np.arange(1000) * 2
    chosen = prepare_dask.training_rows(
        rows, labels, {"prepare": {**params["prepare"], "train_rows": 200}}, "classification"
    )
    assert len(chosen) == 200 and set(chosen) <= set(rows)
    assert (labels[chosen // 2] == 1).sum() == 20  # 10% of the sample, as of the split
    everything = prepare_dask.training_rows(
        rows, labels, {"prepare": {**params["prepare"], "train_rows": 5000}}, "classification"
    )
    assert (everything == rows).all()  # smaller than train_rows: every row, in split order
