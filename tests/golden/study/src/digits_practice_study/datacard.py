"""The measured half of the data card: what the raw table holds, written by the pipeline.

``data/README.md`` is the learner's own card (source, licence, collection, biases); it links
to ``data/summary.md``, which the prepare stage rewrites from the data whenever it changes,
so the numbers there are never typed by hand and never go stale.
"""

from __future__ import annotations

import pandas as pd

from .validation import shown

# Classes listed one by one in the target's distribution; the rest are summed up.
MAX_CLASSES_SHOWN = 30


def cell(value: object) -> str:
    """Text that stays inside one Markdown table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def columns_table(frame: pd.DataFrame) -> str:
    missing = frame.isna().sum()
    rows = [
        [
            f"`{name}`",
            str(frame[name].dtype),
            int(missing[name]),
            f"{missing[name] / max(len(frame), 1):.1%}",
            int(frame[name].nunique()),
        ]
        for name in frame.columns
    ]
    return table(["column", "type", "missing", "missing %", "distinct values"], rows)


def target_table(target: pd.Series, task: str) -> str:
    if task == "regression":
        stats = target.describe()
        return table(["statistic", "value"], [[k, f"{v:.4g}"] for k, v in stats.items()])
    counts = target.value_counts(dropna=False)
    total = counts.sum()
    rows = [
        ["(missing)" if pd.isna(label) else label, int(n), f"{n / total:.1%}"]
        for label, n in counts.head(MAX_CLASSES_SHOWN).items()
    ]
    rest = counts.iloc[MAX_CLASSES_SHOWN:]
    if len(rest):
        rows.append([f"{len(rest)} other classes", int(rest.sum()), f"{rest.sum() / total:.1%}"])
    return table(["class", "rows", "share"], rows)


def summary(frame: pd.DataFrame, data: dict, source) -> str:
    """The Markdown of ``data/summary.md`` for the raw table ``frame``."""
    target, task = data["target"], data["task"]
    return f"""# What the data holds

*Measured by the pipeline (prepare stage) from `{shown(source)}`. Do not edit: it is
rewritten whenever the data changes. The data card, [README.md](README.md), is yours.*

- Rows: {len(frame)}
- Columns: {frame.shape[1]} ({frame.shape[1] - 1} features and the target)
- Target: `{cell(target)}` ({task})
- Rows with a missing value: {int(frame.isna().any(axis=1).sum())}

## Columns, their types and missing values

{columns_table(frame)}

## Distribution of the target, `{cell(target)}`

{target_table(frame[target], task)}
"""
