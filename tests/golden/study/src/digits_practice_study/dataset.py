"""The table: reading and checking it, what each column is, and the rules for its rows.

Used by prepare, the one stage that decides; train, evaluate, report and the notebooks read
the decisions back (``load_decisions``), so every stage sees the same answer:

- the task (classes or numbers) and the headline metric, each with its reason;
- a role for every column: the feature roles reach the model; text, identifier, constant
  and excluded columns stay in the files but are left out, each with a reason. To overrule
  a role, name it in params.yaml: ``data.columns: {zip_code: categorical, notes: excluded}``;
- which rows are used, and the leakage guards that fail loudly when test information could
  reach the model.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sklearn import datasets as sklearn_datasets
from sklearn.model_selection import (
    GroupShuffleSplit,
    StratifiedGroupKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import config, model

# ---------------------------------------------------------------- reading the table

# scikit-learn ships these tables inside the package: no download, no network.
BUNDLED = {
    "digits": sklearn_datasets.load_digits,
    "iris": sklearn_datasets.load_iris,
    "wine": sklearn_datasets.load_wine,
    "breast_cancer": sklearn_datasets.load_breast_cancer,
    "diabetes": sklearn_datasets.load_diabetes,
}
PARQUET_SUFFIXES = (".parquet", ".pq")
# How a CSV file is read unless params.yaml says otherwise (data.read).
CSV_DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8"}
# Separators to suggest when a CSV file reads as one column.
OTHER_SEPARATORS = (";", "\t", "|")


class DataProblem(ValueError):
    """The data cannot be used as it is; the message says why and what to do."""


def load_bundled(name: str, target: str = "target") -> pd.DataFrame:
    """One of scikit-learn's bundled tables, features and target in one frame."""
    frame = BUNDLED[name](as_frame=True).frame
    return frame.rename(columns={"target": target})


def read_table(path, read: dict | None = None) -> pd.DataFrame:
    """A CSV or Parquet file as a table (chosen by its suffix), or a clear DataProblem.

    ``read`` holds params.yaml's ``data.read``: the CSV file's separator, decimal mark and
    text encoding (found when the study was made).
    """
    is_parquet = str(path).lower().endswith(PARQUET_SUFFIXES)
    settings = {**CSV_DEFAULTS, **(read or {})}
    if path.is_file() and path.stat().st_size == 0:
        raise DataProblem(f"{config.shown(path)} is an empty file (0 bytes): there is no data")
    try:
        frame = pd.read_parquet(path) if is_parquet else pd.read_csv(path, **settings)
    except pd.errors.EmptyDataError:
        raise DataProblem(f"{config.shown(path)} is empty: it has no header and no rows") from None
    except FileNotFoundError:
        raise  # not a problem of the data; the caller says how to get it
    except (ValueError, OSError) as error:  # parser, encoding and Parquet errors
        kind = "Parquet" if is_parquet else f"CSV with data.read {settings}"
        raise DataProblem(
            f"{config.shown(path)} could not be read as {kind}: {str(error).rstrip('.')}. "
            "Check that the file is what its name says, and for a CSV file set data.read in "
            "params.yaml (sep, decimal, encoding: e.g. sep: ';', decimal: ',', encoding: latin-1)."
        ) from None
    if not is_parquet and frame.shape[1] == 1:
        header = str(frame.columns[0])
        found = [s for s in OTHER_SEPARATORS if s in header]
        if found:
            raise DataProblem(
                f"{config.shown(path)} was read as one column named {header[:60]!r}: its "
                f"columns seem to be separated by {found[0]!r}, not {settings['sep']!r}. Set "
                f"data.read.sep to {found[0]!r} in params.yaml."
            )
    return frame


def load_raw(data: dict) -> pd.DataFrame:
    """The raw table: the pipeline's copy in ``data/raw`` when there is one.

    A bundled set loads straight from scikit-learn otherwise, so notebooks and tests work
    in a fresh clone before the pipeline has run.
    """
    if config.RAW_DATA.exists():
        return read_table(config.RAW_DATA, data.get("read"))
    if data["dataset"] in BUNDLED:
        return load_bundled(data["dataset"], data["target"])
    raise FileNotFoundError(
        f"{config.shown(config.RAW_DATA)} is missing: run `make study` "
        "(or `make pull` to fetch the data from the DVC remote)"
    )


def checked_raw(params: dict) -> pd.DataFrame:
    """The raw table without ``data.drop_columns``, once it passed the data check."""
    data = params["data"]
    raw = load_raw(data).drop(columns=data["drop_columns"], errors="ignore")
    check_table(raw, data["target"], config.shown(config.RAW_DATA))
    return raw


def features_and_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    return frame.drop(columns=[target]), frame[target]


# ---------------------------------------------------------------- the data check

# The checks on the target; each failure is reported with the message written for it.
SINGLE_VALUE, ALL_MISSING = "single_value", "all_missing"


def target_rules(target: str) -> pa.DataFrameSchema:
    """The target must be there, hold some values, and more than one.

    Feature columns need no rule: an empty or constant one is left out, with its reason.
    """
    not_empty = pa.Check(lambda column: column.notna().any(), error=ALL_MISSING)
    varies = pa.Check(lambda column: column.dropna().nunique() > 1, error=SINGLE_VALUE)  # noqa: PD101
    return pa.DataFrameSchema({target: pa.Column(nullable=True, checks=[not_empty, varies])})


def message(check: str, frame: pd.DataFrame, target: str, source: str) -> str | None:
    """The learner's message for one failed check, or None when another one says it all."""
    if check == "column_in_dataframe":
        return (
            f"the target column {target!r} is not in {source}. Its columns are: "
            f"{', '.join(map(str, frame.columns))}. Set data.target in params.yaml to one of them."
        )
    if check == ALL_MISSING:
        return (
            f"the target column {target!r} of {source} is entirely empty (every value is "
            "missing): there is nothing to learn from. Choose another target (data.target)."
        )
    values = frame[target].dropna()
    if values.empty:
        return None  # the target is entirely empty: said above
    value = values.iloc[0]
    value = value.item() if hasattr(value, "item") else value  # 1, not np.int64(1)
    return (
        f"the target column {target!r} holds a single class ({value!r}) in every row, so "
        "there is nothing to predict. Choose another target (data.target in params.yaml)."
    )


def check_table(frame: pd.DataFrame, target: str, source: str = "the data") -> None:
    """Raise one DataProblem listing every problem found, each on its own line."""
    if frame.empty:
        raise DataProblem(f"{source} has a header but no rows of data")
    try:
        target_rules(target).validate(frame, lazy=True)
    except SchemaErrors as errors:
        checks = errors.failure_cases["check"].drop_duplicates()
        found = [message(check, frame, target, source) for check in checks]
        raise DataProblem("\n".join(m for m in found if m)) from None


# ---------------------------------------------------------------- what each column is

# Names that say "identifier": id, idno, user_id, passenger.id, PassengerId, rownames,
# Unnamed: 0.
ID_NAME = re.compile(
    r"(^|[_\s.-])(id|uuid|key)$|^(id(no|nr|num)?|index|rownames|unnamed: ?\d+)$", re.I
)
ID_CAMEL = re.compile(r"[a-z]I[dD]$")
# A target with a name like these holds codes for classes, even when they are numbers.
CLASS_NAME = re.compile(r"class|code|type|label|categor|group|kind|species|grade|status", re.I)
# Values that look like dates: 2013-01-31, 31/01/2013, 2013-01-31T05:00 ...
DATE_LIKE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?\s*$")
# Free text: at least this many words on average, and many different values.
TEXT_MIN_WORDS, TEXT_MIN_DISTINCT = 3, 100
# Text this short and different in nearly every row is a name or a code (an identifier).
SHORT_LABEL_CHARS = 40
# Below this many rows, "unique per row" says little about a column.
MIN_ROWS_FOR_UNIQUE = 20
# A whole-number target with at most this many values and no long tail is a set of classes.
MAX_AUTO_CLASSES = 10
# `metric: auto` is balanced accuracy when the rarest class is below this share of rows and
# below half of an even share (so ten equal classes of 10% each are not called imbalanced).
IMBALANCED_SHARE = 0.15
DATES = "dates or times: year, month, weekday and hour become features"


def looks_like_dates(values: pd.Series) -> bool:
    """Most of a sample of the values match a date pattern and parse as dates."""
    sample = values.dropna().astype(str).head(500)
    if sample.empty or sample.str.match(DATE_LIKE).mean() < 0.95:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses the format per value
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() >= 0.95


def role_of(column: pd.Series) -> tuple[str, str]:
    """The role of one feature column, and the reason for it, in plain words."""
    values = column.dropna()
    name = str(column.name)
    if values.empty:
        return "excluded", "every value is missing"
    distinct = values.nunique()
    if distinct == 1:
        return "constant", "the same value in every row: nothing to learn from"
    unique_per_row = distinct == len(column) and len(column) >= MIN_ROWS_FOR_UNIQUE
    if ID_NAME.search(name) or ID_CAMEL.search(name):
        if unique_per_row:
            return "identifier", "named like an identifier and unique per row"
        return "identifier", (
            f"named like an identifier ({distinct} distinct values); if rows with the same "
            "value belong together, use it as prepare.group_column"
        )
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime", DATES
    if pd.api.types.is_bool_dtype(values):
        return "categorical", "yes/no values"
    if pd.api.types.is_numeric_dtype(values):
        whole = pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all())
        if unique_per_row and whole and values.max() - values.min() == len(column) - 1:
            return "identifier", "a running number (unique per row, no gaps): a row number"
        return "numeric", "numbers"
    if looks_like_dates(values):
        return "datetime", DATES
    text = values.astype(str)
    nearly_unique = distinct >= 0.95 * len(values) and len(values) >= MIN_ROWS_FOR_UNIQUE
    if nearly_unique and text.str.len().mean() <= SHORT_LABEL_CHARS:
        return "identifier", (
            f"a different value in nearly every row ({distinct} of {len(values)}): a name or "
            "label, not a measurement"
        )
    words = text.str.split().str.len().mean()
    if words >= TEXT_MIN_WORDS and distinct >= TEXT_MIN_DISTINCT:
        return "text", (
            f"free text ({distinct} different values, {words:.0f} words on average): left "
            "out, as turning text into features is a study of its own"
        )
    return "categorical", f"text with {distinct} different values"


def describe_columns(frame: pd.DataFrame, data: dict) -> list[dict]:
    """Per column: name, role and its reason, type, missing and distinct values.

    ``data.columns`` in params.yaml overrules the rules of ``role_of``.
    """
    chosen = data.get("columns") or {}
    unknown = [name for name in chosen if name not in frame.columns]
    if unknown:
        raise ValueError(
            f"data.columns names {', '.join(map(repr, unknown))}, which the data does not "
            f"have; its columns are: {', '.join(map(str, frame.columns))}"
        )
    described = []
    for name in frame.columns:
        if name == data["target"]:
            role, reason = "target", "the column the model predicts (data.target)"
        elif name in chosen:
            role, reason = chosen[name], "set in params.yaml (data.columns)"
        else:
            role, reason = role_of(frame[name])
        described.append(
            {
                "name": str(name),
                "role": role,
                "reason": reason,
                "type": str(frame[name].dtype),
                "missing": int(frame[name].isna().sum()),
                "distinct": int(frame[name].nunique()),
            }
        )
    return described


def infer_task(target: pd.Series) -> tuple[str, str]:
    """classification or regression for ``data.task: auto``, and why."""
    values = target.dropna()
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification", "the target holds text or yes/no values"
    if (values % 1 != 0).any():
        return "regression", "the target holds numbers with decimals"
    distinct = values.nunique()
    if distinct == 2:
        return "classification", "the target holds two values"
    if CLASS_NAME.search(str(target.name)) and distinct <= 100:
        return "classification", (
            f"the target holds {distinct} whole numbers and its name suggests they are codes "
            "for classes"
        )
    if values.min() >= 0 and values.skew() > 1:
        return "regression", (
            f"the target holds {distinct} whole numbers with a long tail, like a count"
        )
    if distinct <= MAX_AUTO_CLASSES:
        return "classification", f"the target holds only {distinct} different whole numbers"
    return "regression", f"the target holds {distinct} different whole numbers"


def is_rare(share: float, classes: int) -> bool:
    """A class too rare for plain accuracy to notice (see IMBALANCED_SHARE)."""
    return share < min(IMBALANCED_SHARE, 0.5 / classes)


def choose_metric(task: str, requested: str, shares: dict[str, float]) -> tuple[str, str]:
    """The headline metric: ``evaluate.metric``, or for ``auto`` one that suits the data."""
    if requested != "auto":
        return requested, "set in params.yaml (evaluate.metric)"
    if task == "regression":
        return "r2", "the share of the target's variance the model explains"
    rarest = min(shares.values())
    if is_rare(rarest, len(shares)):
        return "balanced_accuracy", (
            f"the rarest class is {rarest:.1%} of the rows: plain accuracy would reward a "
            "model that never predicts it, balanced accuracy averages the hit rate per class"
        )
    return "accuracy", "the classes are roughly balanced, so the share of correct predictions"


def describe_target(target: pd.Series, task: str) -> dict:
    """For classes: rows per class (missing counted too); for numbers: their statistics."""
    if task == "regression":
        return {str(k): float(v) for k, v in target.describe().items()}
    counts = target.value_counts(dropna=False)
    return {"(missing)" if pd.isna(k) else str(k): int(v) for k, v in counts.items()}


def decide(raw: pd.DataFrame, params: dict) -> dict:
    """The task, the metric and the column roles for the raw table."""
    data = params["data"]
    labels = raw[data["target"]].dropna()
    if data["task"] != "auto":
        task, task_reason = data["task"], "set in params.yaml (data.task)"
    else:
        task, task_reason = infer_task(labels)
    shares = labels.value_counts(normalize=True) if task == "classification" else {}
    shares = {str(k): float(v) for k, v in dict(shares).items()}
    metric, metric_reason = choose_metric(task, params["evaluate"]["metric"], shares)
    return {
        "target": data["target"],
        "task": task,
        "task_reason": task_reason,
        "metric": metric,
        "metric_reason": metric_reason,
        "class_shares": shares,
        "rare_classes": [k for k, v in shares.items() if is_rare(v, len(shares))],
        "columns": describe_columns(raw, data),
        "target_values": describe_target(raw[data["target"]], task),
    }


def roles(decisions: dict) -> dict[str, str]:
    """Each column the model is given (all but the target) and its role."""
    return {c["name"]: c["role"] for c in decisions["columns"] if c["role"] != "target"}


def feature_names(decisions: dict) -> list[str]:
    return [name for name, role in roles(decisions).items() if role in config.FEATURE_ROLES]


def save_decisions(decisions: dict) -> None:
    config.write_json(decisions, config.DECISIONS)


def load_decisions() -> dict:
    """What the last prepare run decided (data/decisions.json)."""
    return config.read_json(config.DECISIONS)


# ---------------------------------------------------------------- which rows, and the split

# Identical rows are copies (kept on one side of the split) unless the features can take so
# few combinations that repeats are expected: fewer than this many per row of data.
EXPECTED_REPEATS_FACTOR = 10
# Each feature alone is scored, with a small tree, on a sample of at most this many training
# rows, and set against the same tree on all features. A feature that reaches this share of
# what all features reach together is named: is it known when a prediction is made?
SINGLE_FEATURE_ROWS, CLOSE_TO_ALL = 5000, 0.8


def usable_rows(raw: pd.DataFrame, data: dict) -> tuple[pd.DataFrame, list[dict]]:
    """The rows the split may use, and the rows removed, counted with their reason."""
    target = data["target"]
    drop_classes = [str(c) for c in data.get("drop_classes") or []]
    unlabelled = raw[target].isna()
    # Every target value as text only when needed: on millions of rows that is big.
    in_dropped_class = ~unlabelled & (
        raw[target].astype(str).isin(drop_classes) if drop_classes else False
    )
    removed = [
        {"reason": "no value in the target column", "rows": int(unlabelled.sum())},
        {"reason": "class listed in data.drop_classes", "rows": int(in_dropped_class.sum())},
    ]
    kept = raw.loc[~unlabelled & ~in_dropped_class].reset_index(drop=True)
    return kept, [r for r in removed if r["rows"]]


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


def fingerprints(features: pd.DataFrame) -> pd.Series:
    """One hash per row of feature values (column order fixed), to find identical rows."""
    return pd.util.hash_pandas_object(features.sort_index(axis=1), index=False)


def repeats_expected(features: pd.DataFrame) -> bool:
    """True when the features allow so few combinations that identical rows are normal."""
    combinations = math.prod(max(int(features[c].nunique(dropna=False)), 1) for c in features)
    return combinations < EXPECTED_REPEATS_FACTOR * len(features)


def random_split(
    labels: pd.Series, prints: pd.Series, expected: bool, task: str, settings: dict
) -> tuple[np.ndarray, np.ndarray, str]:
    """Positions of train and test rows, and how identical rows were treated.

    Identical rows (same fingerprint) are grouped so that a copy never sits on the other
    side of the split, unless ``expected`` says repeats are the nature of the table.
    """
    positions = np.arange(len(labels))
    stratify = labels.to_numpy() if task == "classification" else None
    size, seed = settings["test_size"], settings["seed"]
    if expected or not prints.duplicated().any():
        train, test = train_test_split(
            positions, test_size=size, random_state=seed, stratify=stratify
        )
        return train, test, "expected" if expected else "none"
    groups = prints.to_numpy()
    if stratify is not None:
        folds = StratifiedGroupKFold(
            n_splits=max(2, round(1 / size)), shuffle=True, random_state=seed
        )
        train, test = next(folds.split(positions, stratify, groups))
    else:
        splitter = GroupShuffleSplit(n_splits=1, test_size=size, random_state=seed)
        train, test = next(splitter.split(positions, groups=groups))
    return train, test, "grouped"


def split_table(frame: pd.DataFrame, decisions: dict, settings: dict) -> tuple:
    """Train rows, test rows, and a record of how they were split (``prepare.split``)."""
    kind = settings["split"]
    if kind == "time":  # train on the past, test on the future
        column = settings["time_column"]
        when = pd.to_datetime(frame[column], errors="coerce", utc=True, format="mixed")
        if when.isna().any():
            raise DataProblem(
                f"{int(when.isna().sum())} rows have no readable date in {column!r} "
                "(prepare.time_column): a time split needs a date in every row"
            )
        order = np.argsort(when.to_numpy(), kind="stable")
        cut = len(order) - math.ceil(settings["test_size"] * len(order))
        record = {"kind": "time", "identical": "not checked", "column": column}
        record["test_from"] = str(when.iloc[order[cut]])
        return frame.iloc[order[:cut]], frame.iloc[order[cut:]], record
    if kind == "group":  # all rows of one group (a person, a shop) on the same side
        column = settings["group_column"]
        groups = frame[column].astype(str)
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=settings["test_size"], random_state=settings["seed"]
        )
        train, test = next(splitter.split(frame, groups=groups))
        record = {"kind": "group", "identical": "not checked", "column": column}
        record["groups"] = int(groups.nunique())
        return frame.iloc[train], frame.iloc[test], record
    features = frame[feature_names(decisions)]
    train, test, identical = random_split(
        frame[decisions["target"]],
        fingerprints(features),
        repeats_expected(features),
        decisions["task"],
        settings,
    )
    return frame.iloc[train], frame.iloc[test], {"kind": "random", "identical": identical}


def count_identical(prints: pd.Series) -> dict:
    """Rows that share all their feature values with another row, and their patterns."""
    repeated = prints.duplicated(keep=False)
    return {"rows": int(repeated.sum()), "patterns": int(prints[repeated].nunique())}


def single_feature_scores(train: pd.DataFrame, decisions: dict, seed: int) -> dict:
    """Each feature alone against all features together, cross-validated on training rows."""
    task, metric = decisions["task"], decisions["metric"]
    sample = train.sample(min(len(train), SINGLE_FEATURE_ROWS), random_state=seed)
    x, y = features_and_target(sample, decisions["target"])
    everything = roles(decisions)
    tree = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor

    def score(used: dict, estimator) -> float:
        pipeline = Pipeline([("preprocess", model.preprocessing(used)), ("model", estimator)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a rare class may miss a fold of the sample
            scores = cross_val_score(
                pipeline, x, y, cv=model.folds(task, 3, seed), scoring=model.scorer(task, metric)
            )
        return float(np.mean(scores))

    names = feature_names(decisions)
    print(f"prepare: scoring each of {len(names)} features alone on {len(x)} rows", flush=True)
    sign = -1 if metric in model.LOWER_IS_BETTER else 1
    baseline = score(everything, model.baseline(task))
    together = score(everything, tree(max_depth=4, random_state=seed))
    gain = sign * (together - baseline)
    alone = {}
    for name in names:
        only = {
            column: (role if column == name else "excluded") for column, role in everything.items()
        }
        cv = score(only, tree(max_depth=4, random_state=seed))
        share = sign * (cv - baseline) / gain if gain > 0 else 0.0
        alone[name] = {"cv": cv, "share": share, "close_to_all": share >= CLOSE_TO_ALL}
    ranked = dict(sorted(alone.items(), key=lambda item: -item[1]["share"]))
    return {"metric": metric, "baseline": baseline, "all_features": together, "alone": ranked}


def prepare_table(raw: pd.DataFrame, params: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Train rows, test rows and the decisions about them, for a table held in memory."""
    data, settings = params["data"], params["prepare"]
    decisions = decide(raw, params)
    used, removed = usable_rows(raw, data)
    if decisions["task"] == "classification" and settings["split"] != "time":
        check_class_sizes(used[data["target"]], settings, params["evaluate"]["cv_folds"])
    train, test, decisions["split"] = split_table(used, decisions, settings)
    names = feature_names(decisions)
    assert_target_not_a_feature(used[names], used[data["target"]])
    if decisions["split"]["identical"] in ("none", "grouped"):  # copies must not cross
        assert_no_shared_rows(train[names], test[names])
    account(decisions, len(raw), removed, count_identical(fingerprints(used[names])), train, test)
    decisions["single_features"] = single_feature_scores(train, decisions, settings["seed"])
    return train, test, decisions


def account(decisions: dict, raw_rows: int, removed: list, identical: dict, train, test) -> None:
    """Add to ``decisions`` what became of the rows."""
    decisions["rows"] = {
        "raw": raw_rows,
        "used": len(train) + len(test),
        "removed": removed,
        "identical": identical,
        "train": len(train),
        "test": len(test),
    }


# ---------------------------------------------------------------- leakage guards


class LeakageError(AssertionError):
    """Raised when the test set could have influenced training."""


def assert_no_shared_rows(train: pd.DataFrame, test: pd.DataFrame) -> None:
    """No row of feature values may appear in both train and test (pass features only)."""
    shared = set(fingerprints(train)) & set(fingerprints(test))
    if shared:
        raise LeakageError(
            f"{len(shared)} row(s) appear in both the training and the test set: the test "
            "score would reward memorising them. Identical rows must stay on one side of "
            "the split (data.random_split groups them)."
        )


def assert_target_not_a_feature(features: pd.DataFrame, target: pd.Series) -> None:
    """The target, or an exact copy of it under another name, must not be a feature."""
    if target.name in features.columns:
        raise LeakageError(f"the target column {target.name!r} is among the features")
    for column in features.columns:
        if features[column].reset_index(drop=True).equals(target.reset_index(drop=True)):
            raise LeakageError(f"feature {column!r} is an exact copy of the target {target.name!r}")


def assert_preprocessing_in_pipeline(fitted: object) -> None:
    """Preprocessing must be fitted inside the model pipeline, on training rows only."""
    if not isinstance(fitted, Pipeline):
        raise LeakageError(
            "the model is not a scikit-learn Pipeline: put preprocessing (scaling, imputing, "
            "encoding) inside it so it is fitted on training rows only"
        )
