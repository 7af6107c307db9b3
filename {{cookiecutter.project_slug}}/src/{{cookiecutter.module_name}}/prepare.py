"""Stage 2, prepare: drop duplicate rows, then split once into train and test.

    python -m {{ cookiecutter.module_name }}.prepare

The split uses the seed in ``params.yaml``, so it is the same on every machine. Feature
values are not changed here: every transformation that learns from data (scaling,
imputing, encoding) lives in the model pipeline, fitted on training rows only.
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from . import checks, datasets, paths
from .files import write_csv_atomic
from .params import load


def drop_duplicate_rows(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """Keep the first of rows whose features are identical, so no row sits on both sides."""
    features, _ = datasets.split_features(frame, target)
    return frame.loc[~features.duplicated()].reset_index(drop=True)


def split(frame: pd.DataFrame, data: dict, prepare: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into train and test; stratified by class for classification."""
    target = data["target"]
    features, labels = datasets.split_features(frame, target)
    checks.assert_target_not_a_feature(features, labels)
    stratify = labels if data["task"] == "classification" else None
    train, test = train_test_split(
        frame,
        test_size=prepare["test_size"],
        random_state=prepare["seed"],
        stratify=stratify,
    )
    return train, test


def main() -> None:
    params = load()
    data = params["data"]
    raw = datasets.load_raw(data)
    frame = drop_duplicate_rows(raw, data["target"])
    train, test = split(frame, data, params["prepare"])
    checks.assert_no_shared_rows(train, test, data["target"])
    write_csv_atomic(train, paths.TRAIN)
    write_csv_atomic(test, paths.TEST)
    dropped = len(raw) - len(frame)
    print(f"prepare: {len(train)} train rows, {len(test)} test rows"
          + (f" ({dropped} duplicate rows dropped)" if dropped else ""))


if __name__ == "__main__":
    main()
