"""Stage 2, prepare: check the raw table, decide what each column is, then split it once.

    python -m digits_practice_study.prepare

1. The data check stops the pipeline with a plain message when the table cannot be used (and
   kit/integrity.py when your own file is not the one recorded).
2. The decisions: the task, the headline metric and a role for every column (features, and
   columns left out with a reason), from kit/roles.py.
3. Rows without a target value are removed and counted. No other row is removed: rows
   identical to another row stay, and the split keeps the copies on one side.
4. The split (``prepare.split``: auto, random, time or group; kit/split.py) uses the seed
   in params.yaml, so it is the same on every machine. ``auto`` keeps the rows of an entity
   (a person seen every year) together, and tests on the latest rows when QUESTION.md asks
   about the future and the table has a time.
5. Each feature is scored on its own, on training rows: one that does nearly as well as
   all features together is named (is it known when a prediction is made, or a leak?).

Feature values are not changed here: everything that learns from data (scaling, imputing,
encoding, your features) lives in the model pipeline, fitted on training rows. What prepare
decided goes to data/decisions.json, and in words to data/summary.md.
"""

from __future__ import annotations

from .kit import decisions, guards, integrity, reading, roles, screen, split, summary
from .kit.decisions import SplitKind, Task
from .kit.files import write_text
from .kit.params import load_params
from .kit.paths import DATA_SUMMARY, QUESTION, RAW_DATA, shown
from .kit.progress import Progress
from .kit.table import open_table


def prepare(table, params: dict, asked: str = "") -> decisions.Decisions:
    """Steps 1 to 5 on ``table``, the raw table as kit/table.py reads it, which writes
    the training and test rows; returns what was decided. ``asked``: what QUESTION.md asks
    (a time split needs a question about the future)."""
    data, settings = params["data"], params["prepare"]
    # 1. The data check, on the rows the decisions look at (all of them, in memory).
    with Progress("prepare: reading the rows the check looks at"):
        sample = table.sample()
    reading.check_table(sample, data["target"], shown(RAW_DATA))
    # 2. The task, the metric, the column roles, the table's time and its entities.
    decided = table.complete(roles.decide(sample, params, table.rules))
    guards.assert_target_not_a_feature(sample[decided.feature_names()], sample[decided.target])
    plan = split.choose(decided, settings, asked)
    decided = roles.without_group_feature(decided, plan)  # the groups' values: no feature
    # 3. The usable rows, each by a few keys: its target, a fingerprint of its features.
    with Progress("prepare: reading each row's keys"):
        keys = table.keys(decided, plan, params)
    labels = keys.rows["target"].rename(decided.target)
    if decided.task is Task.CLASSIFICATION and plan.kind is not SplitKind.TIME:
        split.check_class_sizes(labels, settings, params["evaluate"]["cv_folds"])
    # 4. The split, once, and the training rows the model is fitted on.
    train, test, how = split.split_rows(
        keys.rows, decided.task, plan, settings, keys.repeats_expected
    )
    # How many training rows the model is fitted on: in memory, all of them (kit/table.py).
    most = table.train_rows(sample)
    labelled = labels.to_numpy()[train]
    fitted_on = split.training_sample(train, labelled, most, settings["seed"], decided.task)
    with Progress("prepare: writing the training and test rows"):
        table.write(fitted_on, test)
    training = table.training_rows()
    folds = split.plan_folds(
        decided.task, training, decided.target, params["evaluate"]["cv_folds"], how
    )
    # 5. Each feature alone, on the training rows.
    alone = screen.single_feature_scores(training, decided, settings["seed"], how)
    rows = decisions.Rows(
        raw=keys.raw_rows,
        used=len(keys.rows),
        removed=keys.removed,
        identical=split.count_identical(keys.rows["fingerprint"]),
        train=len(train),
        test=len(test),
        train_sample=len(fitted_on) if len(fitted_on) < len(train) else None,
        train_sample_sized_to=table.sized_to if len(fitted_on) < len(train) else None,
    )
    return decisions.Decisions(
        **dict(decided),
        split=how,
        rows=rows,
        single_features=alone,
        folds=folds,
        small_sample=len(test) < summary.SMALL_TEST_ROWS,
    )


def question() -> str:
    """What QUESTION.md asks (its first section), to see whether it asks about the future."""
    if not QUESTION.exists():
        return ""
    text = QUESTION.read_text(encoding="utf-8")
    return text.split("## What I want to know", 1)[-1].split("\n## ", 1)[0]


def main() -> None:
    # Your own data file: stop if DVC re-recorded a changed file just now (kit/integrity.py).
    integrity.guard_in_prepare()
    params = load_params()
    try:
        # Reading the table is part of the data check.
        with Progress("prepare: opening the table"):
            table = open_table(params)
        with table:
            made = prepare(table, params, question())
            where = table.where()
    except (reading.DataProblem, ValueError) as problem:
        raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
    decisions.save(made)
    write_text(summary.data_summary(made), DATA_SUMMARY)
    print(summary.prepare_lines(made))
    print(f"prepare: {where}")


if __name__ == "__main__":
    main()
