"""The model: preprocessing and estimator in one scikit-learn Pipeline.

Because imputing, scaling and encoding sit inside the pipeline, they learn only from the
rows the pipeline is fitted on. Cross-validation and the final fit can then never leak
test information into preprocessing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
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
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

TASKS = ("classification", "regression")
MODELS = ("linear", "random_forest", "gradient_boosting")


def one_blas_thread() -> None:
    """Run linear algebra (BLAS) on one thread from here on, in this process.

    A practice study's tables are small: handing each matrix product to a second thread
    costs more than it gains. On a 2-core machine the evaluate stage took half the CPU time
    (4.8 s instead of 9.6 s) with one thread. threadpoolctl comes with scikit-learn.
    """
    threadpool_limits(limits=1, user_api="blas")


# A text column becomes at most this many 0/1 columns: its most common values, one each, and
# one for all rarer values (seen in fewer than MIN_CATEGORY_ROWS training rows, or beyond the
# cap). This keeps memory bounded for columns with thousands of values (a tail number).
MAX_CATEGORIES, MIN_CATEGORY_ROWS = 20, 5
DATE_PARTS = ("year", "month", "day", "day_of_week", "hour")


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


def date_part_names(transformer, names) -> np.ndarray:
    return np.array([f"{name}_{part}" for name in names for part in DATE_PARTS], dtype=object)


def preprocessing(features: dict[str, list[str]]) -> ColumnTransformer:
    """Fill gaps, scale numbers, turn dates into numbers and encode text columns.

    ``features`` maps each role (numeric, categorical, datetime) to its columns, as decided
    by prepare (data/decisions.json). Every other column is left out.
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    steps = {
        "numeric": numeric,
        "categorical": make_pipeline(
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
        [(role, steps[role], names) for role, names in features.items() if names],
        remainder="drop",
    )


def estimator(train: dict, task: str):
    """The estimator named by ``train.model`` in params.yaml, for the study's task."""
    if task not in TASKS:
        raise ValueError(f"data.task must be one of {TASKS}, not {task!r}")
    name = train["model"]
    settings = train.get(name) or {}
    seed = train["seed"]
    classify = task == "classification"
    if name == "linear":
        if classify:
            return LogisticRegression(C=settings.get("C", 1.0), max_iter=5000)
        return Ridge(alpha=1.0 / settings.get("C", 1.0))
    if name == "random_forest":
        cls = RandomForestClassifier if classify else RandomForestRegressor
        return cls(random_state=seed, n_jobs=1, **settings)
    if name == "gradient_boosting":
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return cls(random_state=seed, **settings)
    raise ValueError(f"train.model must be one of {', '.join(MODELS)}, not {name!r}")


def baseline(task: str):
    """What a model must beat: always the most common class, or the mean value."""
    if task == "classification":
        return DummyClassifier(strategy="most_frequent")
    return DummyRegressor(strategy="mean")


def build(train: dict, task: str, features: dict[str, list[str]]) -> Pipeline:
    """Preprocessing of the feature columns, then the model of ``train.model``."""
    return Pipeline([("preprocess", preprocessing(features)), ("model", estimator(train, task))])


def build_baseline(task: str, features: dict[str, list[str]]) -> Pipeline:
    """The baseline goes through the same preprocessing, so both are judged alike."""
    return Pipeline([("preprocess", preprocessing(features)), ("model", baseline(task))])
