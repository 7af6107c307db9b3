"""The code of this study: one module per pipeline stage, plus the helpers they share.

Run a stage with ``python -m digits_practice_study.<stage>``; run them all, in
order and only when needed, with ``dvc repro`` (or ``make study``).
"""
