"""Stage 2, prepare: check the raw data, decide what each column is, then split it once.

    python -m {{ cookiecutter.module_name }}.prepare

1. The data check (``validation.py``) stops the pipeline with a plain message when the
   table cannot be used.
2. The decisions (``columns.py``): the task, the headline metric and a role for every
   column (features, and columns left out with a reason), in data/decisions.json.
3. Rows without a target value are removed and counted. No other row is removed: rows
   that are identical to another row stay, and the split keeps copies on one side.
4. The split uses the seed in ``params.yaml``, so it is the same on every machine.
5. Each feature is scored on its own, on training rows: one that does nearly as well as
   all features together is named (is it known when a prediction is made, or a leak?).

Feature values are not changed here: every transformation that learns from data (scaling,
imputing, encoding, date parts) lives in the model pipeline, fitted on training rows only.
The measured facts go to ``data/summary.md``, the data card's second half.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupShuffleSplit,
    StratifiedGroupKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import checks, columns, datacard, datasets, modelling, paths, scoring, validation
from .files import write_csv_atomic, write_text_atomic
from .params import load

# Each feature alone is scored, with a small tree, on a sample of at most this many training
# rows, and set against the same tree on all features. A feature that reaches this share of
# what all features reach together is named: is it known when a prediction is made?
SINGLE_FEATURE_ROWS, CLOSE_TO_ALL = 5000, 0.8
# Identical rows are copies (kept on one side of the split) unless the features can take so
# few combinations that repeats are expected: fewer than this many per row of data.
EXPECTED_REPEATS_FACTOR = 10


def checked_raw(params: dict) -> pd.DataFrame:
    """The raw table without ``data.drop_columns``, once it passed the data check."""
    data = params["data"]
    raw = datasets.load_raw(data)
    raw = raw.drop(columns=data.get("drop_columns") or [], errors="ignore")
    validation.validate(raw, data["target"], validation.shown(paths.RAW_DATA))
    return raw


def decide(raw: pd.DataFrame, params: dict) -> dict:
    """The task, the metric and the column roles for this table (see columns.py)."""
    data = params["data"]
    labels = raw[data["target"]].dropna()
    task, task_reason = (
        (data["task"], "set in params.yaml (data.task)")
        if data["task"] != "auto"
        else columns.infer_task(labels)
    )
    shares = columns.class_shares(labels) if task == "classification" else {}
    metric, metric_reason = columns.choose_metric(task, params["evaluate"]["metric"], shares)
    return {
        "target": data["target"],
        "task": task,
        "task_reason": task_reason,
        "metric": metric,
        "metric_reason": metric_reason,
        "class_shares": shares,
        "columns": columns.assign_roles(raw, data),
    }


def usable_rows(raw: pd.DataFrame, data: dict) -> tuple[pd.DataFrame, list[dict]]:
    """The rows the split may use, and the rows removed, counted with their reason."""
    target = data["target"]
    drop_classes = [str(c) for c in data.get("drop_classes") or []]
    unlabelled = raw[target].isna()
    in_dropped_class = ~unlabelled & (
        raw[target].astype(str).isin(drop_classes) if drop_classes else False
    )  # text of every target value only when needed: on millions of rows it is big
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
    raise validation.DataProblem(
        f"too few rows in class {listed} of the target {labels.name!r}: a test split and "
        f"{cv_folds}-fold cross-validation need at least {needed} rows per class. Either "
        "list the class under data.drop_classes in params.yaml (its rows are removed and "
        "counted), merge it with a similar class in your data, lower evaluate.cv_folds, or "
        "set data.task: regression if the target is a count or a score."
    )


def feature_names(decisions: dict) -> list[str]:
    return [name for names in columns.features_by_role(decisions).values() for name in names]


def repeats_expected(features: pd.DataFrame) -> bool:
    """True when the features allow so few combinations that identical rows are normal."""
    combinations = math.prod(max(int(features[c].nunique(dropna=False)), 1) for c in features)
    return combinations < EXPECTED_REPEATS_FACTOR * len(features)


def split_rows(
    labels: pd.Series, fingerprints: pd.Series, expected: bool, task: str, settings: dict
) -> tuple[np.ndarray, np.ndarray, str]:
    """Positions of train and test rows, and how identical rows were treated.

    Identical rows (same fingerprint) are grouped so that a copy never sits on the other
    side of the split, unless ``expected`` says repeats are the nature of the table.
    """
    positions = np.arange(len(labels))
    stratify = labels.to_numpy() if task == "classification" else None
    size, seed = settings["test_size"], settings["seed"]
    if expected or not fingerprints.duplicated().any():
        train, test = train_test_split(
            positions, test_size=size, random_state=seed, stratify=stratify
        )
        return train, test, "expected" if expected else "none"
    groups = fingerprints.to_numpy()
    if stratify is not None:
        folds = StratifiedGroupKFold(
            n_splits=max(2, round(1 / size)), shuffle=True, random_state=seed
        )
        train, test = next(folds.split(positions, stratify, groups))
    else:
        splitter = GroupShuffleSplit(n_splits=1, test_size=size, random_state=seed)
        train, test = next(splitter.split(positions, groups=groups))
    return train, test, "grouped"


def split(
    frame: pd.DataFrame, decisions: dict, settings: dict
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Train and test rows by ``prepare.split``, and a record of how they were split."""
    target, kind = decisions["target"], settings["split"]
    features = frame[feature_names(decisions)]
    checks.assert_target_not_a_feature(features, frame[target])
    if kind == "time":
        column = settings["time_column"]
        when = pd.to_datetime(frame[column], errors="coerce", utc=True, format="mixed")
        if when.isna().any():
            raise validation.DataProblem(
                f"{int(when.isna().sum())} rows have no readable date in {column!r} "
                "(prepare.time_column): a time split needs a date in every row"
            )
        order = np.argsort(when.to_numpy(), kind="stable")
        cut = len(order) - math.ceil(settings["test_size"] * len(order))
        train, test = frame.iloc[order[:cut]], frame.iloc[order[cut:]]
        record = {
            "kind": "time",
            "identical": "not checked",
            "column": column,
            "test_from": str(when.iloc[order[cut]]),
        }
    elif kind == "group":
        column = settings["group_column"]
        groups = frame[column].astype(str).to_numpy()
        splitter = GroupShuffleSplit(
            n_splits=1, test_size=settings["test_size"], random_state=settings["seed"]
        )
        rows_train, rows_test = next(splitter.split(frame, groups=groups))
        train, test = frame.iloc[rows_train], frame.iloc[rows_test]
        record = {
            "kind": "group",
            "identical": "not checked",
            "column": column,
            "groups": int(pd.Series(groups).nunique()),
        }
    else:
        fingerprints = checks.row_fingerprints(features)
        rows_train, rows_test, identical = split_rows(
            frame[target], fingerprints, repeats_expected(features), decisions["task"], settings
        )
        train, test = frame.iloc[rows_train], frame.iloc[rows_test]
        record = {"kind": "random", "identical": identical}
    return train, test, record


def single_feature_scores(train: pd.DataFrame, decisions: dict, seed: int) -> dict:
    """Each feature alone against all features together, cross-validated on training rows."""
    task, metric = decisions["task"], decisions["metric"]
    sample = train.sample(min(len(train), SINGLE_FEATURE_ROWS), random_state=seed)
    x, y = datasets.split_features(sample, decisions["target"])
    features = columns.features_by_role(decisions)
    tree = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor

    def score(used: dict, estimator) -> float:
        model = Pipeline([("preprocess", modelling.preprocessing(used)), ("model", estimator)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a rare class may miss a fold of the sample
            folds = scoring.folds(task, 3, seed)
            scorer = scoring.make_metric_scorer(task, metric)
            return float(np.mean(cross_val_score(model, x, y, cv=folds, scoring=scorer)))

    count = sum(len(names) for names in features.values())
    print(f"prepare: scoring each of {count} features alone on {len(x)} rows", flush=True)
    sign = -1 if metric in scoring.LOWER_IS_BETTER else 1
    baseline = score(features, modelling.baseline(task))
    together = score(features, tree(max_depth=4, random_state=seed))
    gain = sign * (together - baseline)
    alone = {}
    for role, names in features.items():
        for name in names:
            cv = score({role: [name]}, tree(max_depth=4, random_state=seed))
            share = sign * (cv - baseline) / gain if gain > 0 else 0.0
            alone[name] = {"cv": cv, "share": share, "close_to_all": share >= CLOSE_TO_ALL}
    ranked = dict(sorted(alone.items(), key=lambda item: -item[1]["share"]))
    return {"metric": metric, "baseline": baseline, "all_features": together, "alone": ranked}


def count_identical(features: pd.DataFrame) -> dict:
    """Rows that share all their feature values with another row, and their patterns."""
    fingerprints = checks.row_fingerprints(features)
    repeated = fingerprints.duplicated(keep=False)
    return {"rows": int(repeated.sum()), "patterns": int(fingerprints[repeated].nunique())}


def prepare_table(raw: pd.DataFrame, params: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Train rows, test rows and the decisions (with the account of rows) for ``raw``."""
    data, settings = params["data"], params["prepare"]
    decisions = decide(raw, params)
    frame, removed = usable_rows(raw, data)
    if decisions["task"] == "classification" and settings["split"] != "time":
        check_class_sizes(frame[data["target"]], settings, params["evaluate"]["cv_folds"])
    train, test, decisions["split"] = split(frame, decisions, settings)
    names = feature_names(decisions)
    if decisions["split"]["identical"] in ("none", "grouped"):  # copies must not cross
        checks.assert_no_shared_rows(train[names], test[names])
    account(decisions, raw, frame, removed, train, test, settings["seed"])
    return train, test, decisions


def account(decisions, raw, used, removed, train, test, seed: int) -> None:
    """Add to ``decisions`` what became of the rows, and the single-feature check."""
    decisions["rows"] = {
        "raw": len(raw),
        "used": len(used),
        "removed": removed,
        "identical": count_identical(used[feature_names(decisions)]),
        "train": len(train),
        "test": len(test),
    }
    decisions["missing"] = {str(k): int(v) for k, v in raw.isna().sum().items() if v}
    decisions["single_features"] = single_feature_scores(train, decisions, seed)


def main() -> None:
    params = load()
    try:
        raw = checked_raw(params)
        train, test, decisions = prepare_table(raw, params)
    except (validation.DataProblem, ValueError) as problem:
        raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
    columns.save(decisions)
    write_text_atomic(datacard.summary(raw, decisions, paths.RAW_DATA), paths.DATA_SUMMARY)
    write_csv_atomic(train, paths.TRAIN)
    write_csv_atomic(test, paths.TEST)
    gone = sum(r["rows"] for r in decisions["rows"]["removed"])
    print(
        f"prepare: {len(train)} train rows, {len(test)} test rows"
        + (f" ({gone} rows removed: see data/summary.md)" if gone else "")
        + f"; task {decisions['task']}, metric {decisions['metric']}"
    )
    for name, alone in decisions["single_features"]["alone"].items():
        if alone["close_to_all"]:
            print(
                f"prepare: feature {name!r} alone reaches {alone['share']:.0%} of what all "
                "features reach together: is it known when a prediction is made? "
                "(data/summary.md)"
            )


if __name__ == "__main__":
    main()
