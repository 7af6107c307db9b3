"""Stage 2, prepare, on a Dask cluster: the steps of a pandas study's prepare, for a table
larger than memory.

    python -m {{ cookiecutter.module_name }}.prepare

No step holds the whole raw table or a whole split in this process. The table is read in
partitions on the cluster (``connect`` below), three times:

1. Facts, per partition and then combined: rows, missing values, distinct values, smallest
   and largest values, the target's classes, and a sample of rows drawn evenly from every
   partition (at most ``SAMPLE_ROWS``). The data check and the column roles of ``dataset.py``
   run on that sample; a table with fewer rows is its own sample, so then every number is
   exactly the pandas variant's.
2. Keys: three small columns of every row (row number, target, a fingerprint of its
   features) come back here, and the split is decided from them with ``dataset.random_split``,
   the same function and seed as with pandas.
3. The rows: the test split, and the training rows (a stratified sample of
   ``prepare.train_rows`` rows when the training split is larger) are written as
   partitioned Parquet (``data/processed/test.parquet/part-00000.parquet``, ...). The train
   stage fits on the training file; evaluate predicts the test split one part at a time.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import dask.dataframe as dd
import dask.utils
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import train_test_split

from . import config, dataset, report

ROW, ORDER, FINGERPRINT = "__row", "__order", "__fingerprint"
# Partitions of at most this many bytes of raw file, and at least one per worker.
MAX_PARTITION_BYTES = 16 * 2**20
# Each split is written in parts of about this many rows (at most one per raw partition).
PART_ROWS = 50_000
# The data check and the column roles look at a sample of at most this many rows.
SAMPLE_ROWS = 100_000
# The column types are read from the first rows of a CSV file.
TYPE_ROWS = 100_000
# A target with more values than this in a partition is a number, not classes.
MAX_CLASSES = 1000
# Distinct values are counted up to this many per partition; the card says "over" beyond.
MAX_LISTED_VALUES = 1000
# Workers of the default LocalCluster: threads of this process, one per core up to this many.
LOCAL_WORKERS = 2


# --- The cluster ---------------------------------------------------------------------------


def scheduler_address() -> str | None:
    """``DASK_SCHEDULER_ADDRESS`` (Dask's ``scheduler-address`` setting), when set."""
    return dask.config.get("scheduler-address", None)


@contextmanager
def connect(memory_limit: str | None = None) -> Iterator[Client]:
    """A client of the configured scheduler, or of a LocalCluster that ends with the block.

    On the LocalCluster each worker has ``memory_limit`` (``prepare.worker_memory``): above
    60% of it, it moves the data it holds to disk. A running cluster keeps the limits its
    workers were started with.
    """
    address = scheduler_address()
    if address:
        with Client(address) as client:
            yield client
        return
    # Threads in this process: no worker start-up cost, and pandas releases the GIL in most
    # of the work done here. No dashboard, so that stages never compete for its port.
    # Each worker measures this whole process (its imported libraries too), so a worker that
    # paused at 80% of its limit might wait forever: it moves data to disk instead.
    with (
        dask.config.set({"distributed.worker.memory.pause": False}),
        LocalCluster(
            processes=False,
            n_workers=LOCAL_WORKERS,
            threads_per_worker=1,
            memory_limit=memory_limit or "auto",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def release_memory(client: Client) -> None:
    """Hand memory freed after a pass back to the system (glibc keeps it otherwise; Linux).

    Dask's documented remedy for "unmanaged memory": see its worker-memory page.
    """

    def trim() -> int:
        return ctypes.CDLL("libc.so.6").malloc_trim(0)

    with contextlib.suppress(OSError, AttributeError):
        trim()
        client.run(trim)


def describe(client: Client) -> str:
    return f"{client.scheduler.address} with {len(client.nthreads())} workers"


# --- Reading in partitions -----------------------------------------------------------------


def column_types(source: Path, data: dict) -> pd.Series:
    """The type of each column: Parquet stores them; for CSV pandas reads the first rows.

    When a CSV file has more rows than that, whole-number columns other than the target are
    read as decimals, as a missing value further down could not be stored as a whole number.
    """
    dropped = data.get("drop_columns") or []
    if str(source).lower().endswith(dataset.PARQUET_SUFFIXES):
        return dd.read_parquet(source).drop(columns=dropped, errors="ignore").dtypes
    if source.stat().st_size <= MAX_PARTITION_BYTES:
        head = dataset.read_table(source, data["read"])  # small: read whole, checked
    else:
        head = pd.read_csv(source, nrows=TYPE_ROWS, **{**dataset.CSV_DEFAULTS, **data["read"]})
    types = head.drop(columns=dropped, errors="ignore").dtypes
    if len(head) == TYPE_ROWS:
        for name, kind in types.items():
            if name != data["target"] and pd.api.types.is_integer_dtype(kind):
                types[name] = np.dtype("float64")
    return types


def read_partitioned(source: Path, types: pd.Series, workers: int, data: dict) -> dd.DataFrame:
    """The raw table in partitions, with the column types of ``types``, rows numbered."""
    names = list(types.index)
    # Keep the text columns' pandas type: Dask would turn them into Arrow strings, whose
    # missing value is pd.NA, and the model would then see other values than with pandas.
    dask.config.set({"dataframe.convert-string": False})
    if str(source).lower().endswith(dataset.PARQUET_SUFFIXES):
        frame = dd.read_parquet(source, columns=names)
    else:
        size = source.stat().st_size
        blocksize = max(1, min(MAX_PARTITION_BYTES, math.ceil(size / max(workers, 1))))
        frame = dd.read_csv(
            source, blocksize=blocksize, usecols=names, dtype=types.to_dict(), **data["read"]
        )
    if frame.npartitions < workers:  # Dask merges small blocks: give every worker a share
        frame = frame.repartition(npartitions=workers)
    # Each partition's index starts again at 0: a running count numbers rows across them.
    numbered = frame.assign(**{ROW: 1})
    return numbered.assign(**{ROW: numbered[ROW].cumsum() - 1})


# --- Pass 1: facts per partition, combined -------------------------------------------------


def sample_rows(part: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    """At most ``rows`` rows of one partition, drawn at random; all of them when it has fewer."""
    return part if len(part) <= rows else part.sample(n=rows, random_state=seed)


def class_counts(target: pd.Series) -> pd.Series | None:
    """Rows per value of one partition's target; None when it has too many values for classes."""
    counts = target.value_counts(dropna=False)
    return counts if len(counts) <= MAX_CLASSES else None


def distinct_values(column: pd.Series) -> np.ndarray | None:
    """The distinct values of one partition's column; None when there are very many."""
    values = column.dropna().unique()
    return values if len(values) <= MAX_LISTED_VALUES else None


def partition_facts(part: pd.DataFrame, target: str, sample_size: int, seed: int) -> dict:
    """What one partition holds: counts to add up with the other partitions', and a sample."""
    table = part.drop(columns=ROW)
    numbers = table.select_dtypes("number")
    return {
        "rows": len(table),
        "missing": table.isna().sum(),
        "values": {name: distinct_values(table[name]) for name in table.columns},
        "smallest": numbers.min(),
        "largest": numbers.max(),
        "classes": class_counts(table[target]),
        "sample": sample_rows(part, sample_size, seed),
    }


def combine(parts: list[dict]) -> dict:
    """The facts of the whole table from those of its partitions."""
    names = parts[0]["missing"].index

    def distinct(name) -> int | None:  # None: more than MAX_LISTED_VALUES in some partition
        listed = [p["values"][name] for p in parts]
        if any(values is None for values in listed):
            return None
        return len(pd.unique(np.concatenate(listed))) if listed else 0

    classes = [p["classes"] for p in parts]
    if any(counts is None for counts in classes):
        counted = None  # a number target: no classes to count
    else:
        together = pd.concat(classes).groupby(level=0, dropna=False, sort=False).sum()
        counted = together.sort_values(ascending=False, kind="stable")
    return {
        "rows": sum(p["rows"] for p in parts),
        "missing": sum(p["missing"] for p in parts),
        "distinct": {name: distinct(name) for name in names},
        "smallest": pd.concat([p["smallest"] for p in parts], axis=1).min(axis=1),
        "largest": pd.concat([p["largest"] for p in parts], axis=1).max(axis=1),
        "classes": counted,
        "sample": pd.concat([p["sample"] for p in parts]).sort_values(ROW, kind="stable"),
    }


def table_facts(frame: dd.DataFrame, target: str, seed: int) -> dict:
    """What prepare needs to know of the whole table: per partition, then added up."""
    per_partition = math.ceil(SAMPLE_ROWS / frame.npartitions)
    tasks = [
        dask.delayed(partition_facts)(part, target, per_partition, seed)
        for part in frame.to_delayed()
    ]
    try:
        facts = combine(dask.compute(*tasks))
    except ValueError as error:
        if "Mismatched dtypes" not in str(error):
            raise
        raise dataset.DataProblem(
            f"{config.shown(config.RAW_DATA)}: a column holds values further down that do not "
            f"fit the type read from its first {TYPE_ROWS} rows (for example text in a column "
            "of numbers). Dask's message:\n" + str(error)
        ) from None
    facts["whole"] = len(facts["sample"]) == facts["rows"]
    if facts["whole"]:  # the sample is the table: exact counts instead of estimates
        facts["distinct"] = facts["sample"].drop(columns=ROW).nunique().to_dict()
    return facts


def decide(facts: dict, params: dict) -> dict:
    """The decisions of ``dataset.decide``, made on the sample and corrected by the facts."""
    sample = facts["sample"].drop(columns=ROW)
    decisions = dataset.decide(sample, params)
    if facts["whole"]:
        return decisions
    counts = facts["classes"]
    if decisions["task"] == "classification" and counts is not None:
        counts = counts[counts.index.notna()].sort_values(ascending=False, kind="stable")
        shares = {str(k): float(v / counts.sum()) for k, v in counts.items()}
        decisions["class_shares"] = shares
        decisions["rare_classes"] = [
            k for k, v in shares.items() if dataset.is_rare(v, len(shares))
        ]
        every = facts["classes"].sort_values(ascending=False, kind="stable")  # missing too
        decisions["target_values"] = {
            "(missing)" if pd.isna(k) else str(k): int(v) for k, v in every.items()
        }
        decisions["metric"], decisions["metric_reason"] = dataset.choose_metric(
            decisions["task"], params["evaluate"]["metric"], shares
        )
    for column in decisions["columns"]:
        unique = sample[column["name"]].is_unique
        if column["reason"] == "numbers" and unique and is_running_number(facts, column["name"]):
            column["role"], column["reason"] = "identifier", "a running number: a row number"
    return decisions


def is_running_number(facts: dict, name: str) -> bool:
    """Whole numbers, one per row, no gaps: from the facts, as a sample has gaps.

    Only asked of a column whose sample values are all different (see ``decide``).
    """
    rows, smallest, largest = facts["rows"], facts["smallest"][name], facts["largest"][name]
    return (
        facts["missing"][name] == 0
        and float(smallest) % 1 == 0
        and float(largest - smallest) == rows - 1
    )


def repeats_expected(facts: dict, features: list[str], data: dict) -> bool:
    """``dataset.repeats_expected`` on the usable rows: exact on a whole sample, else estimated."""
    if facts["whole"]:
        usable, _ = dataset.usable_rows(facts["sample"], data)
        return dataset.repeats_expected(usable[features])
    distinct = [facts["distinct"][name] for name in features]
    if any(n is None for n in distinct):  # a feature with very many values: repeats are rare
        return False
    combinations = math.prod(max(n, 1) for n in distinct)
    return combinations < dataset.EXPECTED_REPEATS_FACTOR * facts["rows"]


# --- Pass 2: the split, from three small columns --------------------------------------------


def row_keys(part: pd.DataFrame, target: str, features: list[str]) -> pd.DataFrame:
    """Per partition: row number, target and a fingerprint of the model's features."""
    return pd.DataFrame(
        {
            ROW: part[ROW].to_numpy(),
            target: part[target].to_numpy(),
            FINGERPRINT: dataset.fingerprints(part[features]).to_numpy(),
        }
    )


def assign_rows(keys: pd.DataFrame, params: dict, decisions: dict, expected: bool) -> dict:
    """The row numbers of train and test, in order, by the rules of ``dataset.py``."""
    kept, removed = dataset.usable_rows(keys, params["data"])
    return split_usable(kept, removed, params, decisions, expected)


def split_usable(kept, removed, params: dict, decisions: dict, expected: bool) -> dict:
    """``assign_rows`` once the usable rows' keys are known (rows in rising order)."""
    settings, target = params["prepare"], params["data"]["target"]
    if decisions["task"] == "classification":
        dataset.check_class_sizes(kept[target], settings, params["evaluate"]["cv_folds"])
    train, test, identical = dataset.random_split(
        kept[target], kept[FINGERPRINT], expected, decisions["task"], settings
    )
    prints = kept[FINGERPRINT].to_numpy()
    # Only a repeated fingerprint can be on both sides ("grouped" split).
    if identical == "grouped" and np.intersect1d(prints[train], prints[test]).size:
        raise dataset.LeakageError("a row of features appears in both train and test")
    repeated = kept[FINGERPRINT].duplicated(keep=False)
    rows = kept[ROW].to_numpy()
    return {
        "train": rows[train],
        "test": rows[test],
        "train_labels": kept[target].to_numpy()[train],
        "used": len(kept),
        "removed": removed,
        "identical": identical,
        "repeated": {
            "rows": int(repeated.sum()),
            "patterns": int(kept[FINGERPRINT][repeated].nunique()),
        },
    }


def training_rows(train: np.ndarray, labels: np.ndarray, params: dict, task: str) -> np.ndarray:
    """The training rows the model is fitted on: all of them, or a stratified sample.

    ``prepare.train_rows`` caps them; the sample keeps each class's share of the training
    split (stratified), drawn with ``prepare.seed``.
    """
    size = params["prepare"]["train_rows"]
    if size is None or len(train) <= size:
        return train
    stratify = labels if task == "classification" else None
    chosen, _ = train_test_split(
        train, train_size=size, random_state=params["prepare"]["seed"], stratify=stratify
    )
    return chosen


# --- Pass 3: the rows, written in order ----------------------------------------------------


def pick(part: pd.DataFrame, rows: np.ndarray, places: np.ndarray) -> pd.DataFrame:
    """The partition's rows among ``rows`` (sorted), each numbered by its place in the split.

    Row numbers rise within a partition, so the wanted ones are found by binary search.
    """
    numbers = part[ROW].to_numpy()
    low, high = np.searchsorted(rows, [numbers[0], numbers[-1] + 1]) if len(numbers) else (0, 0)
    chosen = part.iloc[np.searchsorted(numbers, rows[low:high])]
    return chosen.drop(columns=ROW).assign(**{ORDER: places[low:high]})


def scatter(part: pd.DataFrame, splits: dict, folders: dict, partition_info=None) -> pd.DataFrame:
    """Write each split's rows of this partition into buckets of neighbouring places."""
    number = partition_info["number"] if partition_info else 0
    for name, (rows, places, parts) in splits.items():
        chosen = pick(part, rows, places)
        bucket = chosen[ORDER].to_numpy() * parts // max(len(places), 1)
        for b, piece in chosen.groupby(bucket):
            piece.to_parquet(folders[name] / f"bucket-{b:05d}-from-{number:05d}.parquet")
    return pd.DataFrame({"rows": [len(part)]})


def write_rows(frame: dd.DataFrame, selections: dict[Path, np.ndarray]) -> None:
    """For each target path, its rows of ``frame`` in the given order, as partitioned Parquet.

    One pass over ``frame``: each partition sends its chosen rows to buckets on disk (rows
    whose places are neighbours share a bucket), then each bucket is put in order and
    written as one part. No step holds more than a partition or a bucket: an external sort.
    """
    splits, folders = {}, {}
    for target, rows in selections.items():
        sorter = np.argsort(rows, kind="stable")
        parts = max(1, min(frame.npartitions, math.ceil(len(rows) / PART_ROWS)))
        splits[target] = (rows[sorter], sorter, parts)
        folders[target] = target.with_name(f".{target.name}.buckets")
        shutil.rmtree(folders[target], ignore_errors=True)
        folders[target].mkdir(parents=True)
    meta = pd.DataFrame({"rows": pd.Series([], dtype="int64")})
    frame.map_partitions(scatter, splits, folders, meta=meta).compute()
    schema = pa.Schema.from_pandas(frame._meta_nonempty.drop(columns=ROW), preserve_index=False)
    for target, folder in folders.items():
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for b in range(splits[target][2]):
            pieces = [pd.read_parquet(p) for p in sorted(folder.glob(f"bucket-{b:05d}-*"))]
            if pieces:
                bucket = pd.concat(pieces).sort_values(ORDER).drop(columns=ORDER)
                table = pa.Table.from_pandas(bucket, schema=schema, preserve_index=False)
                pq.write_table(table, tmp / f"part-{b:05d}.parquet")
        shutil.rmtree(folder)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)


# --- The account and the data card ---------------------------------------------------------


def account(decisions: dict, facts: dict, split: dict, fitted_on: pd.DataFrame, seed: int) -> None:
    """What ``dataset.account`` adds to the decisions, from the facts and the split."""
    rows = int(facts["rows"])
    dataset.account(
        decisions, rows, split["removed"], split["repeated"], split["train"], split["test"]
    )
    if len(fitted_on) < len(split["train"]):
        decisions["rows"]["train_sample"] = len(fitted_on)
    decisions["single_features"] = dataset.single_feature_scores(fitted_on, decisions, seed)


def whole_table_columns(decisions: dict, facts: dict, types: pd.Series) -> None:
    """Each column's type, missing and distinct values counted over all partitions, not the
    sample (data/summary.md; distinct values beyond MAX_LISTED_VALUES are not counted)."""
    if facts["whole"]:  # the sample is the table: its counts are already exact
        return
    for column in decisions["columns"]:
        name = column["name"]
        distinct = facts["distinct"][name]
        column["type"] = str(types[name])
        column["missing"] = int(facts["missing"][name])
        column["distinct"] = f"over {MAX_LISTED_VALUES}" if distinct is None else int(distinct)


def main() -> None:
    params = config.load_params()
    data, settings = params["data"], params["prepare"]
    if settings["split"] != "random":
        raise SystemExit(
            "prepare: with compute=dask only prepare.split: random is available so far; "
            "use compute=pandas for a time or group split"
        )
    try:
        dask.utils.parse_bytes(settings["worker_memory"] or "1GiB")
    except ValueError:
        raise SystemExit(
            f"prepare: prepare.worker_memory = {settings['worker_memory']!r} is not an amount "
            "of memory: write it like 2GiB or 500MiB in params.yaml, or null"
        ) from None
    with connect(settings["worker_memory"]) as client:
        try:
            types = column_types(config.RAW_DATA, data)
            frame = read_partitioned(config.RAW_DATA, types, len(client.nthreads()), data)
            facts = table_facts(frame, data["target"], settings["seed"])
            release_memory(client)
            sample = facts["sample"].drop(columns=ROW)
            dataset.check_table(sample, data["target"], config.shown(config.RAW_DATA))
            decisions = decide(facts, params)
            features = dataset.feature_names(decisions)
            dataset.assert_target_not_a_feature(sample[features], sample[data["target"]])
            expected = repeats_expected(facts, features, data)
            keys = frame.map_partitions(row_keys, data["target"], features).compute()
            kept, removed = dataset.usable_rows(keys, data)  # partitions come in order
            del keys  # the usable rows' keys are all that is needed from here
            release_memory(client)
            split = split_usable(kept, removed, params, decisions, expected)
        except (dataset.DataProblem, ValueError) as problem:
            raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
        del kept
        release_memory(client)
        fitted = training_rows(split["train"], split["train_labels"], params, decisions["task"])
        write_rows(frame, {config.TRAIN: fitted, config.TEST: split["test"]})
        where = f"{frame.npartitions} partitions on {describe(client)}"
    decisions["split"] = {"kind": "random", "identical": split["identical"]}
    account(decisions, facts, split, dataset.read_table(config.TRAIN), settings["seed"])
    whole_table_columns(decisions, facts, types)
    dataset.save_decisions(decisions)
    config.write_text(report.data_summary(decisions), config.DATA_SUMMARY)
    print(report.prepare_lines(decisions))
    print(f"prepare: on Dask, {where}")


if __name__ == "__main__":
    main()
