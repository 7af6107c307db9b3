"""The Dask variant of prepare: the same train and test rows as pandas, in the same order."""

import pandas as pd
import pytest
from {{ cookiecutter.module_name }}.validation import read_table

from {{ cookiecutter.module_name }} import cluster, prepare, prepare_dask

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
    with cluster.connect() as client:
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


def test_dask_prepare_gives_the_rows_of_pandas(client, raw_file, tmp_path, params):
    raw = pd.read_csv(raw_file)
    settings = {**params, "data": DATA, "prepare": {**params["prepare"], **SETTINGS}}
    want_train, want_test, decisions = prepare.prepare_table(raw, settings)
    features = prepare.feature_names(decisions)

    frame = prepare_dask.read_partitioned(raw_file, raw.dtypes, workers=3, data=DATA)
    assert frame.npartitions == 3  # one per worker, so the split crosses partitions
    keys = frame.map_partitions(prepare_dask.row_keys, "target", features).compute()
    expected = prepare.repeats_expected(raw.dropna(subset=["target"])[features])
    train, test, removed, identical = prepare_dask.assign_rows(
        keys, DATA, decisions, settings["prepare"], expected
    )
    assert removed == [{"reason": "no value in the target column", "rows": 1}]
    assert identical == decisions["split"]["identical"] == "grouped"

    for rows, want, name in ((train, want_train, "train"), (test, want_test, "test")):
        target = tmp_path / f"{name}.parquet"
        prepare_dask.write_rows(frame, rows, target)
        assert len(list(target.glob("part-*.parquet"))) == frame.npartitions
        pd.testing.assert_frame_equal(read_table(target), want.reset_index(drop=True))
