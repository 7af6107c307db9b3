"""Which rows are used, how they are split into training and test rows, and the folds.

prepare splits once, with ``prepare.seed``, so the split is the same on every machine. The
split is decided from a few "keys" per row (``keys_of``: the target, a fingerprint of the
features, the time or group value), never from the whole table, so a study that reads its
table in partitions (Dask) splits by exactly the same rules.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd

from .decisions import (
    FoldKind,
    Folds,
    Identical,
    IdenticalRows,
    RemovedRows,
    Split,
    SplitKind,
    TableDecisions,
    Task,
    TimeKind,
)
from .guards import assert_no_shared_prints, fingerprints
from .reading import DataProblem

# Identical rows are copies (kept on one side of the split) unless the features can take so
# few combinations that repeats are expected: fewer than this many per row of data.
EXPECTED_REPEATS_FACTOR = 10
# A cross-validation fold scored on fewer rows than this gives a score that jumps with each
# row (and R^2 is not defined on one row): fewer folds are used, never fewer than two.
MIN_FOLD_ROWS = 5
# A whole number that is a date: 20130131 (year, month, day) or 201301 (year, month).
DATE_NUMBER_FORMATS = {8: "%Y%m%d", 6: "%Y%m"}
# A question about what comes later: with a time in the table, prepare.split: auto tests on
# the latest rows.
ABOUT_THE_FUTURE = re.compile(
    r"\b(future|forecast\w*|ahead|upcoming|next (year|quarter|month|week|day|season)s?|"
    r"later (years|months|quarters|periods))\b",
    re.I,
)


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


def time_key(frame: pd.DataFrame, columns: list[str], kinds: list[TimeKind]) -> pd.Series:
    """The moment of each row, as a date: from dates, a date written as a number, or a year
    with its quarter or month (``columns``, coarsest first). Unreadable moments are missing."""
    first, kind = frame[columns[0]], TimeKind(kinds[0]) if kinds else TimeKind.DATETIME
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses the format per value
        if kind not in (TimeKind.DATE_NUMBER, TimeKind.YEAR):
            return pd.to_datetime(first, errors="coerce", utc=True, format="mixed")
        numbers = pd.to_numeric(first, errors="coerce")
        if kind is TimeKind.DATE_NUMBER:
            text = numbers.round().astype("Int64").astype(str)
            length = int(text.str.len().max()) if len(text) else 8
            return pd.to_datetime(
                text, format=DATE_NUMBER_FORMATS.get(length, "%Y%m%d"), errors="coerce", utc=True
            )
        month = pd.Series(1, index=frame.index, dtype="float64")
        if len(columns) > 1:
            part = pd.to_numeric(frame[columns[1]], errors="coerce")
            month = (part - 1) * 3 + 1 if TimeKind(kinds[1]) is TimeKind.QUARTER else part
        parts = pd.DataFrame({"year": numbers, "month": month, "day": 1}, index=frame.index)
        return pd.to_datetime(parts, errors="coerce", utc=True)


def keys_of(frame: pd.DataFrame, target: str, features: list[str], plan: Split):
    """Per row: its target, a fingerprint of its features, and the moment or group that the
    split ``plan`` (``choose``) needs."""
    keys = pd.DataFrame(
        {
            "target": frame[target].to_numpy(),
            "fingerprint": fingerprints(frame[features]).to_numpy(),
        }
    )
    kind = SplitKind(plan.kind)
    if kind is SplitKind.RANDOM:
        return keys
    setting = "time_column" if kind is SplitKind.TIME else "group_column"
    needed = plan.time_columns if kind is SplitKind.TIME else [plan.column]
    for column in needed:
        if column not in frame.columns:
            raise DataProblem(
                f"prepare.{setting} is {column!r}, which is not a column of the data (or "
                f"is listed in data.drop_columns); its columns are: "
                f"{', '.join(map(str, frame.columns))}"
            )
    if kind is SplitKind.TIME:
        keys["time"] = time_key(frame, plan.time_columns, plan.time_kinds).to_numpy()
    else:
        keys["group"] = frame[plan.column].to_numpy()
    return keys


def about_the_future(question: str) -> str | None:
    """The words of ``question`` that ask about what comes later, or None."""
    found = ABOUT_THE_FUTURE.search(question or "")
    return found.group(0) if found else None


def time_plan(decided: TableDecisions, column: str, set_in_params: bool, reason: str) -> Split:
    """A time split on ``column``: with the quarter or month found with a year, and the kind
    of time of each (a year is read as a year, not as nanoseconds)."""
    time = decided.time
    columns = time.columns if time and time.columns[0] == column else [column]
    found = {c.name: c.time_kind for c in decided.columns}
    kinds = [found.get(name) or TimeKind.DATETIME for name in columns]
    return Split(
        kind=SplitKind.TIME,
        identical=Identical.NOT_CHECKED,
        column=column,
        time_columns=columns,
        time_kinds=kinds,
        set_in_params=set_in_params,
        reason=reason,
    )


def choose(decided: TableDecisions, settings: dict, question: str = "") -> Split:
    """The kind of split (not yet made): prepare.split as set, or for ``auto`` a group split
    on the one column that repeats like an entity, a time split when the question asks about
    the future and the table has a time, and rows at random otherwise. Two entities, or a
    column that only may be one, stop with the settings to choose from."""
    kind = settings["split"]
    if kind == "time" or (kind == "auto" and settings["time_column"]):
        return time_plan(decided, settings["time_column"], kind == "time", "prepare.time_column")
    if kind == "group" or (kind == "auto" and settings["group_column"]):
        return Split(
            kind=SplitKind.GROUP,
            identical=Identical.NOT_CHECKED,
            column=settings["group_column"],
            set_in_params=kind == "group",
            reason="prepare.group_column",
        )
    if kind == "random":
        return Split(kind=SplitKind.RANDOM, identical=Identical.NONE)
    entities = [e for e in decided.entities if e.sure]
    if len(entities) > 1:
        listed = " and ".join(
            f"`{e.column}` ({e.entities} values, about {e.rows_per_entity:g} rows each)"
            for e in entities
        )
        raise DataProblem(
            f"rows repeat more than one entity: {listed}. A random split would put rows of "
            "the same one in training and test. Choose in params.yaml: prepare.split: group "
            f"with prepare.group_column: {entities[0].column} (tested on values the model has "
            f"not seen; or {entities[1].column}), or prepare.split: random (tested on known "
            "ones, said in the write-up)"
        )
    if entities:
        entity = entities[0]
        return Split(
            kind=SplitKind.GROUP,
            identical=Identical.NOT_CHECKED,
            column=entity.column,
            set_in_params=False,
            reason=f"`{entity.column}` {entity.reason}; prepare.split: auto (random splits rows "
            "one by one)",
        )
    # Only the table's shape says so (Subject x Condition looks like Dose x Type): ask.
    maybe = [e for e in decided.entities if not e.sure]
    if maybe:
        listed = "; ".join(f"`{e.column}` {e.reason}" for e in maybe)
        raise DataProblem(
            f"rows may repeat an entity (one person, animal or thing measured again): "
            f"{listed}. A random split would put rows of the same one in training and test; "
            "but a setting crossed with another (each dose with each type) looks the same. "
            "Choose in params.yaml: prepare.split: group with prepare.group_column: "
            f"{maybe[0].column} if its rows belong to one thing seen again (then it is no "
            "feature), or prepare.split: random if they do not (it stays a feature)"
        )
    words = about_the_future(question)
    if decided.time and words:
        return time_plan(
            decided,
            decided.time.columns[0],
            False,
            f"the question asks about the future ({words!r}, QUESTION.md) and the table has "
            "a time: trained on earlier rows, tested on later ones (prepare.split: auto)",
        )
    return Split(kind=SplitKind.RANDOM, identical=Identical.NONE, set_in_params=False)


def fold_count(rows: int, requested: int, smallest: int | None = None) -> int:
    """Folds for cross-validation on ``rows`` rows: ``requested`` (evaluate.cv_folds), fewer
    when the folds would hold fewer than MIN_FOLD_ROWS rows, or than ``smallest`` allows (the
    rarest class's rows, or the groups), never fewer than two."""
    folds = min(requested, rows // MIN_FOLD_ROWS)
    if smallest is not None:
        folds = min(folds, smallest)
    return max(2, folds)


def check_class_sizes(labels: pd.Series, settings: dict, cv_folds: int) -> None:
    """Every class needs enough rows for a stratified split and cross-validation (folds
    fewer than cv_folds on a small table: ``fold_count``)."""
    train_rows = int(len(labels) * (1 - settings["test_size"]))
    folds = fold_count(train_rows, cv_folds)
    needed = max(2, math.ceil(folds / (1 - settings["test_size"])))
    counts = labels.value_counts()
    rare = counts[counts < needed]
    if rare.empty:
        return
    listed = ", ".join(f"{label!r} ({n} rows)" for label, n in rare.items())
    raise DataProblem(
        f"too few rows in class {listed} of the target {labels.name!r}: a test split and "
        f"{folds}-fold cross-validation need at least {needed} rows per class. Either "
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


def moment_text(when: pd.Timestamp, kinds: list[TimeKind]) -> str:
    """A moment as the table writes it: 1995, 1995 Q3, 1995-07 or the date and time."""
    kinds = [TimeKind(k) for k in kinds]
    if kinds and kinds[0] is TimeKind.YEAR:
        if len(kinds) > 1 and kinds[1] is TimeKind.QUARTER:
            return f"{when.year} Q{(when.month - 1) // 3 + 1}"
        return f"{when.year}-{when.month:02d}" if len(kinds) > 1 else str(when.year)
    if kinds and kinds[0] is TimeKind.DATE_NUMBER:
        return when.strftime("%Y-%m-%d")
    return str(when)


def time_split(when: pd.Series, plan: Split, settings: dict) -> tuple:
    """Train on the earlier rows, test on the later ones (``prepare.split: time``). Rows of
    the same moment stay on one side: the test rows start at a new moment."""
    when = pd.Series(pd.to_datetime(when, errors="coerce", utc=True, format="mixed"))
    named = " and ".join(repr(c) for c in plan.time_columns)
    if when.isna().any():
        raise DataProblem(
            f"{int(when.isna().sum())} rows have no readable moment in {named} "
            "(prepare.time_column): a time split needs a date, or a year, in every row"
        )
    order = np.argsort(when.to_numpy(), kind="stable")
    ordered = when.to_numpy()[order]
    cut = len(order) - math.ceil(settings["test_size"] * len(order))
    # Move the cut back to the first row of its moment, so no moment is on both sides.
    cut = int(np.searchsorted(ordered, ordered[cut], side="left")) or cut
    record = plan.model_copy(
        update={"test_from": moment_text(pd.Timestamp(ordered[cut]), plan.time_kinds)}
    )
    return order[:cut], order[cut:], record


def group_split(groups: pd.Series, plan: Split, settings: dict) -> tuple:
    """All rows of one group (a person, a shop) on the same side (``prepare.split: group``)."""
    from sklearn.model_selection import GroupShuffleSplit

    groups = groups.astype(str)
    if groups.nunique() < 2:
        raise DataProblem(
            f"prepare.group_column {plan.column!r} has {groups.nunique()} value: a group "
            "split needs at least two groups (set prepare.split: random)"
        )
    splitter = GroupShuffleSplit(
        n_splits=1, test_size=settings["test_size"], random_state=settings["seed"]
    )
    train, test = next(splitter.split(groups, groups=groups))
    return train, test, plan.model_copy(update={"groups": int(groups.nunique())})


def split_rows(keys: pd.DataFrame, task: Task, plan: Split, settings: dict, expected: bool):
    """Positions (in ``keys``) of the training and test rows, and a record of the split
    ``plan`` (``choose``) as made."""
    if plan.kind is SplitKind.TIME:
        return time_split(keys["time"], plan, settings)
    if plan.kind is SplitKind.GROUP:
        return group_split(keys["group"], plan, settings)
    prints = keys["fingerprint"]
    train, test, identical = random_split(keys["target"], prints, expected, task, settings)
    if identical in (Identical.NONE, Identical.GROUPED):  # copies must not cross
        assert_no_shared_prints(prints.to_numpy()[train], prints.to_numpy()[test])
    return train, test, plan.model_copy(update={"identical": identical})


def training_sample(train: np.ndarray, labels: np.ndarray, size: int | None, seed: int, task: Task):
    """The training rows the model is fitted on: all of them, or a stratified sample.

    ``size`` (compute=dask: prepare.train_rows, or what memory allows) caps them; the sample
    keeps each class's share of the training split (stratified), drawn with ``seed``.
    """
    from sklearn.model_selection import train_test_split

    if size is None or len(train) <= size:
        return train
    stratify = labels if Task(task) is Task.CLASSIFICATION else None
    chosen, _ = train_test_split(train, train_size=size, random_state=seed, stratify=stratify)
    return chosen


def count_identical(prints: pd.Series) -> IdenticalRows:
    """Rows that share all their feature values with another row, and their patterns."""
    repeated = prints.duplicated(keep=False)
    return IdenticalRows(rows=int(repeated.sum()), patterns=int(prints[repeated].nunique()))


def smallest_share(task: Task, labels, groups) -> int | None:
    """What limits the folds besides the rows: the rarest class's rows, or the groups."""
    limits = []
    if labels is not None and Task(task) is Task.CLASSIFICATION:
        limits.append(int(pd.Series(np.asarray(labels)).value_counts().min()))
    if groups is not None:
        limits.append(int(pd.Series(np.asarray(groups)).nunique()))
    return min(limits) if limits else None


class CrossValidationFolds:
    """Cross-validation folds of the training rows, as scikit-learn's ``cv`` takes them.

    Stratified for classes (each fold keeps the class balance); with a group split, all rows
    of a group in one fold; with a time split, each fold scored on rows later than those it
    learned from. The number of folds adapts to the rows given (``fold_count``).
    """

    def __init__(self, task: Task, n_splits: int, seed: int, split: Split | None = None):
        self.task, self.requested, self.seed = Task(task), n_splits, seed
        self.split_record = split

    def kind(self) -> FoldKind:
        record = self.split_record
        if record is not None and record.kind is SplitKind.GROUP:
            return FoldKind.GROUPED
        if record is not None and record.kind is SplitKind.TIME:
            return FoldKind.TIME
        return FoldKind.STRATIFIED if self.task is Task.CLASSIFICATION else FoldKind.PLAIN

    def groups_of(self, features) -> np.ndarray | None:
        record = self.split_record
        grouped = self.kind() is FoldKind.GROUPED and hasattr(features, "columns")
        if grouped and record.column in features.columns:
            return features[record.column].astype(str).to_numpy()
        return None

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        if X is None:
            return self.requested
        found = self.groups_of(X)
        smallest = smallest_share(self.task, y if self.kind() is not FoldKind.TIME else None, found)
        return fold_count(len(X), self.requested, smallest)

    def split(self, X, y=None, groups=None):
        from sklearn.model_selection import (
            GroupKFold,
            KFold,
            StratifiedGroupKFold,
            StratifiedKFold,
            TimeSeriesSplit,
        )

        n, kind = self.get_n_splits(X, y), self.kind()
        record = self.split_record
        if kind is FoldKind.TIME and all(c in X.columns for c in record.time_columns):
            when = time_key(X, record.time_columns, record.time_kinds).to_numpy()
            order = np.argsort(when, kind="stable")
            for train, test in TimeSeriesSplit(n_splits=n).split(order):
                yield order[train], order[test]
            return
        found = self.groups_of(X)
        if found is not None and self.task is Task.CLASSIFICATION:
            cv = StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=self.seed)
            yield from cv.split(X, y, found)
        elif found is not None:
            yield from GroupKFold(n_splits=n, shuffle=True, random_state=self.seed).split(
                X, y, found
            )
        elif self.task is Task.CLASSIFICATION:
            yield from StratifiedKFold(n, shuffle=True, random_state=self.seed).split(X, y)
        else:
            yield from KFold(n, shuffle=True, random_state=self.seed).split(X)


def folds(task: Task, n_splits: int, seed: int, split: Split | None = None):
    """Cross-validation folds of the training rows (``CrossValidationFolds``)."""
    return CrossValidationFolds(task, n_splits, seed, split)


def plan_folds(task: Task, train: pd.DataFrame, target: str, requested: int, split: Split):
    """The folds cross-validation will use on the training rows, and why (decisions.json)."""
    cv = folds(task, requested, 0, split)
    x, y = train.drop(columns=[target]), train[target]
    used = cv.get_n_splits(x, y)
    column = split.column if cv.kind() in (FoldKind.GROUPED, FoldKind.TIME) else None
    reason = ""
    if used < requested:
        limits = [f"{len(train)} training rows (folds of at least {MIN_FOLD_ROWS} rows)"]
        smallest = smallest_share(task, y if cv.kind() is not FoldKind.TIME else None, None)
        if smallest is not None and smallest <= used:
            limits.append(f"the rarest class has {smallest} training rows")
        groups = cv.groups_of(x)
        if groups is not None and len(set(groups)) <= used:
            limits.append(f"{len(set(groups))} groups of `{split.column}`")
        reason = f"evaluate.cv_folds asks for {requested}; " + " and ".join(limits)
    return Folds(requested=requested, used=used, kind=cv.kind(), column=column, reason=reason)


def learning_curve_sizes(cv, features, labels, task: Task) -> list[int]:
    """Training sizes the learning curve can score: up to five, each with at least
    MIN_FOLD_ROWS rows and two of each class's share; [] when fewer than two are left."""
    smallest_train = min(len(train) for train, _ in cv.split(features, labels))
    classes = pd.Series(np.asarray(labels)).nunique() if Task(task) is Task.CLASSIFICATION else 1
    least = max(MIN_FOLD_ROWS, 2 * classes)
    sizes = sorted({int(f * smallest_train) for f in np.linspace(0.1, 1.0, 5)})
    usable = [s for s in sizes if s >= least]
    return usable if len(usable) >= 2 else []
