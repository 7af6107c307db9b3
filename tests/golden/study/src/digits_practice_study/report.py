"""Stage 5, report: turn WRITEUP.md and the pipeline's outputs into one shareable page.

    python -m digits_practice_study.report

``reports/writeup.html`` is self-contained (figures embedded) and readable offline. This
stage computes nothing new: every number in it comes from ``reports/metrics.json``,
``data/decisions.json`` and the ledger of tries, ``reports/ledger.csv``. The Markdown of
``data/summary.md``, which prepare writes, is made here too, so both say the same.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import sys
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import config, review
from .config import FEATURE_ROLES, markdown_table

# Classes listed one by one; the rest are summed up.
MAX_CLASSES_SHOWN = 30


def fmt(value: float) -> str:
    """How every number appears in the write-up: three decimals."""
    return f"{value:.3f}"


# ---------------------------------------------------------------- the data: what prepare did


def rows_account(decisions: dict) -> str:
    """Rows in, rows removed and why, identical rows and how the split treated them."""
    rows = decisions["rows"]
    lines = [f"- Rows in the raw table: {rows['raw']}"]
    lines += [f"- Removed, {r['reason']}: {r['rows']}" for r in rows["removed"]]
    if not rows["removed"]:
        lines.append("- Removed: none")
    lines.append(f"- Used: {rows['used']} ({rows['train']} to train, {rows['test']} to test)")
    if rows.get("train_sample"):  # compute=dask: prepare.train_rows caps the training rows
        kind = "a stratified" if decisions["task"] == "classification" else "a random"
        lines.append(
            f"- Fitted on {kind} sample of {rows['train_sample']} of the {rows['train']} "
            "training rows (prepare.train_rows); cross-validation and the learning curve use "
            "the same sample, the test score all test rows (docs/dask.md)"
        )
    identical, split = rows["identical"], decisions["split"]
    if split["kind"] == "time":
        lines.append(
            f"- Split by time on `{split['column']}`: trained on earlier rows, tested on "
            f"rows from {split['test_from']} on"
        )
    elif split["kind"] == "group":
        lines.append(
            f"- Split by `{split['column']}` ({split['groups']} groups): all rows of a "
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
    missing = sorted((c for c in decisions["columns"] if c["missing"]), key=lambda c: -c["missing"])
    if missing:
        worst = ", ".join(f"`{c['name']}` {c['missing']}" for c in missing[:5])
        lines.append(
            f"- Missing values in {len(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(most: {worst}); the model fills them from training rows"
        )
    else:
        lines.append("- Missing values: none")
    return "\n".join(lines)


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
            rows.append(
                [f"{role} ({len(group)})", names + (f" and {more} more" if more > 0 else "")]
            )
        else:
            reasons = "; ".join(f"`{c['name']}`: {c['reason']}" for c in group)
            rows.append([f"{role} ({len(group)}), left out", reasons])
    return markdown_table(["role (columns)", "columns"], rows)


def classes_account(decisions: dict) -> str:
    """The task and metric with their reasons, and each class's share of the rows."""
    chosen = "" if decisions["task_reason"].startswith("set in") else "; set data.task to change it"
    lines = [
        f"- Task: {decisions['task']} ({decisions['task_reason']}{chosen})",
        f"- Headline metric: {decisions['metric']} ({decisions['metric_reason']})",
    ]
    shares = decisions["class_shares"]
    if shares:
        listed = list(shares.items())[:MAX_CLASSES_SHOWN]
        text = ", ".join(f"`{k}` {v:.1%}" for k, v in listed)
        rest = len(shares) - len(listed)
        lines.append(f"- Class shares: {text}" + (f" and {rest} other classes" if rest else ""))
        rare = decisions["rare_classes"]
        if rare:
            lines.append(
                "- Rare classes: "
                + ", ".join(f"`{k}`" for k in rare[:10])
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
    header = ["feature alone", f"cv {scores['metric']}", "share of all features' gain"]
    return (
        f"All features together: {scores['all_features']:.3f}; baseline (no feature): "
        f"{scores['baseline']:.3f}.\n\n" + markdown_table([*header, "worth a question"], rows)
    )


def columns_table(decisions: dict, rows: int) -> str:
    header = ["column", "role", "type", "missing", "missing %", "distinct values", "why"]
    return markdown_table(
        header,
        [
            [
                f"`{c['name']}`",
                c["role"],
                c["type"],
                c["missing"],
                f"{c['missing'] / max(rows, 1):.1%}",
                c["distinct"],
                c["reason"],
            ]
            for c in decisions["columns"]
        ],
    )


def target_table(decisions: dict) -> str:
    values = decisions["target_values"]
    if decisions["task"] == "regression":
        rows = [[k, int(v) if k == "count" else f"{v:.4g}"] for k, v in values.items()]
        return markdown_table(["statistic", "value"], rows)
    total = sum(values.values())
    counts = list(values.items())
    rows = [[label, n, f"{n / total:.1%}"] for label, n in counts[:MAX_CLASSES_SHOWN]]
    rest = counts[MAX_CLASSES_SHOWN:]
    if rest:
        n = sum(count for _, count in rest)
        rows.append([f"{len(rest)} other classes", n, f"{n / total:.1%}"])
    return markdown_table(["class", "rows", "share"], rows)


def data_summary(decisions: dict) -> str:
    """The Markdown of ``data/summary.md``: the measured half of the data card."""
    columns = decisions["columns"]
    features = sum(c["role"] in FEATURE_ROLES for c in columns)
    left_out = len(columns) - 1 - features
    return f"""# What the data holds

*Measured by the pipeline (prepare stage) from `{config.shown(config.RAW_DATA)}`. Do not edit:
it is rewritten whenever the data changes. The data card, [README.md](README.md), is yours.*

- Columns: {len(columns)} (the target, {features} used as features, {left_out} left out)
- Target: `{decisions["target"]}`
{classes_account(decisions)}

## Rows: what came in, what was removed, how they were split

{rows_account(decisions)}

## Columns: their roles, types and missing values

Each column has one role. Only numeric, categorical and datetime columns reach the model;
to change a role, name it in params.yaml under `data.columns` (e.g. `zip_code: categorical`).

{columns_table(decisions, decisions["rows"]["raw"])}

## Features that carry the score on their own

Each feature alone, in a small decision tree cross-validated on training rows, against the same
tree on all features. One that reaches most of what all features reach is worth a question:
is it known when a prediction is made, or recorded after the outcome (a leak)?

{single_features_table(decisions)}

## Distribution of the target, `{decisions["target"]}`

{target_table(decisions)}
"""


def prepare_lines(decisions: dict) -> str:
    """What prepare prints when it is done: the split, and each feature worth a question."""
    rows = decisions["rows"]
    gone = sum(r["rows"] for r in rows["removed"])
    sample = rows.get("train_sample")
    lines = [
        f"prepare: {rows['train']} train rows"
        + (f" (the model is fitted on a sample of {sample}: prepare.train_rows)" if sample else "")
        + f", {rows['test']} test rows"
        + (f" ({gone} rows removed: see data/summary.md)" if gone else "")
        + f"; task {decisions['task']}, metric {decisions['metric']}"
    ]
    for name, alone in decisions["single_features"]["alone"].items():
        if alone["close_to_all"]:
            lines.append(
                f"prepare: feature {name!r} alone reaches {alone['share']:.0%} of what all "
                "features reach together: is it known when a prediction is made? "
                "(data/summary.md)"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- the write-up


def split_front_matter(text: str) -> tuple[dict, str]:
    """The YAML block between the first two ``---`` lines, and the Markdown after it."""
    match = review.FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


def lookup(metrics: dict, dotted: str):
    value = metrics
    for part in dotted.split("."):
        try:
            value = value[part]
        except (KeyError, TypeError):
            raise KeyError(f"metrics.json has no {dotted!r}") from None
    return value


def results_table(metrics: dict) -> str:
    """Model and baseline side by side: CV mean ± sd, test score and its interval."""
    name, level = metrics["metric"], round(metrics["confidence"] * 100)
    header = ["", f"cross-validation {name} (mean ± sd)", f"test {name}", f"{level}% interval"]
    rows = []
    for label in ("model", "baseline"):
        m = metrics[label]
        cv, ci = m["cv"], m["test_ci"]
        rows.append(
            [
                label,
                f"{fmt(cv['mean'])} ± {fmt(cv['sd'])}",
                fmt(m["test"][name]),
                f"{fmt(ci['low'])} to {fmt(ci['high'])}",
            ]
        )
    diff = metrics["difference"]
    ci = diff["test_ci"]
    rows.append(
        ["model − baseline", "", fmt(diff["test"]), f"{fmt(ci['low'])} to {fmt(ci['high'])}"]
    )
    table = markdown_table(header, rows)
    others = [k for k in metrics["model"]["test"] if k != name]
    if others:
        table += "\n\n" + markdown_table(
            ["other test metrics", "model", "baseline"],
            [
                [k, fmt(metrics["model"]["test"][k]), fmt(metrics["baseline"]["test"][k])]
                for k in others
            ],
        )
    return table


def leakage_account(metrics: dict, decisions: dict) -> str:
    """What the leakage checks found, in a few sentences the learner can build on."""
    split, lines = decisions["split"], []
    if split["identical"] in ("none", "grouped"):
        lines.append(
            "- No row of feature values is in both the training and the test set (checked)."
        )
    elif split["identical"] == "expected":
        lines.append(
            "- Identical rows are expected in this table and were split one by one, so a test "
            "row's features can also appear in training rows: the score measures how well the "
            "model knows these combinations, not unseen ones."
        )
    lines.append("- The target is not among the features, nor copied under another name (checked).")
    identifiers = [f"`{c['name']}`" for c in decisions["columns"] if c["role"] == "identifier"]
    if identifiers:
        lines.append(
            f"- Left out as identifiers, never seen by the model: {', '.join(identifiers)}."
        )
    dates = [c["name"] for c in decisions["columns"] if c["role"] == "datetime"]
    if dates and split["kind"] != "time":
        lines.append(
            f"- The table has dates ({', '.join(f'`{d}`' for d in dates)}) but rows were split "
            "at random: the model was tested on the same period it learned from. To test on "
            f"the future, set `prepare.split: time` and `prepare.time_column: {dates[0]}`."
        )
    alone = decisions.get("single_features", {}).get("alone", {})
    close = {name: s for name, s in alone.items() if s["close_to_all"]}
    if close:
        named = ", ".join(f"`{n}` ({s['share']:.0%})" for n, s in close.items())
        lines.append(
            "- **Worth a question:** alone, with no other feature, these reach most of what "
            "all features reach together (a small decision tree, cross-validated on training "
            f"rows): {named}. Is each known at the moment a prediction would be made, or "
            "recorded after the outcome? If after, it leaks the answer: list it under "
            "`data.drop_columns`."
        )
    elif alone:
        name, strongest = next(iter(alone.items()))
        lines.append(
            "- No single feature comes close to all features together (the strongest alone, "
            f"`{name}`, reaches {strongest['share']:.0%} of their gain over the baseline)."
        )
    return "\n".join(lines)


class FigureProblem(Exception):
    """A figure WRITEUP.md asks for is missing, or two figures share a name."""


def data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


# Where a reviewer's note goes: typed after the paragraph, replaced once it is HTML.
NOTE_MARK = re.compile(r"\s*⟦note(\d+)⟧\s*(</p>)?")


def mark_notes(source: str, findings: list) -> tuple[str, list[list]]:
    """``source`` with a mark after each flagged paragraph, and the findings of each mark."""
    lines, notes = source.split("\n"), {}
    for finding in findings:
        notes.setdefault(finding.line, []).append(finding)
    for number, line in enumerate(sorted(notes)):
        lines[line - 1] += f" ⟦note{number}⟧"
    return "\n".join(lines), [notes[line] for line in sorted(notes)]


def note_html(findings: list) -> str:
    """One reviewer's note: each flagged sentence, with every rule it breaks and why."""
    reasons = {}
    for f in findings:
        reasons.setdefault(f.sentence, []).append(f"{escape(f.message)} ({escape(f.rule)})")
    items = "".join(
        f"<li><em>{escape(sentence)}</em> {' '.join(why)}</li>" for sentence, why in reasons.items()
    )
    title = "<strong>Reviewer's note</strong>"
    return f'<div class="reviewer-note" role="note">{title}<ul>{items}</ul></div>'


def render_markdown(
    source: str,
    metrics: dict,
    figures: dict[str, Path],
    decisions: dict,
    notes: list = (),
    rows=None,
) -> str:
    """Fill the write-up's placeholders from the outputs, then turn Markdown into HTML.

    ``notes``: the findings at each mark that ``mark_notes`` left in ``source``.
    """
    rows = review.ledger() if rows is None else rows

    def figure(name: str, caption: str = "") -> str:
        if name not in figures:
            raise FigureProblem(
                f"WRITEUP.md asks for figure({name!r}), but there is no {name}.png in "
                f"reports/figures or figures/; the figures there are: {', '.join(figures)}"
            )
        return f"![{caption or name.replace('_', ' ')}]({data_uri(figures[name])})"

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    filled = env.from_string(source).render(
        metrics=metrics,
        decisions=decisions,
        data_account=rows_account(decisions),
        task_and_classes=classes_account(decisions),
        column_roles=roles_table(decisions),
        leakage_checks=leakage_account(metrics, decisions),
        metric=lambda dotted: fmt(lookup(metrics, dotted)),
        results_table=results_table(metrics),
        figure=figure,
        all_figures="\n\n".join(figure(name) for name in sorted(figures)),
        tries_table=review.compare_table(rows),
        test_looks=review.looks_statement(rows),
        preregistration=review.preregistration(),
    )
    # html=False: raw HTML typed into the write-up is shown as text, never run.
    markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("table")

    def place(match: re.Match) -> str:
        note = note_html(notes[int(match.group(1))])
        return f"</p>\n{note}" if match.group(2) else note

    return NOTE_MARK.sub(place, markdown.render(filled))


def build(
    source_text: str,
    metrics: dict,
    env_info: dict,
    figures: dict[str, Path],
    decisions: dict,
    rows=None,
) -> str:
    # Claims the numbers do not support get a reviewer's note after their paragraph.
    marked, notes = mark_notes(source_text, review.check_claims(source_text, metrics))
    meta, body = split_front_matter(marked)
    # The page template only fills in values: all logic stays here in Python.
    page = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    ).get_template("writeup.html.j2")
    packages = "; ".join(f"{k} {v}" for k, v in env_info.get("packages", {}).items())
    return page.render(
        title=meta.get("title") or "Practice study",
        question=meta.get("question") or "",
        author=meta.get("author") or "",
        intended_use=meta.get("intended_use")
        or "Not stated yet: say who may use this model, and for what.",
        limitations=meta.get("limitations")
        or "Not stated yet: say where this model should not be trusted.",
        level=round(metrics["confidence"] * 100),
        packages=packages,
        body=Markup(render_markdown(body, metrics, figures, decisions, notes, rows)),
        metrics=metrics,
        fmt=fmt,
        environment=env_info,
        commit=review.git_commit(),
        data_hash=review.data_hash(),
        built=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def print_findings(source_text: str, metrics: dict) -> None:
    """Each claim the rules flag, with its line in WRITEUP.md. A note, never an error."""
    for f in review.check_claims(source_text, metrics):
        print(f"report: reviewer's note, WRITEUP.md line {f.first} ({f.section}):")
        print(f'    "{f.sentence}"\n    {f.message}')


def all_figures() -> dict[str, Path]:
    """The pipeline's figures and the learner's own (figures/), by name; a name used twice
    would make figure(name) ambiguous, so it is refused."""
    drawn = {png.stem: png for png in sorted(config.FIGURES.glob("*.png"))}
    own = {png.stem: png for png in sorted(config.MY_FIGURES.glob("*.png"))}
    for name in drawn.keys() & own.keys():
        raise FigureProblem(
            f"figures/{name}.png has the name of a figure the pipeline draws: "
            "rename your file (and its figure(...) in WRITEUP.md)"
        )
    return drawn | own


def main() -> None:
    source = config.WRITEUP_SOURCE.read_text(encoding="utf-8")
    metrics = config.read_json(config.METRICS)
    try:
        html = build(
            source,
            metrics,
            config.read_json(config.ENVIRONMENT),
            all_figures(),
            config.read_json(config.DECISIONS),
        )
    except FigureProblem as problem:
        sys.exit(f"report: {problem}")
    config.write_text(html, config.WRITEUP)
    print_findings(source, metrics)
    print(f"report: {config.shown(config.WRITEUP)} (open it in a browser to read)")


if __name__ == "__main__":
    main()
