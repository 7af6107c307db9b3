"""The template's machinery: the study's stages use it, and you should not need to edit it.

Template updates (``python3 run.py update``) replace these files with newer versions, so an
edit made here can be overwritten; your own code belongs in ``study.py``, one folder up, which
updates never touch. Each module does one job, and none imports a module that imports it back:

    paths         where every file of the study is
    files         writing outputs safely, reading them back, Markdown tables, git
    params        what params.yaml may hold, checked with one message per wrong value
    check         every value of params.yaml, against study.py too, before any model is fitted
    decisions     what prepare decided (data/decisions.json), as typed records
    integrity     your own data file is the one recorded, or the pipeline stops (accept-data)
    sharing       where the data lives for others: run.py share, run.py push, run.py pull
    reading       reading the raw table (CSV, spreadsheet, Parquet), and the check that it
                  can be used
    values        what raw values mean: codes for unknown, numbers written as text
    table         the raw table as prepare works on it, held whole in memory
    table_dask    the same, in partitions on a Dask cluster (in a study made with
                  compute=dask only)
    roles         each column's role, the task and the headline metric, the table's time
                  and the columns that repeat like entities
    split         which rows are used, the train/test split, cross-validation folds
    guards        the leakage guards
    screen        each feature scored on its own: a screen for leaks
    metrics       the built-in metrics
    preprocess    filling gaps, scaling and encoding by role; the baseline
    pipeline      the model pipeline: your features, preprocessing, your estimator
    scoring       every metric (yours too), cross-validation, intervals that hold at 0 and 1
    figures       the pipeline's figures
    progress      how far a long step has come, said while it runs
    provenance    what made the results: git commit, data hash, versions, pre-registration
    ledger        every try and test-set look (reports/ledger.csv), a look counted once
    preregister   before the first look at the test set: QUESTION.md committed
    summary       data/summary.md and the data account of the write-up
    claims        reading WRITEUP.md: its prompts, and claims the numbers do not support
    writeup       reports/writeup.html
    review        the REFORMS checklist, one check per item (run.py review)
    tries         run.py try and compare: cross-validation on training rows only
    changes       what run.py study says last: every changed file, and how to commit them
    reproduce     run.py reproduce: a reviewer's verdict, rerunning the last commit
    update        run.py update: the template's improvements, shown before they are applied
    answers       what the study was made with: the template's questions, as answered
    cli           every command of the study (run.py <command>, on any OS)
    repro         dvc repro in that command's own Python: each library loads once a run
    environment   the study's .venv: built exactly as the lock pins it, checked, repaired
    doctor        run.py doctor: is this computer ready (Python, git, disk, uv, remote)?
"""
