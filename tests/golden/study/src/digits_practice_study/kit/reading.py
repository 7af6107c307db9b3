"""Reading the raw table, and the check that it can be used at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .paths import RAW_DATA, shown

# scikit-learn ships these tables inside the package: no download, no network.
BUNDLED = ("digits", "iris", "wine", "breast_cancer", "diabetes")
PARQUET_SUFFIXES = (".parquet", ".pq")
# How a CSV file is read unless params.yaml says otherwise (data.read).
CSV_DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8"}
# Separators to suggest when a CSV file reads as one column.
OTHER_SEPARATORS = (";", "\t", "|")


class DataProblem(ValueError):
    """The data cannot be used as it is; the message says why and what to do."""


def load_bundled(name: str, target: str = "target") -> pd.DataFrame:
    """One of scikit-learn's bundled tables, features and target in one frame."""
    from sklearn import datasets  # only get_data and a fresh clone's notebooks need them

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    return frame.rename(columns={"target": target})


def read_table(path: Path, read: dict | None = None) -> pd.DataFrame:
    """A CSV or Parquet file as a table (chosen by its suffix), or a clear DataProblem.

    ``read`` holds params.yaml's ``data.read``: the CSV file's separator, decimal mark and
    text encoding (found when the study was made).
    """
    is_parquet = str(path).lower().endswith(PARQUET_SUFFIXES)
    settings = {**CSV_DEFAULTS, **(read or {})}
    if path.is_file() and path.stat().st_size == 0:
        raise DataProblem(f"{shown(path)} is an empty file (0 bytes): there is no data")
    try:
        frame = pd.read_parquet(path) if is_parquet else pd.read_csv(path, **settings)
    except pd.errors.EmptyDataError:
        raise DataProblem(f"{shown(path)} is empty: it has no header and no rows") from None
    except FileNotFoundError:
        raise  # not a problem of the data; the caller says how to get it
    except (ValueError, OSError) as error:  # parser, encoding and Parquet errors
        kind = "Parquet" if is_parquet else f"CSV with data.read {settings}"
        raise DataProblem(
            f"{shown(path)} could not be read as {kind}: {str(error).rstrip('.')}. "
            "Check that the file is what its name says, and for a CSV file set data.read in "
            "params.yaml (sep, decimal, encoding: e.g. sep: ';', decimal: ',', encoding: latin-1)."
        ) from None
    if not is_parquet and frame.shape[1] == 1:
        header = str(frame.columns[0])
        found = [s for s in OTHER_SEPARATORS if s in header]
        if found:
            raise DataProblem(
                f"{shown(path)} was read as one column named {header[:60]!r}: its "
                f"columns seem to be separated by {found[0]!r}, not {settings['sep']!r}. Set "
                f"data.read.sep to {found[0]!r} in params.yaml."
            )
    return frame


def load_raw(data: dict) -> pd.DataFrame:
    """The raw table: the pipeline's copy in ``data/raw`` when there is one.

    A bundled set loads straight from scikit-learn otherwise, so notebooks and tests work
    in a fresh clone before the pipeline has run.
    """
    if RAW_DATA.exists():
        return read_table(RAW_DATA, data.get("read"))
    if data["dataset"] in BUNDLED:
        return load_bundled(data["dataset"], data["target"])
    raise FileNotFoundError(
        f"{shown(RAW_DATA)} is missing: run `make study` "
        "(or `make pull` to fetch the data from the DVC remote)"
    )


def features_and_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    return frame.drop(columns=[target]), frame[target]


# ---------------------------------------------------------------- the data check

# The checks on the target; each failure is reported with the message written for it.
SINGLE_VALUE, ALL_MISSING = "single_value", "all_missing"


def target_rules(target: str):
    """The target must be there, hold some values, and more than one.

    Feature columns need no rule: an empty or constant one is left out, with its reason.
    """
    import pandera.pandas as pa  # only prepare validates: the other stages need not load it

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
    from pandera.errors import SchemaErrors

    if frame.empty:
        raise DataProblem(f"{source} has a header but no rows of data")
    try:
        target_rules(target).validate(frame, lazy=True)
    except SchemaErrors as errors:
        checks = errors.failure_cases["check"].drop_duplicates()
        found = [message(check, frame, target, source) for check in checks]
        raise DataProblem("\n".join(m for m in found if m)) from None
