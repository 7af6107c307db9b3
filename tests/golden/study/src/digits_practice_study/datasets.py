"""Where the data comes from, and how a stage or notebook loads it as a table."""

from __future__ import annotations

import pandas as pd
from sklearn import datasets as sk_datasets

from . import paths
from .validation import read_table

# scikit-learn ships these tables inside the package: no download, no network.
BUNDLED = {
    "digits": sk_datasets.load_digits,
    "iris": sk_datasets.load_iris,
    "wine": sk_datasets.load_wine,
    "breast_cancer": sk_datasets.load_breast_cancer,
    "diabetes": sk_datasets.load_diabetes,
}


def load_bundled(name: str, target: str = "target") -> pd.DataFrame:
    """One of scikit-learn's bundled tables, features and target in one frame."""
    try:
        loader = BUNDLED[name]
    except KeyError:
        raise ValueError(
            f"unknown bundled dataset {name!r}; choose one of {', '.join(BUNDLED)}"
        ) from None
    frame = loader(as_frame=True).frame
    return frame.rename(columns={"target": target})


def load_raw(data_params: dict) -> pd.DataFrame:
    """The raw table: the pipeline's copy in ``data/raw`` when there is one.

    A bundled set loads straight from scikit-learn otherwise, so notebooks and tests work
    in a fresh clone before the pipeline has run.
    """
    if paths.RAW_DATA.exists():
        return read_table(paths.RAW_DATA, data_params.get("read"))
    if data_params["dataset"] in BUNDLED:
        return load_bundled(data_params["dataset"], data_params["target"])
    raise FileNotFoundError(
        f"{paths.RAW_DATA.relative_to(paths.ROOT)} is missing: run `make study` "
        "(or `make pull` to fetch the data from the DVC remote)"
    )


def split_features(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    """Features and target of a table, with a clear error when the target is missing."""
    if target not in frame.columns:
        raise KeyError(
            f"target column {target!r} is not in the data; columns are: "
            + ", ".join(map(str, frame.columns))
        )
    return frame.drop(columns=[target]), frame[target]
