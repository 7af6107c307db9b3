"""What each column is, what kind of prediction the study makes, and its headline metric.

``decide`` makes the decisions prepare records: the task (classes or numbers) and the
metric, each with its reason, and a role for every column. The feature roles reach the
model; text, identifier, constant and excluded columns stay in the files but are left out,
each with a reason. To overrule a role, name it in params.yaml:
``data.columns: {zip_code: categorical, notes: excluded}``.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

from .decisions import Column, Role, TableDecisions, Task

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
DATES = "dates or times: year, month, weekday and hour become features"
RUNNING_NUMBER = "a running number (unique per row, no gaps): a row number"


def looks_like_dates(values: pd.Series) -> bool:
    """Most of a sample of the values match a date pattern and parse as dates."""
    sample = values.dropna().astype(str).head(500)
    if sample.empty or sample.str.match(DATE_LIKE).mean() < 0.95:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses the format per value
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() >= 0.95


def role_of(column: pd.Series) -> tuple[Role, str]:
    """The role of one feature column, and the reason for it, in plain words."""
    values = column.dropna()
    name = str(column.name)
    if values.empty:
        return Role.EXCLUDED, "every value is missing"
    distinct = values.nunique()
    if distinct == 1:
        return Role.CONSTANT, "the same value in every row: nothing to learn from"
    unique_per_row = distinct == len(column) and len(column) >= MIN_ROWS_FOR_UNIQUE
    if ID_NAME.search(name) or ID_CAMEL.search(name):
        if unique_per_row:
            return Role.IDENTIFIER, "named like an identifier and unique per row"
        return Role.IDENTIFIER, (
            f"named like an identifier ({distinct} distinct values); if rows with the same "
            "value belong together, use it as prepare.group_column"
        )
    if pd.api.types.is_datetime64_any_dtype(values):
        return Role.DATETIME, DATES
    if pd.api.types.is_bool_dtype(values):
        return Role.CATEGORICAL, "yes/no values"
    if pd.api.types.is_numeric_dtype(values):
        whole = pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all())
        if unique_per_row and whole and values.max() - values.min() == len(column) - 1:
            return Role.IDENTIFIER, RUNNING_NUMBER
        return Role.NUMERIC, "numbers"
    if looks_like_dates(values):
        return Role.DATETIME, DATES
    text = values.astype(str)
    nearly_unique = distinct >= 0.95 * len(values) and len(values) >= MIN_ROWS_FOR_UNIQUE
    if nearly_unique and text.str.len().mean() <= SHORT_LABEL_CHARS:
        return Role.IDENTIFIER, (
            f"a different value in nearly every row ({distinct} of {len(values)}): a name or "
            "label, not a measurement"
        )
    words = text.str.split().str.len().mean()
    if words >= TEXT_MIN_WORDS and distinct >= TEXT_MIN_DISTINCT:
        return Role.TEXT, (
            f"free text ({distinct} different values, {words:.0f} words on average): left "
            "out, as turning text into features is a study of its own"
        )
    return Role.CATEGORICAL, f"text with {distinct} different values"


def describe_columns(frame: pd.DataFrame, data: dict) -> list[Column]:
    """Per column: name, role and its reason, type, missing and distinct values.

    ``data.columns`` in params.yaml overrules the rules of ``role_of``.
    """
    chosen = data.get("columns") or {}
    unknown = [name for name in chosen if name not in frame.columns]
    if unknown:
        raise ValueError(
            f"data.columns names {', '.join(map(repr, unknown))}, which the data does not "
            f"have; its columns are: {', '.join(map(str, frame.columns))}"
        )
    described = []
    for name in frame.columns:
        set_in_params = name in chosen and name != data["target"]
        if name == data["target"]:
            role, reason = Role.TARGET, "the column the model predicts (data.target)"
        elif set_in_params:
            role, reason = Role(chosen[name]), "set in params.yaml (data.columns)"
        else:
            role, reason = role_of(frame[name])
        described.append(
            Column(
                name=str(name),
                role=role,
                reason=reason,
                set_in_params=set_in_params,
                type=str(frame[name].dtype),
                missing=int(frame[name].isna().sum()),
                distinct=int(frame[name].nunique()),
            )
        )
    return described


def infer_task(target: pd.Series) -> tuple[Task, str]:
    """classification or regression for ``data.task: auto``, and why."""
    values = target.dropna()
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return Task.CLASSIFICATION, "the target holds text or yes/no values"
    if (values % 1 != 0).any():
        return Task.REGRESSION, "the target holds numbers with decimals"
    distinct = values.nunique()
    if distinct == 2:
        return Task.CLASSIFICATION, "the target holds two values"
    if CLASS_NAME.search(str(target.name)) and distinct <= 100:
        return Task.CLASSIFICATION, (
            f"the target holds {distinct} whole numbers and its name suggests they are codes "
            "for classes"
        )
    if values.min() >= 0 and values.skew() > 1:
        return Task.REGRESSION, (
            f"the target holds {distinct} whole numbers with a long tail, like a count"
        )
    if distinct <= MAX_AUTO_CLASSES:
        return Task.CLASSIFICATION, f"the target holds only {distinct} different whole numbers"
    return Task.REGRESSION, f"the target holds {distinct} different whole numbers"


def is_rare(share: float, classes: int) -> bool:
    """A class too rare for plain accuracy to notice (see IMBALANCED_SHARE)."""
    return share < min(IMBALANCED_SHARE, 0.5 / classes)


def auto_metric(task: Task, shares: dict[str, float]) -> tuple[str, str]:
    """The metric ``evaluate.metric: auto`` picks, and why (a built-in one, kit/metrics.py)."""
    if Task(task) is Task.REGRESSION:
        return "r2", "the share of the target's variance the model explains"
    rarest = min(shares.values())
    if is_rare(rarest, len(shares)):
        return "balanced_accuracy", (
            f"the rarest class is {rarest:.1%} of the rows: plain accuracy would reward a "
            "model that never predicts it, balanced accuracy averages the hit rate per class"
        )
    return "accuracy", "the classes are roughly balanced, so the share of correct predictions"


def target_values(target: pd.Series, task: Task) -> dict[str, float]:
    """For classes: rows per class (missing counted too), commonest first; for numbers:
    their statistics (count, mean, std, min, quartiles, max)."""
    if Task(task) is Task.REGRESSION:
        return {str(k): float(v) for k, v in target.describe().items()}
    counts = target.value_counts(dropna=False)
    return {"(missing)" if pd.isna(k) else str(k): int(v) for k, v in counts.items()}


def with_target_values(decided: TableDecisions, values: dict, requested: str) -> TableDecisions:
    """``decided`` with the target's values, and the class shares, rare classes and metric
    that follow from them. ``requested`` is evaluate.metric as written (auto or a name)."""
    shares = {}
    if decided.task is Task.CLASSIFICATION:
        labelled = {k: v for k, v in values.items() if k != "(missing)"}
        shares = {k: v / sum(labelled.values()) for k, v in labelled.items()}
    if requested == "auto":
        metric, reason = auto_metric(decided.task, shares)
    else:
        metric, reason = requested, "set in params.yaml (evaluate.metric)"
    update = {
        "target_values": values,
        "class_shares": shares,
        "rare_classes": [k for k, v in shares.items() if is_rare(v, len(shares))],
        "metric": metric,
        "metric_reason": reason,
        "metric_set_in_params": requested != "auto",
    }
    return decided.model_copy(update=update)


def decide(raw: pd.DataFrame, params: dict) -> TableDecisions:
    """The task, the metric and the column roles for the raw table."""
    data, requested = params["data"], params["evaluate"]["metric"]
    target = raw[data["target"]]
    if data["task"] != "auto":
        task, task_reason = Task(data["task"]), "set in params.yaml (data.task)"
    else:
        task, task_reason = infer_task(target.dropna())
    decided = TableDecisions(
        target=data["target"],
        task=task,
        task_reason=task_reason,
        task_set_in_params=data["task"] != "auto",
        metric="",  # set with the target's values, below
        metric_reason="",
        metric_set_in_params=False,
        class_shares={},
        rare_classes=[],
        columns=describe_columns(raw, data),
        target_values={},
    )
    return with_target_values(decided, target_values(target, task), requested)
