"""What prepare decides about the table, once: the task, the metric and each column's role.

Every column gets one role. The model uses the feature roles (numeric, categorical,
datetime); the other columns stay in the data files but are left out of the model, each
with a reason that ``data/summary.md`` and the write-up show. To overrule a decision, name
the column's role in params.yaml: ``data.columns: {zip_code: categorical, notes: excluded}``.

The decisions are written to ``data/decisions.json``. Train, evaluate and report
read them from there, so every stage sees the same answer.
"""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd

from . import paths

FEATURE_ROLES = ("numeric", "categorical", "datetime")
LEFT_OUT_ROLES = ("text", "identifier", "constant", "excluded")
ROLES = FEATURE_ROLES + LEFT_OUT_ROLES

# Names that say "identifier": id, idno, user_id, passenger.id, PassengerId, rownames,
# Unnamed: 0.
ID_NAME = re.compile(
    r"(^|[_\s.-])(id|uuid|key)$|^(id(no|nr|num)?|index|rownames|unnamed: ?\d+)$", re.I
)
ID_CAMEL = re.compile(r"[a-z]I[dD]$")
# A target with a name like these holds codes for classes, even when they are numbers.
CLASS_NAME = re.compile(r"class|code|type|label|categor|group|kind|species|grade|status", re.I)
# Values that look like dates: 2013-01-31, 31/01/2013, 2013-01-31T05:00 ...
DATE_LIKE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?\s*$")
# Free text: at least this many words on average, and many different values.
TEXT_MIN_WORDS, TEXT_MIN_DISTINCT = 3, 100
# Text this short and different in nearly every row is a name or a code (an identifier).
SHORT_LABEL_CHARS = 40
# Below this many rows, "unique per row" says little about a column.
MIN_ROWS_FOR_UNIQUE = 20
# A whole-number target with at most this many values and no long tail is a set of classes.
MAX_AUTO_CLASSES = 10
# `metric: auto` is balanced accuracy when the rarest class is below this share of rows and
# below half of an even share (so ten equal classes of 10% each are not called imbalanced).
IMBALANCED_SHARE = 0.15


def is_text(values: pd.Series) -> bool:
    """Strings (not numbers, dates or yes/no values)."""
    return pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)


def looks_like_dates(values: pd.Series) -> bool:
    """Most of a sample of the values match a date pattern and parse as dates."""
    sample = values.dropna().astype(str).head(500)
    if sample.empty or sample.str.match(DATE_LIKE).mean() < 0.95:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses the format per value
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() >= 0.95


def role_of(column: pd.Series) -> tuple[str, str]:
    """The role of one feature column, and the reason for it, in plain words."""
    values = column.dropna()
    name = str(column.name)
    if values.empty:
        return "excluded", "every value is missing"
    distinct = values.nunique()
    if distinct == 1:
        return "constant", "the same value in every row: nothing to learn from"
    unique_per_row = distinct == len(column) and len(column) >= MIN_ROWS_FOR_UNIQUE
    if ID_NAME.search(name) or ID_CAMEL.search(name):
        if unique_per_row:
            return "identifier", "named like an identifier and unique per row"
        return "identifier", (
            f"named like an identifier ({distinct} distinct values); if rows with the same "
            "value belong together, use it as prepare.group_column"
        )
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime", "dates or times: year, month, weekday and hour become features"
    if pd.api.types.is_bool_dtype(values):
        return "categorical", "yes/no values"
    if pd.api.types.is_numeric_dtype(values):
        whole = pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all())
        if unique_per_row and whole and values.max() - values.min() == len(column) - 1:
            return "identifier", "a running number (unique per row, no gaps): a row number"
        return "numeric", "numbers"
    if looks_like_dates(values):
        return "datetime", "dates or times: year, month, weekday and hour become features"
    text = values.astype(str)
    nearly_unique = distinct >= 0.95 * len(values) and len(values) >= MIN_ROWS_FOR_UNIQUE
    if nearly_unique and text.str.len().mean() <= SHORT_LABEL_CHARS:
        return "identifier", (
            f"a different value in nearly every row ({distinct} of {len(values)}): a name or "
            "label, not a measurement"
        )
    words = text.str.split().str.len().mean()
    if words >= TEXT_MIN_WORDS and distinct >= TEXT_MIN_DISTINCT:
        return "text", (
            f"free text ({distinct} different values, {words:.0f} words on average): left "
            "out, as turning text into features is a study of its own"
        )
    return "categorical", f"text with {distinct} different values"


def assign_roles(frame: pd.DataFrame, data: dict) -> list[dict]:
    """One entry per column: name, role and reason; ``data.columns`` overrules the rules."""
    chosen = data.get("columns") or {}
    unknown = [name for name in chosen if name not in frame.columns]
    if unknown:
        raise ValueError(
            f"data.columns names {', '.join(map(repr, unknown))}, which the data does not "
            f"have; its columns are: {', '.join(map(str, frame.columns))}"
        )
    roles = []
    for name in frame.columns:
        if name == data["target"]:
            role, reason = "target", "the column the model predicts (data.target)"
        elif name in chosen:
            role, reason = chosen[name], "set in params.yaml (data.columns)"
        else:
            role, reason = role_of(frame[name])
        roles.append({"name": str(name), "role": role, "reason": reason})
    return roles


def features_by_role(decisions: dict) -> dict[str, list[str]]:
    """The model's input columns, grouped by role (roles without columns are left out)."""
    grouped = {role: [] for role in FEATURE_ROLES}
    for column in decisions["columns"]:
        if column["role"] in grouped:
            grouped[column["role"]].append(column["name"])
    return {role: names for role, names in grouped.items() if names}


def infer_task(target: pd.Series) -> tuple[str, str]:
    """classification or regression for ``data.task: auto``, and why."""
    values = target.dropna()
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "classification", "the target holds text or yes/no values"
    if (values % 1 != 0).any():
        return "regression", "the target holds numbers with decimals"
    distinct = values.nunique()
    if distinct == 2:
        return "classification", "the target holds two values"
    if CLASS_NAME.search(str(target.name)) and distinct <= 100:
        return "classification", (
            f"the target holds {distinct} whole numbers and its name suggests they are codes "
            "for classes"
        )
    if values.min() >= 0 and values.skew() > 1:
        return "regression", (
            f"the target holds {distinct} whole numbers with a long tail, like a count"
        )
    if distinct <= MAX_AUTO_CLASSES:
        return "classification", f"the target holds only {distinct} different whole numbers"
    return "regression", f"the target holds {distinct} different whole numbers"


def class_shares(labels: pd.Series) -> dict[str, float]:
    """Each class's share of the rows, largest first."""
    return {str(k): float(v) for k, v in labels.value_counts(normalize=True).items()}


def is_rare(share: float, classes: int) -> bool:
    """A class too rare for plain accuracy to notice (see IMBALANCED_SHARE)."""
    return share < min(IMBALANCED_SHARE, 0.5 / classes)


def choose_metric(task: str, requested: str, shares: dict[str, float]) -> tuple[str, str]:
    """The headline metric: ``evaluate.metric``, or for ``auto`` one that suits the data."""
    if requested != "auto":
        return requested, "set in params.yaml (evaluate.metric)"
    if task == "regression":
        return "r2", "the share of the target's variance the model explains"
    rarest = min(shares.values())
    if is_rare(rarest, len(shares)):
        return "balanced_accuracy", (
            f"the rarest class is {rarest:.1%} of the rows: plain accuracy would reward a "
            "model that never predicts it, balanced accuracy averages the hit rate per class"
        )
    return "accuracy", "the classes are roughly balanced, so the share of correct predictions"


def save(decisions: dict) -> None:
    from .files import write_json_atomic  # here, so that importing this module stays light

    write_json_atomic(decisions, paths.DECISIONS)


def load() -> dict:
    """The decisions of the last prepare run."""
    if not paths.DECISIONS.exists():
        raise FileNotFoundError(
            f"{paths.DECISIONS.relative_to(paths.ROOT)} is missing: run `make study` first"
        )
    return json.loads(paths.DECISIONS.read_text(encoding="utf-8"))
