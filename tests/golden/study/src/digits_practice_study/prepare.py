"""Stage 2, prepare: check the raw table, decide what each column is, then split it once.

    python -m digits_practice_study.prepare

1. The data check stops the pipeline with a plain message when the table cannot be used.
2. The decisions: the task, the headline metric and a role for every column (features, and
   columns left out with a reason), written to data/decisions.json for the other stages.
3. Rows without a target value are removed and counted. No other row is removed: rows
   identical to another row stay, and the split keeps the copies on one side.
4. The split (``prepare.split``: random, time or group; ``dataset.split_table``) uses the
   seed in params.yaml, so it is the same on every machine.
5. Each feature is scored on its own, on training rows: one that does nearly as well as
   all features together is named (is it known when a prediction is made, or a leak?).

Feature values are not changed here: everything that learns from data (scaling, imputing,
encoding, your features) lives in the model pipeline (model.py), fitted on training rows.
The steps are ``dataset.prepare_table`` and the rules beside it in dataset.py;
data/summary.md shows what they found.
"""

from __future__ import annotations

from . import config, dataset, report


def main() -> None:
    params = config.load_params()
    try:
        raw = dataset.checked_raw(params)
        train, test, decisions = dataset.prepare_table(raw, params)
    except (dataset.DataProblem, ValueError) as problem:
        raise SystemExit(f"prepare: the data check failed:\n{problem}") from None
    dataset.save_decisions(decisions)
    config.write_text(report.data_summary(decisions), config.DATA_SUMMARY)
    for rows, path in ((train, config.TRAIN), (test, config.TEST)):
        with config.atomic_path(path) as tmp:
            rows.to_csv(tmp, index=False)
    print(report.prepare_lines(decisions))


if __name__ == "__main__":
    main()
