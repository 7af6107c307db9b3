"""The Dask backend of prepare: the same decisions, train and test rows as in memory."""

import numpy as np
import pandas as pd
import pytest
from conftest import prepare_in_memory, with_data

from {{ cookiecutter.module_name }} import prepare
from {{ cookiecutter.module_name }}.kit import (
    paths,
    reading,
    roles,
    split,
    table_dask,
)

SETTINGS = {"test_size": 0.25, "seed": 3, "worker_memory": "1GiB", "train_rows": None}


@pytest.fixture
def raw_file(messy, tmp_path, monkeypatch):
    """The messy table, with a few identical rows and a missing target, as the raw file;
    the split goes to files in tmp_path."""
    frame = pd.concat([messy, messy.iloc[:5]], ignore_index=True)
    frame["target"] = frame["target"].astype("Float64")
    frame.loc[3, "target"] = None
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    for name in ("RAW_DATA", "TRAIN", "TEST"):
        target = {"RAW_DATA": path}.get(name, tmp_path / f"{name.lower()}.parquet")
        monkeypatch.setattr(table_dask, name, target)
    monkeypatch.setattr(table_dask, "PART_ROWS", 10)  # parts of 10 rows: several per split
    return path


def settings_for(params):
    settings = with_data(params, task="classification")
    return {**settings, "prepare": {**params["prepare"], **SETTINGS}}


def test_dask_prepare_gives_the_rows_and_decisions_of_pandas(raw_file, params, tmp_path):
    settings = settings_for(params)
    want_train, want_test, want = prepare_in_memory(pd.read_csv(raw_file), settings)
    with table_dask.open_table(settings) as table:
        made = prepare.prepare(table, settings)
        assert table.frame.npartitions >= 2  # the split crosses partitions
    assert made == want  # every decision, the split and the rows account included
    for name, rows in (("train", want_train), ("test", want_test)):
        written = reading.read_table(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(written, rows.reset_index(drop=True), check_dtype=False)


def test_a_table_larger_than_the_sample_is_counted_whole(raw_file, params, monkeypatch):
    """Roles come from a sample; rows, missing values and class shares from every row."""
    monkeypatch.setattr(table_dask, "SAMPLE_ROWS", 40)
    raw = pd.read_csv(raw_file)
    settings = settings_for(params)
    with table_dask.open_table(settings) as table:
        sample = table.sample()
        assert not table.facts["whole"] and len(sample) <= 42
        decided = table.complete(roles.decide(sample, settings))
    assert table.facts["rows"] == len(raw)
    columns = {c.name: c for c in decided.columns}
    assert {name: c.missing for name, c in columns.items()} == raw.isna().sum().to_dict()
    assert columns["colour"].distinct == 3 and columns["size"].distinct == raw["size"].nunique()
    shares = raw["target"].dropna().value_counts(normalize=True)
    assert decided.class_shares == pytest.approx({str(k): v for k, v in shares.items()})
    assert decided.roles() == {"size": "numeric", "weight": "numeric", "colour": "categorical"}


def test_the_training_sample_keeps_each_class_share(params):
    labels = np.array([0] * 900 + [1] * 100)
    rows = np.arange(1000) * 2
    settings = {**params["prepare"], "train_rows": 200}
    chosen = split.training_sample(rows, labels, settings, "classification")
    assert len(chosen) == 200 and set(chosen) <= set(rows)
    assert (labels[chosen // 2] == 1).sum() == 20  # 10% of the sample, as of the split
    settings["train_rows"] = 5000
    everything = split.training_sample(rows, labels, settings, "classification")
    assert (everything == rows).all()  # smaller than train_rows: every row, in split order


def test_paths_point_into_the_study():
    assert paths.TRAIN.name == "train.parquet"
