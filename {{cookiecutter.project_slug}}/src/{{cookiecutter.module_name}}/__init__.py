"""The code of this study.

Yours to change:

    study.py      YOUR features (add_features), models (MODELS) and metrics (METRICS)

The stages, in the order the pipeline runs them (``python3 run.py study`` runs them all, in
order and only when needed, through ``dvc repro``; each alone is
``python -m <package>.<stage>``). Each is a short script to read top to bottom:

    get_data.py   the raw table into data/raw
    prepare.py    check it, decide each column's role, split off the test rows once
    train.py      fit the model pipeline on the training rows
    evaluate.py   score model and baseline: cross-validation, then the test rows once
    report.py     the write-up, reports/writeup.html

The machinery they share is in kit/, one module per job (kit/__init__.py lists them).
Template updates replace kit/ and the stages; they never touch study.py.
"""
