"""The raw table read in partitions on a Dask cluster: prepare's four steps (``sample``,
``complete``, ``keys``, ``write``) for a table larger than memory.

No step holds the whole raw table or a whole split in this process. The table is read in
partitions on the cluster (``connect`` below), three times:

1. Facts, per partition and then combined: rows, missing values, distinct values, smallest
   and largest values, the target's classes, and a sample of rows drawn evenly from every
   partition (at most ``SAMPLE_ROWS``). The data check and the column roles run on that
   sample (``sample``), then the counts over all rows correct them (``complete``); a table
   with fewer rows is its own sample, so then every number is exactly the pandas variant's.
2. Keys: a few small columns of every row (row number, target, a fingerprint of its
   features, the time or group value) come back here (``keys``), and kit/split.py decides
   the split from them, by the same rules and seed as with pandas.
3. The rows: the test split, and the training rows the model is fitted on (a stratified
   sample of ``prepare.train_rows`` rows when the training split is larger) are written as
   partitioned Parquet (``data/processed/test.parquet/part-00000.parquet``, ...; ``write``).
   The train stage fits on the training file; evaluate predicts the test split one part at
   a time.
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

from . import roles, split, values
from .decisions import Role, TableDecisions, Task
from .paths import RAW_DATA, TEST, TRAIN, shown
from .reading import (
    AS_WRITTEN,
    COMPRESSED_SUFFIXES,
    CONVERT,
    CSV_DEFAULTS,
    PARQUET_SUFFIXES,
    DataProblem,
    read_table,
    source_of,
    table_format,
)
from .table import Keys

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
# prepare.train_rows null: the training sample fills this share of the memory available ...
TRAINING_SHARE = 0.25
# ... at this many times a row's size in pandas (the model's copies while fitting, the
# folds of cross-validation), and has at most this many rows (fits of minutes, not hours).
FITTING_COPIES = 10
MOST_TRAIN_ROWS = 500_000


# --- Memory, from the machine --------------------------------------------------------------


def cgroup_limits(
    listing: Path = Path("/proc/self/cgroup"), root: Path = Path("/sys/fs/cgroup")
) -> list[int]:
    """The memory limits set on this process's own cgroup and its parents (Linux, v1 or v2).

    Dask reads only the limit at the root of /sys/fs/cgroup, which is this process's own
    group inside a container, but not when the process was put in a group of its own (as
    systemd-run or a test's memory cap do).
    """
    try:
        lines = listing.read_text().splitlines()
    except OSError:  # not Linux
        return []
    limits = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            mount, names = root / "memory", ["memory.limit_in_bytes"]
        elif controllers == "":
            mount, names = root, ["memory.max", "memory.high"]
        else:
            continue
        group = mount / path.lstrip("/")
        while group != mount and mount in group.parents:
            for name in names:
                with contextlib.suppress(OSError, ValueError):
                    limits.append(int((group / name).read_text()))  # "max": no limit
            group = group.parent
    return limits


def available_memory() -> tuple[int, bool]:
    """The memory this process may use, and whether that is a limit lower than the
    computer's: the computer's memory (or its container's, or ulimit's, as Dask finds it),
    or a lower limit on the process's own cgroup."""
    from distributed.system import memory_limit

    computer = memory_limit()
    lowest = min([computer, *cgroup_limits()])
    return lowest, lowest < computer


def memory_words() -> str:
    """ "the 23.54 GiB of memory this computer has" (or "this process is limited to")."""
    available, limited = available_memory()
    where = "this process is limited to" if limited else "this computer has"
    return f"the {dask.utils.format_bytes(available)} of memory {where}"


def sized_train_rows(sample: pd.DataFrame, available: int) -> int:
    """As many training rows as fit in TRAINING_SHARE of ``available`` bytes while fitting,
    from the size of the sample's rows in memory; two significant digits."""
    per_row = sample.memory_usage(deep=True).sum() / max(len(sample), 1)
    rows = int(min(MOST_TRAIN_ROWS, available * TRAINING_SHARE / (per_row * FITTING_COPIES)))
    digits = 10 ** max(len(str(rows)) - 2, 0)
    return max(100, rows // digits * digits)


def hand_back_freed_memory() -> None:
    """Have glibc return freed memory to the system at once (Linux).

    Dask sets the same for the worker processes its nanny starts (MALLOC_TRIM_THRESHOLD_);
    the local workers here are threads, so the stage sets it itself. Without it, the big
    arrays of the split stay in the process after use and a 1 GB limit is reached.
    """
    trim_threshold, mmap_threshold = -1, -3  # M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(trim_threshold, 64 * 2**10)
        libc.mallopt(mmap_threshold, 64 * 2**10)


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
            # Dask's "auto" shares the memory it finds, which misses a limit set on this
            # process's own cgroup: the same share, of the memory available_memory finds.
            memory_limit=memory_limit or available_memory()[0] // LOCAL_WORKERS,
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
    if table_format(source) == "spreadsheet":
        raise DataProblem(
            f"{shown(source)} is a spreadsheet, and compute=dask reads CSV and Parquet files "
            f"in partitions: {CONVERT}, and name the CSV file in data/raw"
        )
    if str(source).lower().endswith(PARQUET_SUFFIXES):
        return dd.read_parquet(source).drop(columns=dropped, errors="ignore").dtypes
    if source.stat().st_size <= MAX_PARTITION_BYTES:
        head = read_table(source, data["read"])  # small: read whole, checked
    else:
        head = pd.read_csv(source, nrows=TYPE_ROWS, **csv_settings(data), **AS_WRITTEN)
    types = head.drop(columns=dropped, errors="ignore").dtypes
    if len(head) == TYPE_ROWS:
        for name, kind in types.items():
            if name != data["target"] and pd.api.types.is_integer_dtype(kind):
                types[name] = np.dtype("float64")
    return types


def csv_settings(data: dict) -> dict:
    """data.read's settings that pandas.read_csv takes."""
    return {k: {**CSV_DEFAULTS, **data["read"]}[k] for k in CSV_DEFAULTS}


def read_partitioned(source: Path, types: pd.Series, workers: int, data: dict) -> dd.DataFrame:
    """The raw table in partitions, with the column types of ``types``, rows numbered."""
    names = list(types.index)
    # Keep the text columns' pandas type: Dask would turn them into Arrow strings, whose
    # missing value is pd.NA, and the model would then see other values than with pandas.
    dask.config.set({"dataframe.convert-string": False})
    if str(source).lower().endswith(PARQUET_SUFFIXES):
        frame = dd.read_parquet(source, columns=names)
    else:
        size = source.stat().st_size
        blocksize = max(1, min(MAX_PARTITION_BYTES, math.ceil(size / max(workers, 1))))
        if str(source).lower().endswith(COMPRESSED_SUFFIXES):
            blocksize = None  # a compressed file is read in one piece, then partitioned
        frame = dd.read_csv(
            source,
            blocksize=blocksize,
            usecols=names,
            dtype=types.to_dict(),
            **csv_settings(data),
            **AS_WRITTEN,
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
        raise DataProblem(
            f"{shown(RAW_DATA)}: a column holds values further down that do not "
            f"fit the type read from its first {TYPE_ROWS} rows (for example text in a column "
            "of numbers). Dask's message:\n" + str(error)
        ) from None
    facts["whole"] = len(facts["sample"]) == facts["rows"]
    if facts["whole"]:  # the sample is the table: exact counts instead of estimates
        facts["distinct"] = facts["sample"].drop(columns=ROW).nunique().to_dict()
    return facts


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


# --- Pass 2: the split, from three small columns --------------------------------------------


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


# --- prepare's four steps ------------------------------------------------------------------


def partition_keys(part: pd.DataFrame, target: str, features: list[str], plan):
    """The keys of one partition's rows (kit/split.py's keys_of), with their row numbers."""
    keys = split.keys_of(part, target, features, plan)
    keys[ROW] = part[ROW].to_numpy()
    return keys


class Partitioned:
    """The raw table in partitions, on the cluster ``connect`` gives (a context manager)."""

    def __init__(self, params: dict):
        self.params = params
        settings = params["prepare"]
        try:
            dask.utils.parse_bytes(settings["worker_memory"] or "1GiB")
        except ValueError:
            raise SystemExit(
                f"prepare: prepare.worker_memory = {settings['worker_memory']!r} is not an "
                "amount of memory: write it like 2GiB or 500MiB in params.yaml, or null"
            ) from None

    def __enter__(self) -> Partitioned:
        hand_back_freed_memory()
        self.connection = connect(self.params["prepare"]["worker_memory"])
        self.client = self.connection.__enter__()
        data = self.params["data"]
        self.types = column_types(RAW_DATA, data)
        self.frame = read_partitioned(RAW_DATA, self.types, len(self.client.nthreads()), data)
        self.facts = None
        self.sized_to = None  # prepare.train_rows null: the memory the sample was sized to
        self.rules = {}  # codes for unknown and text numbers, found on the sample
        return self

    def __exit__(self, *exc) -> None:
        self.connection.__exit__(*exc)

    def sample(self) -> pd.DataFrame:
        """Rows drawn evenly from every partition (all rows of a table smaller than that)."""
        if self.facts is None:
            self.facts = table_facts(
                self.frame, self.params["data"]["target"], self.params["prepare"]["seed"]
            )
            release_memory(self.client)
            # Codes for unknown and numbers written as text: found on the sample, then
            # every partition is read by the same rules (kit/values.py).
            read = self.params["data"]["read"]
            self.rules = values.find(self.facts["sample"].drop(columns=ROW), read)
            self.facts["sample"] = values.apply(self.facts["sample"], self.rules, read)
            if self.rules:
                meta = values.apply(self.frame._meta_nonempty, self.rules, read).iloc[:0]
                self.frame = self.frame.map_partitions(values.apply, self.rules, read, meta=meta)
        return self.facts["sample"].drop(columns=ROW)

    def complete(self, decided: TableDecisions) -> TableDecisions:
        """The sample's decisions with the counts of every row: classes, identifiers and
        each column's type, missing and distinct values (beyond MAX_LISTED_VALUES, "over")."""
        facts = self.facts
        source = source_of(RAW_DATA, self.params["data"]["read"])
        if facts["whole"]:  # the sample is the table: its counts are already exact
            return decided.model_copy(update={"source": source})
        if self.rules:  # codes read as missing: count the gaps again, over every row
            facts["missing"] = self.frame.drop(columns=ROW).isna().sum().compute()
            source = source.model_copy(update={"values_checked_on": len(facts["sample"])})
        decided = decided.model_copy(update={"source": source})
        counts = facts["classes"]
        if decided.task is Task.CLASSIFICATION and counts is not None:
            every = counts.sort_values(ascending=False, kind="stable")  # missing too
            values = {"(missing)" if pd.isna(k) else str(k): int(v) for k, v in every.items()}
            decided = roles.with_target_values(decided, values, self.params["evaluate"]["metric"])
        sample = facts["sample"]
        columns = []
        for column in decided.columns:
            name = column.name
            if (
                column.role is Role.NUMERIC
                and not column.set_in_params
                and sample[name].is_unique
                and is_running_number(facts, name)
            ):
                column = column.model_copy(
                    update={"role": Role.IDENTIFIER, "reason": roles.RUNNING_NUMBER}
                )
            distinct = facts["distinct"][name]
            columns.append(
                column.model_copy(
                    update={
                        "type": str(self.frame.dtypes[name]),
                        "missing": int(facts["missing"][name]),
                        "distinct": MAX_LISTED_VALUES if distinct is None else int(distinct),
                        "distinct_capped": distinct is None,
                    }
                )
            )
        return decided.model_copy(update={"columns": columns})

    def keys(self, decided: TableDecisions, plan, params: dict) -> Keys:
        """The keys of every usable row, in order, computed partition by partition."""
        features = decided.feature_names()
        keys = self.frame.map_partitions(partition_keys, decided.target, features, plan).compute()
        mask, removed = split.usable_rows(keys["target"], params["data"])
        self.rows = keys[mask].reset_index(drop=True)  # partitions come in order
        del keys
        release_memory(self.client)
        return Keys(
            rows=self.rows,
            raw_rows=int(self.facts["rows"]),
            removed=removed,
            repeats_expected=self.repeats_expected(features) and not decided.names_with(Role.TEXT),
        )

    def repeats_expected(self, features: list[str]) -> bool:
        """kit/split.py's rule on the usable rows: exact on a whole sample, else estimated."""
        facts, data = self.facts, self.params["data"]
        if facts["whole"]:
            sample = facts["sample"]
            mask, _ = split.usable_rows(sample[data["target"]], data)
            return split.repeats_expected(sample.loc[mask, features])
        distinct = [facts["distinct"][name] for name in features]
        if any(n is None for n in distinct):  # a feature with very many values: repeats are rare
            return False
        combinations = math.prod(max(n, 1) for n in distinct)
        return combinations < split.EXPECTED_REPEATS_FACTOR * facts["rows"]

    def train_rows(self, sample: pd.DataFrame) -> int:
        """prepare.train_rows, or when null as many as the memory available allows."""
        if self.params["prepare"]["train_rows"] is not None:
            return self.params["prepare"]["train_rows"]
        self.sized_to, _ = available_memory()
        return sized_train_rows(sample, self.sized_to)

    def write(self, train: np.ndarray, test: np.ndarray) -> None:
        """The training and the test rows (positions among the usable rows), as Parquet parts."""
        numbers = self.rows[ROW].to_numpy()
        write_rows(self.frame, {TRAIN: numbers[train], TEST: numbers[test]})

    def training_rows(self) -> pd.DataFrame:
        return read_table(TRAIN)

    def where(self) -> str:
        where = f"on Dask, {self.frame.npartitions} partitions on {describe(self.client)}"
        if scheduler_address():
            return where
        limits = {w["memory_limit"] for w in self.client.scheduler_info()["workers"].values()}
        each = ", ".join(dask.utils.format_bytes(limit) for limit in sorted(limits))
        setting = self.params["prepare"]["worker_memory"]
        why = (
            f"prepare.worker_memory: {setting}"
            if setting
            else f"prepare.worker_memory null: Dask's share of {memory_words()}"
        )
        return f"{where}, each spilling to disk above 60% of {each} ({why})"


def open_table(params: dict) -> Partitioned:
    """The raw table, in partitions on the cluster, for prepare (``with open_table(...)``)."""
    return Partitioned(params)
