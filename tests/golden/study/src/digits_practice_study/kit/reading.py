"""Reading the raw table, and the check that it can be used at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import values
from .decisions import Source
from .paths import RAW_DATA, RUN, shown

# scikit-learn ships these tables inside the package: no download, no network.
BUNDLED = ("digits", "iris", "wine", "breast_cancer", "diabetes")
PARQUET_SUFFIXES = (".parquet", ".pq")
# Spreadsheets, read with calamine (python-calamine): Excel's formats and OpenDocument's.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# Text tables, plain or compressed (pandas finds the compression from the suffix).
DELIMITED_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zip", ".xz")
CSV_SUFFIXES = DELIMITED_SUFFIXES + tuple(
    d + c for d in DELIMITED_SUFFIXES for c in COMPRESSED_SUFFIXES
)
TABLE_SUFFIXES = CSV_SUFFIXES + SPREADSHEET_SUFFIXES + PARQUET_SUFFIXES
# How a CSV file is read unless params.yaml says otherwise (data.read).
CSV_DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8"}
# Separators to suggest when a CSV file reads as one column.
OTHER_SEPARATORS = (";", "\t", "|")
# Codes for unknown are found by kit/values.py, which counts them; pandas' own list would
# turn them into gaps before they are seen. Only an empty field is missing as read (the
# splits, written by prepare, hold an empty field for each gap).
AS_WRITTEN = {"keep_default_na": False, "na_values": [""]}
CONVERT = (
    "save it as CSV (in a spreadsheet program: File > Save As > CSV), or with pandas: "
    "pandas.read_excel(path).to_csv('table.csv', index=False)"
)


class DataProblem(ValueError):
    """The data cannot be used as it is; the message says why and what to do."""


def load_bundled(name: str, target: str = "target") -> pd.DataFrame:
    """One of scikit-learn's bundled tables, features and target in one frame."""
    from sklearn import datasets  # only get_data and a fresh clone's notebooks need them

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    return frame.rename(columns={"target": target})


def table_format(path: Path) -> str:
    """The kind of file: Parquet, spreadsheet or CSV (any delimited text, compressed or not)."""
    name = str(path).lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "Parquet"
    if name.endswith(SPREADSHEET_SUFFIXES):
        return "spreadsheet"
    return "CSV"


def sheet_names(path: Path) -> list[str]:
    """The sheets of a spreadsheet, in order."""
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def chosen_sheet(path: Path, read: dict) -> str:
    """The sheet data.read.sheet names (a name, or a number counting from 0): the first one
    unless it says otherwise."""
    sheets = sheet_names(path)
    wanted = read.get("sheet")
    if wanted is None:
        wanted = 0
    if isinstance(wanted, int) and 0 <= wanted < len(sheets):
        return sheets[wanted]
    if wanted in sheets:
        return str(wanted)
    raise DataProblem(
        f"data.read.sheet is {wanted!r}, and {shown(path)} has the sheets "
        f"{', '.join(map(repr, sheets))}: set data.read.sheet in params.yaml to one of them "
        "(or to its number, counting from 0)"
    )


def read_file(path: Path, read: dict | None) -> pd.DataFrame:
    """The file as pandas reads it, by its suffix, with every value as written: only an
    empty cell is missing (kit/values.py finds the codes for unknown in the raw table)."""
    kind, read = table_format(path), {**CSV_DEFAULTS, **(read or {})}
    if kind == "Parquet":
        return pd.read_parquet(path)
    if kind == "spreadsheet":
        sheet = chosen_sheet(path, read)
        return pd.read_excel(path, sheet_name=sheet, engine="calamine", **AS_WRITTEN)
    settings = {k: read[k] for k in CSV_DEFAULTS}
    return pd.read_csv(path, **settings, **AS_WRITTEN)


def read_table(path: Path, read: dict | None = None) -> pd.DataFrame:
    """A table file as a frame (its format chosen by its suffix), or a clear DataProblem.

    ``read`` holds params.yaml's ``data.read``: a CSV file's separator, decimal mark and text
    encoding (found when the study was made), a spreadsheet's sheet.
    """
    kind = table_format(path)
    settings = {**CSV_DEFAULTS, **(read or {})}
    if path.is_file() and path.stat().st_size == 0:
        raise DataProblem(f"{shown(path)} is an empty file (0 bytes): there is no data")
    try:
        frame = read_file(path, read)
    except pd.errors.EmptyDataError:
        raise DataProblem(f"{shown(path)} is empty: it has no header and no rows") from None
    except (FileNotFoundError, DataProblem):
        raise  # not a problem of the data, or said already
    except Exception as error:  # parser, encoding, archive, spreadsheet and Parquet errors
        if kind == "CSV":
            how = (
                f"CSV with data.read { ({k: settings[k] for k in CSV_DEFAULTS}) }. Check that the "
                "file is what its name says, and set data.read in params.yaml (sep, decimal, "
                "encoding: e.g. sep: ';', decimal: ',', encoding: latin-1)"
            )
        elif kind == "spreadsheet":
            how = f"a spreadsheet. If it opens in a spreadsheet program, {CONVERT}"
        else:
            how = "Parquet. Check that the file is what its name says"
        first = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
        raise DataProblem(
            f"{shown(path)} could not be read as {how}. ({type(error).__name__}: {first})"
        ) from None
    if kind == "CSV" and frame.shape[1] == 1:
        header = str(frame.columns[0])
        found = [s for s in OTHER_SEPARATORS if s in header]
        if found:
            raise DataProblem(
                f"{shown(path)} was read as one column named {header[:60]!r}: its "
                f"columns seem to be separated by {found[0]!r}, not {settings['sep']!r}. Set "
                f"data.read.sep to {found[0]!r} in params.yaml."
            )
    return frame


def source_of(path: Path, read: dict | None) -> Source:
    """How the raw file is read: its format, and a spreadsheet's sheet among its sheets."""
    kind = table_format(path)
    if kind != "spreadsheet" or not path.is_file():
        return Source(file=shown(path), format=kind)
    return Source(
        file=shown(path),
        format=kind,
        sheet=chosen_sheet(path, read or {}),
        sheets=sheet_names(path),
    )


def raw_as_written(data: dict) -> pd.DataFrame:
    """The raw table with its values as written: codes for unknown not yet found."""
    if RAW_DATA.exists():
        return read_table(RAW_DATA, data.get("read"))
    if data["dataset"] in BUNDLED:
        return load_bundled(data["dataset"], data["target"])
    raise FileNotFoundError(
        f"{shown(RAW_DATA)} is missing: run `{RUN} study` "
        f"(or `{RUN} pull` to fetch the data from the DVC remote)"
    )


def read_raw(data: dict) -> tuple[pd.DataFrame, dict[str, values.Rules]]:
    """The raw table as the study reads it (codes for unknown missing, text numbers as
    numbers: kit/values.py), with the rules found for each column."""
    frame = raw_as_written(data)
    rules = values.find(frame, data.get("read"))
    return values.apply(frame, rules, data.get("read")), rules


def load_raw(data: dict) -> pd.DataFrame:
    """The raw table: the pipeline's copy in ``data/raw`` when there is one, read as the
    study reads it (kit/values.py).

    A bundled set loads straight from scikit-learn otherwise, so notebooks and tests work
    in a fresh clone before the pipeline has run.
    """
    return read_raw(data)[0]


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
