"""Each feature scored on its own: a screen for features that give the answer away.

A feature that does nearly as well alone as all features together is named in the data
summary and the write-up, with the question to ask of it: is it known when a prediction is
made, or recorded after the outcome (a leak)?
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import metrics, preprocess, roles, split
from .decisions import FeatureAlone, Role, SingleFeatures, TableDecisions, Task
from .progress import Progress
from .split import folds

# Each feature alone is scored, with a small tree, on a sample of at most this many training
# rows, and set against the same tree on all features. A feature that reaches this share of
# what all features reach together is named: is it known when a prediction is made?
SINGLE_FEATURE_ROWS, CLOSE_TO_ALL = 5000, 0.8
# A feature that rises or falls with the table's time this closely (Spearman) follows time.
FOLLOWS_TIME = 0.9


def follows_time(sample: pd.DataFrame, decided: TableDecisions) -> set[str]:
    """The features that are the table's time, or rise or fall with it."""
    time = decided.time
    if time is None:
        return set()
    moment = split.time_key(sample, time.columns, time.kinds).rank()  # Spearman: ranks
    found = set(time.columns)
    for name in decided.names_with(Role.NUMERIC):
        values = pd.to_numeric(sample[name], errors="coerce")
        if values.nunique() > 2 and abs(values.corr(moment, method="spearman")) >= FOLLOWS_TIME:
            found.add(name)
    return found


def single_feature_scores(train: pd.DataFrame, decided: TableDecisions, seed: int, split=None):
    """Each feature alone against all features together, cross-validated on training rows.

    Scored with a built-in metric (the headline one, or what ``auto`` would pick when the
    headline metric is one of yours): this is a screen for leaks, not a result. The folds
    keep a group's rows together, or the time order, as ``split`` (the split made) does.
    """
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    task = decided.task
    name = decided.metric
    if name not in metrics.BUILT_IN[task]:
        name, _ = roles.auto_metric(task, decided.class_shares)
    metric = metrics.BUILT_IN[task][name]
    sample = train.sample(min(len(train), SINGLE_FEATURE_ROWS), random_state=seed)
    x, y = sample.drop(columns=[decided.target]), sample[decided.target]
    everything = decided.roles()
    tree = DecisionTreeClassifier if task is Task.CLASSIFICATION else DecisionTreeRegressor
    # The same folds for every score, made once (a group's rows together, or time order).
    cv = list(folds(task, 3, seed, split).split(x, y))
    # Arrays, not pandas objects: scikit-learn checks a DataFrame or Series again in every
    # fit and score, half the screen's time when each fit takes a millisecond.
    labels = y.to_numpy()

    def score(used: dict, estimator) -> float:
        columns = x[list(used)]
        if len(used) == 1 and Role.NUMERIC in used.values():
            # One column of numbers: the tree needs no scaling and takes gaps as they are,
            # and without the preprocessing each fit costs a third (61 features: seconds).
            # float32 is what the tree computes in anyway.
            pipeline, columns = estimator, columns.to_numpy(dtype=np.float32, na_value=np.nan)
        else:
            pipeline = Pipeline(
                [("preprocess", preprocess.preprocessing(used)), ("model", estimator)]
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a rare class may miss a fold of the sample
            scores = cross_val_score(pipeline, columns, labels, cv=cv, scoring=metric.scorer())
        return float(np.mean(scores))

    names = decided.feature_names()
    print(f"prepare: scoring each of {len(names)} features alone on {len(x)} rows", flush=True)
    sign = 1 if metric.greater_is_better else -1
    baseline = score(everything, preprocess.baseline(task))
    together = score(everything, tree(max_depth=4, random_state=seed))
    gain = sign * (together - baseline)
    alone, timed = {}, follows_time(sample, decided)
    with Progress("prepare: features alone", "features", len(names)) as progress:
        for feature in names:
            alone_cv = score({feature: everything[feature]}, tree(max_depth=4, random_state=seed))
            share = sign * (alone_cv - baseline) / gain if gain > 0 else 0.0
            alone[feature] = FeatureAlone(
                cv=alone_cv,
                share=share,
                close_to_all=share >= CLOSE_TO_ALL,
                follows_time=feature in timed,
            )
            progress.step()
    ranked = dict(sorted(alone.items(), key=lambda item: -item[1].share))
    return SingleFeatures(metric=name, baseline=baseline, all_features=together, alone=ranked)
