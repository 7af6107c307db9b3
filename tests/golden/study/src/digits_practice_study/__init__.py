"""The code of this study, in the order the pipeline runs it.

Stages (each runs with ``python -m digits_practice_study.<stage>``; ``make study``
runs them all, in order and only when needed, through ``dvc repro``):

    get_data.py   the raw table into data/raw
    prepare.py    check it, decide each column's role, split off the test rows once
    train.py      fit the model pipeline on the training rows
    evaluate.py   score model and baseline: cross-validation, then the test rows once
    report.py     the write-up, reports/writeup.html

What they share:

    model.py      YOUR features (add_features) and models (MODELS), and how they are scored
    dataset.py    the rules for the table: reading, checking, column roles, the split
    config.py     where every file is, what params.yaml may hold, writing outputs safely
    review.py     make try / compare / review: iterate on training rows, review the claims
"""
