"""The template's machinery: the study's stages use it, and you should not need to edit it.

Template updates (``python3 run.py update``) replace these files with newer versions, so an
edit made here can be overwritten; your own code belongs in ``study.py``, one folder up, which
updates never touch. Each module does one job, and none imports a module that imports it back:

    paths         where every file of the study is
    files         writing outputs safely, reading them back, Markdown tables
    params        what params.yaml may hold, checked with one message per wrong value
    check         every value of params.yaml, against study.py too, before the first stage
    decisions     what prepare decided (data/decisions.json), as typed records
    reading       reading the raw table, and the check that it can be used
    table         the raw table as prepare works on it: in memory (table_dask.py: with Dask)
    roles         each column's role, the task and the headline metric
    split         which rows are used, the train/test split, cross-validation folds
    guards        the leakage guards
    screen        each feature scored on its own: a screen for leaks
    metrics       the built-in metrics
    preprocess    filling gaps, scaling and encoding by role; the baseline
    pipeline      the model pipeline: your features, preprocessing, your estimator
    scoring       every metric (yours too), cross-validation, intervals
    figures       the pipeline's figures
    provenance    what made the results: git commit, data hash, versions, pre-registration
    ledger        every try and test-set look (reports/ledger.csv)
    summary       data/summary.md and the data account of the write-up
    claims        reading WRITEUP.md: its prompts, and claims the numbers do not support
    writeup       reports/writeup.html
    review        the REFORMS checklist, one check per item (run.py review)
    tries         run.py try and compare: cross-validation on training rows only
    update        run.py update: the template's improvements, shown before they are applied
    cli           every command of the study (run.py <command>, on any OS)
    environment   the study's .venv: built exactly as the lock pins it, checked, repaired
    doctor        run.py doctor: is this computer ready (Python, git, disk, uv, remote)?
"""
