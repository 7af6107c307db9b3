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

from .decisions import (
    FEATURE_ROLES,
    Column,
    Entity,
    Role,
    Split,
    SplitKind,
    TableDecisions,
    Task,
    TimeKind,
    TimeOrder,
)
from .split import DATE_NUMBER_FORMATS, time_key

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
# Names of the parts of a time: a year, a quarter, a month (as whole numbers).
YEAR_NAME = re.compile(r"(^|[_\s.-])(year|yr|yyyy)s?$|^(year|yr|jahr|annee|anno)", re.I)
QUARTER_NAME = re.compile(r"(^|[_\s.-])(quarter|qtr|q)$|^(quarter|qtr)", re.I)
MONTH_NAME = re.compile(r"(^|[_\s.-])(month|mon|mnth)$|^month", re.I)
EARLIEST_YEAR, LATEST_YEAR = 1000, 2200
# A column repeats like an entity (a person, a firm seen several times) when it has at least
# MIN_ENTITIES values, most of them on two rows or more. With a time column, each entity is
# seen once per moment; time counts here when it has at most PANEL_MAX_PERIODS moments.
MIN_ENTITIES, PANEL_MAX_PERIODS, PANEL_UNIQUE = 5, 200, 0.95
# Without a time or an identifier's name, a column is read as entities (a person, a plant
# seen again) only with at least MANY_ENTITIES values of at most A_FEW_ROWS rows each on
# average: fewer values are a category (island, species, eight field sites), and larger
# groups are a category of a cross-section (a state, with a hundred customers each).
MANY_ENTITIES, A_FEW_ROWS = 10, 30
# Words of a column name that say "a thing observed again": a person, a place, an
# organisation, an animal or a plant (Subject, patient_code, Firms, CountryName).
ENTITY_WORD = re.compile(
    r"companies|countries|(subject|subj|patient|participant|person|individual|student|pupil|"
    r"school|firm|company|country|state|household|customer|user|player|team|animal|plant|"
    r"site|tree|respondent)s?"
)
# Words that say "when, within one entity": the day of a study, the visit, the wave, the age
# at measurement, a year. Such a column repeats across entities, but it is no entity itself.
TIME_INDEX_WORD = re.compile(
    r"(day|time|week|visit|wave|age|period|occasion|session|trial|round|hour|minute|year|"
    r"month|quarter|date|decade|season)s?"
)
# A column named like an entity counts when its values hold about as many rows each (a
# design: every patient seen 3-6 times), not the few large and many small groups of a
# category: at most this spread (standard deviation / mean of the rows per value).
ENTITY_ROWS_SPREAD = 0.5
# Repeated measures without a time column: each (entity, companion) pair is on one row, and
# the pairs fill at least this share of every combination (18 subjects x 10 days: 180 rows).
# By chance, unique pairs that fill the grid do not happen; a design makes them.
GRID_FILL = 0.5
# Free text becomes features as words (TF-IDF) when no other column can be learned from.
TEXT_USED = (
    "free text ({distinct} different values, {words:.0f} words on average): its words become "
    "features (TF-IDF, the most frequent words only), as no other column can be learned from"
)
TEXT_LEFT_OUT = (
    "free text ({distinct} different values, {words:.0f} words on average): left out, as "
    "other columns carry the table; to use its words as features (TF-IDF), give it the "
    "role text in params.yaml (data.columns, {name}: text)"
)
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
        # Left out unless no other column can be learned from (describe_columns decides).
        return Role.TEXT, TEXT_USED.format(distinct=distinct, words=words)
    return Role.CATEGORICAL, f"text with {distinct} different values"


def whole_numbers(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return False
    return pd.api.types.is_integer_dtype(values) or bool((values % 1 == 0).all())


def time_kind_of(column: pd.Series, role: Role) -> TimeKind | None:
    """What kind of time a column holds: dates, a year, a quarter, a month, a date written as
    a whole number (20130131); None for anything else (a count, a code, a measurement)."""
    if role is Role.DATETIME:
        return TimeKind.DATETIME
    values = column.dropna()
    if values.nunique() < 2 or not whole_numbers(values):
        return None
    name, low, high = str(column.name), values.min(), values.max()
    if YEAR_NAME.search(name) and low >= EARLIEST_YEAR and high <= LATEST_YEAR:
        return TimeKind.YEAR
    if QUARTER_NAME.search(name) and low >= 1 and high <= 4:
        return TimeKind.QUARTER
    if MONTH_NAME.search(name) and low >= 1 and high <= 12:
        return TimeKind.MONTH
    digits = values.astype("int64").astype(str).str.len()
    if (digits == digits.iloc[0]).all() and digits.iloc[0] in DATE_NUMBER_FORMATS:
        parsed = pd.to_datetime(
            values.astype("int64").astype(str),
            format=DATE_NUMBER_FORMATS[digits.iloc[0]],
            errors="coerce",
        )
        if parsed.notna().all() and parsed.dt.year.between(1800, LATEST_YEAR).all():
            return TimeKind.DATE_NUMBER
    return None


def find_time(frame: pd.DataFrame, columns: list[Column]) -> TimeOrder | None:
    """The table's time: a date column, a date written as a number, or a year (with its
    quarter or month); and whether the rows come in time order."""
    kinds = {c.name: c.time_kind for c in columns if c.time_kind and c.role is not Role.TARGET}
    for wanted in (TimeKind.DATETIME, TimeKind.DATE_NUMBER, TimeKind.YEAR):
        named = [name for name, kind in kinds.items() if kind is wanted]
        if named:
            break
    else:
        return None
    chosen = [named[0]]
    if wanted is TimeKind.YEAR:
        finer = [n for n, k in kinds.items() if k in (TimeKind.QUARTER, TimeKind.MONTH)]
        chosen += finer[:1]
    key = time_key(frame, chosen, [kinds[name] for name in chosen])
    return TimeOrder(
        columns=chosen,
        kinds=[kinds[name] for name in chosen],
        sorted=bool(key.dropna().is_monotonic_increasing) and key.notna().any(),
        periods=int(key.nunique()),
    )


def named_as(name: str, word: re.Pattern) -> bool:
    """Whether a word of column name ``name`` is a ``word``: PatientCode is patient and
    code, n_visits is n and visits."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", str(name))
    return any(word.fullmatch(found.lower()) for found in words)


def companion_of(frame: pd.DataFrame, name: str, others: list[str]) -> str | None:
    """A column that, with ``name``, tells the rows apart the way repeated measures do: each
    (``name``, companion) pair is on one row and the pairs fill most of their grid (GRID_FILL),
    like Subject and Days. None when no column of ``others`` does."""
    entities = frame[name].nunique()
    for other in others:
        values = frame[other].nunique()
        if values < 2 or values * 2 > len(frame):
            continue  # constant, or nearly one value per row: no repeated measure
        pairs = frame[[name, other]].dropna()
        # Unique pairs need a grid at least as large as the rows; filling it needs it small.
        if not len(pairs) <= entities * values <= len(pairs) / GRID_FILL:
            continue
        if pairs.duplicated().mean() <= 1 - PANEL_UNIQUE:
            return other
    return None


def in_blocks(values: pd.Series) -> bool:
    """Whether each value's rows come in one block, as when the table is sorted by it."""
    present = values.dropna()
    return int((present != present.shift()).sum()) == present.nunique()


def entity_evidence(
    frame: pd.DataFrame, name: str, time: TimeOrder | None, companions: list[str] = ()
) -> tuple[str, bool] | None:
    """Why column ``name`` repeats like an entity (a person, a firm), and whether that is
    sure; None when it does not.

    Its values must repeat (at least MIN_ENTITIES of them, most on two rows or more) while
    other columns vary within each; and one of these holds:

    - the table has a time and each value is seen once per moment, at several moments (a
      panel);
    - its name says identifier (person_id);
    - its name says entity (Subject, patient), with MANY_ENTITIES values or more, each on
      about as many rows;
    - a column of ``companions`` tells its rows apart (Subject and Days: each pair on one
      row), and its own name is not a time within an entity (Days, visit, age). Sure when
      the companion is named like such a time; not when the column is a number within each
      companion value (plot 1-36 at each site, the table sorted by site); otherwise only
      possible: a setting crossed with another (dose and type) looks the same.
    """
    values = frame[name]
    counts = values.value_counts()
    entities, rows = len(counts), int(counts.sum())
    if entities < MIN_ENTITIES or entities * 2 > rows or (counts >= 2).mean() < 0.8:
        return None
    if pd.api.types.is_float_dtype(values) and not whole_numbers(values.dropna()):
        return None  # measurements with decimals, not labels
    each = f"{entities} values, {rows / entities:.1f} rows each on average"
    why, sure = None, True
    if time is not None and name not in time.columns and time.periods <= PANEL_MAX_PERIODS:
        moments = pd.util.hash_pandas_object(frame[time.columns], index=False)
        pairs = pd.DataFrame({"entity": values.to_numpy(), "moment": moments.to_numpy()})
        pairs = pairs[values.notna().to_numpy()]
        seen_at = pairs.groupby("entity")["moment"].nunique()
        if pairs.duplicated().mean() <= 1 - PANEL_UNIQUE and (seen_at >= 2).mean() >= 0.8:
            over = " and ".join(f"`{c}`" for c in time.columns)
            why = f"repeats like an entity seen over time ({each}, once per {over})"
    if why is None and (ID_NAME.search(name) or ID_CAMEL.search(name)):
        why = f"named like an identifier and repeats like an entity ({each})"
    many = entities >= MANY_ENTITIES and rows <= A_FEW_ROWS * entities
    even = counts.std(ddof=0) <= ENTITY_ROWS_SPREAD * counts.mean()
    if why is None and many and even and named_as(name, ENTITY_WORD):
        why = f"named like an entity (a person, a place, a firm) and repeats like one ({each})"
    if why is None and many and not named_as(name, TIME_INDEX_WORD):
        companion = companion_of(frame, name, [c for c in companions if c != name])
        if companion is None:
            return None
        measured = f"{each}, each once per `{companion}` value"
        if named_as(companion, TIME_INDEX_WORD):
            why = f"repeats like an entity measured over time ({measured})"
        elif in_blocks(frame[companion]) and not in_blocks(values):
            return None  # a number within each companion value: plot 1-36 at each site
        else:
            why, sure = f"may repeat like an entity measured again ({measured})", False
    others = [c for c in frame.columns if c != name]
    if why is None or not others:
        return None
    varying = frame.groupby(values, sort=False)[others].nunique().max(axis=1)
    if (varying > 1).mean() < 0.5:
        return None  # most values hold copies of the same row: said as identical rows
    return why, sure


def find_entities(frame: pd.DataFrame, columns: list[Column], time) -> list[Entity]:
    """Columns whose values repeat the way a person or a firm is seen again (kit/split.py
    keeps each one's rows on one side of the split)."""
    found = []
    # What a repeated measure can be taken at: any column but the target (Days, a dose).
    companions = [c.name for c in columns if c.role not in (Role.TARGET, Role.CONSTANT)]
    for column in columns:
        if column.role in (Role.TARGET, Role.CONSTANT, Role.EXCLUDED, Role.TEXT):
            continue
        if column.role is Role.NUMERIC and not whole_numbers(frame[column.name].dropna()):
            continue
        if column.time_kind is not None:
            continue
        evidence = entity_evidence(frame, column.name, time, companions)
        if evidence:
            why, sure = evidence
            counts = frame[column.name].value_counts()
            found.append(
                Entity(
                    column=column.name,
                    entities=len(counts),
                    rows_per_entity=round(float(counts.mean()), 1),
                    reason=why,
                    sure=sure,
                )
            )
    return found


def describe_columns(frame: pd.DataFrame, data: dict, rules: dict | None = None) -> list[Column]:
    """Per column: name, role and its reason, type, missing and distinct values, codes for
    unknown and numbers read from text (``rules``: kit/values.py), and its kind of time.

    ``data.columns`` in params.yaml overrules the rules of ``role_of``.
    """
    rules = rules or {}
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
        rule = rules.get(str(name))
        described.append(
            Column(
                name=str(name),
                role=role,
                reason=reason,
                set_in_params=set_in_params,
                type=str(frame[name].dtype),
                missing=int(frame[name].isna().sum()),
                distinct=int(frame[name].nunique()),
                missing_codes=rule.missing_codes() if rule else {},
                numbers_from_text=rule.marks if rule and rule.numbers else [],
                time_kind=time_kind_of(frame[name], role),
            )
        )
    return described


def settle_roles(frame: pd.DataFrame, columns: list[Column], entities: list[Entity]):
    """Roles that depend on the other columns: an entity's column is no feature (the split
    keeps its rows together; one that only may be an entity waits for the learner's choice,
    ``without_group_feature``), and free text is used only when nothing else can be."""
    grouped = {e.column: e for e in entities if e.sure}
    settled = []
    for column in columns:
        if column.name in grouped and not column.set_in_params:
            column = column.model_copy(
                update={
                    "role": Role.IDENTIFIER,
                    "reason": f"{grouped[column.name].reason}: not a feature; the split keeps "
                    "each value's rows on one side",
                }
            )
        settled.append(column)
    others = [c for c in settled if c.role in (Role.NUMERIC, Role.CATEGORICAL, Role.DATETIME)]
    final = []
    for column in settled:
        if column.role is Role.TEXT and not column.set_in_params and others:
            text = frame[column.name].dropna().astype(str)
            words = text.str.split().str.len().mean()
            reason = TEXT_LEFT_OUT.format(distinct=column.distinct, words=words, name=column.name)
            column = column.model_copy(update={"role": Role.EXCLUDED, "reason": reason})
        elif column.role is Role.TEXT and column.set_in_params:
            column = column.model_copy(
                update={
                    "reason": "set in params.yaml (data.columns): its words become features "
                    "(TF-IDF, the most frequent words only)"
                }
            )
        final.append(column)
    return final


def without_group_feature(decided: TableDecisions, plan: Split) -> TableDecisions:
    """``decided`` with the column a group split groups by out of the features: its values
    in the test rows are ones the model has never seen. A role set in data.columns stays."""
    if SplitKind(plan.kind) is not SplitKind.GROUP:
        return decided
    columns = []
    for column in decided.columns:
        grouped = column.name == plan.column and column.role in FEATURE_ROLES
        if grouped and not column.set_in_params:
            column = column.model_copy(
                update={
                    "role": Role.IDENTIFIER,
                    "reason": "the split keeps each value's rows on one side "
                    "(prepare.group_column): not a feature, as the test rows hold values the "
                    "model has not seen",
                }
            )
        columns.append(column)
    return decided.model_copy(update={"columns": columns})


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


def decide(raw: pd.DataFrame, params: dict, rules: dict | None = None) -> TableDecisions:
    """The task, the metric and the column roles for the raw table, its time and the
    columns that repeat like entities. ``rules``: how its values were read (kit/values.py)."""
    data, requested = params["data"], params["evaluate"]["metric"]
    columns = describe_columns(raw, data, rules)
    time = find_time(raw, columns)
    entities = find_entities(raw, columns, time)
    columns = settle_roles(raw, columns, entities)
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
        columns=columns,
        target_values={},
        time=time,
        entities=entities,
    )
    return with_target_values(decided, target_values(target, task), requested)
