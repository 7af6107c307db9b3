"""Stage 3, train: fit the model pipeline on the training rows, and only those.

    python -m {{ cookiecutter.module_name }}.train

The pipeline is your features and your model (``study.py``, named by ``train.model`` in
params.yaml) with the preprocessing of kit/preprocess.py. To try another model or setting
without touching the test rows, use python3 run.py try.
"""

from __future__ import annotations

import joblib
import pandas as pd
from threadpoolctl import threadpool_limits

from .kit import check, decisions, guards, pipeline
from .kit.files import atomic_path
from .kit.params import load_params
from .kit.paths import MODEL, TRAIN, shown
from .kit.progress import Progress
from .kit.reading import features_and_target, read_table


def fit(train: pd.DataFrame, params: dict, decided: decisions.TableDecisions):
    """The model pipeline fitted on ``train``; the test rows never come near it."""
    features, target = features_and_target(train, decided.target)
    guards.assert_target_not_a_feature(features, target)
    model = pipeline.build(params["train"], decided.task, decided.roles())
    guards.assert_preprocessing_in_pipeline(model)
    with (
        Progress(f"train: fitting {params['train']['model']} on {len(features)} rows"),
        pipeline.refused_settings(params["train"], "train"),
    ):
        return model.fit(features, target)


def main() -> None:
    # A practice study's tables are small: handing each matrix product to a second thread
    # costs more than it gains (half the CPU time with one thread, on 2 cores).
    threadpool_limits(limits=1, user_api="blas")
    params = load_params()
    check.require(params)  # your models, their settings and the metric (kit/check.py)
    fitted = fit(read_table(TRAIN), params, decisions.load())
    with atomic_path(MODEL) as tmp:
        joblib.dump(fitted, tmp)
    print(f"train: fitted {params['train']['model']} -> {shown(MODEL)}")


if __name__ == "__main__":
    main()
