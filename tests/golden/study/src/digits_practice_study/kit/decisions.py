"""What prepare decided about the table, as typed records (``data/decisions.json``).

prepare is the one stage that decides; train, evaluate, report and the notebooks read the
decisions back with ``load()``, which checks the file against these records, so every stage
sees the same answer. Logic reads the typed fields (``task``, ``role``, ``set_in_params``);
the ``reason`` fields are for people and are never parsed.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, ValidationError

from .files import write_text
from .paths import DECISIONS, RUN, shown


class Choice(str, Enum):
    """One of a few fixed values, shown (and written to JSON) as its value."""

    def __str__(self) -> str:
        return self.value


class Task(Choice):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class Role(Choice):
    """What a column is to the model. Only the feature roles reach it."""

    TARGET = "target"
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    DATETIME = "datetime"
    TEXT = "text"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"
    EXCLUDED = "excluded"


FEATURE_ROLES = (Role.NUMERIC, Role.CATEGORICAL, Role.DATETIME)


class SplitKind(Choice):
    RANDOM = "random"  # rows drawn at random
    TIME = "time"  # train on the past, test on the future
    GROUP = "group"  # all rows of one entity on the same side


class Identical(Choice):
    """How the split treated rows whose features are all identical."""

    NONE = "none"  # there were none
    GROUPED = "grouped"  # copies kept together on one side
    EXPECTED = "expected"  # so few combinations that repeats are normal: split one by one
    NOT_CHECKED = "not checked"  # a time or group split decides the sides instead


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Column(Record):
    name: str
    role: Role
    reason: str
    set_in_params: bool = False  # the role was named in params.yaml (data.columns)
    type: str
    missing: int
    distinct: int
    distinct_capped: bool = False  # counted up to ``distinct`` only (Dask, very many values)


class RemovedRows(Record):
    reason: str
    rows: int


class IdenticalRows(Record):
    rows: int  # rows that share every feature value with another row
    patterns: int  # how many different such rows


class Rows(Record):
    raw: int
    used: int
    removed: list[RemovedRows]
    identical: IdenticalRows
    train: int
    test: int
    train_sample: int | None = None  # the model is fitted on a sample (prepare.train_rows)


class Split(Record):
    kind: SplitKind
    identical: Identical
    column: str | None = None  # the time or group column
    test_from: str | None = None  # time split: the first moment of the test rows
    groups: int | None = None  # group split: how many groups

    @property
    def keeps_copies_apart(self) -> bool:
        """Whether no row of feature values may be on both sides (the guard checks it)."""
        return self.identical in (Identical.NONE, Identical.GROUPED)


class FeatureAlone(Record):
    cv: float
    share: float  # of what all features together gain over the baseline
    close_to_all: bool


class SingleFeatures(Record):
    metric: str
    baseline: float
    all_features: float
    alone: dict[str, FeatureAlone]

    def close_to_all(self) -> dict[str, FeatureAlone]:
        return {name: s for name, s in self.alone.items() if s.close_to_all}


class TableDecisions(Record):
    """What the table is: its target, task, headline metric and a role for every column."""

    target: str
    task: Task
    task_reason: str
    task_set_in_params: bool
    metric: str
    metric_reason: str
    metric_set_in_params: bool
    class_shares: dict[str, float]  # classification only, rarest last
    rare_classes: list[str]
    columns: list[Column]
    # Rows per class (missing counted too), or the target's statistics for numbers.
    target_values: dict[str, int | float]

    def roles(self) -> dict[str, Role]:
        """Each column the model is given (all but the target) and its role."""
        return {c.name: c.role for c in self.columns if c.role is not Role.TARGET}

    def feature_names(self) -> list[str]:
        return [c.name for c in self.columns if c.role in FEATURE_ROLES]

    def names_with(self, role: Role) -> list[str]:
        return [c.name for c in self.columns if c.role is role]


class Decisions(TableDecisions):
    """Everything prepare decided, the split and the rows included (data/decisions.json)."""

    split: Split
    rows: Rows
    single_features: SingleFeatures


class DecisionsProblem(ValueError):
    """data/decisions.json is not what this version of the study writes."""


def save(decisions: Decisions) -> None:
    write_text(decisions.model_dump_json(indent=2) + "\n", DECISIONS)


def load() -> Decisions:
    """What the last prepare run decided, checked against the records above."""
    if not DECISIONS.exists():
        raise FileNotFoundError(f"{shown(DECISIONS)} is missing: run `{RUN} study` first")
    try:
        return Decisions.model_validate_json(DECISIONS.read_text(encoding="utf-8"))
    except ValidationError as error:
        raise DecisionsProblem(
            f"{shown(DECISIONS)} does not have the fields this version of the study expects "
            f"({error.error_count()} differ; it may come from an older version): run "
            f"`{RUN} study` to write it again"
        ) from None
