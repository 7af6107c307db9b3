"""The data check at the start of the pipeline: can the raw table be used, and if not, why.

Each problem gets one plain message that names the file or column and says what to do.
The rules on the table's contents are a pandera schema, so adding a rule is one more check.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from . import paths


class DataProblem(ValueError):
    """The raw data cannot be used as it is; the message says why and what to do."""


def shown(path: Path | str) -> str:
    """A path as the learner knows it: relative to the study when it is inside."""
    path = Path(path)
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


# How a CSV file is read unless params.yaml says otherwise (data.read).
CSV_DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8"}
OTHER_SEPARATORS = (";", "\t", "|")


def read_table(path: Path, read: dict | None = None) -> pd.DataFrame:
    """A CSV or Parquet file as a table (chosen by its suffix), or a clear DataProblem.

    ``read`` holds the CSV settings of params.yaml's ``data.read``: the separator, the
    decimal mark and the text encoding (found when the study was made).
    """
    is_parquet = path.suffix.lower() in (".parquet", ".pq")
    settings = {**CSV_DEFAULTS, **(read or {})}
    if path.is_file() and path.stat().st_size == 0:
        raise DataProblem(f"{shown(path)} is an empty file (0 bytes): there is no data in it")
    try:
        frame = pd.read_parquet(path) if is_parquet else pd.read_csv(path, **settings)
    except pd.errors.EmptyDataError:
        raise DataProblem(f"{shown(path)} is empty: it has no header and no rows") from None
    except FileNotFoundError:
        raise  # not a problem of the data; the caller says how to get it
    except (ValueError, OSError) as error:  # parser, encoding and Parquet errors
        kind = "Parquet" if is_parquet else f"CSV with data.read {settings}"
        raise DataProblem(
            f"{shown(path)} could not be read as {kind}: {str(error).rstrip('.')}. Check that "
            "the file is what its name says, and for a CSV file set data.read in params.yaml "
            "(sep, decimal, encoding: e.g. sep: ';', decimal: ',', encoding: latin-1)."
        ) from None
    if not is_parquet and frame.shape[1] == 1:
        header = str(frame.columns[0])
        found = [s for s in OTHER_SEPARATORS if s in header]
        if found:
            raise DataProblem(
                f"{shown(path)} was read as one column named {header[:60]!r}: its columns seem "
                f"to be separated by {found[0]!r}, not {settings['sep']!r}. Set data.read.sep "
                f"to {found[0]!r} in params.yaml."
            )
    return frame


# Names of the schema's checks; each failure is reported with the message written for it.
SINGLE_VALUE, ALL_MISSING = "single_value", "all_missing"


def schema(frame: pd.DataFrame, target: str) -> pa.DataFrameSchema:
    """The target must be there, hold some values, and more than one."""
    not_empty = pa.Check(lambda column: column.notna().any(), error=ALL_MISSING)
    varies = pa.Check(lambda column: column.dropna().nunique() > 1, error=SINGLE_VALUE)  # noqa: PD101
    # Feature columns need no rule here: an empty or constant one is left out by prepare
    # (columns.py), with its reason in data/summary.md.
    columns = {target: pa.Column(nullable=True, checks=[not_empty, varies])}
    return pa.DataFrameSchema(columns, strict=False)


def message(failure: dict, frame: pd.DataFrame, target: str, source: str) -> str | None:
    """The learner's message for one failed check, or None when another one says it all."""
    column, check = failure["column"], failure["check"]
    if check == "column_in_dataframe":
        return (
            f"the target column {target!r} is not in {source}. Its columns are: "
            f"{', '.join(map(str, frame.columns))}. Set data.target in params.yaml to one of them."
        )
    if check == ALL_MISSING and column == target:
        return (
            f"the target column {target!r} of {source} is entirely empty (every value is "
            "missing): there is nothing to learn from. Choose another target (data.target)."
        )
    if check == SINGLE_VALUE:
        values = frame[target].dropna()
        if values.empty:
            return None  # the target is entirely empty: said above
        value = values.iloc[0]
        value = value.item() if hasattr(value, "item") else value  # 1, not np.int64(1)
        return (
            f"the target column {target!r} holds a single class ({value!r}) in every row, so "
            "there is nothing to predict. Choose another target (data.target in params.yaml)."
        )
    return f"{source}: {check} failed for column {column!r}"


def validate(frame: pd.DataFrame, target: str, source: str = "the data") -> None:
    """Raise one DataProblem listing every problem found, each on its own line."""
    if frame.empty:
        raise DataProblem(f"{source} has a header but no rows of data")
    try:
        schema(frame, target).validate(frame, lazy=True)
    except SchemaErrors as errors:
        failures = errors.failure_cases.drop_duplicates(["column", "check"])
        found = [message(row, frame, target, source) for row in failures.to_dict("records")]
        raise DataProblem("\n".join(dict.fromkeys(m for m in found if m))) from None
