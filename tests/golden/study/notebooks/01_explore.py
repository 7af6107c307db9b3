# %% [markdown]
# # Explore the data
#
# Look at the data before modelling: its size, types, gaps and the balance of the target.
# This notebook reads the training rows prepare wrote (`data/processed/`) and what it decided
# about each column (`data/decisions.json`), both made by `python3 run.py study`. It never
# reads the held-out test rows (nor the raw table, which holds them): what you notice here
# must not come from the rows that judge the model.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from digits_practice_study.kit import decisions, paths, reading

decided = decisions.load()  # the task and column roles the pipeline used
frame = reading.read_table(paths.TRAIN)  # the training rows, and only those
target = decided.target
print(f"{frame.shape[0]} training rows, {frame.shape[1]} columns; target: {target!r}")
frame.head()

# %% [markdown]
# ## Column roles, types and missing values
#
# Each column's role decides whether the model sees it. Change a role with `data.columns` in
# `params.yaml` if the reason given here is wrong (then `python3 run.py study` again). The
# counts are prepare's, over the whole table (`data/summary.md` shows the same).

# %%
pd.DataFrame([column.model_dump() for column in decided.columns]).set_index("name")

# %% [markdown]
# ## The target
#
# For classes: is one class much more common in the training rows? A model that always
# guesses it would already score well on accuracy, which is why the pipeline reports a
# baseline.

# %%
fig, ax = plt.subplots(figsize=(6, 3))
print(f"task: {decided.task} ({decided.task_reason})")
if decided.task == "classification":
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
numeric_names = decided.names_with(decisions.Role.NUMERIC)
if numeric_names:
    numeric = frame[numeric_names]
    widest = numeric.std().sort_values(ascending=False).index[:6]
    numeric[widest].hist(bins=20, figsize=(9, 5), layout=(2, 3))
    plt.tight_layout()
    plt.show()
else:
    print("No numeric feature columns.")
