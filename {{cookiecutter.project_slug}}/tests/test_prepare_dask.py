"""The Dask variant of prepare: the same train and test rows as pandas, in the same order."""

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import cluster, prepare, prepare_dask
from {{ cookiecutter.module_name }}.validation import read_table

DATA = {"target": "target", "task": "classification"}
SETTINGS = {"test_size": 0.25, "seed": 3}


@pytest.fixture(scope="module")
def client():
    with cluster.connect() as client:
        yield client


@pytest.fixture
def raw_file(messy, tmp_path):
    """The messy table, with a few duplicate rows and a missing target, as a CSV file."""
    frame = pd.concat([messy, messy.iloc[:5]], ignore_index=True)
    frame["target"] = frame["target"].astype("Float64")
    frame.loc[3, "target"] = None
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    return path


def test_dask_prepare_gives_the_rows_of_pandas(client, raw_file, tmp_path):
    raw = pd.read_csv(raw_file)
    expected = prepare.split(prepare.usable_rows(raw, "target"), DATA, SETTINGS)

    frame = prepare_dask.read_partitioned(raw_file, raw.dtypes, workers=3)
    assert frame.npartitions == 3  # one per worker, so the split crosses partitions
    keys = frame.map_partitions(prepare_dask.row_keys, "target").compute()
    train, test, dropped = prepare_dask.assign_rows(keys, DATA, SETTINGS)
    assert dropped == {"rows without a target": 1, "duplicate rows": 4}

    for rows, want, name in ((train, expected[0], "train"), (test, expected[1], "test")):
        target = tmp_path / f"{name}.parquet"
        prepare_dask.write_rows(frame, rows, target)
        assert len(list(target.glob("part-*.parquet"))) == frame.npartitions
        pd.testing.assert_frame_equal(read_table(target), want.reset_index(drop=True))
