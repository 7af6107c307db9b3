# %% [markdown]
# # Explore the data
#
# Look at the data before modelling: its size, types, gaps and the balance of the target.
# This notebook reads the raw table only; it never touches the held-out test split.

# %%
import matplotlib.pyplot as plt

from {{ cookiecutter.module_name }} import datasets
from {{ cookiecutter.module_name }}.params import load

params = load()
target = params["data"]["target"]
frame = datasets.load_raw(params["data"])
print(f"{frame.shape[0]} rows, {frame.shape[1]} columns; target: {target!r}")
frame.head()

# %% [markdown]
# ## Column types and missing values

# %%
summary = frame.dtypes.astype(str).to_frame("type")
summary["missing"] = frame.isna().sum()
summary["distinct"] = frame.nunique()
summary

# %% [markdown]
# ## The target
#
# For classes: is one class much more common? A model that always guesses it would already
# score well on accuracy, which is why the pipeline reports a baseline.

# %%
fig, ax = plt.subplots(figsize=(6, 3))
if params["data"]["task"] == "classification":
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
numeric = frame.drop(columns=[target]).select_dtypes("number")
widest = numeric.std().sort_values(ascending=False).index[:6]
numeric[widest].hist(bins=20, figsize=(9, 5), layout=(2, 3))
plt.tight_layout()
plt.show()
