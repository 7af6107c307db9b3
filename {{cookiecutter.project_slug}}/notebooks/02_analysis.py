# %% [markdown]
# # Analyse the model
#
# A walk through the model the pipeline trains, using the pipeline's own code. It works on
# the training rows only: the test rows are for the evaluate stage, once. Test results are
# read from `reports/metrics.json` after `make study`.

# %%
import json

import pandas as pd

from {{ cookiecutter.module_name }} import datasets, modelling, paths, prepare, scoring
from {{ cookiecutter.module_name }}.params import load

params = load()
data = params["data"]
frame = prepare.usable_rows(prepare.checked_raw(params), data["target"])
train, _test = prepare.split(frame, data, params["prepare"])  # the pipeline's exact split
features, labels = datasets.split_features(train, data["target"])
print(f"{len(train)} training rows; task: {data['task']}")

# %% [markdown]
# ## The model pipeline
#
# Preprocessing and the estimator are one object, so preprocessing is fitted on training rows
# only, inside every cross-validation fold too.

# %%
model = modelling.build(params["train"], data["task"])
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
    "baseline": modelling.build_baseline(data["task"]),
}.items():
    rows[label] = scoring.cross_validate(
        candidate,
        features,
        labels,
        data["task"],
        settings["metric"],
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
