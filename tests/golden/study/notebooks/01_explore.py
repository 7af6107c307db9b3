# %% [markdown]
# # Explore the data
#
# Look at the data before modelling: its size, types, gaps and the balance of the target.
# This notebook reads the raw table only; it never touches the held-out test split.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from digits_practice_study import config, dataset

params = config.load_params()
target = params["data"]["target"]
frame = dataset.load_raw(params["data"])
decisions = dataset.decide(frame, params)  # the task and column roles the pipeline uses
print(f"{frame.shape[0]} rows, {frame.shape[1]} columns; target: {target!r}")
frame.head()

# %% [markdown]
# ## Column roles, types and missing values
#
# Each column's role decides whether the model sees it. Change a role with `data.columns` in
# `params.yaml` if the reason given here is wrong.

# %%
pd.DataFrame(decisions["columns"]).set_index("name")

# %% [markdown]
# ## The target
#
# For classes: is one class much more common? A model that always guesses it would already
# score well on accuracy, which is why the pipeline reports a baseline.

# %%
fig, ax = plt.subplots(figsize=(6, 3))
print(f"task: {decisions['task']} ({decisions['task_reason']})")
if decisions["task"] == "classification":
    frame[target].value_counts().sort_index().plot.bar(ax=ax)
    ax.set_ylabel("rows")
else:
    frame[target].plot.hist(bins=30, ax=ax)
ax.set_title(f"Distribution of {target}")
plt.show()

# %% [markdown]
# ## A few features
#
# Histograms of the numeric columns with the most spread. Odd shapes, spikes at one value or
# long tails are worth a note in `data/README.md`.

# %%
numeric_names = [c["name"] for c in decisions["columns"] if c["role"] == "numeric"]
if numeric_names:
    numeric = frame[numeric_names]
    widest = numeric.std().sort_values(ascending=False).index[:6]
    numeric[widest].hist(bins=20, figsize=(9, 5), layout=(2, 3))
    plt.tight_layout()
    plt.show()
else:
    print("No numeric feature columns.")
