"""Stage 3, train: fit the model pipeline on the training rows, and only those.

    python -m digits_practice_study.train

The pipeline (your features, preprocessing, the estimator of ``train.model``) is built in
model.py; to try another model or setting without touching the test rows, use make try.
"""

from __future__ import annotations

import joblib
import pandas as pd
from threadpoolctl import threadpool_limits

from . import config, dataset, model


def fit(train: pd.DataFrame, params: dict, decisions: dict):
    """The model pipeline fitted on ``train``; the test rows never come near it."""
    features, target = dataset.features_and_target(train, decisions["target"])
    dataset.assert_target_not_a_feature(features, target)
    pipeline = model.build(params["train"], decisions["task"], dataset.roles(decisions))
    dataset.assert_preprocessing_in_pipeline(pipeline)
    return pipeline.fit(features, target)


def main() -> None:
    # A practice study's tables are small: handing each matrix product to a second thread
    # costs more than it gains (half the CPU time with one thread, on 2 cores).
    threadpool_limits(limits=1, user_api="blas")
    params = config.load_params()
    fitted = fit(dataset.read_table(config.TRAIN), params, dataset.load_decisions())
    with config.atomic_path(config.MODEL) as tmp:
        joblib.dump(fitted, tmp)
    print(f"train: fitted {params['train']['model']} -> {config.shown(config.MODEL)}")


if __name__ == "__main__":
    main()
