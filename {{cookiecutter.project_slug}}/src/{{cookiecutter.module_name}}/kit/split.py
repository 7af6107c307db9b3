"""Which rows are used, how they are split into training and test rows, and the folds.

prepare splits once, with ``prepare.seed``, so the split is the same on every machine. The
split is decided from a few "keys" per row (``keys_of``: the target, a fingerprint of the
features, the time or group value), never from the whole table, so a study that reads its
table in partitions (Dask) splits by exactly the same rules.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .decisions import Identical, IdenticalRows, RemovedRows, Split, SplitKind, Task
from .guards import assert_no_shared_prints, fingerprints
from .reading import DataProblem

# Identical rows are copies (kept on one side of the split) unless the features can take so
# few combinations that repeats are expected: fewer than this many per row of data.
EXPECTED_REPEATS_FACTOR = 10


def usable_rows(labels: pd.Series, data: dict) -> tuple[np.ndarray, list[RemovedRows]]:
    """Which rows the split may use (a mask), and the rows removed, counted with a reason."""
    drop_classes = [str(c) for c in data.get("drop_classes") or []]
    unlabelled = labels.isna().to_numpy()
    # Every target value as text only when needed: on millions of rows that is big.
    dropped = np.zeros(len(labels), dtype=bool)
    if drop_classes:
        dropped = ~unlabelled & labels.astype(str).isin(drop_classes).to_numpy()
    removed = [
        RemovedRows(reason="no value in the target column", rows=int(unlabelled.sum())),
        RemovedRows(reason="class listed in data.drop_classes", rows=int(dropped.sum())),
    ]
    return ~unlabelled & ~dropped, [r for r in removed if r.rows]


def keys_of(frame: pd.DataFrame, target: str, features: list[str], settings: dict):
    """Per row: its target, a fingerprint of its features, and the time or group value that
    ``prepare.split`` needs."""
    keys = pd.DataFrame(
        {
            "target": frame[target].to_numpy(),
            "fingerprint": fingerprints(frame[features]).to_numpy(),
        }
    )
    for kind in ("time", "group"):
        column = settings[f"{kind}_column"]
        if settings["split"] != kind:
            continue
        if column not in frame.columns:
            raise DataProblem(
                f"prepare.{kind}_column is {column!r}, which is not a column of the data (or "
                f"is listed in data.drop_columns); its columns are: "
                f"{', '.join(map(str, frame.columns))}"
            )
        keys[kind] = frame[column].to_numpy()
    return keys


def check_class_sizes(labels: pd.Series, settings: dict, cv_folds: int) -> None:
    """Every class needs enough rows for a stratified split and cross-validation."""
    needed = max(2, math.ceil(cv_folds / (1 - settings["test_size"])))
    counts = labels.value_counts()
    rare = counts[counts < needed]
    if rare.empty:
        return
    listed = ", ".join(f"{label!r} ({n} rows)" for label, n in rare.items())
    raise DataProblem(
        f"too few rows in class {listed} of the target {labels.name!r}: a test split and "
        f"{cv_folds}-fold cross-validation need at least {needed} rows per class. Either "
        "list the class under data.drop_classes in params.yaml (its rows are removed and "
        "counted), merge it with a similar class in your data, lower evaluate.cv_folds, or "
        "set data.task: regression if the target is a count or a score."
    )


def repeats_expected(features: pd.DataFrame) -> bool:
    """True when the features allow so few combinations that identical rows are normal."""
    combinations = math.prod(max(int(features[c].nunique(dropna=False)), 1) for c in features)
    return combinations < EXPECTED_REPEATS_FACTOR * len(features)


def random_split(
    labels: pd.Series, prints: pd.Series, expected: bool, task: Task, settings: dict
) -> tuple[np.ndarray, np.ndarray, Identical]:
    """Positions of train and test rows, and how identical rows were treated.

    Identical rows (same fingerprint) are grouped so that a copy never sits on the other
    side of the split, unless ``expected`` says repeats are the nature of the table.
    """
    from sklearn.model_selection import (
        GroupShuffleSplit,
        StratifiedGroupKFold,
        train_test_split,
    )

    positions = np.arange(len(labels))
    stratify = labels.to_numpy() if Task(task) is Task.CLASSIFICATION else None
    size, seed = settings["test_size"], settings["seed"]
    if expected or not prints.duplicated().any():
        train, test = train_test_split(
            positions, test_size=size, random_state=seed, stratify=stratify
        )
        return train, test, Identical.EXPECTED if expected else Identical.NONE
    groups = prints.to_numpy()
    if stratify is not None:
        folds = StratifiedGroupKFold(
            n_splits=max(2, round(1 / size)), shuffle=True, random_state=seed
        )
        train, test = next(folds.split(positions, stratify, groups))
    else:
        splitter = GroupShuffleSplit(n_splits=1, test_size=size, random_state=seed)
        train, test = next(splitter.split(positions, groups=groups))
    return train, test, Identical.GROUPED


def time_split(when: pd.Series, column: str, settings: dict) -> tuple:
    """Train on the earlier rows, test on the later ones (``prepare.split: time``)."""
    when = pd.to_datetime(when, errors="coerce", utc=True, format="mixed")
    if when.isna().any():
        raise DataProblem(
            f"{int(when.isna().sum())} rows have no readable date in {column!r} "
            "(prepare.time_column): a time split needs a date in every row"
        )
    order = np.argsort(when.to_numpy(), kind="stable")
    cut = len(order) - math.ceil(settings["test_size"] * len(order))
    record = Split(
        kind=SplitKind.TIME,
        identical=Identical.NOT_CHECKED,
        column=column,
        test_from=str(when.iloc[order[cut]]),
    )
    return order[:cut], order[cut:], record


def group_split(groups: pd.Series, column: str, settings: dict) -> tuple:
    """All rows of one group (a person, a shop) on the same side (``prepare.split: group``)."""
    from sklearn.model_selection import GroupShuffleSplit

    groups = groups.astype(str)
    splitter = GroupShuffleSplit(
        n_splits=1, test_size=settings["test_size"], random_state=settings["seed"]
    )
    train, test = next(splitter.split(groups, groups=groups))
    record = Split(
        kind=SplitKind.GROUP,
        identical=Identical.NOT_CHECKED,
        column=column,
        groups=int(groups.nunique()),
    )
    return train, test, record


def split_rows(keys: pd.DataFrame, task: Task, settings: dict, expected: bool) -> tuple:
    """Positions (in ``keys``) of the training and test rows, and a record of the split."""
    kind = settings["split"]
    if kind == "time":
        return time_split(keys["time"], settings["time_column"], settings)
    if kind == "group":
        return group_split(keys["group"], settings["group_column"], settings)
    prints = keys["fingerprint"]
    train, test, identical = random_split(keys["target"], prints, expected, task, settings)
    if identical in (Identical.NONE, Identical.GROUPED):  # copies must not cross
        assert_no_shared_prints(prints.to_numpy()[train], prints.to_numpy()[test])
    return train, test, Split(kind=SplitKind.RANDOM, identical=identical)


def training_sample(train: np.ndarray, labels: np.ndarray, settings: dict, task: Task):
    """The training rows the model is fitted on: all of them, or a stratified sample.

    ``prepare.train_rows`` caps them; the sample keeps each class's share of the training
    split (stratified), drawn with ``prepare.seed``.
    """
    from sklearn.model_selection import train_test_split

    size = settings.get("train_rows")
    if size is None or len(train) <= size:
        return train
    stratify = labels if Task(task) is Task.CLASSIFICATION else None
    chosen, _ = train_test_split(
        train, train_size=size, random_state=settings["seed"], stratify=stratify
    )
    return chosen


def count_identical(prints: pd.Series) -> IdenticalRows:
    """Rows that share all their feature values with another row, and their patterns."""
    repeated = prints.duplicated(keep=False)
    return IdenticalRows(rows=int(repeated.sum()), patterns=int(prints[repeated].nunique()))


def folds(task: Task, n_splits: int, seed: int):
    """Cross-validation folds of the training rows: stratified for classes, so each fold
    keeps the class balance."""
    from sklearn.model_selection import KFold, StratifiedKFold

    cls = StratifiedKFold if Task(task) is Task.CLASSIFICATION else KFold
    return cls(n_splits=n_splits, shuffle=True, random_state=seed)
