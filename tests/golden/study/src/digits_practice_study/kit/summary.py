"""What prepare found, in words: data/summary.md (the measured half of the data card),
prepare's closing lines, and the data account the write-up shows."""

from __future__ import annotations

from .decisions import FEATURE_ROLES, Decisions, FoldKind, Identical, Role, SplitKind, Task
from .files import markdown_table, plural
from .paths import RAW_DATA, shown

# Classes listed one by one; the rest are summed up.
MAX_CLASSES_SHOWN = 30
# Below this many test rows, the data account says the sample is small and its intervals wide.
SMALL_TEST_ROWS = 50
HOW_IDENTICAL_ROWS_WERE_SPLIT = {
    Identical.GROUPED: "kept, and kept together on one side of the split, so no copy of a "
    "test row is trained on",
    Identical.EXPECTED: "kept, and split one by one: the features allow so few combinations "
    "that repeats are expected here, not copies (each test row's features may also appear in "
    "training)",
}


def names(columns) -> str:
    return " and ".join(f"`{c}`" for c in columns)


def source_lines(decisions: Decisions) -> list[str]:
    """Which sheet of a spreadsheet was read."""
    source = decisions.source
    if source is None or source.format != "spreadsheet":
        return []
    others = ""
    if len(source.sheets) > 1:
        listed = ", ".join(f"`{s}`" for s in source.sheets)
        others = f" (one of {len(source.sheets)}: {listed}; data.read.sheet picks another)"
    return [f"- Read from `{source.file}`, sheet `{source.sheet}`{others}"]


def values_lines(decisions: Decisions) -> list[str]:
    """Codes for unknown read as missing, and numbers read from text, with their counts."""
    lines = []
    sample = decisions.source.values_checked_on if decisions.source else None
    where = f", found on a sample of {sample} rows" if sample else ""
    coded = [c for c in decisions.columns if c.missing_codes]
    if coded:
        listed = "; ".join(
            f"`{c.name}`: "
            + ", ".join(
                f"`{code}` {plural(n, 'row', 'rows')}" for code, n in c.missing_codes.items()
            )
            for c in coded
        )
        lines.append(
            f"- Codes for unknown, read as missing values: {listed} (data.read.na_values adds "
            f"codes, data.read.keep_values keeps one as a real value{where})"
        )
    numbers = [c for c in decisions.columns if c.numbers_from_text]
    if numbers:
        listed = "; ".join(
            f"`{c.name}` ({', '.join(m.value for m in c.numbers_from_text)})" for c in numbers
        )
        lines.append(
            f"- Numbers written as text, read as numbers: {listed} (data.read.thousands "
            f"names the thousands separator; none keeps such columns as text{where})"
        )
    return lines


def split_lines(decisions: Decisions) -> list[str]:
    """How the rows were split and why; what an entity or a time in the table means for it."""
    split, time, entities = decisions.split, decisions.time, decisions.entities
    why = f" ({split.reason})" if split.reason and not split.set_in_params else ""
    lines = []
    if split.kind is SplitKind.TIME:
        lines.append(
            f"- Split by time on {names(split.time_columns or [split.column])}: trained on "
            f"earlier rows, tested on rows from {split.test_from} on{why}"
        )
    elif split.kind is SplitKind.GROUP:
        lines.append(
            f"- Split by `{split.column}` ({split.groups} groups): all rows of a "
            f"group are on the same side{why}"
        )
    for entity in entities:
        if split.kind is SplitKind.GROUP and entity.column == split.column:
            continue
        lines.append(
            f"- `{entity.column}` {entity.reason}, and rows of the same value are in both the "
            "training and the test rows: the test score is on values the model has seen. To "
            f"test on new ones, set prepare.split: group and prepare.group_column: "
            f"{entity.column}"
        )
    if time is not None and split.kind is not SplitKind.TIME:
        order = "; the rows are in time order" if time.sorted else ""
        lines.append(
            f"- The table has a time ({names(time.columns)}: "
            f"{' and '.join(k.value for k in time.kinds)}, {time.periods} moments{order}), and "
            "the rows were not split by it: the test "
            "rows come from the same periods as the training rows. To test on later rows, set "
            f"prepare.split: time and prepare.time_column: {time.columns[0]}"
        )
    folds = decisions.folds
    if folds is not None and (folds.used < folds.requested or folds.column):
        how = {
            FoldKind.GROUPED: f", each group of `{folds.column}` within one fold",
            FoldKind.TIME: ", each scored on rows later than those it learned from",
        }.get(folds.kind, "")
        reason = f" ({folds.reason})" if folds.reason else ""
        lines.append(f"- Cross-validation: {folds.used} folds{how}{reason}")
    return lines


def small_sample_line(decisions: Decisions) -> list[str]:
    rows = decisions.rows
    if not decisions.small_sample:
        return []
    return [
        f"- **A small sample:** {rows.test} test rows and {rows.train} training rows (fewer "
        f"than {SMALL_TEST_ROWS} test rows). Each test row moves the score a lot, so the "
        "intervals are wide and a difference from the baseline can be chance: read the "
        "numbers as a first look, not a result"
    ]


def sample_setting(rows) -> str:
    """Where the training sample's size comes from: prepare.train_rows, or the memory."""
    if rows.train_sample_sized_to is None:
        return "prepare.train_rows"
    memory = f"{rows.train_sample_sized_to / 2**30:.1f} GiB"
    return f"prepare.train_rows null: as many as fit in the {memory} of memory available"


def rows_account(decisions: Decisions) -> str:
    """Rows in, rows removed and why, identical rows and how the split treated them."""
    rows, split = decisions.rows, decisions.split
    lines = [*source_lines(decisions), f"- Rows in the raw table: {rows.raw}"]
    lines += [f"- Removed, {r.reason}: {r.rows}" for r in rows.removed]
    if not rows.removed:
        lines.append("- Removed: none")
    lines.append(f"- Used: {rows.used} ({rows.train} to train, {rows.test} to test)")
    if rows.train_sample:  # compute=dask: prepare.train_rows caps the training rows
        kind = "a stratified" if decisions.task is Task.CLASSIFICATION else "a random"
        lines.append(
            f"- Fitted on {kind} sample of {rows.train_sample} of the {rows.train} "
            f"training rows ({sample_setting(rows)}); cross-validation and the learning curve use "
            "the same sample, the test score all test rows"
        )
    lines += split_lines(decisions)
    lines += small_sample_line(decisions)
    if rows.identical.rows:
        treated = HOW_IDENTICAL_ROWS_WERE_SPLIT.get(split.identical, "kept")
        lines.append(
            f"- Identical rows (same values in every feature): {rows.identical.rows} rows in "
            f"{rows.identical.patterns} patterns; {treated}"
        )
    missing = sorted((c for c in decisions.columns if c.missing), key=lambda c: -c.missing)
    if missing:
        worst = ", ".join(f"`{c.name}` {c.missing}" for c in missing[:5])
        lines.append(
            f"- Missing values in {plural(len(missing), 'column', 'columns')} "
            f"(most: {worst}); the model fills them from training rows"
        )
    else:
        lines.append("- Missing values: none")
    lines += values_lines(decisions)
    return "\n".join(lines)


def roles_table(decisions: Decisions, names_shown: int = 8) -> str:
    """One row per role: the feature columns by name, each left-out column with its reason.

    The write-up's short form; data/summary.md lists every column with its own reason.
    """
    by_role: dict[Role, list] = {}
    for column in decisions.columns:
        by_role.setdefault(column.role, []).append(column)
    rows = []
    for role, group in by_role.items():
        if role in FEATURE_ROLES or role is Role.TARGET:
            names = ", ".join(f"`{c.name}`" for c in group[:names_shown])
            more = len(group) - names_shown
            rows.append(
                [f"{role.value} ({len(group)})", names + (f" and {more} more" if more > 0 else "")]
            )
        else:
            reasons = "; ".join(f"`{c.name}`: {c.reason}" for c in group)
            rows.append([f"{role.value} ({len(group)}), left out", reasons])
    return markdown_table(["role (columns)", "columns"], rows)


def classes_account(decisions: Decisions) -> str:
    """The task and metric with their reasons, and each class's share of the rows."""
    change = "" if decisions.task_set_in_params else "; set data.task to change it"
    lines = [
        f"- Task: {decisions.task.value} ({decisions.task_reason}{change})",
        f"- Headline metric: {decisions.metric} ({decisions.metric_reason})",
    ]
    shares = decisions.class_shares
    if shares:
        listed = list(shares.items())[:MAX_CLASSES_SHOWN]
        text = ", ".join(f"`{k}` {v:.1%}" for k, v in listed)
        rest = len(shares) - len(listed)
        lines.append(f"- Class shares: {text}" + (f" and {rest} other classes" if rest else ""))
        if decisions.rare_classes:
            lines.append(
                "- Rare classes: "
                + ", ".join(f"`{k}`" for k in decisions.rare_classes[:10])
                + ". Read the per-class results (confusion matrix), not only the headline."
            )
    return "\n".join(lines)


def single_features_table(decisions: Decisions, shown_rows: int = 5) -> str:
    """The features strongest on their own, against all features together."""
    scores = decisions.single_features
    rows = [
        [f"`{name}`", f"{s.cv:.3f}", f"{s.share:.0%}", "yes" if s.close_to_all else ""]
        for name, s in list(scores.alone.items())[:shown_rows]
    ]
    header = ["feature alone", f"cv {scores.metric}", "share of all features' gain"]
    return (
        f"All features together: {scores.all_features:.3f}; baseline (no feature): "
        f"{scores.baseline:.3f}.\n\n" + markdown_table([*header, "worth a question"], rows)
    )


def columns_table(decisions: Decisions) -> str:
    header = ["column", "role", "type", "missing", "missing %", "distinct values", "why"]
    raw = max(decisions.rows.raw, 1)
    return markdown_table(
        header,
        [
            [
                f"`{c.name}`",
                c.role.value,
                c.type,
                c.missing,
                f"{c.missing / raw:.1%}",
                f"over {c.distinct}" if c.distinct_capped else c.distinct,
                c.reason,
            ]
            for c in decisions.columns
        ],
    )


def target_table(decisions: Decisions) -> str:
    values = decisions.target_values
    if decisions.task is Task.REGRESSION:
        rows = [[k, int(v) if k == "count" else f"{v:.4g}"] for k, v in values.items()]
        return markdown_table(["statistic", "value"], rows)
    total = sum(values.values())
    counts = list(values.items())
    rows = [[label, int(n), f"{n / total:.1%}"] for label, n in counts[:MAX_CLASSES_SHOWN]]
    rest = counts[MAX_CLASSES_SHOWN:]
    if rest:
        n = sum(count for _, count in rest)
        rows.append([f"{len(rest)} other classes", int(n), f"{n / total:.1%}"])
    return markdown_table(["class", "rows", "share"], rows)


def data_summary(decisions: Decisions) -> str:
    """The Markdown of ``data/summary.md``: the measured half of the data card."""
    features = len(decisions.feature_names())
    left_out = len(decisions.columns) - 1 - features
    return f"""# What the data holds

*Measured by the pipeline (prepare stage) from `{shown(RAW_DATA)}`. Do not edit:
it is rewritten whenever the data changes. The data card, [README.md](README.md), is yours.*

- Columns: {len(decisions.columns)} (the target, {features} used as features, {left_out} left out)
- Target: `{decisions.target}`
{classes_account(decisions)}

## Rows: what came in, what was removed, how they were split

{rows_account(decisions)}

## Columns: their roles, types and missing values

Each column has one role. Only numeric, categorical, datetime and text columns reach the
model; to change a role, name it in params.yaml under `data.columns` (e.g. `zip_code: categorical`).

{columns_table(decisions)}

## Features that carry the score on their own

Each feature alone, in a small decision tree cross-validated on training rows, against the same
tree on all features. One that reaches most of what all features reach is worth a question:
is it known when a prediction is made, or recorded after the outcome (a leak)?

{single_features_table(decisions)}

## Distribution of the target, `{decisions.target}`

{target_table(decisions)}
"""


def prepare_lines(decisions: Decisions) -> str:
    """What prepare prints when it is done: the split, and each feature worth a question."""
    rows = decisions.rows
    gone = sum(r.rows for r in rows.removed)
    sample = rows.train_sample
    lines = [
        f"prepare: {rows.train} train rows"
        + (
            f" (the model is fitted on a sample of {sample}: {sample_setting(rows)})"
            if sample
            else ""
        )
        + f", {rows.test} test rows"
        + (f" ({gone} rows removed: see data/summary.md)" if gone else "")
        + f"; task {decisions.task.value}, metric {decisions.metric}"
    ]
    for name, alone in decisions.single_features.close_to_all().items():
        lines.append(
            f"prepare: feature {name!r} alone reaches {alone.share:.0%} of what all "
            "features reach together: is it known when a prediction is made? "
            "(data/summary.md)"
        )
    return "\n".join(lines)
