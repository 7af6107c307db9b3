"""YOUR STUDY'S CODE: the one file of the package that is yours to change.

Template updates never rewrite this file (it is on the skip list in .cruft.json); the
machinery that uses it is in kit/. Three places, each with an example below and a worked
one in docs/model.md:

1. ``add_features``: new columns computed from the others, for the model to use;
2. ``MODELS``: the estimators ``train.model`` in params.yaml can name;
3. ``METRICS``: metrics of your own, besides the built-in ones (accuracy,
   balanced_accuracy and f1_macro for classes; r2, mae and rmse for numbers).

Try each change with ``python3 run.py try`` (cross-validation on the training rows only),
then ``python3 run.py study``. Keep this file free of imports from kit/: it is read by the kit,
not the other way round.
"""

from __future__ import annotations

import pandas as pd
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge


def add_features(table: pd.DataFrame) -> pd.DataFrame:
    """YOUR FEATURES: return ``table`` with the columns you want the model to see added.

    It runs first inside the model pipeline, row by row alike on training and test rows, so
    it must not change the number or order of rows. ``table`` holds every column except the
    target, left-out ones too. A new column of numbers is treated as numeric, any other new
    column as categorical. For example:

        table = table.copy()
        table["area"] = table["length"] * table["width"]
    """
    return table


# YOUR MODELS: the name train.model uses -> the estimator for classes and for numbers.
# Settings go in params.yaml under the name, spelt as scikit-learn spells them.
MODELS = {
    "linear": {"classification": LogisticRegression, "regression": Ridge},
    "random_forest": {
        "classification": RandomForestClassifier,
        "regression": RandomForestRegressor,
    },
    "gradient_boosting": {
        "classification": HistGradientBoostingClassifier,
        "regression": HistGradientBoostingRegressor,
    },
}

# YOUR METRICS: a name for evaluate.metric -> how to score it. "score" is called as
# score(y_true, y_pred); with "probabilities": True it gets predicted probabilities instead
# of classes. For example (with `from sklearn.metrics import log_loss` above):
#
#     "log_loss": {"task": "classification", "score": log_loss,
#                  "greater_is_better": False, "probabilities": True},
#
# Every metric of the study's task is reported on the test rows; evaluate.metric picks the
# headline one.
METRICS = {}
