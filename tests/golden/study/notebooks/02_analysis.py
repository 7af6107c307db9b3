# %% [markdown]
# # Analyse the model
#
# A walk through the model the pipeline trains, using the pipeline's own code. It works on
# the training rows only: the test rows are for the evaluate stage, once. Test results are
# read from `reports/metrics.json` after `make study`.

# %%
import json

import pandas as pd

from digits_practice_study import columns, datasets, modelling, paths, prepare, scoring
from digits_practice_study.params import load

params = load()
data = params["data"]
raw = prepare.checked_raw(params)
decisions = prepare.decide(raw, params)  # task, metric and column roles, as prepare decides
frame, _removed = prepare.usable_rows(raw, data)
train, _test, _how = prepare.split(frame, decisions, params["prepare"])  # the pipeline's split
features, labels = datasets.split_features(train, data["target"])
task, metric, roles = decisions["task"], decisions["metric"], columns.features_by_role(decisions)
print(f"{len(train)} training rows; task: {task}; metric: {metric}")

# %% [markdown]
# ## The model pipeline
#
# Preprocessing and the estimator are one object, so preprocessing is fitted on training rows
# only, inside every cross-validation fold too.

# %%
model = modelling.build(params["train"], task, roles)
model

# %% [markdown]
# ## Model and baseline under cross-validation
#
# The spread across folds is a first sense of how much a score moves by chance.

# %%
settings = params["evaluate"]
rows = {}
for label, candidate in {
    "model": model,
    "baseline": modelling.build_baseline(task, roles),
}.items():
    rows[label] = scoring.cross_validate(
        candidate,
        features,
        labels,
        task,
        metric,
        settings["cv_folds"],
        settings["seed"],
    )
pd.DataFrame(rows).T

# %% [markdown]
# ## Test results from the pipeline

# %%
if paths.METRICS.exists():
    metrics = json.loads(paths.METRICS.read_text())
    name = metrics["metric"]
    print(
        f"test {name}: model {metrics['model']['test'][name]:.3f} "
        f"[{metrics['model']['test_ci']['low']:.3f}, {metrics['model']['test_ci']['high']:.3f}],"
        f" baseline {metrics['baseline']['test'][name]:.3f}"
    )
else:
    print("No test results yet: run `make study`.")
