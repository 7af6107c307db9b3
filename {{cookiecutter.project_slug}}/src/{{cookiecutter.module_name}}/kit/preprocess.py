"""Preprocessing by role: filling gaps, scaling numbers, encoding categories, dates as
numbers, free text as word weights.

All of it sits inside the model pipeline (kit/pipeline.py), so it learns from the rows the
pipeline is fitted on and nothing else: cross-validation and the final fit never see the
test rows. The baseline goes through it too.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from .decisions import FEATURE_ROLES, Role, Task

# A text column becomes at most this many 0/1 columns: its most common values, one each, and
# one for all rarer values (seen in fewer than MIN_CATEGORY_ROWS training rows, or beyond the
# cap). This keeps memory bounded for columns with thousands of values (a tail number).
MAX_CATEGORIES, MIN_CATEGORY_ROWS = 20, 5
DATE_PARTS = ("year", "month", "day", "day_of_week", "hour")
# A free-text column becomes one weight per word (TF-IDF) for at most this many words, the
# most frequent in the training rows, held as a sparse matrix: memory stays bounded.
MAX_TEXT_WORDS = 1000


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


def as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as plain Python values: the gap filler refuses yes/no (bool) columns."""
    return frame.astype(object)


def as_text(column) -> np.ndarray:
    """A text column as strings, a gap as an empty text (TF-IDF refuses missing values)."""
    return pd.Series(column).fillna("").astype(str).to_numpy()


def text_steps() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return make_pipeline(
        FunctionTransformer(as_text),
        TfidfVectorizer(
            max_features=MAX_TEXT_WORDS,
            sublinear_tf=True,
            dtype=np.float32,
            strip_accents="unicode",
        ),
    )


def columns_of(table: pd.DataFrame, role: Role, roles: dict[str, Role]) -> list[str]:
    """The table's columns of ``role``: by prepare's decision, or by type for a new column
    (one your ``add_features`` made: numbers are numeric, anything else categorical)."""

    def role_of(name: str) -> Role:
        if name in roles:
            return Role(roles[name])
        numbers = pd.api.types.is_numeric_dtype(table[name])
        return Role.NUMERIC if numbers else Role.CATEGORICAL

    return [name for name in table.columns if role_of(name) is role]


def preprocessing(roles: dict[str, Role], dense: bool = False) -> ColumnTransformer:
    """Fill gaps, scale numbers, turn dates into numbers, encode categories, weigh words.

    ``roles`` maps each column of the table to its role (data/decisions.json); only the
    feature roles reach the model. Word weights make a sparse matrix unless ``dense`` (for
    an estimator that takes no sparse input).
    """
    steps = {
        Role.NUMERIC: make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        Role.CATEGORICAL: make_pipeline(
            FunctionTransformer(as_categories, feature_names_out="one-to-one"),
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_CATEGORIES,
                min_frequency=MIN_CATEGORY_ROWS,
                sparse_output=False,
            ),
        ),
        Role.DATETIME: make_pipeline(
            FunctionTransformer(date_parts, feature_names_out=date_part_names),
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
        ),
    }
    # Each text column on its own: TF-IDF reads one column of text.
    text = [name for name, role in roles.items() if Role(role) is Role.TEXT]
    return ColumnTransformer(
        [
            (role.value, steps[role], partial(columns_of, role=role, roles=roles))
            for role in FEATURE_ROLES
            if role is not Role.TEXT
        ]
        + [(f"text_{name}", text_steps(), name) for name in text],
        remainder="drop",
        sparse_threshold=0 if dense else 0.3,
    )


def baseline(task: Task):
    """What a model must beat: always the most common class, or the mean value.

    It never looks at the features, so it goes without preprocessing (which would change
    none of its predictions, and on a text column costs as much as the model's); evaluate
    scores it on the same folds and test rows as the model.
    """
    if Task(task) is Task.CLASSIFICATION:
        return DummyClassifier(strategy="most_frequent")
    return DummyRegressor(strategy="mean")
