"""The model: preprocessing and estimator in one scikit-learn Pipeline.

Because imputing, scaling and encoding sit inside the pipeline, they learn only from the
rows the pipeline is fitted on. Cross-validation and the final fit can then never leak
test information into preprocessing.
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer, make_column_selector
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
from sklearn.preprocessing import OneHotEncoder, StandardScaler
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


def preprocessing() -> ColumnTransformer:
    """Fill gaps, scale numbers and one-hot encode text columns."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
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


def build(train: dict, task: str) -> Pipeline:
    return Pipeline([("preprocess", preprocessing()), ("model", estimator(train, task))])


def build_baseline(task: str) -> Pipeline:
    """The baseline goes through the same preprocessing, so both are judged alike."""
    return Pipeline([("preprocess", preprocessing()), ("model", baseline(task))])
