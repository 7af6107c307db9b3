"""The measured half of the data card: what the raw table holds and what prepare did with it.

``data/README.md`` is the learner's own card (source, licence, collection, biases); it links
to ``data/summary.md``, which the prepare stage rewrites from the data whenever it changes,
so the numbers there are never typed by hand and never go stale. The write-up shows the
same account (rows, column roles, class shares), built by the functions here.
"""

from __future__ import annotations

import pandas as pd

from .columns import FEATURE_ROLES, is_rare
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


def rows_account(decisions: dict) -> str:
    """Rows in, rows removed and why, identical rows and how the split treated them."""
    rows = decisions["rows"]
    lines = [f"- Rows in the raw table: {rows['raw']}"]
    lines += [f"- Removed, {r['reason']}: {r['rows']}" for r in rows["removed"]]
    if not rows["removed"]:
        lines.append("- Removed: none")
    lines.append(f"- Used: {rows['used']} ({rows['train']} to train, {rows['test']} to test)")
    if rows.get("train_sample"):  # compute=dask: prepare.train_rows caps the training rows
        lines.append(train_sample_line(decisions))
    identical, split = rows["identical"], decisions["split"]
    if split["kind"] == "time":
        lines.append(
            f"- Split by time on `{cell(split['column'])}`: trained on earlier rows, tested on "
            f"rows from {split['test_from']} on"
        )
    elif split["kind"] == "group":
        lines.append(
            f"- Split by `{cell(split['column'])}` ({split['groups']} groups): all rows of a "
            "group are on the same side"
        )
    if identical["rows"]:
        treated = {
            "grouped": "kept, and kept together on one side of the split, so no copy of a "
            "test row is trained on",
            "expected": "kept, and split one by one: the features allow so few combinations "
            "that repeats are expected here, not copies (each test row's features may also "
            "appear in training)",
        }.get(split["identical"], "kept")
        lines.append(
            f"- Identical rows (same values in every feature): {identical['rows']} rows in "
            f"{identical['patterns']} patterns; {treated}"
        )
    missing = decisions["missing"]
    if missing:
        most = sorted(missing.items(), key=lambda kv: -kv[1])[:5]
        worst = ", ".join(f"`{cell(k)}` {v}" for k, v in most)
        lines.append(
            f"- Missing values in {len(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(most: {worst}); the model fills "
            "them from training rows"
        )
    else:
        lines.append("- Missing values: none")
    return "\n".join(lines)


def train_sample_line(decisions: dict) -> str:
    """The training sample of compute=dask, stated wherever the rows are accounted for."""
    rows = decisions["rows"]
    kind = "a stratified" if decisions["task"] == "classification" else "a random"
    return (
        f"- Fitted on {kind} sample of {rows['train_sample']} of the {rows['train']} training "
        "rows (prepare.train_rows); cross-validation and the learning curve use the same "
        "sample, the test score all test rows (docs/dask.md)"
    )


def roles_table(decisions: dict, names_shown: int = 8) -> str:
    """One row per role: the feature columns by name, each left-out column with its reason.

    The write-up's short form; data/summary.md lists every column with its own reason.
    """
    by_role: dict[str, list[dict]] = {}
    for column in decisions["columns"]:
        by_role.setdefault(column["role"], []).append(column)
    rows = []
    for role, group in by_role.items():
        if role in FEATURE_ROLES or role == "target":
            names = ", ".join(f"`{c['name']}`" for c in group[:names_shown])
            more = len(group) - names_shown
            listed = names + (f" and {more} more" if more > 0 else "")
            rows.append([f"{role} ({len(group)})", listed])
        else:
            reasons = "; ".join(f"`{c['name']}`: {c['reason']}" for c in group)
            rows.append([f"{role} ({len(group)}), left out", reasons])
    return table(["role (columns)", "columns"], rows)


def classes_account(decisions: dict) -> str:
    """The task and metric with their reasons, and each class's share of the rows."""
    chosen = "" if decisions["task_reason"].startswith("set in") else "; set data.task to change it"
    lines = [
        f"- Task: {decisions['task']} ({decisions['task_reason']}{chosen})",
        f"- Headline metric: {decisions['metric']} ({decisions['metric_reason']})",
    ]
    shares = decisions["class_shares"]
    if shares:
        shown_shares = list(shares.items())[:MAX_CLASSES_SHOWN]
        text = ", ".join(f"`{cell(k)}` {v:.1%}" for k, v in shown_shares)
        rest = len(shares) - len(shown_shares)
        lines.append(f"- Class shares: {text}" + (f" and {rest} other classes" if rest else ""))
        rare = [k for k, v in shares.items() if is_rare(v, len(shares))]
        if rare:
            lines.append(
                "- Rare classes: "
                + ", ".join(f"`{cell(k)}`" for k in rare[:10])
                + ". Read the per-class results (confusion matrix), not only the headline."
            )
    return "\n".join(lines)


def single_features_table(decisions: dict, shown: int = 5) -> str:
    """The features strongest on their own, against all features together."""
    scores = decisions["single_features"]
    rows = [
        [f"`{name}`", f"{s['cv']:.3f}", f"{s['share']:.0%}", "yes" if s["close_to_all"] else ""]
        for name, s in list(scores["alone"].items())[:shown]
    ]
    metric = scores["metric"]
    header = ["feature alone", f"cv {metric}", "share of all features' gain", "worth a question"]
    return (
        f"All features together: {scores['all_features']:.3f}; baseline (no feature): "
        f"{scores['baseline']:.3f}.\n\n" + table(header, rows)
    )


def column_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per column: its type, and how many values are missing and how many distinct."""
    return pd.DataFrame(
        {
            "type": frame.dtypes.astype(str),
            "missing": frame.isna().sum(),
            "distinct": frame.nunique(),
        }
    )


def columns_table(frame: pd.DataFrame, decisions: dict) -> str:
    return facts_table(column_facts(frame), len(frame), decisions)


def facts_table(facts: pd.DataFrame, rows: int, decisions: dict) -> str:
    """The columns table from ``column_facts`` (compute=dask counts them per partition)."""
    roles = {c["name"]: c for c in decisions["columns"]}
    table_rows = [
        [
            f"`{name}`",
            roles[str(name)]["role"],
            fact["type"],
            int(fact["missing"]),
            f"{fact['missing'] / max(rows, 1):.1%}",
            fact["distinct"] if isinstance(fact["distinct"], str) else int(fact["distinct"]),
            roles[str(name)]["reason"],
        ]
        for name, fact in facts.iterrows()
    ]
    header = ["column", "role", "type", "missing", "missing %", "distinct values", "why"]
    return table(header, table_rows)


def target_table(target: pd.Series, task: str) -> str:
    if task == "regression":
        return statistics_table(target.describe())
    return class_table(target.value_counts(dropna=False))


def statistics_table(stats: pd.Series) -> str:
    """A number target's count, mean, spread and quartiles (``Series.describe()``)."""
    rows = [[k, int(v) if k == "count" else f"{v:.4g}"] for k, v in stats.items()]
    return table(["statistic", "value"], rows)


def class_table(counts: pd.Series) -> str:
    """Rows per class, largest first (``value_counts(dropna=False)``)."""
    total = counts.sum()
    rows = [
        ["(missing)" if pd.isna(label) else label, int(n), f"{n / total:.1%}"]
        for label, n in counts.head(MAX_CLASSES_SHOWN).items()
    ]
    rest = counts.iloc[MAX_CLASSES_SHOWN:]
    if len(rest):
        rows.append([f"{len(rest)} other classes", int(rest.sum()), f"{rest.sum() / total:.1%}"])
    return table(["class", "rows", "share"], rows)


def summary(frame: pd.DataFrame, decisions: dict, source) -> str:
    """The Markdown of ``data/summary.md`` for the raw table ``frame``."""
    columns_md = columns_table(frame, decisions)
    target_md = target_table(frame[decisions["target"]], decisions["task"])
    return summary_of(frame.shape[1], columns_md, target_md, decisions, source)


def summary_of(width: int, columns_md: str, target_md: str, decisions: dict, source) -> str:
    """``data/summary.md`` from its tables: ``width`` columns, their table, the target's."""
    target = decisions["target"]
    features = sum(c["role"] in FEATURE_ROLES for c in decisions["columns"])
    left_out = width - 1 - features
    return f"""# What the data holds

*Measured by the pipeline (prepare stage) from `{shown(source)}`. Do not edit: it is
rewritten whenever the data changes. The data card, [README.md](README.md), is yours.*

- Columns: {width} (the target, {features} used as features, {left_out} left out)
- Target: `{cell(target)}`
{classes_account(decisions)}

## Rows: what came in, what was removed, how they were split

{rows_account(decisions)}

## Columns: their roles, types and missing values

Each column has one role. Only numeric, categorical and datetime columns reach the model;
to change a role, name it in params.yaml under `data.columns` (e.g. `zip_code: categorical`).

{columns_md}

## Features that carry the score on their own

Each feature alone, in a small decision tree cross-validated on training rows, against the same
tree on all features. One that reaches most of what all features reach is worth a question:
is it known when a prediction is made, or recorded after the outcome (a leak)?

{single_features_table(decisions)}

## Distribution of the target, `{cell(target)}`

{target_md}
"""
