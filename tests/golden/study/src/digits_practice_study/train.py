"""Stage 3, train: fit the model pipeline on the training rows, and only those.

python -m digits_practice_study.train
"""

from __future__ import annotations

import joblib
import pandas as pd

from . import checks, columns, datasets, modelling, paths
from .files import atomic_path
from .params import load
from .validation import read_table


def fit(train_frame: pd.DataFrame, params: dict, decisions: dict):
    """The model pipeline fitted on ``train_frame``; the test rows never come near it.

    ``decisions`` (from prepare) names the task and which columns are features, by role.
    """
    features, labels = datasets.split_features(train_frame, decisions["target"])
    checks.assert_target_not_a_feature(features, labels)
    model = modelling.build(params["train"], decisions["task"], columns.features_by_role(decisions))
    checks.assert_preprocessing_in_pipeline(model)
    return model.fit(features, labels)


def main() -> None:
    modelling.one_blas_thread()
    params = load()
    model = fit(read_table(paths.TRAIN), params, columns.load())
    with atomic_path(paths.MODEL) as tmp:
        joblib.dump(model, tmp)
    print(f"train: fitted {params['train']['model']} -> {paths.MODEL.relative_to(paths.ROOT)}")


if __name__ == "__main__":
    main()
