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


def as_raw_file(frame, tmp_path, monkeypatch):
    """``frame`` as the raw CSV file Dask reads; the split goes to files in tmp_path."""
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    for name in ("RAW_DATA", "TRAIN", "TEST"):
        target = {"RAW_DATA": path}.get(name, tmp_path / f"{name.lower()}.parquet")
        monkeypatch.setattr(table_dask, name, target)
    monkeypatch.setattr(table_dask, "PART_ROWS", 10)  # parts of 10 rows: several per split
    return path


@pytest.fixture
def raw_file(messy, tmp_path, monkeypatch):
    """The messy table, with a few identical rows and a missing target, as the raw file."""
    frame = pd.concat([messy, messy.iloc[:5]], ignore_index=True)
    frame["target"] = frame["target"].astype("Float64")
    frame.loc[3, "target"] = None
    return as_raw_file(frame, tmp_path, monkeypatch)


def settings_for(params, task="classification", **prepare_settings):
    settings = with_data(params, task=task)
    return {**settings, "prepare": {**params["prepare"], **SETTINGS, **prepare_settings}}


def assert_same_split(path, settings, tmp_path):
    """prepare on Dask makes every decision and writes the training and test rows that it
    makes in memory, from the same file."""
    want_train, want_test, want = prepare_in_memory(pd.read_csv(path), settings)
    with table_dask.open_table(settings) as table:
        made = prepare.prepare(table, settings)
        assert table.frame.npartitions >= 2  # the split crosses partitions
    # Every decision, the split and the rows account included; the in-memory table was given
    # as a frame, so only Dask knows the file it read.
    assert made.source.format == "CSV" and want.source is None
    assert made.model_copy(update={"source": None}) == want
    for name, rows in (("train", want_train), ("test", want_test)):
        written = reading.read_table(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(written, rows.reset_index(drop=True), check_dtype=False)
    return made


def test_dask_prepare_gives_the_rows_and_decisions_of_pandas(raw_file, params, tmp_path):
    made = assert_same_split(raw_file, settings_for(params), tmp_path)
    assert made.split.kind == "random"


def test_a_group_split_on_dask_is_the_one_made_in_memory(messy, params, tmp_path, monkeypatch):
    messy["shop"] = [f"shop{i % 12}" for i in range(len(messy))]
    path = as_raw_file(messy, tmp_path, monkeypatch)
    settings = settings_for(params, split="group", group_column="shop")
    made = assert_same_split(path, settings, tmp_path)
    assert made.split.kind == "group" and made.split.groups == 12


def test_a_time_split_on_dask_is_the_one_made_in_memory(params, tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    years = np.repeat(np.arange(1990, 2010), 4)
    frame = pd.DataFrame(
        {"year": years, "quarter": np.tile([1, 2, 3, 4], 20), "x": rng.normal(size=80)}
    )
    frame["target"] = frame["year"] * 0.1 + frame["x"]
    path = as_raw_file(frame, tmp_path, monkeypatch)
    settings = settings_for(params, task="regression", split="time", time_column="year")
    made = assert_same_split(path, settings, tmp_path)
    assert made.split.time_columns == ["year", "quarter"] and made.split.test_from == "2005 Q1"


def test_two_entities_stop_prepare_on_dask_with_the_same_message(params, tmp_path, monkeypatch):
    """prepare.split: auto cannot choose between two columns that repeat like entities: the
    learner names the split, told so in the same words by both backends."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"user_id": np.repeat(np.arange(20), 6), "movie_id": np.tile(range(12), 10)}
    )
    frame["x"] = rng.normal(size=len(frame))
    frame["target"] = frame["x"] + rng.normal(size=len(frame))
    path = as_raw_file(frame, tmp_path, monkeypatch)
    settings = settings_for(params, task="regression", split="auto")
    with pytest.raises(reading.DataProblem) as in_memory:
        prepare_in_memory(pd.read_csv(path), settings)
    with table_dask.open_table(settings) as table, pytest.raises(reading.DataProblem) as on_dask:
        prepare.prepare(table, settings)
    assert str(on_dask.value) == str(in_memory.value)
    assert "`user_id`" in str(on_dask.value) and "prepare.group_column" in str(on_dask.value)


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
    seed = params["prepare"]["seed"]
    chosen = split.training_sample(rows, labels, 200, seed, "classification")
    assert len(chosen) == 200 and set(chosen) <= set(rows)
    assert (labels[chosen // 2] == 1).sum() == 20  # 10% of the sample, as of the split
    everything = split.training_sample(rows, labels, 5000, seed, "classification")
    assert (everything == rows).all()  # smaller than train_rows: every row, in split order


def test_a_null_train_rows_is_sized_to_the_memory_available():
    rows = pd.DataFrame(np.ones((1000, 40)), columns=[f"x{i}" for i in range(40)])
    rows["word"] = ["yes", "no"] * 500
    per_row = rows.memory_usage(deep=True).sum() / len(rows)
    small = table_dask.sized_train_rows(rows, 2**30)
    assert 100 < small < 2**30 / per_row / 4  # a quarter of the memory, with room to fit
    assert table_dask.sized_train_rows(rows, 4 * 2**30) > 3 * small  # more memory, more rows
    assert table_dask.sized_train_rows(rows, 2**40) == table_dask.MOST_TRAIN_ROWS
    assert len(str(small).rstrip("0")) <= 2  # two significant digits, easy to read
    assert table_dask.available_memory()[0] > 0


def test_a_limit_on_the_process_own_cgroup_is_found(tmp_path):
    listing = tmp_path / "cgroup"
    listing.write_text("4:memory:/jobs/study\n0::/session\n")
    group = tmp_path / "memory" / "jobs" / "study"
    group.mkdir(parents=True)
    (group / "memory.limit_in_bytes").write_text(str(2**30))
    (group.parent / "memory.limit_in_bytes").write_text(str(2**33))  # a parent's: higher
    (tmp_path / "session").mkdir()
    (tmp_path / "session" / "memory.max").write_text("max\n")  # cgroup v2: no limit
    assert sorted(table_dask.cgroup_limits(listing, tmp_path)) == [2**30, 2**33]
    assert table_dask.cgroup_limits(tmp_path / "absent", tmp_path) == []  # not Linux


def test_paths_point_into_the_study():
    assert paths.TRAIN.name == "train.parquet"


def test_codes_and_text_numbers_are_read_alike_on_dask(messy, tmp_path, monkeypatch, params):
    """Codes for unknown and spreadsheet numbers: found on the sample, read in every partition."""
    messy["colour"] = messy["colour"].astype(object).where(messy.index % 9 != 0, "?")
    messy["weight"] = [f"${1000 + i:,}" for i in range(len(messy))]  # "$1,000" ...
    path = as_raw_file(messy, tmp_path, monkeypatch)
    settings = settings_for(params)
    _, _, want = prepare_in_memory(
        pd.read_csv(path, keep_default_na=False, na_values=[""]), settings
    )
    with table_dask.open_table(settings) as table:
        made = prepare.prepare(table, settings)
    columns = {c.name: c for c in made.columns}
    assert columns["colour"].missing_codes == {"?": int((messy["colour"] == "?").sum())}
    assert [m.value for m in columns["weight"].numbers_from_text] == [
        "thousands separators",
        "currency signs",
    ]
    assert made.model_copy(update={"source": None}) == want
