# %% [markdown]
# # Analyse the model
#
# A walk through the model the pipeline trains, using the pipeline's own code. It works on
# the training rows only: the test rows are for the evaluate stage, once. Test results are
# read from `reports/metrics.json` after `make study`.

# %%
import pandas as pd

from digits_practice_study import config, dataset, model

params = config.load_params()
# The training rows, the task, the metric and the column roles, exactly as prepare makes them.
train, _test, decisions = dataset.prepare_table(dataset.checked_raw(params), params)
features, labels = dataset.features_and_target(train, decisions["target"])
task, metric, roles = decisions["task"], decisions["metric"], dataset.roles(decisions)
print(f"{len(train)} training rows; task: {task}; metric: {metric}")

# %% [markdown]
# ## The model pipeline
#
# Preprocessing and the estimator are one object, so preprocessing is fitted on training rows
# only, inside every cross-validation fold too.

# %%
pipeline = model.build(params["train"], task, roles)
pipeline

# %% [markdown]
# ## Model and baseline under cross-validation
#
# The spread across folds is a first sense of how much a score moves by chance.

# %%
settings = params["evaluate"]
rows = {}
for label, candidate in {
    "model": pipeline,
    "baseline": model.build_baseline(task, roles),
}.items():
    rows[label] = model.cross_validate(
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
if config.METRICS.exists():
    metrics = config.read_json(config.METRICS)
    name = metrics["metric"]
    print(
        f"test {name}: model {metrics['model']['test'][name]:.3f} "
        f"[{metrics['model']['test_ci']['low']:.3f}, {metrics['model']['test_ci']['high']:.3f}],"
        f" baseline {metrics['baseline']['test'][name]:.3f}"
    )
else:
    print("No test results yet: run `make study`.")
