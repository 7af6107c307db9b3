"""Stage 2, prepare, on a Dask cluster: the rows of a pandas study's prepare, in partitions.

    python -m {{ cookiecutter.module_name }}.prepare

The data check and the decisions follow the rules of ``dataset.py``, so their messages and
numbers are the same in both variants; they still read the raw table whole. The rest runs on
a Dask cluster (``connect`` below): the raw table is read in partitions, rows without a
target are dropped, and the rows are split with the same function and seed as with pandas
(``dataset.random_split``). Train and test hold the same rows in the same order as with
pandas, written as partitioned Parquet (``data/processed/train.parquet/part-00000.parquet``, ...).

Only three small columns of the raw table come back to this process: a row number, the
target and a fingerprint of each row's features. The split is decided from them.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.distributed import Client, LocalCluster

from . import config, dataset, report

ROW, ORDER, FINGERPRINT = "__row", "__order", "__fingerprint"
# Partitions of at most this many bytes of raw file, and at least one per worker.
MAX_PARTITION_BYTES = 64 * 2**20


@contextmanager
def connect() -> Iterator[Client]:
    """A client of the scheduler at DASK_SCHEDULER_ADDRESS, or of a LocalCluster.

    By default a LocalCluster inside this stage's own process: it starts in about a second
    and needs nothing set up. Set ``DASK_SCHEDULER_ADDRESS`` (e.g. ``tcp://10.0.0.5:8786``)
    to use a running cluster instead; Dask reads it as its ``scheduler-address`` setting.
    """
    address = dask.config.get("scheduler-address", None)
    if address:
        with Client(address) as client:
            yield client
        return
    # Threads in this process: no worker start-up cost, and pandas releases the GIL in most
    # of the work done here. No dashboard, so that stages never compete for its port.
    with (
        LocalCluster(
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def describe(client: Client) -> str:
    return f"{client.scheduler.address} with {len(client.nthreads())} workers"


def read_partitioned(source: Path, types: pd.Series, workers: int, data: dict) -> dd.DataFrame:
    """The raw table in partitions, with the column types pandas gave it, rows numbered."""
    columns = list(types.index)
    # Keep the text columns' pandas type: Dask would turn them into Arrow strings, whose
    # missing value is pd.NA, and the model would then see other values than with pandas.
    dask.config.set({"dataframe.convert-string": False})
    if source.suffix.lower() in (".parquet", ".pq"):
        frame = dd.read_parquet(source, columns=columns)
    else:
        size = source.stat().st_size
        blocksize = max(1, min(MAX_PARTITION_BYTES, math.ceil(size / max(workers, 1))))
        frame = dd.read_csv(
            source, blocksize=blocksize, usecols=columns, dtype=types.to_dict(), **data["read"]
        )
    if frame.npartitions < workers:  # Dask merges small blocks: give every worker a share
        frame = frame.repartition(npartitions=workers)
    # Each partition's index starts again at 0: a running count numbers rows across them.
    numbered = frame.assign(**{ROW: 1})
    return numbered.assign(**{ROW: numbered[ROW].cumsum() - 1})


def row_keys(part: pd.DataFrame, target: str, features: list[str]) -> pd.DataFrame:
    """Per partition: row number, target and a fingerprint of the model's features."""
    return pd.DataFrame(
        {
            ROW: part[ROW].to_numpy(),
            target: part[target].to_numpy(),
            FINGERPRINT: dataset.fingerprints(part[features]).to_numpy(),
        }
    )


def assign_rows(keys: pd.DataFrame, data: dict, decisions: dict, settings: dict, expected: bool):
    """The row numbers of train and test, in order, by the rules of ``dataset.py``."""
    keys = keys.sort_values(ROW, kind="stable").reset_index(drop=True)
    kept, removed = dataset.usable_rows(keys, data)
    train, test, identical = dataset.random_split(
        kept[data["target"]], kept[FINGERPRINT], expected, decisions["task"], settings
    )
    if identical != "expected" and set(kept[FINGERPRINT].iloc[train]) & set(
        kept[FINGERPRINT].iloc[test]
    ):
        raise dataset.LeakageError("a row of features appears in both train and test")
    rows = kept[ROW].to_numpy()
    return rows[train], rows[test], removed, identical


def pick(part: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The partition's rows that are in ``rows``, numbered by their place there."""
    place = pd.Series(np.arange(len(rows)), index=rows)
    chosen = part[part[ROW].isin(place.index)]
    return chosen.assign(**{ORDER: place.reindex(chosen[ROW]).to_numpy()}).drop(columns=ROW)


def write_rows(frame: dd.DataFrame, rows: np.ndarray, target: Path) -> None:
    """Rows ``rows`` of ``frame``, in that order, as partitioned Parquet at ``target``."""
    picked = frame.map_partitions(partial(pick, rows=rows))
    # The order is known (0 .. n-1), so the partition bounds are too: no pass over the data.
    bounds = np.linspace(0, max(len(rows) - 1, 0), frame.npartitions + 1).round()
    divisions = sorted({int(b) for b in bounds})
    ordered = picked.set_index(ORDER, divisions=divisions * 2 if len(divisions) == 1 else divisions)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    ordered.to_parquet(tmp, write_index=False, name_function=lambda i: f"part-{i:05d}.parquet")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def main() -> None:
    params = config.load_params()
    data = params["data"]
    if params["prepare"]["split"] != "random":
        raise SystemExit(
            "prepare: with compute=dask only prepare.split: random is available so far; "
            "use compute=pandas for a time or group split"
        )
    try:
        raw = dataset.checked_raw(params)
        decisions = dataset.decide(raw, params)
        frame_in_memory, _ = dataset.usable_rows(raw, data)
        if decisions["task"] == "classification":
            dataset.check_class_sizes(
                frame_in_memory[data["target"]], params["prepare"], params["evaluate"]["cv_folds"]
            )
    except (dataset.DataProblem, ValueError) as problem:
        raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
    features = dataset.feature_names(decisions)
    dataset.assert_target_not_a_feature(frame_in_memory[features], frame_in_memory[data["target"]])
    expected = dataset.repeats_expected(frame_in_memory[features])
    with connect() as client:
        frame = read_partitioned(config.RAW_DATA, raw.dtypes, len(client.nthreads()), data)
        keys = frame.map_partitions(row_keys, data["target"], features).compute()
        train, test, removed, identical = assign_rows(
            keys, data, decisions, params["prepare"], expected
        )
        write_rows(frame, train, config.TRAIN)
        write_rows(frame, test, config.TEST)
        where = f"{frame.npartitions} partitions on {describe(client)}"
    decisions["split"] = {"kind": "random", "identical": identical}
    # train and test hold raw row numbers; the account reads them from the table in memory.
    used = frame_in_memory
    train_rows, test_rows = raw.iloc[train], raw.iloc[test]
    prints = dataset.fingerprints(used[features])
    dataset.account(
        decisions, len(raw), removed, dataset.count_identical(prints), train_rows, test_rows
    )
    seed = params["prepare"]["seed"]
    decisions["single_features"] = dataset.single_feature_scores(train_rows, decisions, seed)
    dataset.save_decisions(decisions)
    config.write_text(report.data_summary(decisions), config.DATA_SUMMARY)
    print(report.prepare_lines(decisions))
    print(f"prepare: on Dask, {where}")


if __name__ == "__main__":
    main()
