"""Stage 2, prepare: check the raw data, describe it, then split it once.

    python -m {{ cookiecutter.module_name }}.prepare

The data check (``validation.py``) stops the pipeline with a plain message when the table
cannot be used. The measured facts go to ``data/summary.md``, the data card's second half.
Rows without a target value and duplicate rows are dropped, then the rows are split.

The split uses the seed in ``params.yaml``, so it is the same on every machine. Feature
values are not changed here: every transformation that learns from data (scaling,
imputing, encoding) lives in the model pipeline, fitted on training rows only.
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from . import checks, datacard, datasets, paths, validation
from .files import write_csv_atomic, write_text_atomic
from .params import read


def drop_duplicate_rows(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """Keep the first of rows whose features are identical, so no row sits on both sides."""
    features, _ = datasets.split_features(frame, target)
    return frame.loc[~features.duplicated()].reset_index(drop=True)


def usable_rows(raw: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows the split may use: those with a target value, without duplicates."""
    return drop_duplicate_rows(raw.dropna(subset=[target]), target)


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


def checked_raw(params: dict) -> pd.DataFrame:
    """The raw table without ``data.drop_columns``, once it passed the data check."""
    data = params["data"]
    raw = datasets.load_raw(data)
    raw = raw.drop(columns=data.get("drop_columns") or [], errors="ignore")
    validation.validate(raw, data["target"], validation.shown(paths.RAW_DATA))
    return raw


def main() -> None:
    params = read()
    data = params["data"]
    try:
        raw = checked_raw(params)
    except validation.DataProblem as problem:
        raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
    datasets.resolve_task(params, raw)
    write_text_atomic(datacard.summary(raw, data, paths.RAW_DATA), paths.DATA_SUMMARY)
    frame = usable_rows(raw, data["target"])
    train, test = split(frame, data, params["prepare"])
    checks.assert_no_shared_rows(train, test, data["target"])
    write_csv_atomic(train, paths.TRAIN)
    write_csv_atomic(test, paths.TEST)
    unlabelled = int(raw[data["target"]].isna().sum())
    duplicates = len(raw) - unlabelled - len(frame)
    notes = [
        f"{n} {what} dropped"
        for n, what in ((unlabelled, "rows without a target"), (duplicates, "duplicate rows"))
        if n
    ]
    print(
        f"prepare: {len(train)} train rows, {len(test)} test rows"
        + (f" ({', '.join(notes)})" if notes else "")
    )


if __name__ == "__main__":
    main()
