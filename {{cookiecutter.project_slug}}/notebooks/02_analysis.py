# %% [markdown]
# # Analyse the model
#
# A walk through the model the pipeline trains, using the pipeline's own code and files. It
# reads the training rows prepare wrote (`data/processed/`), never the test rows: those are
# for the evaluate stage, once. Test results are read from `reports/metrics.json`. Run
# `python3 run.py study` first.

# %%
import pandas as pd

from {{ cookiecutter.module_name }}.kit import (
    decisions,
    files,
    params,
    paths,
    pipeline,
    preprocess,
    reading,
    scoring,
)

settings = params.load_params()
decided = decisions.load()  # the task, the metric and the column roles prepare decided
train = reading.read_table(paths.TRAIN)
features, labels = reading.features_and_target(train, decided.target)
task, roles = decided.task, decided.roles()
metric = scoring.metric(task, decided.metric)
print(f"{len(train)} training rows; task: {task}; metric: {metric.name}")

# %% [markdown]
# ## The model pipeline
#
# Your features, preprocessing and the estimator are one object, so preprocessing is fitted
# on training rows only, inside every cross-validation fold too.

# %%
model = pipeline.build(settings["train"], task, roles)
model

# %% [markdown]
# ## Model and baseline under cross-validation
#
# The spread across folds is a first sense of how much a score moves by chance. The folds
# are evaluate's own: cut by the split prepare made (`decided.split`), so a group or time
# study keeps each group in one fold, or scores on later rows, as its results do.

# %%
evaluation = settings["evaluate"]
rows = {}
for label, candidate in {
    "model": model,
    "baseline": preprocess.baseline(task),
}.items():
    rows[label] = scoring.cross_validate(
        candidate,
        features,
        labels,
        task,
        metric,
        evaluation["cv_folds"],
        evaluation["seed"],
        decided.split,
    )
pd.DataFrame(rows).T

# %% [markdown]
# ## Test results from the pipeline

# %%
results = files.read_json(paths.METRICS)
name = results["metric"]
print(
    f"test {name}: model {results['model']['test'][name]:.3f} "
    f"[{results['model']['test_ci']['low']:.3f}, {results['model']['test_ci']['high']:.3f}],"
    f" baseline {results['baseline']['test'][name]:.3f}"
)
