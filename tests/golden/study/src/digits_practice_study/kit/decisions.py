"""What prepare decided about the table, as typed records (``data/decisions.json``).

prepare is the one stage that decides; train, evaluate, report and the notebooks read the
decisions back with ``load()``, which checks the file against these records, so every stage
sees the same answer. Logic reads the typed fields (``task``, ``role``, ``set_in_params``);
the ``reason`` fields are for people and are never parsed.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

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


FEATURE_ROLES = (Role.NUMERIC, Role.CATEGORICAL, Role.DATETIME, Role.TEXT)


class SplitKind(Choice):
    RANDOM = "random"  # rows drawn at random
    TIME = "time"  # train on the past, test on the future
    GROUP = "group"  # all rows of one entity on the same side


class FoldKind(Choice):
    """How cross-validation cuts the training rows into folds."""

    STRATIFIED = "stratified"  # each fold keeps the class shares
    PLAIN = "plain"  # rows drawn at random (numbers)
    GROUPED = "grouped"  # all rows of one entity in the same fold
    TIME = "time"  # each fold is scored on rows later than those it learned from


class NumberMark(Choice):
    """What a column of numbers written as text had around its digits (removed to read it)."""

    THOUSANDS = "thousands separators"
    CURRENCY = "currency signs"
    PERCENT = "percent signs"
    SPACES = "spaces around the numbers"


class TimeKind(Choice):
    """What kind of time a column holds."""

    DATETIME = "dates or times"
    DATE_NUMBER = "dates written as whole numbers"  # 20130131, 201301
    YEAR = "years"
    QUARTER = "quarters"
    MONTH = "months"


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
    # Codes for "unknown" read as missing (as written -> rows), e.g. {"?": 4, "-999": 2}.
    missing_codes: dict[str, int] = {}
    # Text read as numbers: what was removed around the digits ("6,126" -> 6126).
    numbers_from_text: list[NumberMark] = []
    time_kind: TimeKind | None = None  # the column holds time (a year, a date as a number...)


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
    # prepare.train_rows null: the sample was sized to this much memory (bytes)
    train_sample_sized_to: int | None = None


class Split(Record):
    kind: SplitKind
    identical: Identical
    column: str | None = None  # the time or group column
    test_from: str | None = None  # time split: the first moment of the test rows
    groups: int | None = None  # group split: how many groups
    set_in_params: bool = True  # prepare.split named the kind (not auto)
    reason: str = ""  # why this kind (prepare.split: auto)
    # Time split: every column of the time (a year and a quarter: both, in that order), and
    # the kind of time in each.
    time_columns: list[str] = []
    time_kinds: list[TimeKind] = []

    @property
    def keeps_copies_apart(self) -> bool:
        """Whether no row of feature values may be on both sides (the guard checks it)."""
        return self.identical in (Identical.NONE, Identical.GROUPED)


class Folds(Record):
    """Cross-validation on the training rows: how many folds, and how they are cut."""

    requested: int  # evaluate.cv_folds
    used: int  # fewer when the training rows or a class are too few for the folds asked
    kind: FoldKind
    column: str | None = None  # grouped or time folds: by this column
    reason: str = ""  # why fewer than requested ("" when as requested)


class Source(Record):
    """How the raw file was read."""

    file: str
    format: str  # "CSV", "Parquet", "spreadsheet"
    sheet: str | None = None  # spreadsheets: the sheet read
    sheets: list[str] = []  # spreadsheets: every sheet of the file, in order
    values_checked_on: int | None = None  # codes and number formats found on this many rows


class Entity(Record):
    """A column whose values repeat the way an entity (a person, a firm) is seen again."""

    column: str
    entities: int  # distinct values
    rows_per_entity: float  # on average
    reason: str
    # False when only the table's shape suggests it (a setting crossed with another looks
    # the same): the split asks the learner instead of guessing, and it stays a feature.
    sure: bool = True


class TimeOrder(Record):
    """The table's time: which columns hold it, and whether the rows are in time order."""

    columns: list[str]  # coarsest first: year, then quarter
    kinds: list[TimeKind]  # the kind of time in each of them
    sorted: bool  # the rows come in time order
    periods: int  # distinct moments


class FeatureAlone(Record):
    cv: float
    share: float  # of what all features together gain over the baseline
    close_to_all: bool
    # The feature is the table's time, or rises or falls with it (|Spearman| >= 0.9): a
    # trend over time, not necessarily a leak.
    follows_time: bool = False


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
    source: Source | None = None
    entities: list[Entity] = []  # columns that repeat like an entity; the first one groups
    time: TimeOrder | None = None  # the table's time, when it has one

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
    folds: Folds | None = None
    small_sample: bool = False  # fewer test rows than summary.SMALL_TEST_ROWS: intervals wide


class DecisionsProblem(ValueError):
    """data/decisions.json is not what this version of the study writes."""


def save(decisions: Decisions) -> None:
    write_text(decisions.model_dump_json(indent=2) + "\n", DECISIONS)


def load(path: Path = DECISIONS) -> Decisions:
    """What the last prepare run decided (``path``: a study's data/decisions.json), checked
    against the records above."""
    if not path.exists():
        raise FileNotFoundError(f"{shown(DECISIONS)} is missing: run `{RUN} study` first")
    return parse(path.read_text(encoding="utf-8"))


def parse(text: str) -> Decisions:
    """decisions.json's text (from the file, or git's copy of it) as the records above;
    DecisionsProblem when an older version of the study wrote it, or it is damaged."""
    try:
        return Decisions.model_validate_json(text)
    except ValidationError as error:
        raise DecisionsProblem(
            f"{shown(DECISIONS)} does not have the fields this version of the study expects "
            f"({error.error_count()} differ; it may come from an older version): run "
            f"`{RUN} study` to write it again"
        ) from None
