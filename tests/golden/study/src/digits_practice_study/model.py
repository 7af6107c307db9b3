"""The model: your features, your choice of estimator, and how both are scored.

The two places to change are at the top of this file:

- ``add_features``: new columns computed from the others (docs/model.md has an example);
- ``MODELS``: the estimators ``train.model`` in params.yaml can name. A new scikit-learn
  estimator is one more entry; its settings go in params.yaml under its name, spelt exactly
  as scikit-learn spells them (under ``classification:`` and ``regression:`` when the two
  estimators take different settings, as for ``linear``).

Everything after them builds one scikit-learn Pipeline: your features, then filling gaps,
scaling and encoding (by each column's role, data/decisions.json), then the estimator.
Because all of it sits inside the pipeline, it learns from the rows the pipeline is fitted
on and nothing else: cross-validation and the final fit never see the test rows.
"""

from __future__ import annotations

import inspect
import warnings
from functools import partial

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from . import config
from .config import FEATURE_ROLES, TASKS


def add_features(table: pd.DataFrame) -> pd.DataFrame:
    """YOUR FEATURES: return ``table`` with the columns you want the model to see added.

    It runs first inside the model pipeline, row by row alike on training and test rows, so
    it must not change the number or order of rows. ``table`` holds every column except the
    target, left-out ones too. A new column of numbers is treated as numeric, any other new
    column as categorical. For example:

        table["area"] = table["length"] * table["width"]
    """
    return table


# YOUR MODELS: the name train.model uses -> the estimator for classes and for numbers.
MODELS = {
    "linear": {"classification": LogisticRegression, "regression": Ridge},
    "random_forest": {
        "classification": RandomForestClassifier,
        "regression": RandomForestRegressor,
    },
    "gradient_boosting": {
        "classification": HistGradientBoostingClassifier,
        "regression": HistGradientBoostingRegressor,
    },
}

# How a model is scored: evaluate.metric picks one (auto: data/decisions.json says which).
METRICS = {
    "classification": {
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
        "f1_macro": lambda y_true, y_pred: f1_score(y_true, y_pred, average="macro"),
    },
    "regression": {"r2": r2_score, "mae": mean_absolute_error, "rmse": root_mean_squared_error},
}
LOWER_IS_BETTER = {"mae", "rmse"}

# A text column becomes at most this many 0/1 columns: its most common values, one each, and
# one for all rarer values (seen in fewer than MIN_CATEGORY_ROWS training rows, or beyond the
# cap). This keeps memory bounded for columns with thousands of values (a tail number).
MAX_CATEGORIES, MIN_CATEGORY_ROWS = 20, 5
DATE_PARTS = ("year", "month", "day", "day_of_week", "hour")


def check_settings(name: str, settings: dict) -> None:
    """``train.model`` is in MODELS, and each setting is one its estimator takes."""
    if name not in MODELS:
        raise ValueError(
            f"train.model {name!r} is not in MODELS (src/{__package__}/model.py); "
            f"choose one of {', '.join(MODELS)}, or add it there"
        )
    for task, estimator in MODELS[name].items():
        known = inspect.signature(estimator).parameters
        unknown = [key for key in config.settings_for(name, settings, task) if key not in known]
        if unknown:
            raise ValueError(
                f"train.{name}: {estimator.__name__} ({task}) has no setting "
                f"{', '.join(unknown)}; its settings are {', '.join(known)}"
            )


def estimator(train: dict, task: str):
    """The estimator ``train.model`` names, for this task, with its settings as written."""
    name = train["model"]
    check_settings(name, train.get(name) or {})
    if task not in MODELS[name]:
        fitting = [other for other, tasks in MODELS.items() if task in tasks]
        raise ValueError(
            f"train.model {name!r} has no {task} estimator, and this study's task is {task} "
            f"(data/decisions.json): choose one of {', '.join(fitting)}"
        )
    cls = MODELS[name][task]
    settings = dict(config.settings_for(name, train.get(name) or {}, task))
    if "random_state" in inspect.signature(cls).parameters:
        settings.setdefault("random_state", train["seed"])  # the same fit on every run
    return cls(**settings)


def baseline(task: str):
    """What a model must beat: always the most common class, or the mean value."""
    if task == "classification":
        return DummyClassifier(strategy="most_frequent")
    return DummyRegressor(strategy="mean")


def date_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """Each date column as numbers: year, month, day, day of the week and hour."""
    parts = {}
    for name in frame.columns:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas warns when it guesses the format per value
            when = pd.to_datetime(frame[name], errors="coerce", utc=True, format="mixed")
        for part in DATE_PARTS:
            parts[f"{name}_{part}"] = getattr(when.dt, part).astype("float64")
    return pd.DataFrame(parts, index=frame.index)


def as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as plain Python values: the gap filler refuses yes/no (bool) columns."""
    return frame.astype(object)


def date_part_names(transformer, names) -> np.ndarray:
    return np.array([f"{name}_{part}" for name in names for part in DATE_PARTS], dtype=object)


def columns_of(table: pd.DataFrame, role: str, roles: dict[str, str]) -> list[str]:
    """The table's columns of ``role``: by prepare's decision, or by type for a new column."""

    def role_of(name: str) -> str:
        if name in roles:
            return roles[name]
        numbers = pd.api.types.is_numeric_dtype(table[name])
        return "numeric" if numbers else "categorical"  # a column made by add_features

    return [name for name in table.columns if role_of(name) == role]


def preprocessing(roles: dict[str, str]) -> ColumnTransformer:
    """Fill gaps, scale numbers, turn dates into numbers and encode text columns.

    ``roles`` maps each column of the table to its role (data/decisions.json); only the
    feature roles reach the model.
    """
    steps = {
        "numeric": make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        "categorical": make_pipeline(
            FunctionTransformer(as_categories, feature_names_out="one-to-one"),
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_CATEGORIES,
                min_frequency=MIN_CATEGORY_ROWS,
                sparse_output=False,
            ),
        ),
        "datetime": make_pipeline(
            FunctionTransformer(date_parts, feature_names_out=date_part_names),
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
        ),
    }
    return ColumnTransformer(
        [
            (role, steps[role], partial(columns_of, role=role, roles=roles))
            for role in FEATURE_ROLES
        ],
        remainder="drop",
    )


def build(train: dict, task: str, roles: dict[str, str]) -> Pipeline:
    """Your features, preprocessing by role, then the model of ``train.model``."""
    return Pipeline(
        [
            ("features", FunctionTransformer(add_features)),
            ("preprocess", preprocessing(roles)),
            ("model", estimator(train, task)),
        ]
    )


def build_baseline(task: str, roles: dict[str, str]) -> Pipeline:
    """The baseline goes through the same steps, so both are judged alike."""
    return Pipeline(
        [
            ("features", FunctionTransformer(add_features)),
            ("preprocess", preprocessing(roles)),
            ("model", baseline(task)),
        ]
    )


def metric(task: str, name: str):
    if task not in TASKS or name not in METRICS[task]:
        raise ValueError(
            f"evaluate.metric {name!r} does not fit a {task} task; "
            f"choose one of {', '.join(METRICS.get(task, []))}"
        )
    return METRICS[task][name]


def folds(task: str, n_splits: int, seed: int):
    """Stratified folds for classes, so each fold keeps the class balance."""
    cls = StratifiedKFold if task == "classification" else KFold
    return cls(n_splits=n_splits, shuffle=True, random_state=seed)


def scorer(task: str, name: str):
    """The metric as scikit-learn's cross-validation calls it (the value as it is)."""
    return make_scorer(metric(task, name))


def cross_validate(model, features, labels, task: str, name: str, n_splits: int, seed: int):
    """Mean and standard deviation of the metric over folds of the training rows."""
    scores = cross_val_score(
        clone(model), features, labels, cv=folds(task, n_splits, seed), scoring=scorer(task, name)
    )
    return {"mean": float(np.mean(scores)), "sd": float(np.std(scores, ddof=1))}
